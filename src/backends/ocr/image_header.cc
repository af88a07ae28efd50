#include "backends/ocr/image_header.h"

#include <array>
#include <cstring>

#include <fmt/format.h>

namespace inferd::ocr {
namespace {

uint8_t ByteAt(std::string_view bytes, size_t index) { return static_cast<uint8_t>(bytes[index]); }

uint32_t BigEndian16(std::string_view bytes, size_t index) {
  return (uint32_t{ByteAt(bytes, index)} << 8) | ByteAt(bytes, index + 1);
}

uint32_t BigEndian32(std::string_view bytes, size_t index) {
  return (BigEndian16(bytes, index) << 16) | BigEndian16(bytes, index + 2);
}

constexpr std::array<uint8_t, 3> kJpegStart = {0xFF, 0xD8, 0xFF};
constexpr std::array<uint8_t, 8> kPngSignature = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

template <size_t N>
bool StartsWith(std::string_view bytes, const std::array<uint8_t, N>& magic) {
  return bytes.size() >= N && std::memcmp(bytes.data(), magic.data(), N) == 0;
}

Status Truncated(std::string_view format) {
  return Status::InvalidArgument(fmt::format("the {} data is truncated (the file ends before its last marker)", format));
}

// Start-of-frame markers carry the image size: C0..CF except DHT (C4),
// JPG (C8) and DAC (CC), which share the range.
bool IsStartOfFrame(uint8_t marker) {
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// Markers without a length field: RSTn, TEM (and SOI, seen only first).
bool IsStandalone(uint8_t marker) { return (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01; }

// The index of the next marker after entropy-coded data that starts at
// `pos`: an 0xFF that is neither byte stuffing (FF 00), a restart marker
// (FF D0..D7) nor fill (FF FF). npos when the data runs out.
size_t SkipEntropyCodedData(std::string_view bytes, size_t pos) {
  while (pos + 1 < bytes.size()) {
    if (ByteAt(bytes, pos) != 0xFF) {
      ++pos;
      continue;
    }
    const uint8_t next = ByteAt(bytes, pos + 1);
    if (next == 0x00 || (next >= 0xD0 && next <= 0xD7) || next == 0xFF) {
      pos += next == 0xFF ? 1 : 2;
      continue;
    }
    return pos;
  }
  return std::string_view::npos;
}

Result<ImageHeader> InspectJpeg(std::string_view bytes) {
  ImageHeader header;
  header.format = ImageFormat::kJpeg;
  bool have_size = false;
  size_t pos = 2;  // after SOI
  while (pos + 1 < bytes.size()) {
    if (ByteAt(bytes, pos) != 0xFF) {
      return Status::InvalidArgument(fmt::format("the JPEG data is corrupt (no marker at byte {})", pos));
    }
    const uint8_t marker = ByteAt(bytes, pos + 1);
    if (marker == 0xFF) {  // fill byte before a marker
      ++pos;
      continue;
    }
    if (marker == 0xD9) {  // EOI: the file is complete
      if (!have_size) return Status::InvalidArgument("the JPEG data has no frame header (SOF)");
      return header;
    }
    if (IsStandalone(marker)) {
      pos += 2;
      continue;
    }
    if (pos + 4 > bytes.size()) return Truncated("JPEG");
    const size_t length = BigEndian16(bytes, pos + 2);  // includes its own two bytes
    if (length < 2) return Status::InvalidArgument(fmt::format("the JPEG data is corrupt (segment at byte {})", pos));
    const size_t segment_end = pos + 2 + length;
    if (segment_end > bytes.size()) return Truncated("JPEG");
    if (IsStartOfFrame(marker)) {
      if (length < 7) return Status::InvalidArgument("the JPEG frame header (SOF) is too short");
      header.height = BigEndian16(bytes, pos + 5);
      header.width = BigEndian16(bytes, pos + 7);
      have_size = true;
    }
    pos = segment_end;
    if (marker == 0xDA) {  // SOS: entropy-coded data follows, up to the next marker
      pos = SkipEntropyCodedData(bytes, pos);
      if (pos == std::string_view::npos) return Truncated("JPEG");
    }
  }
  return Truncated("JPEG");
}

Result<ImageHeader> InspectPng(std::string_view bytes) {
  ImageHeader header;
  header.format = ImageFormat::kPng;
  size_t pos = kPngSignature.size();
  bool first = true;
  // Each chunk: 4-byte length, 4-byte type, data, 4-byte CRC.
  while (pos + 12 <= bytes.size()) {
    const uint64_t length = BigEndian32(bytes, pos);
    const std::string_view type = bytes.substr(pos + 4, 4);
    const uint64_t chunk_end = pos + 12 + length;
    if (chunk_end > bytes.size()) return Truncated("PNG");
    if (first) {
      if (type != "IHDR" || length < 13) return Status::InvalidArgument("the PNG data does not start with IHDR");
      header.width = BigEndian32(bytes, pos + 8);
      header.height = BigEndian32(bytes, pos + 12);
      // The PNG specification caps each side at 2^31 - 1.
      constexpr int64_t kMaxPngSide = (int64_t{1} << 31) - 1;
      if (header.width > kMaxPngSide || header.height > kMaxPngSide) {
        return Status::InvalidArgument(fmt::format("the PNG declares a size of {}x{} pixels, above the format's "
                                                   "limit of {} per side",
                                                   header.width, header.height, kMaxPngSide));
      }
      const uint8_t colour_type = ByteAt(bytes, pos + 17);
      header.has_alpha = colour_type == 4 || colour_type == 6;
      first = false;
    } else if (type == "tRNS") {
      header.has_alpha = true;
    } else if (type == "IEND") {
      return header;
    }
    pos = static_cast<size_t>(chunk_end);
  }
  return Truncated("PNG");
}

}  // namespace

Result<ImageHeader> InspectImage(std::string_view bytes) {
  if (bytes.empty()) return Status::InvalidArgument("the image is empty (0 bytes)");
  Result<ImageHeader> header = Status::InvalidArgument(
      fmt::format("the {} bytes are not a JPEG or PNG file (unrecognised signature)", bytes.size()));
  if (StartsWith(bytes, kJpegStart)) {
    header = InspectJpeg(bytes);
  } else if (StartsWith(bytes, kPngSignature)) {
    header = InspectPng(bytes);
  }
  if (header.ok() && (header->width <= 0 || header->height <= 0)) {
    return Status::InvalidArgument(fmt::format("the image declares a size of {}x{} pixels", header->width,
                                               header->height));
  }
  return header;
}

}  // namespace inferd::ocr
