// The JSON writer every protocol encoder uses: RapidJSON's Writer writing
// straight into the std::string that becomes the HTTP body, so a response is
// formatted once and never copied out of an intermediate buffer.
// Internal to src/protocol (it exposes RapidJSON types).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/compile.h>
#include <fmt/format.h>
#include <rapidjson/writer.h>

#include "types/inference_request.h"

namespace inferd::protocol {

// RapidJSON output stream over a caller-owned std::string (appends).
class StringOutputStream {
 public:
  using Ch = char;
  explicit StringOutputStream(std::string* out) : out_(out) {}
  void Put(char c) { out_->push_back(c); }
  void Flush() {}
  std::string* target() const { return out_; }

 private:
  std::string* out_;
};

// Default flags: NaN and infinity are refused (the writer returns false), so
// encoders must keep them out of JSON themselves; see http_infer_response.h.
class JsonWriter : public rapidjson::Writer<StringOutputStream> {
 public:
  explicit JsonWriter(StringOutputStream& stream) : Writer(stream) {}

  // Starts a value whose JSON text the caller appends itself to the returned
  // string: the writer emits the separator before it and counts it as one
  // value. Tensor data arrays use this to format numbers straight into the
  // body instead of one character at a time through the writer.
  std::string& BeginRawValue(rapidjson::Type type) {
    RawValue("", 0, type);
    return *os_->target();
  }
};

// Keys are string literals; passing the length saves a strlen per key.
template <size_t N>
void WriteKey(JsonWriter& writer, const char (&key)[N]) {
  writer.Key(key, static_cast<rapidjson::SizeType>(N - 1));
}
// Writes `text` as a JSON string. The caller guarantees valid UTF-8 (RapidJSON
// escapes quotes, backslashes and control characters, not bad encodings).
void WriteString(JsonWriter& writer, std::string_view text);
// Writes `text` as a JSON string, replacing ill-formed UTF-8 with U+FFFD
// (for text whose origin the caller does not control: messages, parameters).
void WriteUntrustedString(JsonWriter& writer, std::string_view text);
// Writes a finite double with the fewest digits that read back as it.
void WriteDouble(JsonWriter& writer, double value);
// Appends a finite float or double to `out` with the fewest digits that read
// back as the same value of that type (0.1f is "0.1", not "0.10000000149...").
// fmt's default presentation is exactly that (Dragonbox), and for finite
// values always a valid JSON number ("1", "0.1", "1e+20", "-2.5e-07").
template <typename T>
void AppendShortest(std::string& out, T value) {
  char digits[32];  // the longest double is 24 characters ("-2.2250738585072014e-308")
  out.append(digits, fmt::format_to(digits, FMT_COMPILE("{}"), value));
}
// Writes a KServe "parameters" object: bool, int64, double or string values.
void WriteParameters(JsonWriter& writer, const Parameters& parameters);

}  // namespace inferd::protocol
