#include "frontend/http/http_session.h"

#include <fmt/format.h>

#include <sys/socket.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <exception>

#include "common/logging.h"
#include "frontend/http/http_framing.h"
#include "frontend/http/http_session_registry.h"
#include "frontend/http/http_status.h"

namespace inferd::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr size_t kDrainChunkBytes = 16 * 1024;
// The first read of a fresh connection: small, because thousands of idle
// connections each hold this buffer; it grows as a header needs.
constexpr size_t kFirstReadBytes = 1024;
// Read buffer capacity an idle connection may keep between requests.
constexpr size_t kKeptReadBufferBytes = 64 * 1024;
constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";

// Errors from Beast's HTTP parser (as opposed to socket errors). The two
// that only mean "the peer closed the connection" are left out.
bool IsMalformedRequest(const beast::error_code& ec) {
  static const beast::error_category& http_category = beast_http::make_error_code(beast_http::error::bad_target).category();
  return ec.category() == http_category && ec != beast_http::error::end_of_stream &&
         ec != beast_http::error::partial_message;
}

std::string_view ToStringView(beast::string_view text) { return {text.data(), text.size()}; }

}  // namespace

HttpSession::HttpSession(tcp::socket socket, std::shared_ptr<HttpHandler> handler, const HttpLimits& limits,
                         std::shared_ptr<HttpSessionRegistry> registry)
    : stream_(std::move(socket)),
      strand_(stream_.get_executor()),
      handler_(std::move(handler)),
      limits_(limits),
      registry_(std::move(registry)) {
  SetActivity(HttpActivity::kIdle);
}

HttpSession::~HttpSession() { registry_->Remove(this); }

void HttpSession::Start() {
  registry_->Add(shared_from_this());
  net::dispatch(strand_, [self = shared_from_this()] { self->ReadHeader(); });
}

void HttpSession::Shutdown() {
  net::dispatch(strand_, [self = shared_from_this()] {
    self->stopping_ = true;
    // Nothing is lost by closing a connection that waits for a request or
    // drains a finished one; a busy one closes after its response.
    if (self->state_ == State::kAwaitingHeader || self->state_ == State::kClosing) self->CloseNow();
  });
}

void HttpSession::Evict() {
  if (eviction_pending_.exchange(true)) return;
  net::dispatch(strand_, [self = shared_from_this()] {
    if (self->state_ != State::kAwaitingHeader) {
      self->eviction_pending_ = false;  // busy with a request now: keep it
      return;
    }
    LogVerbose("HTTP connection closed to make room for a new one ({})",
               self->activity_ == HttpActivity::kIdle ? "idle" : "its request header was incomplete");
    self->CloseNow();
  });
}

void HttpSession::SetActivity(HttpActivity activity) {
  activity_since_.store(std::chrono::steady_clock::now().time_since_epoch().count(), std::memory_order_relaxed);
  activity_.store(activity, std::memory_order_relaxed);
}

void HttpSession::ReadHeader() {
  if (stopping_) return CloseGracefully();
  state_ = State::kAwaitingHeader;
  request_version_ = 11;
  request_keep_alive_ = true;
  request_is_head_ = false;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_size));
  parser_->body_limit(limits_.max_input_size);
  if (buffer_.size() > 0) return ReadHeaderRest();  // pipelined: the next request is here already
  // A chunked body grows the read buffer to its size; an idle connection
  // must not keep that.
  if (buffer_.capacity() > kKeptReadBufferBytes) buffer_.shrink_to_fit();
  AwaitRequest();
}

void HttpSession::AwaitRequest() {
  SetActivity(HttpActivity::kIdle);
  // A fresh connection must start its request as promptly as it must finish
  // a header; a kept-alive one may idle longer, as client pools do.
  stream_.expires_after(request_serial_ == 0 ? limits_.header_timeout : limits_.idle_timeout);
  const size_t room = std::max(kFirstReadBytes, buffer_.capacity());
  stream_.async_read_some(buffer_.prepare(room), [self = shared_from_this()](beast::error_code ec, size_t bytes) {
    // Closed, idle past the timeout, or evicted: nothing to answer.
    if (ec) return self->CloseNow();
    self->buffer_.commit(bytes);
    self->ReadHeaderRest();
  });
}

