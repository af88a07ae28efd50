#include "frontend/http/http_server.h"

#include <fmt/format.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/strand.hpp>
#include <cerrno>
#include <exception>
#include <future>

#include <sys/resource.h>
#include <sys/socket.h>

#include "common/logging.h"
#include "frontend/http/http_session_registry.h"

namespace inferd::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// After a failed accept (out of file descriptors, most often) wait a little
// before the next one instead of spinning.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
// After closing an idle connection to free a descriptor: it takes a moment
// for that connection's strand to close it.
constexpr std::chrono::milliseconds kAcceptRetryAfterEvictionDelay{5};

constexpr std::string_view kRefusalBody =
    R"({"error":"the server has no room for another HTTP connection: every connection is busy with a request"})";

std::vector<std::unique_ptr<net::io_context>> MakeIoContexts(int thread_count) {
  std::vector<std::unique_ptr<net::io_context>> contexts;
  for (int i = 0; i < std::max(1, thread_count); ++i) {
    contexts.push_back(std::make_unique<net::io_context>(1));  // run by one thread
  }
  return contexts;
}

std::vector<net::executor_work_guard<net::io_context::executor_type>> MakeWorkGuards(
    const std::vector<std::unique_ptr<net::io_context>>& contexts) {
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  for (const auto& context : contexts) guards.push_back(net::make_work_guard(*context));
  return guards;
}

bool IsOutOfDescriptors(const boost::system::error_code& ec) {
  return ec.category() == boost::system::system_category() && (ec.value() == EMFILE || ec.value() == ENFILE);
}

}  // namespace

size_t DefaultMaxHttpConnections() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 65536;
  const size_t descriptors = static_cast<size_t>(limit.rlim_cur);
  const size_t reserved = std::max<size_t>(64, descriptors / 8);
  return descriptors > reserved + 16 ? descriptors - reserved : 16;
}

HttpServer::HttpServer(std::shared_ptr<HttpHandler> handler, const HttpServerOptions& options)
    : handler_(std::move(handler)),
      options_(options),
      registry_(std::make_shared<HttpSessionRegistry>()),
      io_contexts_(MakeIoContexts(options.thread_count)),
      work_guards_(MakeWorkGuards(io_contexts_)),
      acceptor_(net::make_strand(*io_contexts_.front())),
      accept_retry_timer_(acceptor_.get_executor()),
      max_connections_(options.max_connections > 0 ? options.max_connections : DefaultMaxHttpConnections()),
      address_(options.address) {}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(std::shared_ptr<HttpHandler> handler,
                                                      const HttpServerOptions& options) {
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(handler), options));
  RETURN_IF_ERROR(server->Listen());
  server->Accept();
  for (const auto& context : server->io_contexts_) {
    server->threads_.emplace_back([context = context.get()] {
      while (true) {
        try {
          context->run();
          return;
        } catch (const std::exception& e) {
          // Handlers turn errors into responses; this is a last resort that
          // keeps one bad request from ending the thread.
          LogError("HTTP io thread caught an unexpected exception: {}", e.what());
        }
      }
    });
  }
  return server;
}

Status HttpServer::Listen() {
  boost::system::error_code ec;
  tcp::endpoint endpoint;
  net::ip::address ip = net::ip::make_address(options_.address, ec);
  if (!ec) {
    endpoint = tcp::endpoint(ip, options_.port);
  } else {
    // Not a literal address: resolve a host name such as "localhost".
    tcp::resolver resolver(*io_contexts_.front());
    auto results = resolver.resolve(options_.address, std::to_string(options_.port), ec);
    if (ec || results.empty()) {
      return Status::InvalidArgument(fmt::format("HTTP address '{}' is neither an IP address nor a resolvable host: {}",
                                                 options_.address, ec ? ec.message() : "no addresses"));
    }
    endpoint = results.begin()->endpoint();
  }

  const std::string where = fmt::format("{}:{}", options_.address, options_.port);
  if (acceptor_.open(endpoint.protocol(), ec); ec) {
    return Status::Unavailable(fmt::format("cannot open a socket for the HTTP service at {}: {}", where, ec.message()));
  }
  // Lets a restarted server bind while old connections sit in TIME_WAIT.
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (options_.reuse_port) {
    using ReusePort = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
    if (acceptor_.set_option(ReusePort(true), ec); ec) {
      return Status::Unavailable(fmt::format("cannot set SO_REUSEPORT on the HTTP socket at {}: {}", where,
                                             ec.message()));
    }
  }
  if (acceptor_.bind(endpoint, ec); ec) {
    return Status::Unavailable(fmt::format("cannot bind the HTTP service to {}: {}", where, ec.message()));
  }
  if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) {
    return Status::Unavailable(fmt::format("cannot listen for HTTP on {}: {}", where, ec.message()));
  }
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return Status::Internal(fmt::format("cannot read the bound HTTP port: {}", ec.message()));
  return Status::Ok();
}

