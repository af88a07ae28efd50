#include "frontend/grpc/grpc_status.h"

#include <gtest/gtest.h>

namespace inferd::grpc_frontend {
namespace {

TEST(GrpcStatusTest, CodesMirrorTheHttpMapping) {
  EXPECT_EQ(ToGrpcStatusCode(StatusCode::kInvalidArgument), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ToGrpcStatusCode(StatusCode::kNotFound), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ToGrpcStatusCode(StatusCode::kUnavailable), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ToGrpcStatusCode(StatusCode::kResourceExhausted), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ToGrpcStatusCode(StatusCode::kDeadlineExceeded), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ToGrpcStatusCode(StatusCode::kCancelled), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(ToGrpcStatusCode(StatusCode::kAlreadyExists), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ToGrpcStatusCode(StatusCode::kUnimplemented), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(ToGrpcStatusCode(StatusCode::kInternal), grpc::StatusCode::INTERNAL);
}

TEST(GrpcStatusTest, MessageIsKeptAndOkStaysOk) {
  grpc::Status status = ToGrpcStatus(Status::NotFound("model 'x' is not found"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "model 'x' is not found");
  EXPECT_TRUE(ToGrpcStatus(Status::Ok()).ok());
}

}  // namespace
}  // namespace inferd::grpc_frontend
