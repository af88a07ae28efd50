// HTTP content codings for inference bodies, with zlib: tritonclient sends
// "Content-Encoding: gzip|deflate" request bodies and asks for compressed
// responses with "Accept-Encoding". As in tritonclient (Python zlib),
// "deflate" means the zlib format (RFC 1950); raw deflate streams from other
// clients are accepted on input too.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace inferd::http {

enum class ContentCoding { kIdentity, kGzip, kDeflate };

std::string_view ContentCodingName(ContentCoding coding);

// The coding a Content-Encoding header names ("" and "identity" mean none);
// nullopt for a coding inferd cannot decode (answer 415).
std::optional<ContentCoding> ParseContentEncoding(std::string_view header);

// The coding to answer with for an Accept-Encoding header: gzip or deflate
// when the client accepts one (highest q wins, then the client's order),
// identity otherwise.
ContentCoding ChooseResponseCoding(std::string_view accept_encoding);

// Decodes `data`. RESOURCE_EXHAUSTED when the decoded size would pass
// `max_size` (a compressed body must obey the same input limit as a plain
// one), INVALID_ARGUMENT for corrupt or truncated data.
Result<std::string> Decompress(ContentCoding coding, std::string_view data, size_t max_size);

// Encodes `data` (identity returns it unchanged).
Result<std::string> Compress(ContentCoding coding, std::string_view data);

}  // namespace inferd::http
