// Differentiable Binarization (DB) post-processing, as PaddleOCR's
// DBPostProcess (score_mode "fast") and TextSystem's box filtering and
// sorting do it: probability map -> text boxes in original-image pixels, in
// reading order.
#pragma once

#include <array>
#include <vector>

#include <opencv2/core.hpp>

namespace inferd::ocr {

struct DbParams {
  float threshold = 0.3f;      // det_db_thresh: a pixel is text above this probability
  float box_threshold = 0.6f;  // det_db_box_thresh: minimum mean probability inside a box
  float unclip_ratio = 1.5f;   // det_db_unclip_ratio: how far boxes grow (see Unclip)
  int max_candidates = 1000;   // contours looked at, at most
  float min_side = 3.0f;       // boxes thinner than this (detector pixels) are noise
};

struct TextBox {
  // Corners clockwise from top-left: top-left, top-right, bottom-right, bottom-left.
  std::array<cv::Point2f, 4> corners;
  float score = 0;  // mean probability inside the box before it grew
};

// The minimum-area rectangle grown outwards by
//   distance = area * unclip_ratio / perimeter
// on every side. PaddleOCR offsets the polygon with pyclipper (rounded
// joins) and then takes the minimum-area rectangle of the result; for a
// rectangle that rectangle is exactly the input grown by `distance` on each
// side (the rounded corners stay inside it), so no polygon clipper is needed.
cv::RotatedRect Unclip(const cv::RotatedRect& box, float unclip_ratio);

// The four corners of `box` ordered as PaddleOCR's get_mini_boxes orders
// them: of the two left-most points the upper is top-left, of the two
// right-most the upper is top-right.
std::array<cv::Point2f, 4> OrderedCorners(const cv::RotatedRect& box);

// Text boxes found in `probability` (CV_32FC1, the detector's output for one
// image), mapped back to an image of `original_size` and sorted into reading
// order. Boxes of 3 pixels or less on a side after mapping are dropped.
std::vector<TextBox> FindTextBoxes(const cv::Mat& probability, cv::Size original_size, const DbParams& params);

// Reading order: lines top to bottom, boxes within a line left to right. Two
// boxes are on one line when their vertical centres are less than half the
// smaller box's height apart.
void SortReadingOrder(std::vector<TextBox>* boxes);

}  // namespace inferd::ocr
