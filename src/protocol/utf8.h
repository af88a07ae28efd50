// UTF-8 checks for text the protocol puts into JSON strings. JSON must be
// UTF-8 (RFC 8259); BYTES tensors and error messages may hold anything.
#pragma once

#include <string>
#include <string_view>

namespace inferd::protocol {

// True when `text` is well-formed UTF-8: no overlong forms, no surrogates,
// nothing above U+10FFFF, no truncated sequence.
bool IsValidUtf8(std::string_view text);

// `text` with every ill-formed sequence replaced by U+FFFD, for messages that
// must reach a client as valid JSON whatever bytes they quote.
std::string ToValidUtf8(std::string_view text);

}  // namespace inferd::protocol
