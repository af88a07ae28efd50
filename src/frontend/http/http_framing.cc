#include "frontend/http/http_framing.h"

#include <fmt/format.h>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <vector>

#include "common/bounded_text.h"

namespace inferd::http {

namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

namespace {

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The codings of every Transfer-Encoding field, in order (repeated fields
// are one comma-separated list, RFC 9110 section 5.3). Empty list elements
// are allowed and skipped.
std::vector<std::string_view> TransferCodings(const beast_http::request_header<>& header) {
  std::vector<std::string_view> codings;
  auto [begin, end] = header.equal_range(beast_http::field::transfer_encoding);
  for (auto field = begin; field != end; ++field) {
    std::string_view value(field->value().data(), field->value().size());
    while (!value.empty()) {
      const size_t comma = value.find(',');
      std::string_view coding = TrimSpaces(value.substr(0, comma));
      if (!coding.empty()) codings.push_back(coding);
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return codings;
}

bool EqualsIgnoringCase(std::string_view text, std::string_view lower_case) {
  return beast::iequals(beast::string_view(text.data(), text.size()),
                        beast::string_view(lower_case.data(), lower_case.size()));
}

bool IsChunked(std::string_view coding) { return EqualsIgnoringCase(coding, "chunked"); }

FramingError BadRequest(std::string message) { return {beast_http::status::bad_request, std::move(message)}; }

}  // namespace

std::optional<FramingError> CheckRequestFraming(const beast_http::request_header<>& header) {
  if (header.count(beast_http::field::transfer_encoding) == 0) return std::nullopt;
  const std::string listed = Abbreviate(std::string_view(header[beast_http::field::transfer_encoding].data(),
                                                         header[beast_http::field::transfer_encoding].size()));
  if (header.version() < 11) {
    return BadRequest("malformed HTTP request: Transfer-Encoding is not allowed in an HTTP/1.0 request");
  }
  if (header.count(beast_http::field::content_length) > 0) {
    return BadRequest("malformed HTTP request: a request must not have both Transfer-Encoding and Content-Length");
  }
  const std::vector<std::string_view> codings = TransferCodings(header);
  if (codings.empty() || !IsChunked(codings.back())) {
    return BadRequest(fmt::format(
        "malformed HTTP request: the last transfer coding must be chunked, got Transfer-Encoding '{}'", listed));
  }
  for (size_t i = 0; i + 1 < codings.size(); ++i) {
    if (IsChunked(codings[i])) {
      return BadRequest(fmt::format("malformed HTTP request: chunked is applied more than once in Transfer-Encoding '{}'",
                                    listed));
    }
    return FramingError{beast_http::status::not_implemented,
                        fmt::format("transfer coding '{}' is not supported; send the body with chunked alone",
                                    Abbreviate(codings[i]))};
  }
  return std::nullopt;
}

std::optional<std::string> OriginFormOf(std::string_view target) {
  if (target.empty() || target.front() == '/') return std::nullopt;
  const size_t scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  const std::string_view scheme = target.substr(0, scheme_end);
  if (!EqualsIgnoringCase(scheme, "http") && !EqualsIgnoringCase(scheme, "https")) return std::nullopt;
  const std::string_view after_authority = target.substr(scheme_end + 3);
  const size_t path = after_authority.find_first_of("/?#");
  if (path == std::string_view::npos) return std::string("/");
  // An empty path means "/" (RFC 9110 section 4.2.3).
  if (after_authority[path] != '/') return fmt::format("/{}", after_authority.substr(path));
  return std::string(after_authority.substr(path));
}

}  // namespace inferd::http
