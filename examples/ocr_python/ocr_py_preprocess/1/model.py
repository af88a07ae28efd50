"""Detection pre-processing in Python: image file bytes -> the detector's
input (BGR, resized so the longer side is at most limit_side_len and both
sides are multiples of 32, normalised, CHW) and the decoded image.
The same steps as the C++ ocr_preprocess (src/backends/ocr/detection_preprocess.cc)."""

import json
import math

import cv2
import numpy as np
import triton_python_backend_utils as pb_utils

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
# The normalised value of every byte per channel, in float32 as the C++ code computes it.
TABLE = ((np.arange(256, dtype=np.float32) / np.float32(255.0))[:, None] - MEAN) / STD


def multiple_of_32(side):
    return max(32, int(math.floor(side / 32.0 + 0.5)) * 32)


class TritonPythonModel:
    def initialize(self, args):
        parameters = json.loads(args["model_config"]).get("parameters", {})
        self.limit_side_len = int(parameters.get("limit_side_len", {}).get("string_value", "960"))

    def execute(self, requests):
        responses = []
        for request in requests:
            encoded = pb_utils.get_input_tensor_by_name(request, "image").as_numpy().reshape(-1)[0]
            image = cv2.imdecode(np.frombuffer(encoded, dtype=np.uint8), cv2.IMREAD_COLOR)
            if image is None:
                responses.append(pb_utils.InferenceResponse(
                    error=pb_utils.TritonError("ocr_py_preprocess: the image could not be decoded")))
                continue
            height, width = image.shape[:2]
            longer = max(width, height)
            ratio = self.limit_side_len / longer if longer > self.limit_side_len else 1.0
            size = (multiple_of_32(int(width * ratio)), multiple_of_32(int(height * ratio)))
            resized = image if size == (width, height) else cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)
            chw = np.stack([TABLE[resized[:, :, c], c] for c in range(3)])[None]
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("detection_input", np.ascontiguousarray(chw, dtype=np.float32)),
                pb_utils.Tensor("original_image", image)]))
        return responses
