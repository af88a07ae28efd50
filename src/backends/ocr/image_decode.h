// Decoding an encoded JPEG/PNG file into the 8-bit BGR image the OCR
// operations work on (BGR: the channel order PaddleOCR's models were trained
// with, as cv2.imread returns it).
#pragma once

#include <cstdint>
#include <string_view>

#include <opencv2/core.hpp>

#include "common/status.h"

namespace inferd::ocr {

// PaddleOCR serves phone photos; 40 megapixels bounds one decoded image to
// 120 MB while admitting every common camera.
inline constexpr int64_t kDefaultMaxPixels = 40'000'000;

// Decodes `bytes` into a CV_8UC3 BGR image. The size is read from the header
// and checked against `max_pixels` before any pixel is decoded. Images with
// an alpha channel are composited onto white (transparent backgrounds of
// rendered text would otherwise turn black, hiding black text).
// Errors are INVALID_ARGUMENT and start with `subject` (e.g. "model
// 'ocr_preprocess': input 'image'").
Result<cv::Mat> DecodeImage(std::string_view bytes, int64_t max_pixels, std::string_view subject);

}  // namespace inferd::ocr
