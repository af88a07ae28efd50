#include "frontend/metrics/metrics_handler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>

#include "frontend/metrics/prometheus_text.h"

namespace inferd::metrics {
namespace {

namespace beast_http = boost::beast::http;

class MetricsHandlerTest : public ::testing::Test {
 protected:
  // Hands one request to the handler and returns what it answered.
  http::HttpResponse Call(beast_http::verb method, const std::string& target) {
    http::HttpRequest request{method, target, 11};
    std::optional<http::HttpResponse> answer;
    int replies = 0;
    http::HttpReplier replier([&](http::HttpReplier::Producer produce) {
      ++replies;
      answer = produce();
    });
    handler_.Handle(std::move(request), replier);
    EXPECT_EQ(replies, 1) << "the handler must answer exactly once";
    return answer.value_or(http::HttpResponse{});
  }

  std::atomic<int> renders_{0};
  Status render_error_;
  MetricsHandler handler_{[this]() -> Result<std::string> {
    renders_.fetch_add(1);
    if (!render_error_.ok()) return render_error_;
    return std::string("# HELP up fake\n# TYPE up gauge\nup 1\n");
  }};
};

TEST_F(MetricsHandlerTest, GetMetricsAnswersThePrometheusText) {
  http::HttpResponse response = Call(beast_http::verb::get, "/metrics");
  EXPECT_EQ(response.result(), beast_http::status::ok);
  EXPECT_EQ(std::string(response[beast_http::field::content_type]), std::string(kPrometheusContentType));
  EXPECT_EQ(response.body(), "# HELP up fake\n# TYPE up gauge\nup 1\n");
  EXPECT_EQ(renders_.load(), 1);
}

TEST_F(MetricsHandlerTest, QueryParametersAndHeadAreAccepted) {
  EXPECT_EQ(Call(beast_http::verb::get, "/metrics?name[]=up").result(), beast_http::status::ok);
  EXPECT_EQ(Call(beast_http::verb::head, "/metrics").result(), beast_http::status::ok);
  EXPECT_EQ(renders_.load(), 2);
}

TEST_F(MetricsHandlerTest, OtherPathsAreNotFoundWithoutRendering) {
  for (const char* path : {"/", "/metric", "/metrics/", "/v2/health/live", "/metricsx"}) {
    http::HttpResponse response = Call(beast_http::verb::get, path);
    EXPECT_EQ(response.result(), beast_http::status::not_found) << path;
    EXPECT_NE(response.body().find("/metrics"), std::string::npos) << response.body();
  }
  EXPECT_EQ(renders_.load(), 0);
}

TEST_F(MetricsHandlerTest, OtherMethodsAreNotAllowed) {
  for (beast_http::verb method : {beast_http::verb::post, beast_http::verb::put, beast_http::verb::delete_}) {
    http::HttpResponse response = Call(method, "/metrics");
    EXPECT_EQ(response.result(), beast_http::status::method_not_allowed);
    EXPECT_EQ(std::string(response[beast_http::field::allow]), "GET, HEAD");
  }
  EXPECT_EQ(renders_.load(), 0);
}

TEST_F(MetricsHandlerTest, ARenderErrorIsAServerErrorWithItsMessage) {
  render_error_ = Status::Internal("statistics are gone");
  http::HttpResponse response = Call(beast_http::verb::get, "/metrics");
  EXPECT_EQ(response.result(), beast_http::status::internal_server_error);
  EXPECT_NE(response.body().find("statistics are gone"), std::string::npos) << response.body();
}

}  // namespace
}  // namespace inferd::metrics
