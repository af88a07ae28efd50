// Request data echoed into messages (names, datatypes, shapes) is bounded,
// so that an error stays readable and small: a 100 KB model name must not
// make a 100 KB error, nor a gRPC status larger than the client's metadata
// limit (which the client would report as RESOURCE_EXHAUSTED instead).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace inferd {

// How much of one echoed value a message carries.
inline constexpr size_t kMaxEchoedBytes = 128;
// The most any error message may be (the frontends cut longer ones).
inline constexpr size_t kMaxMessageBytes = 4000;

// `text` when it is at most `max_bytes` long; otherwise its first bytes, cut
// at a UTF-8 character boundary, then "...(N bytes)".
std::string Abbreviate(std::string_view text, size_t max_bytes = kMaxEchoedBytes);

// The length of the longest prefix of `text` that is at most `max_bytes`
// long and does not split a UTF-8 character.
size_t Utf8PrefixLength(std::string_view text, size_t max_bytes);

// A whole message cut to at most kMaxMessageBytes bytes (the last guard at
// the frontends, for values no check abbreviated).
std::string BoundMessage(std::string_view message);

}  // namespace inferd