void HttpSession::ReadHeaderRest() {
  SetActivity(HttpActivity::kReceivingHeader);
  // Set once for the whole header, so a client dripping a byte at a time
  // does not keep the connection (and its descriptor) for longer.
  stream_.expires_after(limits_.header_timeout);
  beast_http::async_read_header(stream_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void HttpSession::OnHeader(beast::error_code ec) {
  if (!ec) {
    SetActivity(HttpActivity::kBusy);
    if (std::optional<FramingError> error = CheckRequestFraming(parser_->get())) {
      LogVerbose("badly framed HTTP request: {}", error->message);
      parser_.reset();
      return ReplyAndClose(MakeErrorResponse(error->status, error->message));
    }
    const beast::string_view target = parser_->get().target();
    if (std::optional<std::string> origin = OriginFormOf({target.data(), target.size()})) {
      parser_->get().target(*origin);
    }
    const auto& header = parser_->get();
    request_version_ = header.version();
    request_keep_alive_ = header.keep_alive();
    request_is_head_ = header.method() == beast_http::verb::head;
    if (parser_->is_done()) return Dispatch(parser_->release());  // no body
    // curl and others wait (up to a second) for this before sending a large body.
    if (header.version() >= 11 && beast::iequals(header[beast_http::field::expect], "100-continue")) {
      return SendContinue();
    }
    return ReadBody();
  }
  OnBody(ec);  // the same error handling
}

void HttpSession::SendContinue() {
  stream_.expires_after(limits_.transfer_timeout);
  net::async_write(stream_, net::buffer(kContinueResponse.data(), kContinueResponse.size()),
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (ec) return self->CloseNow();
                     self->ReadBody();
                   });
}

void HttpSession::ReadBody() {
  state_ = State::kReadingBody;
  stream_.expires_after(limits_.transfer_timeout);
  boost::optional<std::uint64_t> length = parser_->content_length();
  if (!length) {
    // Chunked: the parser assembles the body and enforces body_limit.
    beast_http::async_read(stream_, buffer_, *parser_,
                           [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
    return;
  }
  // Known length (always under body_limit by now): read straight into the
  // body string instead of through the parser, so the tensor bytes are copied
  // once, from the socket into the string the tensors will point into.
  request_ = parser_->release();
  parser_.reset();
  std::string& body = request_.body();
  body.resize(static_cast<size_t>(*length));
  const size_t buffered = std::min<size_t>(buffer_.size(), body.size());
  net::buffer_copy(net::buffer(body.data(), buffered), buffer_.data());
  buffer_.consume(buffered);
  if (buffered == body.size()) return OnBody({});
  net::async_read(stream_, net::buffer(body.data() + buffered, body.size() - buffered),
                  [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void HttpSession::OnBody(beast::error_code ec) {
  if (!ec) {
    if (parser_) {
      HttpRequest request = parser_->release();
      parser_.reset();
      return Dispatch(std::move(request));
    }
    return Dispatch(std::move(request_));
  }
  parser_.reset();
  if (ec == beast_http::error::body_limit) {
    LogVerbose("HTTP request body over the {} byte limit; answering 413", limits_.max_input_size);
    return ReplyAndClose(MakeErrorResponse(
        beast_http::status::payload_too_large,
        fmt::format("request body exceeds the maximum input size of {} bytes (set by --http-max-input-size)",
                    limits_.max_input_size)));
  }
  if (ec == beast_http::error::header_limit) {
    return ReplyAndClose(MakeErrorResponse(
        beast_http::status::request_header_fields_too_large,
        fmt::format("request header exceeds the maximum of {} bytes", limits_.max_header_size)));
  }
  if (IsMalformedRequest(ec)) {
    LogVerbose("malformed HTTP request: {}", ec.message());
    return ReplyAndClose(
        MakeErrorResponse(beast_http::status::bad_request, fmt::format("malformed HTTP request: {}", ec.message())));
  }
  // The peer closed the connection, went quiet past a timeout, or the
  // server is stopping: nothing to answer.
  CloseNow();
}

void HttpSession::WatchForDisconnect(uint64_t serial, std::shared_ptr<std::atomic<bool>> client_gone) {
  auto on_readable = [self = shared_from_this(), serial, client_gone = std::move(client_gone)](
                         boost::system::error_code ec) {
    if (ec || self->state_ != State::kHandling || self->request_serial_ != serial) return;
    // Readable while we still owe the answer: either the client closed (peek
    // sees end-of-stream or an error) or it pipelined its next request, which
    // stays in the socket for ReadHeader.
    char byte;
    const ssize_t peeked = ::recv(self->stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
      LogVerbose("HTTP client went away before its answer; its request is cancelled");
      client_gone->store(true, std::memory_order_relaxed);
    }
  };
  stream_.socket().async_wait(net::socket_base::wait_read, net::bind_executor(strand_, std::move(on_readable)));
}

void HttpSession::Dispatch(HttpRequest request) {
  state_ = State::kHandling;
  const uint64_t serial = ++request_serial_;
  stream_.expires_never();  // inference may take as long as the model needs
  LogVerbose("HTTP request: {} {}", ToStringView(request.method_string()), ToStringView(request.target()));
  auto self = shared_from_this();
  auto client_gone = std::make_shared<std::atomic<bool>>(false);
  HttpReplier replier(
      [self, serial](HttpReplier::Producer produce) {
        net::dispatch(self->strand_, [self, serial, produce = std::move(produce)]() mutable {
          if (self->state_ != State::kHandling || self->request_serial_ != serial) {
            LogError("HTTP handler answered one request twice; the second answer is dropped");
            return;
          }
          self->Write(produce(), serial);
        });
      },
      client_gone);
  WatchForDisconnect(serial, std::move(client_gone));
  try {
    handler_->Handle(std::move(request), std::move(replier));
  } catch (const std::exception& e) {
    // Handlers report errors as Status; an exception here is a library
    // failure (allocation, ...) that must not take down the io thread.
    LogError("HTTP handler failed: {}", e.what());
    if (state_ == State::kHandling && request_serial_ == serial) {
      Write(MakeErrorResponse(beast_http::status::internal_server_error, fmt::format("internal error: {}", e.what())),
            serial);
    }
  }
}

void HttpSession::Write(HttpResponse response, uint64_t serial) {
  if (state_ != State::kHandling || request_serial_ != serial) {
    LogError("HTTP handler answered one request twice; the second answer is dropped");
    return;
  }
  state_ = State::kWriting;
  response.version(request_version_);
  response.keep_alive(request_keep_alive_ && !stopping_);
  response.set(beast_http::field::server, "inferd");
  if (request_is_head_) {
    // A HEAD answer announces the GET body's length but carries no body.
    const size_t length = response.body().size();
    response.body().clear();
    response.content_length(length);
  } else {
    response.prepare_payload();
  }
  LogVerbose("HTTP response: {} ({} bytes)", response.result_int(), response.body().size());
  response_ = std::make_unique<HttpResponse>(std::move(response));
  const bool close = response_->need_eof();
  stream_.expires_after(limits_.transfer_timeout);
  beast_http::async_write(stream_, *response_, [self = shared_from_this(), close](beast::error_code ec, size_t) {
    self->OnWrite(ec, close);
  });
}

void HttpSession::OnWrite(beast::error_code ec, bool close) {
  response_.reset();
  if (ec) return CloseNow();
  if (close) return CloseGracefully();
  ReadHeader();  // a pipelined request may already wait in buffer_
}

void HttpSession::ReplyAndClose(HttpResponse response) {
  request_keep_alive_ = false;
  state_ = State::kHandling;
  Write(std::move(response), ++request_serial_);
}

void HttpSession::CloseGracefully() {
  state_ = State::kClosing;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec || stopping_) return CloseNow();
  // Closing a socket with unread input makes the kernel send a reset, which
  // can destroy our last response before the client reads it (a 413 sent
  // while the client still uploads). Read and drop its bytes for a while.
  drain_buffer_ = std::make_unique<char[]>(kDrainChunkBytes);
  stream_.expires_after(limits_.drain_timeout);
  Drain();
}

void HttpSession::Drain() {
  stream_.async_read_some(net::buffer(drain_buffer_.get(), kDrainChunkBytes),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) return self->CloseNow();
                            self->Drain();
                          });
}

void HttpSession::CloseNow() {
  state_ = State::kClosing;
  stream_.close();
}

}  // namespace inferd::http
