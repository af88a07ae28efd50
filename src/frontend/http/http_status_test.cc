#include "frontend/http/http_status.h"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>

namespace inferd::http {
namespace {

using boost::beast::http::field;
using boost::beast::http::status;

TEST(HttpStatusTest, MapsEveryCodeLikeTriton) {
  EXPECT_EQ(ToHttpStatus(StatusCode::kOk), status::ok);
  EXPECT_EQ(ToHttpStatus(StatusCode::kInvalidArgument), status::bad_request);
  EXPECT_EQ(ToHttpStatus(StatusCode::kNotFound), status::not_found);
  EXPECT_EQ(ToHttpStatus(StatusCode::kUnavailable), status::service_unavailable);
  EXPECT_EQ(ToHttpStatus(StatusCode::kUnimplemented), status::not_implemented);
  EXPECT_EQ(ToHttpStatus(StatusCode::kInternal), status::internal_server_error);
  EXPECT_EQ(ToHttpStatus(StatusCode::kAlreadyExists), status::bad_request);
  EXPECT_EQ(ToHttpStatus(StatusCode::kCancelled), status::bad_request);
  // Not in Triton's table: a full queue is "too many requests", and a queue
  // timeout is 503 because Triton reports it as UNAVAILABLE.
  EXPECT_EQ(ToHttpStatus(StatusCode::kResourceExhausted), status::too_many_requests);
  EXPECT_EQ(ToHttpStatus(StatusCode::kDeadlineExceeded), status::service_unavailable);
}

TEST(HttpStatusTest, StatusOverloadUsesItsCode) {
  EXPECT_EQ(ToHttpStatus(Status::NotFound("no model 'x'")), status::not_found);
  EXPECT_EQ(ToHttpStatus(Status::Ok()), status::ok);
}

TEST(HttpStatusTest, ErrorResponseIsJsonWithMessage) {
  HttpResponse response = MakeErrorResponse(Status::InvalidArgument("input 'x': expected FP32, got \"INT8\""));
  EXPECT_EQ(response.result(), status::bad_request);
  EXPECT_EQ(response[field::content_type], "application/json");
  // The quotes in the message are escaped, so the body stays valid JSON.
  EXPECT_EQ(response.body(), R"({"error":"input 'x': expected FP32, got \"INT8\""})");
}

TEST(HttpStatusTest, ErrorResponseWithExplicitCode) {
  HttpResponse response = MakeErrorResponse(status::payload_too_large, "too big");
  EXPECT_EQ(response.result(), status::payload_too_large);
  EXPECT_EQ(response.body(), R"({"error":"too big"})");
}

TEST(HttpStatusTest, OkStatusNeverBecomesA200Error) {
  HttpResponse response = MakeErrorResponse(Status::Ok());
  EXPECT_EQ(response.result(), status::internal_server_error);
}

TEST(HttpStatusTest, JsonResponse) {
  HttpResponse response = MakeJsonResponse(R"({"a":1})");
  EXPECT_EQ(response.result(), status::ok);
  EXPECT_EQ(response[field::content_type], "application/json");
  EXPECT_EQ(response.body(), R"({"a":1})");
}

}  // namespace
}  // namespace inferd::http
