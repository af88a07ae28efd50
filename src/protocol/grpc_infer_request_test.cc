#include "protocol/grpc_infer_request.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "protocol/grpc_tensor_contents.h"

namespace inferd::protocol {
namespace {

using inference::ModelInferRequest;
using ::testing::HasSubstr;

template <typename T>
std::string RawBytes(const std::vector<T>& values) {
  std::string bytes(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

std::string BytesLayout(const std::vector<std::string>& elements) {
  std::string buffer;
  for (const std::string& element : elements) AppendBytesElement(element, &buffer);
  return buffer;
}

ModelInferRequest::InferInputTensor* AddInput(ModelInferRequest* message, const std::string& name,
                                              const std::string& datatype, std::vector<int64_t> shape) {
  ModelInferRequest::InferInputTensor* input = message->add_inputs();
  input->set_name(name);
  input->set_datatype(datatype);
  input->mutable_shape()->Add(shape.begin(), shape.end());
  return input;
}

// Decodes a message owned by a shared_ptr, as the frontend does.
Result<InferenceRequest> Decode(std::shared_ptr<ModelInferRequest> message) {
  return DecodeGrpcInferRequest(*message, kLatestVersion, message);
}

std::shared_ptr<ModelInferRequest> NewMessage() {
  auto message = std::make_shared<ModelInferRequest>();
  message->set_model_name("m");
  return message;
}

void ExpectInvalid(const Result<InferenceRequest>& result, const std::vector<std::string>& fragments) {
  ASSERT_FALSE(result.ok()) << "decoding should have failed";
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status().ToString();
  EXPECT_THAT(result.status().message(), HasSubstr("model 'm'"));
  for (const std::string& fragment : fragments) EXPECT_THAT(result.status().message(), HasSubstr(fragment));
}

TEST(GrpcInferRequestTest, RawInputsPointIntoTheMessage) {
  auto message = NewMessage();
  message->set_id("req-7");
  AddInput(message.get(), "a", "INT32", {1, 2});
  AddInput(message.get(), "b", "BYTES", {2});
  message->add_raw_input_contents(RawBytes<int32_t>({5, -6}));
  message->add_raw_input_contents(BytesLayout({"hi", ""}));

  Result<InferenceRequest> decoded = DecodeGrpcInferRequest(*message, 3, message);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->model_name, "m");
  EXPECT_EQ(decoded->model_version, 3);
  EXPECT_EQ(decoded->id, "req-7");
  ASSERT_EQ(decoded->inputs.size(), 2u);
  const Tensor& a = decoded->inputs[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.datatype, DataType::kInt32);
  EXPECT_EQ(a.shape, (Shape{1, 2}));
  EXPECT_EQ(a.bytes(), RawBytes<int32_t>({5, -6}));
  // Zero copy: the bytes are the message's own, and the tensor keeps it alive.
  EXPECT_EQ(a.data, message->raw_input_contents(0).data());
  EXPECT_EQ(a.owner.get(), message.get());
  EXPECT_EQ(decoded->inputs[1].datatype, DataType::kBytes);
  EXPECT_EQ(decoded->inputs[1].bytes(), BytesLayout({"hi", ""}));

  std::weak_ptr<ModelInferRequest> watch = message;
  message.reset();
  EXPECT_FALSE(watch.expired()) << "the tensors must keep the message alive";
  decoded = Status::Internal("drop the tensors");
  EXPECT_TRUE(watch.expired());
}

struct TypedCase {
  std::string datatype;
  std::function<void(inference::InferTensorContents*)> fill;
  std::string expected_bytes;
};

class TypedContentsTest : public ::testing::TestWithParam<TypedCase> {};

TEST_P(TypedContentsTest, FillsTheTensorBuffer) {
  const TypedCase& c = GetParam();
  auto message = NewMessage();
  c.fill(AddInput(message.get(), "x", c.datatype, {2})->mutable_contents());
  Result<InferenceRequest> decoded = Decode(message);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->inputs.size(), 1u);
  EXPECT_EQ(DataTypeName(decoded->inputs[0].datatype), c.datatype);
  EXPECT_EQ(decoded->inputs[0].bytes(), c.expected_bytes);
}

INSTANTIATE_TEST_SUITE_P(
    EveryTypedDatatype, TypedContentsTest,
    ::testing::Values(
        TypedCase{"BOOL", [](auto* c) { c->add_bool_contents(true), c->add_bool_contents(false); }, RawBytes<uint8_t>({1, 0})},
        TypedCase{"UINT8", [](auto* c) { c->add_uint_contents(0), c->add_uint_contents(255); }, RawBytes<uint8_t>({0, 255})},
        TypedCase{"UINT16", [](auto* c) { c->add_uint_contents(1), c->add_uint_contents(65535); },
                  RawBytes<uint16_t>({1, 65535})},
        TypedCase{"UINT32", [](auto* c) { c->add_uint_contents(7), c->add_uint_contents(4294967295u); },
                  RawBytes<uint32_t>({7, 4294967295u})},
        TypedCase{"UINT64", [](auto* c) { c->add_uint64_contents(1), c->add_uint64_contents(UINT64_MAX); },
                  RawBytes<uint64_t>({1, UINT64_MAX})},
        TypedCase{"INT8", [](auto* c) { c->add_int_contents(-128), c->add_int_contents(127); },
                  RawBytes<int8_t>({-128, 127})},
        TypedCase{"INT16", [](auto* c) { c->add_int_contents(-32768), c->add_int_contents(32767); },
                  RawBytes<int16_t>({-32768, 32767})},
        TypedCase{"INT32", [](auto* c) { c->add_int_contents(INT32_MIN), c->add_int_contents(3); },
                  RawBytes<int32_t>({INT32_MIN, 3})},
        TypedCase{"INT64", [](auto* c) { c->add_int64_contents(INT64_MIN), c->add_int64_contents(INT64_MAX); },
                  RawBytes<int64_t>({INT64_MIN, INT64_MAX})},
        TypedCase{"FP32", [](auto* c) { c->add_fp32_contents(1.5f), c->add_fp32_contents(-0.25f); },
                  RawBytes<float>({1.5f, -0.25f})},
        TypedCase{"FP64", [](auto* c) { c->add_fp64_contents(0.1), c->add_fp64_contents(1e300); },
                  RawBytes<double>({0.1, 1e300})},
        TypedCase{"BYTES", [](auto* c) { c->add_bytes_contents("abc"), c->add_bytes_contents(std::string("\0\xff", 2)); },
                  BytesLayout({"abc", std::string("\0\xff", 2)})}),
    [](const ::testing::TestParamInfo<TypedCase>& info) { return info.param.datatype; });

TEST(GrpcInferRequestTest, TypedValuesMustFitTheType) {
  auto message = NewMessage();
  auto* contents = AddInput(message.get(), "x", "INT8", {2})->mutable_contents();
  contents->add_int_contents(1);
  contents->add_int_contents(300);
  ExpectInvalid(Decode(message), {"input 'x'", "element 1 is 300", "[-128, 127]", "INT8"});

  message = NewMessage();
  contents = AddInput(message.get(), "x", "UINT16", {1})->mutable_contents();
  contents->add_uint_contents(70000);
  ExpectInvalid(Decode(message), {"element 0 is 70000", "[0, 65535]"});
}

TEST(GrpcInferRequestTest, TypedCountAndFieldMustMatch) {
  auto message = NewMessage();
  AddInput(message.get(), "x", "INT32", {1, 3})->mutable_contents()->add_int_contents(1);
  ExpectInvalid(Decode(message), {"input 'x'", "contents.int_contents holds 1 elements but shape [1,3] needs 3"});

  message = NewMessage();
  AddInput(message.get(), "x", "INT32", {1})->mutable_contents()->add_fp32_contents(1);
  ExpectInvalid(Decode(message), {"contents.fp32_contents", "INT32 takes its data in contents.int_contents"});
}

TEST(GrpcInferRequestTest, HalfFloatsTravelRawOnly) {
  auto message = NewMessage();
  AddInput(message.get(), "x", "FP16", {1})->mutable_contents()->add_fp32_contents(1);
  ExpectInvalid(Decode(message), {"FP16", "raw_input_contents"});

  message = NewMessage();
  AddInput(message.get(), "x", "BF16", {2});
  message->add_raw_input_contents(RawBytes<uint16_t>({0x3f80, 0x4000}));
  Result<InferenceRequest> decoded = Decode(message);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->inputs[0].byte_size, 4u);
}

TEST(GrpcInferRequestTest, RawAndTypedDoNotMix) {
  auto message = NewMessage();
  AddInput(message.get(), "a", "INT32", {1})->mutable_contents()->add_int_contents(1);
  message->add_raw_input_contents(RawBytes<int32_t>({1}));
  ExpectInvalid(Decode(message), {"contents field must not be specified when using raw_input_contents for 'a'"});

  message = NewMessage();
  AddInput(message.get(), "a", "INT32", {1});
  AddInput(message.get(), "b", "INT32", {1});
  message->add_raw_input_contents(RawBytes<int32_t>({1}));
  // As in Triton: the first input without data is named.
  ExpectInvalid(Decode(message), {"unable to find data for input tensor 'b'"});

  message = NewMessage();
  AddInput(message.get(), "a", "INT32", {1});
  message->add_raw_input_contents(RawBytes<int32_t>({1}));
  message->add_raw_input_contents(RawBytes<int32_t>({2}));
  ExpectInvalid(Decode(message), {"1 inputs but 2 raw_input_contents"});
}

TEST(GrpcInferRequestTest, InputsNeedData) {
  auto message = NewMessage();
  AddInput(message.get(), "a", "INT32", {1, 4});
  ExpectInvalid(Decode(message), {"unable to find data for input tensor 'a'"});

  // An empty tensor needs none.
  message = NewMessage();
  AddInput(message.get(), "a", "INT32", {0});
  Result<InferenceRequest> decoded = Decode(message);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->inputs[0].byte_size, 0u);
}

