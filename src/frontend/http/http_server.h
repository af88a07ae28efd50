// The HTTP/1.1 listener: one acceptor and `thread_count` io threads, each
// running its own Asio io context; each accepted connection becomes an
// HttpSession on a strand of one of them (in turn), and stays there.
// What requests mean is the HttpHandler's business (HttpRoutes in inferd).
//
// Lifetime: Stop() before destroying anything the handler uses. Responses
// may still be posted to the io context by server threads after Stop()
// (requests that outlived the grace period), so destroy the HttpServer only
// once those threads are done (after Server::Stop()).
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/log_throttle.h"
#include "common/status.h"
#include "frontend/http/http_handler.h"
#include "frontend/http/http_session.h"

namespace inferd::http {

class HttpSessionRegistry;

struct HttpServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 8000;  // 0: an ephemeral port, see HttpServer::port()
  int thread_count = 2;
  bool reuse_port = false;  // SO_REUSEPORT: several servers may share the port
  // Open connections allowed; at the limit a new connection takes the place
  // of the oldest idle one. 0: DefaultMaxHttpConnections().
  size_t max_connections = 0;
  HttpLimits limits;
};

// The descriptor limit (RLIMIT_NOFILE) less an eighth of it, at least 64,
// kept for model files, gRPC and logs; at least 16.
size_t DefaultMaxHttpConnections();

class HttpServer {
 public:
  // Binds and listens on options.address:options.port, then starts the io
  // threads. UNAVAILABLE when the address cannot be bound (in use, no such
  // interface), INVALID_ARGUMENT for an address that is not an IP address.
  static Result<std::unique_ptr<HttpServer>> Start(std::shared_ptr<HttpHandler> handler,
                                                   const HttpServerOptions& options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port actually bound (the ephemeral one when options.port was 0).
  uint16_t port() const { return port_; }
  const std::string& address() const { return address_; }
  // Open connections right now, and the most allowed.
  size_t connection_count() const;
  size_t max_connections() const { return max_connections_; }

  // Stops accepting, lets requests in progress finish for up to `grace`,
  // closes every connection and joins the io threads. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(30));

 private:
  HttpServer(std::shared_ptr<HttpHandler> handler, const HttpServerOptions& options);
  Status Listen();
  void Accept();
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  void OnAcceptFailed(boost::system::error_code ec);
  // Makes room for one more connection by closing the oldest idle one;
  // false when every connection is busy with a request.
  bool EvictOne(std::string_view why);
  // Answers 503 on a connection there is no room for, and closes it.
  void Refuse(boost::asio::ip::tcp::socket socket);

  const std::shared_ptr<HttpHandler> handler_;
  const HttpServerOptions options_;
  const std::shared_ptr<HttpSessionRegistry> registry_;
  // One per io thread. A context run by several threads passes every event
  // between them (one waits in epoll, the others on a condition variable),
  // and those wake-ups cost more than a small request itself; with one
  // thread per context, a response posted from a server thread wakes only
  // the thread of its connection.
  std::vector<std::unique_ptr<boost::asio::io_context>> io_contexts_;
  // Keep the io threads running while connections wait for the Server with
  // no socket operation pending; Stop() ends them explicitly.
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_guards_;
  boost::asio::ip::tcp::acceptor acceptor_;  // runs on its own strand of the first context
  size_t next_context_ = 0;                  // where the next connection goes (acceptor's strand only)
  boost::asio::steady_timer accept_retry_timer_;
  const size_t max_connections_;
  LogThrottle accept_failure_log_{std::chrono::seconds(10)};
  LogThrottle eviction_log_{std::chrono::seconds(10)};
  LogThrottle refusal_log_{std::chrono::seconds(10)};
  std::string address_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
};

}  // namespace inferd::http
