// Parses JSON into a RapidJSON document with numbers converted by
// std::from_chars: exact (correctly rounded) doubles without RapidJSON
// 1.1.0's full-precision path, which has undefined behaviour on crafted
// exponents (found by tests/fuzz). Integers keep RapidJSON's int64/uint64
// typing; NaN and Infinity are accepted as Python's JSON encoders write them.
#pragma once

#include <cstddef>

#include <rapidjson/document.h>

namespace inferd::protocol {

// Replaces `document`'s contents. On failure the result carries RapidJSON's
// error code and offset (a number out of double range is
// kParseErrorNumberTooBig).
rapidjson::ParseResult ParseJsonExact(const char* data, size_t size, rapidjson::Document* document);

}  // namespace inferd::protocol
