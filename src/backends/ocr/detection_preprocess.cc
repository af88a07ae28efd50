#include "backends/ocr/detection_preprocess.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace inferd::ocr {
namespace {

constexpr float kMean[3] = {0.485f, 0.456f, 0.406f};
constexpr float kStd[3] = {0.229f, 0.224f, 0.225f};

int RoundToMultipleOf32(double side) { return std::max(32, static_cast<int>(std::round(side / 32.0)) * 32); }

}  // namespace

cv::Size DetectionInputSize(cv::Size image_size, int limit_side_len) {
  const int longer = std::max(image_size.width, image_size.height);
  const double ratio = longer > limit_side_len ? static_cast<double>(limit_side_len) / longer : 1.0;
  // int() truncation before rounding, as PaddleOCR does.
  const int scaled_height = static_cast<int>(image_size.height * ratio);
  const int scaled_width = static_cast<int>(image_size.width * ratio);
  return {RoundToMultipleOf32(scaled_width), RoundToMultipleOf32(scaled_height)};
}

DetectionInput PrepareDetectionInput(const cv::Mat& bgr, int limit_side_len) {
  const cv::Size size = DetectionInputSize(bgr.size(), limit_side_len);
  cv::Mat resized;
  if (size == bgr.size()) {
    resized = bgr;
  } else {
    cv::resize(bgr, resized, size, 0, 0, cv::INTER_LINEAR);
  }

  DetectionInput input;
  input.height = size.height;
  input.width = size.width;
  const size_t plane = static_cast<size_t>(size.height) * size.width;
  input.chw.resize(3 * plane);
  // One pass over the HWC bytes writing three CHW planes; a lookup table per
  // channel turns the division into a load.
  float table[3][256];
  for (int c = 0; c < 3; ++c) {
    for (int v = 0; v < 256; ++v) table[c][v] = (static_cast<float>(v) / 255.0f - kMean[c]) / kStd[c];
  }
  float* planes[3] = {input.chw.data(), input.chw.data() + plane, input.chw.data() + 2 * plane};
  size_t index = 0;
  for (int y = 0; y < size.height; ++y) {
    const uint8_t* row = resized.ptr<uint8_t>(y);
    for (int x = 0; x < size.width; ++x, ++index) {
      planes[0][index] = table[0][row[3 * x]];
      planes[1][index] = table[1][row[3 * x + 1]];
      planes[2][index] = table[2][row[3 * x + 2]];
    }
  }
  return input;
}

}  // namespace inferd::ocr
