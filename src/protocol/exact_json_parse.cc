#include "protocol/exact_json_parse.h"

#include <charconv>
#include <cstdint>
#include <string_view>
#include <system_error>

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace inferd::protocol {
namespace {

constexpr unsigned kReaderFlags = rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseNanAndInfFlag |
                                  rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;

// Forwards every SAX event to the document, turning raw number text into
// typed numbers on the way.
class ExactNumberHandler {
 public:
  explicit ExactNumberHandler(rapidjson::Document& document) : document_(document) {}

  bool Null() { return document_.Null(); }
  bool Bool(bool value) { return document_.Bool(value); }
  bool Int(int value) { return document_.Int(value); }
  bool Uint(unsigned value) { return document_.Uint(value); }
  bool Int64(int64_t value) { return document_.Int64(value); }
  bool Uint64(uint64_t value) { return document_.Uint64(value); }
  bool Double(double value) { return document_.Double(value); }
  bool String(const char* text, rapidjson::SizeType length, bool copy) {
    return document_.String(text, length, copy);
  }
  bool Key(const char* text, rapidjson::SizeType length, bool copy) { return document_.Key(text, length, copy); }
  bool StartObject() { return document_.StartObject(); }
  bool EndObject(rapidjson::SizeType count) { return document_.EndObject(count); }
  bool StartArray() { return document_.StartArray(); }
  bool EndArray(rapidjson::SizeType count) { return document_.EndArray(count); }

  bool RawNumber(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    const std::string_view number(text, length);
    const char* end = text + length;
    if (number.find_first_of(".eEIN") == std::string_view::npos) {
      if (number.front() == '-') {
        int64_t value = 0;
        if (auto [ptr, error] = std::from_chars(text, end, value); error == std::errc() && ptr == end) {
          return document_.Int64(value);
        }
      } else {
        uint64_t value = 0;
        if (auto [ptr, error] = std::from_chars(text, end, value); error == std::errc() && ptr == end) {
          return document_.Uint64(value);
        }
      }
      // Integers beyond 64 bits become doubles, as RapidJSON does.
    }
    // from_chars does not take the leading '+' JSON never has, and reads
    // "NaN", "Infinity" and "-Infinity" case-insensitively.
    double value = 0;
    auto [ptr, error] = std::from_chars(text, end, value);
    if (error != std::errc() || ptr != end) {
      number_too_big_ = error == std::errc::result_out_of_range;
      return false;
    }
    return document_.Double(value);
  }

  bool number_too_big() const { return number_too_big_; }

 private:
  rapidjson::Document& document_;
  bool number_too_big_ = false;
};

}  // namespace

rapidjson::ParseResult ParseJsonExact(const char* data, size_t size, rapidjson::Document* document) {
  rapidjson::MemoryStream stream(data, size);
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(stream);
  rapidjson::ParseResult result;
  auto generate = [&](rapidjson::Document& target) {
    rapidjson::Reader reader;
    ExactNumberHandler handler(target);
    result = reader.Parse<kReaderFlags>(input, handler);
    if (result.Code() == rapidjson::kParseErrorTermination && handler.number_too_big()) {
      result.Set(rapidjson::kParseErrorNumberTooBig, result.Offset());
    }
    return !result.IsError();
  };
  document->Populate(generate);
  return result;
}

}  // namespace inferd::protocol
