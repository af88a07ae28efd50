#!/usr/bin/env python3
"""Reads the text in an image with the OCR models of examples/ocr.

    python examples/ocr/client.py photo.jpg                      # ensemble, HTTP
    python examples/ocr/client.py photo.jpg --mode two-trips
    python examples/ocr/client.py photo.jpg --protocol grpc --url localhost:8001

Prints the recognised text, one text region per line, in reading order (top
to bottom, left to right).

Two ways to get there, both with the stock tritonclient:

  ensemble   One round trip. The file's bytes go to the `ocr` ensemble, which
             decodes, detects, crops, recognises and decodes inside the
             server, and sends back one string per region.

  two-trips  What a client must do without ensembles: the image processing
             runs here, around two round trips to the server.
               1. decode + resize + normalise        (here)
               2. `text_detection`                   (round trip 1)
               3. threshold the probability map, find the text regions,
                  expand them, crop each from the original image    (here)
               4. `text_recognition` on all crops    (round trip 2)
               5. CTC greedy decoding with the character dictionary (here)

The processing follows PaddleOCR's for PP-OCRv4 (DB detection
post-processing, CTC decoding), so both modes should read the same words.
The functions below are meant to be copied: each one is one step.
"""

import argparse
import math
import sys
from pathlib import Path

import cv2
import numpy as np
from tritonclient.utils import InferenceServerException, np_to_triton_dtype

EXAMPLE_DIR = Path(__file__).resolve().parent
DICTIONARY = EXAMPLE_DIR / "ocr_decode" / "1" / "ppocr_keys_v1.txt"

DETECTION_MODEL = "text_detection"
DETECTION_INPUT = "x"
DETECTION_OUTPUT = "sigmoid_0.tmp_0"
RECOGNITION_MODEL = "text_recognition"
RECOGNITION_INPUT = "x"
RECOGNITION_OUTPUT = "softmax_11.tmp_0"  # the name inside ch_PP-OCRv4_rec_infer.onnx
ENSEMBLE_MODEL = "ocr"

# Detection input: the longer side at most 960 px, both sides multiples of 32
# (the network downsamples by 32), ImageNet mean/std on x/255.
DETECTION_LIMIT_SIDE = 960
DETECTION_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
DETECTION_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)

# DB post-processing (PaddleOCR's defaults): pixels above THRESHOLD are text;
# a region is kept when its mean probability reaches BOX_THRESHOLD; the
# network predicts shrunk regions, so each is grown by
# area * UNCLIP_RATIO / perimeter on every side.
DB_THRESHOLD = 0.3
DB_BOX_THRESHOLD = 0.6
DB_UNCLIP_RATIO = 1.5
DB_MIN_SIDE = 3
DB_MAX_REGIONS = 1000

# Recognition input: crops resized to height 48 keeping their aspect ratio,
# right-padded with zeros to a common width (at least 320, at most 1280).
RECOGNITION_HEIGHT = 48
RECOGNITION_MIN_WIDTH = 320
RECOGNITION_MAX_WIDTH = 1280


# --- step 1: image -> detection input --------------------------------------

def decode_image(data):
    """Encoded JPEG/PNG bytes -> HxWx3 uint8 in BGR order (what OpenCV reads,
    and what the PaddleOCR models were trained on)."""
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError("the file is not a JPEG or PNG image OpenCV can decode")
    return image


def detection_input(image):
    """BGR image -> FP32 [1, 3, H, W] for text_detection."""
    height, width = image.shape[:2]
    ratio = min(1.0, DETECTION_LIMIT_SIDE / max(height, width))
    resized_height = max(32, int(round(height * ratio / 32)) * 32)
    resized_width = max(32, int(round(width * ratio / 32)) * 32)
    resized = cv2.resize(image, (resized_width, resized_height))
    normalised = (resized.astype(np.float32) / 255.0 - DETECTION_MEAN) / DETECTION_STD
    return normalised.transpose(2, 0, 1)[np.newaxis].copy()


# --- step 3: probability map -> text regions -> crops ----------------------

def box_corners(rect):
    """A cv2.minAreaRect -> its 4 corners clockwise from top-left, and the
    length of its shorter side."""
    points = sorted(cv2.boxPoints(rect).tolist(), key=lambda p: p[0])
    left = sorted(points[:2], key=lambda p: p[1])
    right = sorted(points[2:], key=lambda p: p[1])
    corners = np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)
    return corners, min(rect[1])


