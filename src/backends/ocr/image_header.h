// Reads an encoded image's format and size from its bytes, without decoding
// pixels, and checks that the file is structurally complete.
//
// Why: the pixel limit must be enforced BEFORE a decoder allocates the image
// (a 60-byte PNG can claim 100,000 x 100,000 pixels), and libjpeg decodes a
// truncated JPEG "successfully" into a grey-padded image with only a warning.
// Walking the container (JPEG markers, PNG chunks) answers both cheaply.
// Only JPEG and PNG are accepted: the OCR pipeline needs nothing else, and
// every other codec OpenCV carries is attack surface we do not need.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace inferd::ocr {

enum class ImageFormat { kJpeg, kPng };

struct ImageHeader {
  ImageFormat format = ImageFormat::kJpeg;
  int64_t width = 0;
  int64_t height = 0;
  bool has_alpha = false;  // PNG colour types 4 and 6, or a tRNS chunk
};

// The format and declared size of `bytes`. INVALID_ARGUMENT (message without
// a subject; callers prefix it) when the bytes are empty, not JPEG/PNG,
// truncated (no JPEG EOI / PNG IEND reached) or declare a zero size.
Result<ImageHeader> InspectImage(std::string_view bytes);

}  // namespace inferd::ocr
