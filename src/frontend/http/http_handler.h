// The seam between the connection machinery (HttpServer, HttpSession) and
// what the requests mean (HttpRoutes). Sessions know sockets, parsing,
// keep-alive and timeouts; handlers know the KServe routes and the Server
// facade. Tests put a fake handler behind a real server.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <atomic>
#include <functional>
#include <memory>
#include <utility>

namespace inferd::http {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// How a handler answers one request. Copyable; every copy refers to the same
// request. Exactly one of Send / SendFrom must be called exactly once, from
// any thread. The session fills in the HTTP version, keep-alive and
// Content-Length, so handlers set only status, headers and body.
class HttpReplier {
 public:
  using Producer = std::function<HttpResponse()>;
  // Called by the session: `deliver` runs a producer on the connection's own
  // io strand and writes what it returns.
  explicit HttpReplier(std::function<void(Producer)> deliver,
                       std::shared_ptr<const std::atomic<bool>> client_gone = nullptr)
      : deliver_(std::move(deliver)), client_gone_(std::move(client_gone)) {}

  void Send(HttpResponse response) const {
    deliver_([response = std::move(response)]() mutable { return std::move(response); });
  }
  // Builds the response on the connection's io thread. Use it from server
  // threads so that encoding large responses does not hold them up.
  void SendFrom(Producer produce) const { deliver_(std::move(produce)); }

  // Becomes true when the client closes the connection before the answer is
  // sent (so queued work for it can be dropped). Null when not watched.
  const std::shared_ptr<const std::atomic<bool>>& client_gone() const { return client_gone_; }

 private:
  std::function<void(Producer)> deliver_;
  std::shared_ptr<const std::atomic<bool>> client_gone_;
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Called on an io thread; must not block. The request is handed over
  // (its body can be moved out without a copy).
  virtual void Handle(HttpRequest request, HttpReplier replier) = 0;
};

}  // namespace inferd::http