TEST(GrpcInferRequestTest, NamesTypesAndShapesAreChecked) {
  auto message = NewMessage();
  AddInput(message.get(), "a", "FLOAT", {1})->mutable_contents()->add_fp32_contents(1);
  ExpectInvalid(Decode(message), {"input 'a'", "unknown datatype \"FLOAT\"", "FP32"});

  message = NewMessage();
  AddInput(message.get(), "", "INT32", {0});
  ExpectInvalid(Decode(message), {"inputs[0] has no name"});
}

TEST(GrpcInferRequestTest, OnlyTritonsOwnTritonParameterIsAllowedAndItIsNotTheModels) {
  auto message = NewMessage();
  (*message->mutable_parameters())["triton_enable_empty_final_response"].set_bool_param(true);
  Result<InferenceRequest> decoded = Decode(message);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_FALSE(decoded->parameters.contains("triton_enable_empty_final_response"));

  message = NewMessage();
  (*message->mutable_parameters())["triton_enable_empty_final_response"].set_string_param("yes");
  ExpectInvalid(Decode(message), {"triton_enable_empty_final_response", "expected bool_param"});

  message = NewMessage();
  (*message->mutable_parameters())["triton_other"].set_bool_param(true);
  ExpectInvalid(Decode(message), {"reserved for Triton usage", "triton_other"});
}

