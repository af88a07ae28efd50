// Cutting text regions out of the original image and batching them for the
// PP-OCRv4 recogniser (PaddleOCR's get_rotate_crop_image and the
// recogniser's resize_norm_img).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace inferd::ocr {

struct RecognitionShape {
  int height = 48;        // the recogniser's fixed input height
  int min_width = 320;    // PaddleOCR never batches narrower than its 48x320 training shape
  int max_width = 1280;   // wider crops are squeezed to this, bounding one batch's memory
};

// The quadrilateral `corners` (clockwise from top-left, image pixels) warped
// to an upright rectangle as large as its longer opposite sides, with
// replicated borders; turned 90 degrees anticlockwise when at least 1.5 times
// taller than wide (vertical text).
cv::Mat CropTextRegion(const cv::Mat& image, const std::array<cv::Point2f, 4>& corners);

struct RecognitionBatch {
  std::vector<float> data;  // [count, 3, height, width]
  int64_t count = 0;
  int64_t height = 0;
  int64_t width = 0;
};

// Each crop resized to `shape.height` keeping its aspect ratio, normalised to
// (x / 255 - 0.5) / 0.5, and right-padded with 0 to the batch width: the
// widest crop's width at that height, between min_width and max_width. No
// crops gives a [0, 3, height, min_width] batch.
RecognitionBatch BuildRecognitionBatch(const std::vector<cv::Mat>& crops, const RecognitionShape& shape);

}  // namespace inferd::ocr
