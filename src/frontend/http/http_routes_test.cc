// HttpRoutes over a real Server serving examples/simple: the route-to-facade
// wiring and the answers clients see (codes, JSON errors, compression),
// without sockets. Needs the example models (make setup) and the ONNX
// Runtime backend next to the build.
#include "frontend/http/http_routes.h"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>
#include <chrono>
#include <filesystem>
#include <future>

#include "core/server.h"
#include "frontend/http/http_compression.h"

namespace inferd::http {
namespace {

namespace beast_http = boost::beast::http;
using beast_http::field;
using beast_http::status;
using beast_http::verb;

constexpr char kInferBody[] =
    R"({"inputs":[{"name":"INPUT0","datatype":"INT32","shape":[1,16],"data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]},)"
    R"({"name":"INPUT1","datatype":"INT32","shape":[1,16],"data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]})";
constexpr char kInferOutput0[] = R"("data":[2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17])";

class HttpRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string repository = std::string(INFERD_SOURCE_DIR) + "/examples/simple";
    if (!std::filesystem::exists(repository + "/simple/1/model.onnx")) return;  // each test skips
    ServerOptions options;
    options.model_repositories = {repository};
    options.backend_directory = INFERD_BACKEND_DIR;
    Result<std::unique_ptr<Server>> server = Server::Create(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value().release();
  }
  static void TearDownTestSuite() {
    if (server_ != nullptr) server_->Stop();
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << "examples/simple has no models; run 'make setup' first";
    routes_ = std::make_unique<HttpRoutes>(server_, 1 << 20);
  }

  HttpResponse Call(HttpRequest request) {
    auto answer = std::make_shared<std::promise<HttpResponse>>();
    std::future<HttpResponse> future = answer->get_future();
    routes_->Handle(std::move(request), HttpReplier([answer](HttpReplier::Producer produce) {
                      answer->set_value(produce());
                    }));
    EXPECT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return future.get();
  }

  HttpResponse Get(const std::string& target) { return Call(HttpRequest{verb::get, target, 11}); }

  static HttpRequest Post(const std::string& target, std::string body) {
    HttpRequest request{verb::post, target, 11};
    request.body() = std::move(body);
    return request;
  }

  static Server* server_;
  std::unique_ptr<HttpRoutes> routes_;
};

Server* HttpRoutesTest::server_ = nullptr;

TEST_F(HttpRoutesTest, HealthAndServerMetadata) {
  EXPECT_EQ(Get("/v2/health/live").result(), status::ok);
  EXPECT_EQ(Get("/v2/health/ready").result(), status::ok);
  HttpResponse metadata = Get("/v2");
  EXPECT_EQ(metadata.result(), status::ok);
  EXPECT_EQ(metadata[field::content_type], "application/json");
  EXPECT_NE(metadata.body().find(R"("name":"inferd")"), std::string::npos) << metadata.body();
}

TEST_F(HttpRoutesTest, ModelReadinessFollowsTriton) {
  EXPECT_EQ(Get("/v2/models/simple/ready").result(), status::ok);
  EXPECT_EQ(Get("/v2/models/simple/versions/1/ready").result(), status::ok);
  // Version 2 of simple_versioned is on disk but not served; unknown models
  // are "not ready" too. Triton answers 400 for both.
  HttpResponse not_served = Get("/v2/models/simple_versioned/versions/2/ready");
  EXPECT_EQ(not_served.result(), status::bad_request);
  EXPECT_NE(not_served.body().find("\"error\""), std::string::npos);
  EXPECT_EQ(Get("/v2/models/no_such_model/ready").result(), status::bad_request);
}

TEST_F(HttpRoutesTest, MetadataConfigStatsAndIndex) {
  HttpResponse metadata = Get("/v2/models/simple");
  EXPECT_EQ(metadata.result(), status::ok);
  EXPECT_NE(metadata.body().find(R"("name":"INPUT0")"), std::string::npos) << metadata.body();
  // Percent-encoded names reach the facade decoded.
  EXPECT_EQ(Get("/v2/models/simple%5Fnobatch").result(), status::ok);
  HttpResponse unknown = Get("/v2/models/no_such_model");
  EXPECT_EQ(unknown.result(), status::not_found);
  EXPECT_NE(unknown.body().find("no_such_model"), std::string::npos) << unknown.body();
  EXPECT_EQ(Get("/v2/models/simple/versions/x").result(), status::bad_request);

  HttpResponse config = Get("/v2/models/simple/config");
  EXPECT_EQ(config.result(), status::ok);
  EXPECT_NE(config.body().find(R"("max_batch_size":8)"), std::string::npos) << config.body();

  HttpResponse stats = Get("/v2/models/stats");
  EXPECT_EQ(stats.result(), status::ok);
  EXPECT_NE(stats.body().find("\"model_stats\""), std::string::npos);

  HttpResponse index = Call(Post("/v2/repository/index", ""));
  EXPECT_EQ(index.result(), status::ok);
  EXPECT_NE(index.body().find(R"("name":"simple_versioned")"), std::string::npos) << index.body();
  EXPECT_EQ(Call(Post("/v2/repository/index", R"({"ready":"yes"})")).result(), status::bad_request);
}

