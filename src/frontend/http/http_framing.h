// The request framing rules of RFC 9112 that Beast's parser leaves to its
// user: which transfer codings a request may carry, and the absolute form of
// a request target. Checked on every request header before its body is read,
// so a request whose length the server would read differently from a proxy
// in front of it (request smuggling) is refused, not guessed at.
#pragma once

#include <boost/beast/http/message.hpp>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/status.hpp>

namespace inferd::http {

struct FramingError {
  boost::beast::http::status status;
  std::string message;
};

// Nothing when the header frames its body soundly. Otherwise 400 for a
// Transfer-Encoding whose last coding is not "chunked", that applies chunked
// twice, that comes with a Content-Length or in an HTTP/1.0 request; 501 for
// a transfer coding other than chunked (RFC 9112 section 6.1).
std::optional<FramingError> CheckRequestFraming(const boost::beast::http::request_header<>& header);

// The origin form of an absolute-form target: "http://host:8000/v2/models?x"
// becomes "/v2/models?x" (RFC 9112 section 3.2.2: servers must accept the
// absolute form). Nothing for any other target, which is used as it is.
std::optional<std::string> OriginFormOf(std::string_view target);

}  // namespace inferd::http
