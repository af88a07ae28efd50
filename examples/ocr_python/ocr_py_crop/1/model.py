"""Detection post-processing in Python (DB): the detector's probability map
-> text boxes (scored, grown, in reading order), each region cut out of the
original image and resized into the recogniser's batch. The same steps as
the C++ ocr_crop (src/backends/ocr/db_postprocess.cc, text_crop.cc)."""

import json
import math

import cv2
import numpy as np
import triton_python_backend_utils as pb_utils

MAX_CANDIDATES = 1000
MIN_SIDE = np.float32(3.0)
REC_HEIGHT = 48


def half_away_from_zero(values):
    return (np.sign(values) * np.floor(np.abs(values) + np.float32(0.5))).astype(np.float32)


def ordered_corners(rect):
    """top-left, top-right, bottom-right, bottom-left."""
    points = cv2.boxPoints(rect)
    points = points[np.argsort(points[:, 0], kind="stable")]
    left = (points[0], points[1]) if points[1][1] > points[0][1] else (points[1], points[0])
    right = (points[2], points[3]) if points[3][1] > points[2][1] else (points[3], points[2])
    return np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)


def mean_inside(probability, corners):
    height, width = probability.shape
    x0 = int(np.clip(math.floor(corners[:, 0].min()), 0, width - 1))
    x1 = int(np.clip(math.ceil(corners[:, 0].max()), 0, width - 1))
    y0 = int(np.clip(math.floor(corners[:, 1].min()), 0, height - 1))
    y1 = int(np.clip(math.ceil(corners[:, 1].max()), 0, height - 1))
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), dtype=np.uint8)
    polygon = np.array([[int(x - np.float32(x0)), int(y - np.float32(y0))] for x, y in corners], dtype=np.int32)
    cv2.fillPoly(mask, [polygon], 1)
    return float(cv2.mean(probability[y0:y1 + 1, x0:x1 + 1], mask)[0])


def unclip(rect, ratio):
    (cx, cy), (w, h), angle = rect
    w, h = np.float32(w), np.float32(h)
    area = w * h
    perimeter = np.float32(2.0) * (w + h)
    if perimeter <= 0:
        return rect
    distance = area * np.float32(ratio) / perimeter
    return (cx, cy), (float(w + 2 * distance), float(h + 2 * distance)), angle


def distance(a, b):
    d = a - b
    return math.sqrt(float(d[0]) * float(d[0]) + float(d[1]) * float(d[1]))


def box_height(corners):
    return 0.5 * (distance(corners[0], corners[3]) + distance(corners[1], corners[2]))


def centre_y(corners):
    return float(np.float32(0.25) * (corners[0][1] + corners[1][1] + corners[2][1] + corners[3][1]))


def reading_order(boxes):
    boxes = sorted(boxes, key=lambda box: centre_y(box[0]))
    ordered, start = [], 0
    while start < len(boxes):
        centre, height = centre_y(boxes[start][0]), box_height(boxes[start][0])
        end = start + 1
        while end < len(boxes) and abs(centre_y(boxes[end][0]) - centre) < 0.5 * min(height, box_height(boxes[end][0])):
            end += 1
        ordered += sorted(boxes[start:end], key=lambda box: box[0][0][0])
        start = end
    return ordered


def find_boxes(probability, original_size, threshold, box_threshold, unclip_ratio):
    bitmap = ((probability > threshold) * 255).astype(np.uint8)
    contours, _ = cv2.findContours(bitmap, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    width, height = original_size
    scale_x = np.float32(width) / np.float32(probability.shape[1])
    scale_y = np.float32(height) / np.float32(probability.shape[0])
    boxes = []
    for contour in contours[:MAX_CANDIDATES]:
        tight = cv2.minAreaRect(contour)
        if min(tight[1]) < MIN_SIDE:
            continue
        score = mean_inside(probability, ordered_corners(tight))
        if score < box_threshold:
            continue
        grown = unclip(tight, unclip_ratio)
        if min(grown[1]) < MIN_SIDE + 2:
            continue
        corners = ordered_corners(grown)
        corners[:, 0] = np.clip(half_away_from_zero(corners[:, 0] * scale_x), 0, width - 1)
        corners[:, 1] = np.clip(half_away_from_zero(corners[:, 1] * scale_y), 0, height - 1)
        if distance(corners[0], corners[1]) <= 3 or distance(corners[0], corners[3]) <= 3:
            continue
        boxes.append((corners, np.float32(score)))
    return reading_order(boxes)


def crop(image, corners):
    width = max(1, int(max(distance(corners[0], corners[1]), distance(corners[2], corners[3]))))
    height = max(1, int(max(distance(corners[0], corners[3]), distance(corners[1], corners[2]))))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    transform = cv2.getPerspectiveTransform(corners, target)
    region = cv2.warpPerspective(image, transform, (width, height), flags=cv2.INTER_CUBIC,
                                 borderMode=cv2.BORDER_REPLICATE)
    if height / width >= 1.5:
        region = cv2.rotate(region, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return region


def recognition_batch(regions, min_width, max_width):
    max_ratio = min_width / REC_HEIGHT
    for region in regions:
        max_ratio = max(max_ratio, region.shape[1] / region.shape[0])
    batch_width = min(max_width, int(REC_HEIGHT * max_ratio))
    batch = np.zeros((len(regions), 3, REC_HEIGHT, batch_width), dtype=np.float32)
    for index, region in enumerate(regions):
        ratio = region.shape[1] / region.shape[0]
        resized_width = min(max(int(math.ceil(REC_HEIGHT * ratio)), 1), batch_width)
        resized = cv2.resize(region, (resized_width, REC_HEIGHT), interpolation=cv2.INTER_LINEAR)
        values = resized.astype(np.float32) / np.float32(127.5) - np.float32(1.0)
        batch[index, :, :, :resized_width] = values.transpose(2, 0, 1)
    return batch


class TritonPythonModel:
    def initialize(self, args):
        parameters = json.loads(args["model_config"]).get("parameters", {})

        def number(key, default):
            return float(parameters.get(key, {}).get("string_value", default))

        self.threshold = np.float32(number("det_db_thresh", 0.3))
        self.box_threshold = number("det_db_box_thresh", 0.6)
        self.unclip_ratio = number("det_db_unclip_ratio", 1.5)
        self.min_width = int(number("rec_image_min_width", 320))
        self.max_width = int(number("rec_image_max_width", 1280))

    def execute(self, requests):
        responses = []
        for request in requests:
            probability = pb_utils.get_input_tensor_by_name(request, "probability_map").as_numpy()[0, 0]
            image = pb_utils.get_input_tensor_by_name(request, "original_image").as_numpy()
            boxes = find_boxes(probability, (image.shape[1], image.shape[0]), self.threshold, self.box_threshold,
                               self.unclip_ratio)
            regions = [crop(image, corners) for corners, _ in boxes]
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("recognition_input", recognition_batch(regions, self.min_width, self.max_width)),
                pb_utils.Tensor("boxes", np.array([c for c, _ in boxes], dtype=np.float32).reshape(-1, 4, 2)),
                pb_utils.Tensor("scores", np.array([s for _, s in boxes], dtype=np.float32))]))
        return responses