void HttpServer::Accept() {
  // Each connection gets its own strand (its handlers never run at once),
  // on the io threads in turn.
  net::io_context& context = *io_contexts_[next_context_++ % io_contexts_.size()];
  acceptor_.async_accept(net::make_strand(context), [this](boost::system::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (stopping_.load()) {
    socket.close(ec);
    return;
  }
  if (ec) return OnAcceptFailed(ec);
  // Small request/response exchanges must not wait for Nagle's algorithm.
  socket.set_option(tcp::no_delay(true), ec);
  if (registry_->size() >= max_connections_ &&
      !EvictOne(fmt::format("the connection limit of {} (--http-max-connections) is reached", max_connections_))) {
    Refuse(std::move(socket));
    return Accept();
  }
  std::make_shared<HttpSession>(std::move(socket), handler_, options_.limits, registry_)->Start();
  Accept();
}

void HttpServer::OnAcceptFailed(boost::system::error_code ec) {
  if (ec == net::error::operation_aborted) return;
  // Out of descriptors (other parts of the server hold some too): the new
  // client waits in the listen backlog while an idle connection makes room.
  const bool evicted = IsOutOfDescriptors(ec) && EvictOne("the process is out of file descriptors");
  if (std::optional<uint64_t> count = accept_failure_log_.Admit()) {
    LogWarning("HTTP accept failed: {} ({} time(s) since the last report); {}", ec.message(), *count,
               evicted ? "closed the oldest idle connection to make room" : "retrying");
  }
  accept_retry_timer_.expires_after(evicted ? kAcceptRetryAfterEvictionDelay : kAcceptRetryDelay);
  accept_retry_timer_.async_wait([this](boost::system::error_code wait_ec) {
    if (!wait_ec && !stopping_.load()) Accept();
  });
}

bool HttpServer::EvictOne(std::string_view why) {
  std::shared_ptr<HttpSession> session = registry_->OldestEvictable();
  if (session == nullptr) return false;
  session->Evict();
  if (std::optional<uint64_t> count = eviction_log_.Admit()) {
    LogWarning("HTTP: {}; closing the oldest idle connection for each new one ({} closed since the last report)", why,
               *count);
  }
  return true;
}

void HttpServer::Refuse(tcp::socket socket) {
  if (std::optional<uint64_t> count = refusal_log_.Admit()) {
    LogWarning("HTTP: all {} connections are busy with requests; new connections get 503 ({} since the last report)",
               registry_->size(), *count);
  }
  // A fresh socket's send buffer is empty, so this short answer fits at once.
  const std::string response = fmt::format(
      "HTTP/1.1 503 Service Unavailable\r\nServer: inferd\r\nContent-Type: application/json\r\n"
      "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
      kRefusalBody.size(), kRefusalBody);
  (void)::send(socket.native_handle(), response.data(), response.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

size_t HttpServer::connection_count() const { return registry_->size(); }

void HttpServer::Stop(std::chrono::milliseconds grace) {
  if (stopping_.exchange(true)) return;
  if (!threads_.empty()) {
    // Close the acceptor on its strand and wait, so that every connection
    // accepted before this point is registered before we ask them to end.
    std::promise<void> closed;
    net::dispatch(acceptor_.get_executor(), [this, &closed] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      accept_retry_timer_.cancel();
      closed.set_value();
    });
    closed.get_future().wait();
  }
  for (const std::shared_ptr<HttpSession>& session : registry_->Live()) session->Shutdown();
  if (!registry_->WaitUntilEmpty(std::chrono::steady_clock::now() + grace)) {
    LogWarning("HTTP service stopping with {} connection(s) still busy after {} ms", registry_->size(), grace.count());
  }
  for (auto& guard : work_guards_) guard.reset();
  for (const auto& context : io_contexts_) context->stop();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

HttpServer::~HttpServer() { Stop(); }

}  // namespace inferd::http
