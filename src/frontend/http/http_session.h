// One HTTP/1.1 connection: read a request, hand it to the HttpHandler, write
// the response, repeat while keep-alive holds.
//
// Requests on one connection are handled one at a time in arrival order, so
// pipelined requests are answered in order (the bytes of the next request
// wait in the read buffer). All socket work runs on the connection's strand;
// the handler may answer from any thread and the answer is carried back to
// the strand. The session keeps itself alive through shared_from_this() in
// every pending operation and in the HttpReplier it gives the handler.
//
// Limits: a body larger than max_input_size gets 413 and the connection is
// closed after draining what the client still sends (so it reads the 413
// instead of a reset); a malformed request gets 400 and the connection is
// closed; a request header must arrive whole within header_timeout of its
// first byte (of the connection's start, for the first request), however
// slowly it drips; an idle keep-alive connection is closed after
// idle_timeout. The registry may also close an idle connection to make room
// for a new one (Evict).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

#include "frontend/http/http_handler.h"

namespace inferd::http {

class HttpSessionRegistry;

struct HttpLimits {
  size_t max_input_size = size_t{64} << 20;  // body bytes, as tritonserver's --http-max-input-size
  size_t max_header_size = size_t{64} << 10;
  // How long a keep-alive connection may wait for its next request. Long,
  // because client pools (tritonclient, perf_analyzer) keep connections idle.
  std::chrono::seconds idle_timeout{300};
  // How long a request header may take from its first byte to its end, and
  // a new connection to its first byte (nginx's client_header_timeout).
  std::chrono::seconds header_timeout{30};
  // How long receiving one request's body, or sending one response, may take.
  std::chrono::seconds transfer_timeout{120};
  // How long a closing connection keeps reading (and discarding) what the
  // client still sends, so the client sees our last response.
  std::chrono::milliseconds drain_timeout{2000};
};

// What a session is doing, readable from any thread, so that the server can
// choose which connection to close when it runs out of room.
enum class HttpActivity : uint8_t {
  kIdle,             // waiting for the first byte of a request
  kReceivingHeader,  // part of a request header has arrived
  kBusy,             // reading a body, handling a request or writing its answer
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<HttpHandler> handler, const HttpLimits& limits,
              std::shared_ptr<HttpSessionRegistry> registry);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // Registers the session and starts reading. Call once, right after make_shared.
  void Start();
  // Asks the session to end: an idle connection closes at once, a busy one
  // after the response it is working on (sent with "Connection: close").
  // Thread-safe.
  void Shutdown();
  // Closes the connection if it is still idle or still receiving a header
  // (the server needs its descriptor); does nothing once a request is whole.
  // Thread-safe.
  void Evict();

  HttpActivity activity() const { return activity_.load(std::memory_order_relaxed); }
  // Between Evict() and the close (or its refusal): the registry does not
  // offer this session again meanwhile.
  bool eviction_pending() const { return eviction_pending_.load(std::memory_order_relaxed); }
  // When the current activity began (steady clock).
  std::chrono::steady_clock::time_point activity_since() const {
    return std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(activity_since_.load(std::memory_order_relaxed)));
  }

 private:
  enum class State { kAwaitingHeader, kReadingBody, kHandling, kWriting, kClosing };
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  void ReadHeader();
  // Waits (idle) for the first bytes of the next request.
  void AwaitRequest();
  void ReadHeaderRest();
  void OnHeader(boost::beast::error_code ec);
  void SetActivity(HttpActivity activity);
  void SendContinue();
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  void Dispatch(HttpRequest request);
  // While request `serial` is being handled, waits for the socket to turn
  // readable; end-of-stream then means the client went away.
  void WatchForDisconnect(uint64_t serial, std::shared_ptr<std::atomic<bool>> client_gone);
  // Writes the answer to request number `serial`; answers to any other
  // request (a handler replying twice, late) are dropped.
  void Write(HttpResponse response, uint64_t serial);
  void OnWrite(boost::beast::error_code ec, bool close);
  // Answers `response` and closes; used where the request cannot be read on.
  void ReplyAndClose(HttpResponse response);
  // Half-closes, drains the client's remaining bytes for a while, closes.
  void CloseGracefully();
  void Drain();
  void CloseNow();

  boost::beast::tcp_stream stream_;
  const boost::asio::any_io_executor strand_;  // the stream's strand, readable from any thread
  const std::shared_ptr<HttpHandler> handler_;
  const HttpLimits limits_;
  const std::shared_ptr<HttpSessionRegistry> registry_;

  // Below: touched only on the strand.
  State state_ = State::kAwaitingHeader;
  bool stopping_ = false;
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  HttpRequest request_;  // the request whose body is being read directly from the socket
  unsigned request_version_ = 11;
  bool request_keep_alive_ = true;
  bool request_is_head_ = false;
  uint64_t request_serial_ = 0;  // counts requests on this connection
  std::unique_ptr<HttpResponse> response_;  // the response being written
  std::unique_ptr<char[]> drain_buffer_;

  // Written on the strand, read by the server's acceptor.
  std::atomic<HttpActivity> activity_{HttpActivity::kIdle};
  std::atomic<std::chrono::steady_clock::rep> activity_since_{0};
  std::atomic<bool> eviction_pending_{false};
};

}  // namespace inferd::http
