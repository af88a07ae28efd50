// PaddleOCR's DB text detection preprocessing (DetResizeForTest with
// limit_type "max", NormalizeImage, ToCHWImage), for the PP-OCRv4 detector.
#pragma once

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace inferd::ocr {

inline constexpr int kDefaultLimitSideLen = 960;

struct DetectionInput {
  std::vector<float> chw;  // [3, height, width], channels in the image's (BGR) order
  int height = 0;
  int width = 0;
};

// The size the detector sees: the longer side scaled down to at most
// `limit_side_len` (never up), then each side rounded to a multiple of 32
// (at least 32), as DetResizeForTest does.
cv::Size DetectionInputSize(cv::Size image_size, int limit_side_len);

// Resizes `bgr` (CV_8UC3) to DetectionInputSize and normalises each channel
// as (x / 255 - mean) / std with ImageNet's mean [0.485, 0.456, 0.406] and
// std [0.229, 0.224, 0.225], applied in the image's channel order exactly as
// PaddleOCR applies them to cv2.imread's BGR.
DetectionInput PrepareDetectionInput(const cv::Mat& bgr, int limit_side_len);

}  // namespace inferd::ocr