def mean_probability(probability_map, corners):
    """Mean of the map inside the polygon `corners` (how sure the network is
    that the whole region is text)."""
    height, width = probability_map.shape
    x0 = int(np.clip(np.floor(corners[:, 0].min()), 0, width - 1))
    x1 = int(np.clip(np.ceil(corners[:, 0].max()), 0, width - 1))
    y0 = int(np.clip(np.floor(corners[:, 1].min()), 0, height - 1))
    y1 = int(np.clip(np.ceil(corners[:, 1].max()), 0, height - 1))
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), dtype=np.uint8)
    shifted = (corners - [x0, y0]).round().astype(np.int32)
    cv2.fillPoly(mask, [shifted], 1)
    return cv2.mean(probability_map[y0:y1 + 1, x0:x1 + 1], mask)[0]


def find_text_regions(probability_map, image_height, image_width):
    """[H, W] probability map -> (list of [4, 2] corner arrays in original
    image pixels, list of scores), unsorted."""
    map_height, map_width = probability_map.shape
    bitmap = (probability_map > DB_THRESHOLD).astype(np.uint8)
    contours, _ = cv2.findContours(bitmap, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    scale = np.array([image_width / map_width, image_height / map_height], dtype=np.float32)
    boxes, scores = [], []
    for contour in contours[:DB_MAX_REGIONS]:
        rect = cv2.minAreaRect(contour)
        corners, short_side = box_corners(rect)
        if short_side < DB_MIN_SIDE:
            continue
        score = mean_probability(probability_map, corners)
        if score < DB_BOX_THRESHOLD:
            continue
        # Growing a rectangle's outline by d (PaddleOCR offsets the polygon
        # with pyclipper) and taking the min-area rectangle again is the same
        # rectangle with both sides 2d longer.
        (width, height) = rect[1]
        distance = width * height * DB_UNCLIP_RATIO / (2 * (width + height))
        grown = (rect[0], (width + 2 * distance, height + 2 * distance), rect[2])
        corners, short_side = box_corners(grown)
        if short_side < DB_MIN_SIDE + 2:
            continue
        corners = np.round(corners * scale)
        corners[:, 0] = np.clip(corners[:, 0], 0, image_width - 1)
        corners[:, 1] = np.clip(corners[:, 1], 0, image_height - 1)
        if min(np.linalg.norm(corners[0] - corners[1]),
               np.linalg.norm(corners[0] - corners[3])) <= DB_MIN_SIDE:
            continue
        boxes.append(corners)
        scores.append(score)
    return boxes, scores


def reading_order(boxes):
    """Indices of `boxes` top to bottom, then left to right within a line.
    A box belongs to the current line when its vertical centre is within half
    a line height of the line's."""
    def centre_y(box):
        return box[:, 1].mean()

    def height(box):
        return box[:, 1].max() - box[:, 1].min()

    lines = []
    for index in sorted(range(len(boxes)), key=lambda i: centre_y(boxes[i])):
        box = boxes[index]
        if lines:
            first = boxes[lines[-1][0]]
            if abs(centre_y(box) - centre_y(first)) < 0.5 * min(height(box), height(first)):
                lines[-1].append(index)
                continue
        lines.append([index])
    return [i for line in lines for i in sorted(line, key=lambda i: boxes[i][:, 0].min())]


def crop_region(image, corners):
    """Cut the (possibly slanted) quadrilateral out of the image as an
    upright rectangle; regions much taller than wide are turned on their
    side, as vertical text is read after a quarter turn."""
    width = int(max(np.linalg.norm(corners[0] - corners[1]), np.linalg.norm(corners[2] - corners[3])))
    height = int(max(np.linalg.norm(corners[0] - corners[3]), np.linalg.norm(corners[1] - corners[2])))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    transform = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    crop = cv2.warpPerspective(image, transform, (width, height),
                               flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    if height >= 1.5 * width:
        crop = np.ascontiguousarray(np.rot90(crop))
    return crop


def recognition_input(crops):
    """Crops -> FP32 [N, 3, 48, W]: height 48, aspect kept, (x/255-0.5)/0.5,
    zero-padded on the right to the widest crop."""
    ratios = [crop.shape[1] / crop.shape[0] for crop in crops]
    batch_width = int(RECOGNITION_HEIGHT * max(ratios))
    batch_width = min(max(batch_width, RECOGNITION_MIN_WIDTH), RECOGNITION_MAX_WIDTH)
    batch = np.zeros((len(crops), 3, RECOGNITION_HEIGHT, batch_width), dtype=np.float32)
    for row, (crop, ratio) in enumerate(zip(crops, ratios)):
        width = min(batch_width, max(1, math.ceil(RECOGNITION_HEIGHT * ratio)))
        resized = cv2.resize(crop, (width, RECOGNITION_HEIGHT)).astype(np.float32)
        batch[row, :, :, :width] = ((resized / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)
    return batch


# --- step 5: recognition scores -> strings ---------------------------------

def load_dictionary(path=DICTIONARY):
    """Class i (1-based) of the recognition model is line i of the file;
    class 0 is the CTC blank and the class after the last line a space."""
    text = Path(path).read_text(encoding="utf-8")
    # Split on "\n" only: str.splitlines would also split on characters such
    # as U+2028 that may be entries of the dictionary.
    characters = [line.rstrip("\r") for line in text.split("\n")]
    if characters and characters[-1] == "":
        characters.pop()
    return characters + [" "]


def ctc_decode(probabilities, characters):
    """FP32 [N, T, C] -> list of (text, score): best class per time step,
    repeats collapsed, blanks dropped; score = mean probability of the kept
    steps."""
    best = probabilities.argmax(axis=2)
    best_probability = probabilities.max(axis=2)
    results = []
    for classes, confidences in zip(best, best_probability):
        keep = classes != 0
        keep[1:] &= classes[1:] != classes[:-1]
        text = "".join(characters[c - 1] for c in classes[keep])
        score = float(confidences[keep].mean()) if keep.any() else 0.0
        results.append((text, score))
    return results


# --- talking to the server -------------------------------------------------

class OcrClient:
    """The stock tritonclient over HTTP or gRPC, and the two ways of reading
    an image's text."""

    def __init__(self, url=None, protocol="http"):
        if protocol == "grpc":
            import tritonclient.grpc as triton
        else:
            import tritonclient.http as triton
        self.triton = triton
        self.protocol = protocol
        self.client = triton.InferenceServerClient(
            url=url or ("localhost:8001" if protocol == "grpc" else "localhost:8000"))
        self._characters = None

    def close(self):
        self.client.close()

    def infer(self, model, inputs, outputs):
        """One round trip: {input name: numpy array} -> {output name: array}."""
        request_inputs = []
        for name, array in inputs.items():
            tensor = self.triton.InferInput(name, list(array.shape), np_to_triton_dtype(array.dtype))
            tensor.set_data_from_numpy(array)
            request_inputs.append(tensor)
        requested = [self.triton.InferRequestedOutput(name) for name in outputs]
        result = self.client.infer(model, request_inputs, outputs=requested)
        return {name: result.as_numpy(name) for name in outputs}

    @property
    def characters(self):
        if self._characters is None:
            self._characters = load_dictionary()
        return self._characters

    def read_ensemble(self, data):
        """Encoded image bytes -> list of strings, in one round trip."""
        image = np.array([data], dtype=np.object_)
        text = self.infer(ENSEMBLE_MODEL, {"image": image}, ["text"])["text"]
        return [item.decode("utf-8") for item in text.reshape(-1)]

    def read_two_trips(self, data):
        """Encoded image bytes -> list of strings: the processing runs here,
        the two networks on the server (two round trips; one when no text
        region is found, as there is nothing to recognise)."""
        image = decode_image(data)
        probability_map = self.infer(
            DETECTION_MODEL, {DETECTION_INPUT: detection_input(image)}, [DETECTION_OUTPUT]
        )[DETECTION_OUTPUT][0, 0]
        boxes, _ = find_text_regions(probability_map, *image.shape[:2])
        if not boxes:
            return []
        crops = [crop_region(image, boxes[i]) for i in reading_order(boxes)]
        probabilities = self.infer(
            RECOGNITION_MODEL, {RECOGNITION_INPUT: recognition_input(crops)}, [RECOGNITION_OUTPUT]
        )[RECOGNITION_OUTPUT]
        return [text for text, _ in ctc_decode(probabilities, self.characters)]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Print the text in an image, read by inferd.")
    parser.add_argument("image", type=Path, help="a JPEG or PNG file")
    parser.add_argument("--mode", choices=["ensemble", "two-trips"], default="ensemble")
    parser.add_argument("--protocol", choices=["http", "grpc"], default="http")
    parser.add_argument("--url", help="host:port (default localhost:8000 for http, "
                                      "localhost:8001 for grpc)")
    args = parser.parse_args(argv)

    try:
        data = args.image.read_bytes()
    except OSError as error:
        print(f"error: cannot read {args.image}: {error.strerror}", file=sys.stderr)
        return 1
    client = OcrClient(args.url, args.protocol)
    try:
        if args.mode == "ensemble":
            texts = client.read_ensemble(data)
        else:
            texts = client.read_two_trips(data)
    except (InferenceServerException, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        client.close()
    for text in texts:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
