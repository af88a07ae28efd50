#include "protocol/grpc_infer_response.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace inferd::protocol {
namespace {

template <typename T>
std::string RawBytes(const std::vector<T>& values) {
  std::string bytes(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

InferenceResponse TwoOutputs() {
  InferenceResponse response;
  response.model_name = "simple";
  response.model_version = 3;
  response.outputs.push_back(Tensor::FromBuffer("OUTPUT0", DataType::kFp16, {1, 2}, RawBytes<uint16_t>({0x3c00, 0})));
  std::string strings;
  AppendBytesElement("label", &strings);
  response.outputs.push_back(Tensor::FromBuffer("OUTPUT1", DataType::kBytes, {1}, strings));
  return response;
}

TEST(GrpcInferResponseTest, OutputsAreRawInOutputOrder) {
  InferenceResponse response = TwoOutputs();
  inference::ModelInferResponse message;
  EncodeGrpcInferResponse(response, "req-1", &message);

  EXPECT_EQ(message.model_name(), "simple");
  EXPECT_EQ(message.model_version(), "3");
  EXPECT_EQ(message.id(), "req-1");
  ASSERT_EQ(message.outputs_size(), 2);
  ASSERT_EQ(message.raw_output_contents_size(), 2);
  EXPECT_EQ(message.outputs(0).name(), "OUTPUT0");
  EXPECT_EQ(message.outputs(0).datatype(), "FP16");
  EXPECT_EQ(std::vector<int64_t>(message.outputs(0).shape().begin(), message.outputs(0).shape().end()),
            (std::vector<int64_t>{1, 2}));
  EXPECT_FALSE(message.outputs(0).has_contents());
  EXPECT_EQ(message.raw_output_contents(0), RawBytes<uint16_t>({0x3c00, 0}));
  EXPECT_EQ(message.outputs(1).datatype(), "BYTES");
  EXPECT_EQ(message.raw_output_contents(1), std::string("\x05\0\0\0label", 9));
}

TEST(GrpcInferResponseTest, ResponseIdAndParametersWin) {
  InferenceResponse response = TwoOutputs();
  response.id = "own";
  response.parameters["sequence_end"] = true;
  response.parameters["count"] = int64_t{4};
  inference::ModelInferResponse message;
  EncodeGrpcInferResponse(response, "req-1", &message);
  EXPECT_EQ(message.id(), "own");
  ASSERT_EQ(message.parameters().count("sequence_end"), 1u);
  EXPECT_TRUE(message.parameters().at("sequence_end").bool_param());
  EXPECT_EQ(message.parameters().at("count").int64_param(), 4);
}

TEST(GrpcInferResponseTest, EmptyOutputIsAnEmptyRawEntry) {
  InferenceResponse response;
  response.model_name = "m";
  response.outputs.push_back(Tensor::FromBuffer("o", DataType::kInt32, {0, 4}, ""));
  inference::ModelInferResponse message;
  EncodeGrpcInferResponse(response, "", &message);
  ASSERT_EQ(message.raw_output_contents_size(), 1);
  EXPECT_TRUE(message.raw_output_contents(0).empty());
  EXPECT_EQ(message.id(), "");
}

}  // namespace
}  // namespace inferd::protocol