TEST(GrpcInferRequestTest, ParametersAndRequestedOutputs) {
  auto message = NewMessage();
  (*message->mutable_parameters())["priority"].set_uint64_param(2);
  (*message->mutable_parameters())["timeout"].set_int64_param(5000);
  (*message->mutable_parameters())["flag"].set_bool_param(true);
  (*message->mutable_parameters())["ratio"].set_double_param(0.5);
  (*message->mutable_parameters())["tag"].set_string_param("x");
  auto* output = message->add_outputs();
  output->set_name("OUTPUT0");
  (*output->mutable_parameters())["classification"].set_int64_param(3);
  message->add_outputs()->set_name("OUTPUT1");

  Result<InferenceRequest> decoded = Decode(message);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const Parameters& parameters = decoded->parameters;
  EXPECT_EQ(std::get<int64_t>(parameters.at("priority")), 2);
  EXPECT_EQ(std::get<int64_t>(parameters.at("timeout")), 5000);
  EXPECT_EQ(std::get<bool>(parameters.at("flag")), true);
  EXPECT_EQ(std::get<double>(parameters.at("ratio")), 0.5);
  EXPECT_EQ(std::get<std::string>(parameters.at("tag")), "x");
  ASSERT_EQ(decoded->outputs.size(), 2u);
  EXPECT_EQ(decoded->outputs[0].name, "OUTPUT0");
  EXPECT_EQ(std::get<int64_t>(decoded->outputs[0].parameters.at("classification")), 3);
  EXPECT_EQ(decoded->outputs[1].name, "OUTPUT1");
  EXPECT_TRUE(decoded->outputs[1].parameters.empty());
}

TEST(GrpcInferRequestTest, BadParametersAndOutputs) {
  auto message = NewMessage();
  (*message->mutable_parameters())["priority"].set_uint64_param(UINT64_MAX);
  ExpectInvalid(Decode(message), {"parameter \"priority\" of the request", "beyond the int64 range"});

  message = NewMessage();
  (*message->mutable_parameters())["empty"];
  ExpectInvalid(Decode(message), {"parameter \"empty\"", "has no value"});

}

// Checks of the request as a whole (repeated names, negative or oversized
// shapes, sizes against shapes) are the core's: the decoder passes such a
// request on as sent. request_checks_test.cc runs them for both protocols.
TEST(GrpcInferRequestTest, RequestLevelChecksAreLeftToTheValidator) {
  auto message = NewMessage();
  message->add_raw_input_contents(std::string(12, '\0'));
  AddInput(message.get(), "a", "INT32", {1, -2});
  message->add_raw_input_contents(std::string(4, '\0'));
  AddInput(message.get(), "a", "INT32", {4});
  message->add_outputs()->set_name("o");
  message->add_outputs()->set_name("o");
  Result<InferenceRequest> decoded = Decode(message);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->inputs.size(), 2u);
  EXPECT_EQ(decoded->inputs[0].shape, (Shape{1, -2}));
  EXPECT_EQ(decoded->inputs[1].byte_size, 4u);
  EXPECT_EQ(decoded->outputs.size(), 2u);
}

TEST(GrpcInferRequestTest, SharedMemoryIsUnimplemented) {
  auto message = NewMessage();
  auto* input = AddInput(message.get(), "a", "INT32", {1});
  (*input->mutable_parameters())["shared_memory_region"].set_string_param("region");
  Result<InferenceRequest> decoded = Decode(message);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(decoded.status().message(), HasSubstr("shared-memory"));

  message = NewMessage();
  auto* output = message->add_outputs();
  output->set_name("o");
  (*output->mutable_parameters())["shared_memory_region"].set_string_param("region");
  EXPECT_EQ(Decode(message).status().code(), StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace inferd::protocol
