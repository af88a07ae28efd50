"""CTC decoding in Python: the recogniser's per-step class scores -> text,
with PaddleOCR's dictionary (blank first, space last). The same steps as the
C++ ocr_decode (src/backends/ocr/ctc_decode.cc). The dictionary is the one
`make setup` puts in examples/ocr (parameter "dictionary", relative to this
model's folder)."""

import json
import os

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def initialize(self, args):
        parameters = json.loads(args["model_config"]).get("parameters", {})
        relative = parameters.get("dictionary", {}).get("string_value", "ppocr_keys_v1.txt")
        path = os.path.normpath(os.path.join(args["model_repository"], relative))
        with open(path, encoding="utf-8", newline="") as dictionary:
            characters = [line.rstrip("\r\n") if line.endswith("\n") else line.rstrip("\r")
                          for line in dictionary]
        self.classes = [""] + characters + [" "]

    def execute(self, requests):
        responses = []
        for request in requests:
            probabilities = pb_utils.get_input_tensor_by_name(request, "probabilities").as_numpy()
            texts, scores = [], []
            for sequence in probabilities:
                best = sequence.argmax(axis=1)
                kept, previous, text = [], -1, []
                for step, index in enumerate(best):
                    repeat = index == previous
                    previous = index
                    if repeat or index == 0 or index >= len(self.classes):
                        continue
                    text.append(self.classes[index])
                    kept.append(float(sequence[step, index]))
                texts.append("".join(text).encode())
                scores.append(np.float32(sum(kept) / len(kept)) if kept else np.float32(0))
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("text", np.array(texts, dtype=np.object_)),
                pb_utils.Tensor("text_scores", np.array(scores, dtype=np.float32))]))
        return responses
