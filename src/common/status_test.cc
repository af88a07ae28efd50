#include "common/status.h"

#include <gtest/gtest.h>

namespace inferd {
namespace {

Status FailsWhen(bool fail) {
  if (fail) return Status::NotFound("model 'x' not found");
  return Status::Ok();
}

Status Propagates(bool fail) {
  RETURN_IF_ERROR(FailsWhen(fail));
  return Status::Internal("reached the end");
}

TEST(StatusTest, OkIsCheapAndEmpty) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.code(), StatusCode::kOk);
  EXPECT_EQ(ok.message(), "");
  EXPECT_EQ(ok.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status status = Status::InvalidArgument("tensor 'x': expected FP32, got INT32");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.ToString(), "INVALID_ARGUMENT: tensor 'x': expected FP32, got INT32");
  Status copy = status;
  EXPECT_EQ(copy.message(), status.message());
  EXPECT_EQ(status.WithPrefix("model 'm'").message(), "model 'm': tensor 'x': expected FP32, got INT32");
}

TEST(StatusTest, MacroReturnsFirstError) {
  EXPECT_EQ(Propagates(true).code(), StatusCode::kNotFound);
  EXPECT_EQ(Propagates(false).code(), StatusCode::kInternal);
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> value(7);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 7);
  Result<int> error(Status::Unavailable("not ready"));
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.status().code(), StatusCode::kUnavailable);
  Result<int> misuse(Status::Ok());
  EXPECT_FALSE(misuse.ok());
  EXPECT_EQ(misuse.status().code(), StatusCode::kInternal);
}

Result<std::string> Named(bool fail) {
  if (fail) return Status::NotFound("no such name");
  return std::string("tensor");
}

// Binds a new variable, then assigns an existing one, from ASSIGN_OR_RETURN.
Result<size_t> TotalLength(bool fail_first, bool fail_second) {
  ASSIGN_OR_RETURN(std::string first, Named(fail_first));
  std::string second;
  ASSIGN_OR_RETURN(second, Named(fail_second));
  return first.size() + second.size();
}

TEST(ResultTest, AssignOrReturnBindsTheValueOrReturnsTheError) {
  Result<size_t> both = TotalLength(false, false);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(*both, 12u);
  EXPECT_EQ(TotalLength(true, false).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(TotalLength(false, true).status().message(), "no such name");
}

TEST(ResultDeathTest, ValueOfAnErrorAbortsWithTheError) {
  Result<int> error(Status::Unavailable("model 'm' is not ready"));
  EXPECT_DEATH((void)error.value(), "value\\(\\) of a Result that holds an error: UNAVAILABLE: model 'm' is not ready");
  EXPECT_DEATH((void)*error, "UNAVAILABLE");
}

}  // namespace
}  // namespace inferd
