// A real HttpServer on an ephemeral loopback port with a fake handler: the
// connection rules (keep-alive, pipelining, limits, malformed input,
// shutdown) without any model or Server.
#include "frontend/http/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace inferd::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// Answers by path: /echo (body back, synchronously), /slow (after 100 ms from
// another thread), /twice (answers two times), /twice-late (answers again
// 30 ms later), /throw (throws), /hold (when the test calls ReleaseHeld).
class FakeHandler : public HttpHandler {
 public:
  ~FakeHandler() override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::thread& t : threads_) {
      // A delayed reply can hold the last reference to the session and thus
      // to this handler, so the destructor may run on one of these threads;
      // joining itself would throw (EDEADLK), so that one is detached.
      if (t.get_id() == std::this_thread::get_id()) {
        t.detach();
      } else {
        t.join();
      }
    }
  }

  // Waits for the delayed replies. A reply's thread can hold the last
  // reference to its session, so it must end before the server (and its
  // io_context) goes.
  void JoinDelayedReplies() {
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      threads.swap(threads_);
    }
    for (std::thread& t : threads) t.join();
  }

  void Handle(HttpRequest request, HttpReplier replier) override {
    handled_.fetch_add(1);
    std::string target(request.target());
    HttpResponse response{beast_http::status::ok, 11};
    response.set(beast_http::field::content_type, "text/plain");
    response.body() = std::string(request.method_string()) + " " + target + " " + request.body();
    if (target.starts_with("/slow")) {
      std::lock_guard<std::mutex> lock(mutex_);
      threads_.emplace_back([replier, response = std::move(response)]() mutable {
        std::this_thread::sleep_for(100ms);
        replier.Send(std::move(response));
      });
      return;
    }
    if (target == "/twice-late") {
      // A buggy handler answering again while the next request is handled.
      std::lock_guard<std::mutex> lock(mutex_);
      threads_.emplace_back([replier, stale = response]() mutable {
        std::this_thread::sleep_for(30ms);
        stale.body() = "stale";
        replier.Send(std::move(stale));
      });
    }
    if (target == "/throw") throw std::runtime_error("handler exploded");
    if (target == "/hold") {
      std::lock_guard<std::mutex> lock(mutex_);
      held_.emplace_back(std::move(replier), std::move(response));
      return;
    }
    if (target == "/twice") replier.Send(response);
    replier.Send(std::move(response));
  }

  int handled() const { return handled_.load(); }

  void ReleaseHeld() {
    std::vector<std::pair<HttpReplier, HttpResponse>> held;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      held.swap(held_);
    }
    for (auto& [replier, response] : held) replier.Send(std::move(response));
  }

 private:
  std::vector<std::pair<HttpReplier, HttpResponse>> held_;
  std::atomic<int> handled_{0};
  std::mutex mutex_;
  std::vector<std::thread> threads_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpLimits limits = {}, size_t max_connections = 0) {
    handler_ = std::make_shared<FakeHandler>();
    HttpServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.thread_count = 2;
    options.limits = limits;
    options.max_connections = max_connections;
    Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(handler_, options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    ASSERT_NE(server_->port(), 0);
  }

  void TearDown() override {
    if (handler_) {
      handler_->ReleaseHeld();
      handler_->JoinDelayedReplies();
    }
    if (server_) server_->Stop(2s);
  }

  // Waits (bounded) until the server counts `count` connections.
  void WaitForConnections(size_t count) {
    for (int i = 0; i < 500 && server_->connection_count() != count; ++i) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(server_->connection_count(), count);
  }

  tcp::socket Connect() {
    tcp::socket socket(io_);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
    return socket;
  }

  static beast_http::request<beast_http::string_body> Request(beast_http::verb method, std::string target,
                                                             std::string body = "") {
    beast_http::request<beast_http::string_body> request{method, target, 11};
    request.set(beast_http::field::host, "localhost");
    request.body() = std::move(body);
    request.prepare_payload();
    return request;
  }

  static HttpResponse Exchange(tcp::socket& socket, beast_http::request<beast_http::string_body> request,
                               beast::flat_buffer& buffer) {
    beast_http::write(socket, request);
    HttpResponse response;
    beast_http::read(socket, buffer, response);
    return response;
  }

  // True when the server has closed the connection (reads end of stream).
  static bool ServerClosed(tcp::socket& socket) {
    char byte;
    beast::error_code ec;
    socket.read_some(net::buffer(&byte, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

  net::io_context io_;
  std::shared_ptr<FakeHandler> handler_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  tcp::socket socket = Connect();
  beast::flat_buffer buffer;
  for (int i = 0; i < 3; ++i) {
    HttpResponse response = Exchange(socket, Request(beast_http::verb::post, "/echo", "payload" + std::to_string(i)), buffer);
    EXPECT_EQ(response.result(), beast_http::status::ok);
    EXPECT_EQ(response.body(), "POST /echo payload" + std::to_string(i));
    EXPECT_EQ(response[beast_http::field::server], "inferd");
    EXPECT_TRUE(response.keep_alive());
  }
  EXPECT_EQ(handler_->handled(), 3);
  EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  tcp::socket socket = Connect();
  // The first answer comes late from another thread; the second must still
  // come after it.
  const std::string two_requests =
      "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
  net::write(socket, net::buffer(two_requests));
  beast::flat_buffer buffer;
  HttpResponse first;
  beast_http::read(socket, buffer, first);
  HttpResponse second;
  beast_http::read(socket, buffer, second);
  EXPECT_EQ(first.body(), "GET /slow ");
  EXPECT_EQ(second.body(), "POST /echo hello");
}

TEST_F(HttpServerTest, LargeBodyArrivesIntact) {
  StartServer();
  tcp::socket socket = Connect();
  std::string body(3 << 20, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 131 % 251);
  beast::flat_buffer buffer;
  HttpResponse response = Exchange(socket, Request(beast_http::verb::post, "/echo", body), buffer);
  ASSERT_EQ(response.result(), beast_http::status::ok);
  EXPECT_TRUE(response.body() == "POST /echo " + body);
}

TEST_F(HttpServerTest, OversizedBodyGets413AndTheServerKeepsServing) {
  HttpLimits limits;
  limits.max_input_size = 1024;
  StartServer(limits);
  {
    tcp::socket socket = Connect();
    beast::flat_buffer buffer;
    HttpResponse response = Exchange(socket, Request(beast_http::verb::post, "/echo", std::string(100000, 'x')), buffer);
    EXPECT_EQ(response.result(), beast_http::status::payload_too_large);
    EXPECT_EQ(response[beast_http::field::content_type], "application/json");
    EXPECT_NE(response.body().find("\"error\""), std::string::npos) << response.body();
    EXPECT_NE(response.body().find("1024"), std::string::npos) << response.body();
    EXPECT_FALSE(response.keep_alive());
  }
  EXPECT_EQ(handler_->handled(), 0);
  // A body exactly at the limit is fine, on a new connection.
  tcp::socket socket = Connect();
  beast::flat_buffer buffer;
  HttpResponse response = Exchange(socket, Request(beast_http::verb::post, "/echo", std::string(1024, 'y')), buffer);
  EXPECT_EQ(response.result(), beast_http::status::ok);
}

TEST_F(HttpServerTest, OversizedChunkedBodyGets413) {
  HttpLimits limits;
  limits.max_input_size = 100;
  StartServer(limits);
  tcp::socket socket = Connect();
  const std::string chunk(80, 'z');
  const std::string request = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" + chunk +
                              "\r\n50\r\n" + chunk + "\r\n0\r\n\r\n";
  net::write(socket, net::buffer(request));
  beast::flat_buffer buffer;
  HttpResponse response;
  beast_http::read(socket, buffer, response);
  EXPECT_EQ(response.result(), beast_http::status::payload_too_large);
}

TEST_F(HttpServerTest, ChunkedBodyWithinLimitIsAssembled) {
  StartServer();
  tcp::socket socket = Connect();
  net::write(socket, net::buffer(std::string(
                         "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")));
  beast::flat_buffer buffer;
  HttpResponse response;
  beast_http::read(socket, buffer, response);
  EXPECT_EQ(response.result(), beast_http::status::ok);
  EXPECT_EQ(response.body(), "POST /echo abcde");
}

TEST_F(HttpServerTest, MalformedRequestGets400AndClose) {
  StartServer();
  tcp::socket socket = Connect();
  net::write(socket, net::buffer(std::string("THIS IS NOT HTTP\r\n\r\n")));
  beast::flat_buffer buffer;
  HttpResponse response;
  beast_http::read(socket, buffer, response);
  EXPECT_EQ(response.result(), beast_http::status::bad_request);
  EXPECT_NE(response.body().find("malformed HTTP request"), std::string::npos) << response.body();
  EXPECT_TRUE(ServerClosed(socket));
  EXPECT_EQ(handler_->handled(), 0);
}

TEST_F(HttpServerTest, ExpectContinueIsHonoured) {
  StartServer();
  tcp::socket socket = Connect();
  net::write(socket, net::buffer(std::string(
                         "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")));
  std::string interim(25, '\0');  // "HTTP/1.1 100 Continue\r\n\r\n"
  net::read(socket, net::buffer(interim));
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  net::write(socket, net::buffer(std::string("data")));
  beast::flat_buffer buffer;
  HttpResponse response;
  beast_http::read(socket, buffer, response);
  EXPECT_EQ(response.body(), "POST /echo data");
}

TEST_F(HttpServerTest, HeadGetsLengthButNoBody) {
  StartServer();
  tcp::socket socket = Connect();
  beast_http::write(socket, Request(beast_http::verb::head, "/echo"));
  beast::flat_buffer buffer;
  beast_http::response_parser<beast_http::string_body> parser;
  parser.skip(true);  // a HEAD answer has no body to read
  beast_http::read(socket, buffer, parser);
  EXPECT_EQ(parser.get()[beast_http::field::content_length], std::to_string(std::string("HEAD /echo ").size()));
  // The connection is still in step: the next answer parses cleanly.
  HttpResponse next = Exchange(socket, Request(beast_http::verb::get, "/echo"), buffer);
  EXPECT_EQ(next.body(), "GET /echo ");
}

TEST_F(HttpServerTest, ConnectionCloseAndHttp10AreHonoured) {
  StartServer();
  {
    tcp::socket socket = Connect();
    auto request = Request(beast_http::verb::get, "/echo");
    request.keep_alive(false);
    beast::flat_buffer buffer;
    HttpResponse response = Exchange(socket, request, buffer);
    EXPECT_FALSE(response.keep_alive());
    EXPECT_TRUE(ServerClosed(socket));
  }
  tcp::socket socket = Connect();
  net::write(socket, net::buffer(std::string("GET /echo HTTP/1.0\r\n\r\n")));
  beast::flat_buffer buffer;
  HttpResponse response;
  beast_http::read(socket, buffer, response);
  EXPECT_EQ(response.version(), 10u);
  EXPECT_EQ(response.body(), "GET /echo ");
  EXPECT_TRUE(ServerClosed(socket));
}

TEST_F(HttpServerTest, HandlerMistakesDoNotBreakTheConnection) {
  StartServer();
  tcp::socket socket = Connect();
  beast::flat_buffer buffer;
  HttpResponse thrown = Exchange(socket, Request(beast_http::verb::get, "/throw"), buffer);
  EXPECT_EQ(thrown.result(), beast_http::status::internal_server_error);
  EXPECT_NE(thrown.body().find("handler exploded"), std::string::npos);
  HttpResponse twice = Exchange(socket, Request(beast_http::verb::get, "/twice"), buffer);
  EXPECT_EQ(twice.result(), beast_http::status::ok);
  // Only one answer went out: the next exchange gets its own answer.
  HttpResponse next = Exchange(socket, Request(beast_http::verb::get, "/echo"), buffer);
  EXPECT_EQ(next.body(), "GET /echo ");
  // A late second answer must not be taken for the next request's answer.
  HttpResponse first = Exchange(socket, Request(beast_http::verb::get, "/twice-late"), buffer);
  EXPECT_EQ(first.body(), "GET /twice-late ");
  HttpResponse slow = Exchange(socket, Request(beast_http::verb::get, "/slow"), buffer);
  EXPECT_EQ(slow.body(), "GET /slow ");
}

TEST_F(HttpServerTest, AFreshConnectionMustStartItsRequestWithinTheHeaderTimeout) {
  HttpLimits limits;
  limits.header_timeout = 1s;
  StartServer(limits);
  tcp::socket socket = Connect();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(ServerClosed(socket));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(HttpServerTest, KeptAliveConnectionsAreClosedAfterTheIdleTimeout) {
  HttpLimits limits;
  limits.idle_timeout = 1s;
  StartServer(limits);
  tcp::socket socket = Connect();
  beast::flat_buffer buffer;
  Exchange(socket, Request(beast_http::verb::get, "/echo"), buffer);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(ServerClosed(socket));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(HttpServerTest, ADrippingHeaderIsCutOffAtTheHeaderTimeout) {
  HttpLimits limits;
  limits.header_timeout = 1s;
  StartServer(limits);
  tcp::socket socket = Connect();
  const std::string header = "GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  const auto start = std::chrono::steady_clock::now();
  beast::error_code ec;
  // One byte every 100 ms: each byte would reset a per-read timer.
  for (char byte : header) {
    net::write(socket, net::buffer(&byte, 1), ec);
    if (ec) break;
    std::this_thread::sleep_for(100ms);
    if (std::chrono::steady_clock::now() - start > 4s) break;
  }
  EXPECT_TRUE(ec || ServerClosed(socket));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
}

TEST_F(HttpServerTest, AtTheConnectionLimitTheOldestIdleConnectionMakesRoom) {
  StartServer({}, 3);
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(Connect());
    WaitForConnections(static_cast<size_t>(i + 1));
  }
  tcp::socket fresh = Connect();
  beast::flat_buffer buffer;
  HttpResponse response = Exchange(fresh, Request(beast_http::verb::get, "/echo"), buffer);
  EXPECT_EQ(response.result(), beast_http::status::ok);
  EXPECT_TRUE(ServerClosed(idle.front())) << "the oldest idle connection was closed for the new one";
  WaitForConnections(3);
}

TEST_F(HttpServerTest, ConnectionsBusyWithARequestAreKeptAndANewOneGets503) {
  StartServer({}, 2);
  std::vector<tcp::socket> busy;
  for (int i = 0; i < 2; ++i) {
    busy.push_back(Connect());
    beast_http::write(busy.back(), Request(beast_http::verb::get, "/hold"));
  }
  while (handler_->handled() < 2) std::this_thread::sleep_for(1ms);
  tcp::socket refused = Connect();
  beast::flat_buffer buffer;
  HttpResponse response;
  beast::error_code ec;
  beast_http::read(refused, buffer, response, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(response.result(), beast_http::status::service_unavailable);
  EXPECT_NE(response.body().find("no room for another HTTP connection"), std::string::npos);
  handler_->ReleaseHeld();
  for (tcp::socket& socket : busy) {
    HttpResponse held;
    beast::flat_buffer held_buffer;
    beast_http::read(socket, held_buffer, held);
    EXPECT_EQ(held.body(), "GET /hold ");
  }
}

TEST_F(HttpServerTest, TransferEncodingMustEndWithChunked) {
  StartServer();
  tcp::socket socket = Connect();
  net::write(socket, net::buffer(std::string_view(
                         "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n"
                         "5\r\nhello\r\n0\r\n\r\n")));
  beast::flat_buffer buffer;
  HttpResponse response;
  beast_http::read(socket, buffer, response);
  EXPECT_EQ(response.result(), beast_http::status::bad_request);
  EXPECT_NE(response.body().find("the last transfer coding must be chunked"), std::string::npos) << response.body();
  EXPECT_EQ(handler_->handled(), 0);
}

TEST_F(HttpServerTest, AbsoluteFormTargetsReachTheirPath) {
  StartServer();
  tcp::socket socket = Connect();
  beast::flat_buffer buffer;
  HttpResponse response = Exchange(socket, Request(beast_http::verb::get, "http://localhost:8000/echo?x=1"), buffer);
  EXPECT_EQ(response.body(), "GET /echo?x=1 ");
}

TEST_F(HttpServerTest, StopClosesIdleConnectionsPromptly) {
  StartServer();
  tcp::socket socket = Connect();
  beast::flat_buffer buffer;
  Exchange(socket, Request(beast_http::verb::get, "/echo"), buffer);
  const auto start = std::chrono::steady_clock::now();
  server_->Stop(10s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(ServerClosed(socket));
  EXPECT_EQ(server_->connection_count(), 0u);
}

TEST_F(HttpServerTest, StopLetsARequestInProgressFinish) {
  StartServer();
  tcp::socket socket = Connect();
  beast_http::write(socket, Request(beast_http::verb::get, "/slow"));
  while (handler_->handled() == 0) std::this_thread::sleep_for(1ms);
  std::thread stopper([this] { server_->Stop(10s); });
  beast::flat_buffer buffer;
  HttpResponse response;
  beast_http::read(socket, buffer, response);
  stopper.join();
  EXPECT_EQ(response.body(), "GET /slow ");
  EXPECT_FALSE(response.keep_alive());  // the server is going away
}

TEST_F(HttpServerTest, BindingATakenPortFailsClearly) {
  StartServer();
  HttpServerOptions options;
  options.address = "127.0.0.1";
  options.port = server_->port();
  Result<std::unique_ptr<HttpServer>> second = HttpServer::Start(handler_, options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(std::to_string(server_->port())), std::string::npos)
      << second.status().message();
}

TEST_F(HttpServerTest, BadAddressIsInvalidArgument) {
  HttpServerOptions options;
  options.address = "not an address";
  options.port = 0;
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(std::make_shared<FakeHandler>(), options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace inferd::http
