"""The OCR pipeline as business logic: each step is a BLS call to a model the
server serves, and recognition runs only when detection found boxes."""

import numpy as np
import triton_python_backend_utils as pb_utils


def call(model, inputs, outputs):
    """One BLS request; raises with the called model's error."""
    response = pb_utils.InferenceRequest(model_name=model, inputs=inputs, requested_output_names=outputs).exec()
    if response.has_error():
        raise pb_utils.TritonModelException(f"{model}: {response.error().message()}")
    return [pb_utils.get_output_tensor_by_name(response, name) for name in outputs]


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            image = pb_utils.get_input_tensor_by_name(request, "image")
            detection_input, original = call("ocr_py_preprocess", [image], ["detection_input", "original_image"])
            (probability,) = call("text_detection", [pb_utils.Tensor("x", detection_input.as_numpy())],
                                  ["sigmoid_0.tmp_0"])
            recognition_input, boxes, scores = call(
                "ocr_py_crop",
                [pb_utils.Tensor("probability_map", probability.as_numpy()),
                 pb_utils.Tensor("original_image", original.as_numpy())],
                ["recognition_input", "boxes", "scores"])
            if boxes.as_numpy().shape[0] == 0:
                text = np.array([], dtype=np.object_)
            else:
                (probabilities,) = call("text_recognition", [pb_utils.Tensor("x", recognition_input.as_numpy())],
                                        ["softmax_11.tmp_0"])
                (decoded,) = call("ocr_py_decode", [pb_utils.Tensor("probabilities", probabilities.as_numpy())],
                                  ["text"])
                text = decoded.as_numpy()
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("text", text),
                pb_utils.Tensor("boxes", boxes.as_numpy()),
                pb_utils.Tensor("scores", scores.as_numpy())]))
        return responses