TEST_F(HttpRoutesTest, WrongMethodUnknownPathAndUnsupportedExtension) {
  HttpResponse wrong = Call(Post("/v2/health/live", ""));
  EXPECT_EQ(wrong.result(), status::method_not_allowed);
  EXPECT_EQ(wrong[field::allow], "GET, HEAD");
  EXPECT_EQ(Get("/v2/models/simple/infer").result(), status::method_not_allowed);
  EXPECT_EQ(Call(HttpRequest{verb::head, "/v2/health/live", 11}).result(), status::ok);

  HttpResponse unknown = Get("/v2/unknown");
  EXPECT_EQ(unknown.result(), status::not_found);
  EXPECT_EQ(unknown.body(), R"({"error":"Not Found"})");
  EXPECT_EQ(Call(Post("/v2/repository/repo/models/simple/load", "")).result(), status::not_implemented);
  // Model control mode "none": refused in Triton's words.
  HttpResponse refused = Call(Post("/v2/repository/models/simple/load", ""));
  EXPECT_EQ(refused.result(), status::service_unavailable);
  EXPECT_NE(refused.body().find("explicit model load / unload is not allowed"), std::string::npos) << refused.body();
}

TEST_F(HttpRoutesTest, JsonInference) {
  HttpResponse response = Call(Post("/v2/models/simple/infer", kInferBody));
  ASSERT_EQ(response.result(), status::ok) << response.body();
  EXPECT_EQ(response[field::content_type], "application/json");
  EXPECT_NE(response.body().find(kInferOutput0), std::string::npos) << response.body();
}

TEST_F(HttpRoutesTest, InferenceErrorsNameTheProblem) {
  HttpResponse unknown = Call(Post("/v2/models/no_such_model/infer", kInferBody));
  EXPECT_EQ(unknown.result(), status::not_found);
  HttpResponse bad_json = Call(Post("/v2/models/simple/infer", "{not json"));
  EXPECT_EQ(bad_json.result(), status::bad_request);
  EXPECT_EQ(bad_json[field::content_type], "application/json");

  HttpRequest bad_header = Post("/v2/models/simple/infer", kInferBody);
  bad_header.set("Inference-Header-Content-Length", "12x");
  HttpResponse header_error = Call(std::move(bad_header));
  EXPECT_EQ(header_error.result(), status::bad_request);
  EXPECT_NE(header_error.body().find("Inference-Header-Content-Length"), std::string::npos);

  HttpRequest too_long = Post("/v2/models/simple/infer", kInferBody);
  too_long.set("Inference-Header-Content-Length", "100000");
  EXPECT_EQ(Call(std::move(too_long)).result(), status::bad_request);

  HttpRequest brotli = Post("/v2/models/simple/infer", kInferBody);
  brotli.set(field::content_encoding, "br");
  EXPECT_EQ(Call(std::move(brotli)).result(), status::unsupported_media_type);
}

TEST_F(HttpRoutesTest, CompressedRequestAndResponse) {
  HttpRequest request = Post("/v2/models/simple/infer", *Compress(ContentCoding::kGzip, kInferBody));
  request.set(field::content_encoding, "gzip");
  request.set(field::accept_encoding, "deflate");
  HttpResponse response = Call(std::move(request));
  ASSERT_EQ(response.result(), status::ok) << response.body();
  EXPECT_EQ(response[field::content_encoding], "deflate");
  Result<std::string> plain = Decompress(ContentCoding::kDeflate, response.body(), 1 << 20);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_NE(plain->find(kInferOutput0), std::string::npos) << *plain;
}

TEST_F(HttpRoutesTest, DecompressedBodyObeysTheInputLimit) {
  const std::string huge = std::string(R"({"inputs":[],"pad":")") + std::string(2 << 20, 'a') + "\"}";
  HttpRequest request = Post("/v2/models/simple/infer", *Compress(ContentCoding::kGzip, huge));
  request.set(field::content_encoding, "gzip");
  EXPECT_EQ(Call(std::move(request)).result(), status::payload_too_large);
}

TEST_F(HttpRoutesTest, BinaryOutputGetsTheHeaderLength) {
  const std::string body =
      R"({"inputs":[{"name":"INPUT0","datatype":"INT32","shape":[1,16],"data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]},)"
      R"({"name":"INPUT1","datatype":"INT32","shape":[1,16],"data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}],)"
      R"("parameters":{"binary_data_output":true}})";
  HttpResponse response = Call(Post("/v2/models/simple/infer", body));
  ASSERT_EQ(response.result(), status::ok) << response.body();
  EXPECT_EQ(response[field::content_type], "application/octet-stream");
  const std::string header_length(response["Inference-Header-Content-Length"]);
  ASSERT_FALSE(header_length.empty());
  // JSON header, then two outputs of 16 INT32 each.
  EXPECT_EQ(response.body().size(), std::stoul(header_length) + 2 * 16 * 4);
}

}  // namespace
}  // namespace inferd::http
