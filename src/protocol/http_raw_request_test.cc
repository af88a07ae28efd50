#include "protocol/http_raw_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace inferd::protocol {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

RawInputSpec Spec(DataType datatype, Shape dims, bool batched) {
  RawInputSpec spec;
  spec.config_input_count = 1;
  spec.name = "INPUT0";
  spec.datatype = datatype;
  spec.dims = std::move(dims);
  spec.batched = batched;
  return spec;
}

TEST(RawBinaryRequestTest, TheBodyBecomesTheOneInputWithTheConfigShapeAndABatchOfOne) {
  auto body = std::make_shared<const std::string>(std::string(64, 'x'));
  Result<HttpInferRequest> decoded = DecodeRawBinaryRequest("simple", 2, Spec(DataType::kInt32, {16}, true), body);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->request.model_name, "simple");
  EXPECT_EQ(decoded->request.model_version, 2);
  EXPECT_TRUE(decoded->binary_outputs_by_default);
  ASSERT_EQ(decoded->request.inputs.size(), 1u);
  const Tensor& input = decoded->request.inputs[0];
  EXPECT_EQ(input.name, "INPUT0");
  EXPECT_EQ(input.datatype, DataType::kInt32);
  EXPECT_THAT(input.shape, ElementsAre(1, 16));
  EXPECT_EQ(input.data, body->data());  // no copy
  EXPECT_EQ(input.byte_size, 64u);
}

TEST(RawBinaryRequestTest, OneVariableDimensionIsSizedFromTheBody) {
  auto body = std::make_shared<const std::string>(std::string(4 * 3 * 5, 'x'));
  Result<HttpInferRequest> decoded = DecodeRawBinaryRequest("m", -1, Spec(DataType::kFp32, {3, -1}, false), body);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_THAT(decoded->request.inputs[0].shape, ElementsAre(3, 5));
}

TEST(RawBinaryRequestTest, TwoVariableDimensionsCannotBeDeduced) {
  auto body = std::make_shared<const std::string>(std::string(8, 'x'));
  Result<HttpInferRequest> decoded = DecodeRawBinaryRequest("m", -1, Spec(DataType::kFp32, {-1, -1}, false), body);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(),
              HasSubstr("The shape of the raw input 'INPUT0' can not be deduced because there are more than one "
                        "variable-sized dimension"));
}

TEST(RawBinaryRequestTest, ABytesBodyIsOneStringElement) {
  auto body = std::make_shared<const std::string>("hello");
  Result<HttpInferRequest> decoded = DecodeRawBinaryRequest("m", -1, Spec(DataType::kBytes, {1}, true), body);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const Tensor& input = decoded->request.inputs[0];
  EXPECT_THAT(input.shape, ElementsAre(1, 1));
  EXPECT_EQ(input.bytes(), std::string("\x05\x00\x00\x00hello", 9));

  Result<HttpInferRequest> wide = DecodeRawBinaryRequest("m", -1, Spec(DataType::kBytes, {2}, true), body);
  ASSERT_FALSE(wide.ok());
  EXPECT_THAT(wide.status().message(), HasSubstr("For BYTE datatype raw input 'INPUT0', the model must have input "
                                                 "shape [1]"));
}

TEST(RawBinaryRequestTest, AModelWithTwoInputsIsRefusedInTritonsWords) {
  RawInputSpec spec = Spec(DataType::kInt32, {16}, true);
  spec.config_input_count = 2;
  Result<HttpInferRequest> decoded =
      DecodeRawBinaryRequest("simple", -1, spec, std::make_shared<const std::string>(std::string(64, 'x')));
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.status().message(),
              HasSubstr("Raw request must only have 1 input (found 1) to be deduced but got 2 inputs in 'simple' "
                        "model configuration"));
}

}  // namespace
}  // namespace inferd::protocol
