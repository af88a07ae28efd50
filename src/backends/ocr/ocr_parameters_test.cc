#include "backends/ocr/ocr_parameters.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace inferd::ocr {
namespace {

using ::testing::HasSubstr;

TEST(OcrParametersTest, AbsentKeysGiveTheDefault) {
  EXPECT_EQ(*NumberParameter({}, "det_db_thresh", 0.3, 0, 1, "model 'm'"), 0.3);
  EXPECT_EQ(*IntegerParameter({}, "max_pixels", 42, 1, 100, "model 'm'"), 42);
  EXPECT_EQ(StringParameter({}, "dictionary", "keys.txt"), "keys.txt");
}

TEST(OcrParametersTest, ParsesValues) {
  const ParameterMap parameters = {{"det_db_thresh", "0.25"}, {"max_pixels", "1000"}, {"dictionary", "d.txt"}};
  EXPECT_EQ(*NumberParameter(parameters, "det_db_thresh", 0.3, 0, 1, "model 'm'"), 0.25);
  EXPECT_EQ(*IntegerParameter(parameters, "max_pixels", 42, 1, 10000, "model 'm'"), 1000);
  EXPECT_EQ(StringParameter(parameters, "dictionary", "keys.txt"), "d.txt");
}

TEST(OcrParametersTest, RejectsJunkAndOutOfRangeNamingModelAndKey) {
  const ParameterMap parameters = {{"det_db_thresh", "high"}, {"max_pixels", "0"}, {"limit_side_len", "960px"}};
  Result<double> junk = NumberParameter(parameters, "det_db_thresh", 0.3, 0, 1, "model 'ocr_crop'");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(junk.status().message(), HasSubstr("model 'ocr_crop': parameter 'det_db_thresh' is 'high'"));
  EXPECT_FALSE(IntegerParameter(parameters, "max_pixels", 42, 1, 100, "model 'm'").ok());
  EXPECT_FALSE(IntegerParameter(parameters, "limit_side_len", 960, 32, 8192, "model 'm'").ok());
}

}  // namespace
}  // namespace inferd::ocr
