// libFuzzer target: arbitrary bytes as what a client sends on an HTTP/1.1
// connection, through the same framing steps as HttpSession: Beast's request
// parser with the server's header and body limits (request line, headers,
// Content-Length and chunked bodies), then inferd's own framing checks
// (transfer codings, the absolute-form target) and the route parser, for
// every request found in the bytes (pipelined ones included).
//
// The first byte picks the size of the pieces the bytes arrive in, so the
// parser's resumption across reads is exercised as well.
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "frontend/http/http_framing.h"
#include "frontend/http/http_route_parser.h"

namespace {

namespace beast_http = boost::beast::http;

constexpr size_t kHeaderLimit = 8 * 1024;
constexpr size_t kBodyLimit = 256 * 1024;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = 1 + data[0] % 64;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  // At most a few requests per input, as a connection closes on any error.
  for (int request = 0; request < 8 && !input.empty(); ++request) {
    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kBodyLimit);
    parser.eager(true);
    // As a read buffer does: the parser sees the unconsumed bytes so far;
    // when it needs more, the next piece is appended.
    size_t offset = 0;
    size_t window = std::min(piece, input.size());
    bool checked_header = false;
    while (!parser.is_done()) {
      boost::beast::error_code ec;
      const size_t used = parser.put(boost::asio::buffer(input.data() + offset, window), ec);
      if (ec && ec != beast_http::error::need_more) return 0;  // answered 400/413/431 and closed
      offset += used;
      window -= used;
      if (parser.is_header_done() && !checked_header) {
        checked_header = true;
        if (inferd::http::CheckRequestFraming(parser.get())) return 0;  // answered and closed
        const auto target = parser.get().target();
        std::optional<std::string> origin = inferd::http::OriginFormOf({target.data(), target.size()});
        (void)inferd::http::ParseRoute(origin ? std::string_view(*origin)
                                              : std::string_view(target.data(), target.size()));
      }
      if (parser.is_done()) break;
      if (offset + window == input.size()) return 0;  // the client stopped mid-request
      if (ec == beast_http::error::need_more || used == 0) window = std::min(window + piece, input.size() - offset);
    }
    if (!parser.is_done()) return 0;
    input.remove_prefix(offset);
  }
  return 0;
}
