// libFuzzer target: arbitrary bytes as the image a client sends to the OCR
// pipeline, through the header walk and the OpenCV decode the backend runs
// (the pixel limit keeps claimed-huge images from allocating).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "backends/ocr/image_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)inferd::ocr::DecodeImage(bytes, /*max_pixels=*/int64_t{1} << 22, "fuzz input 'image'");
  return 0;
}
