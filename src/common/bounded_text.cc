#include "common/bounded_text.h"

#include <fmt/format.h>

namespace inferd {

namespace {

constexpr std::string_view kCutMarker = "...(message cut)";

bool IsUtf8Continuation(char byte) { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; }

}  // namespace

size_t Utf8PrefixLength(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text.size();
  size_t length = max_bytes;
  // Step back over continuation bytes to the start of the cut character.
  while (length > 0 && IsUtf8Continuation(text[length])) --length;
  return length;
}

std::string Abbreviate(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  return fmt::format("{}...({} bytes)", text.substr(0, Utf8PrefixLength(text, max_bytes)), text.size());
}

std::string BoundMessage(std::string_view message) {
  if (message.size() <= kMaxMessageBytes) return std::string(message);
  const size_t keep = Utf8PrefixLength(message, kMaxMessageBytes - kCutMarker.size());
  std::string bounded(message.substr(0, keep));
  bounded += kCutMarker;
  return bounded;
}

}  // namespace inferd
