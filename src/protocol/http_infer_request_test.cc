#include "protocol/http_infer_request.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace inferd::protocol {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<const std::string> MakeBody(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

// A pure JSON request for model "m".
Result<HttpInferRequest> DecodeJson(const std::string& json) {
  return DecodeHttpInferRequest("m", 1, MakeBody(json), std::nullopt);
}

// A JSON header followed by binary tensor data.
Result<HttpInferRequest> DecodeBinary(const std::string& json, const std::string& binary) {
  return DecodeHttpInferRequest("m", 1, MakeBody(json + binary), json.size());
}

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

std::string OneInput(const std::string& name, const std::string& datatype, const std::string& shape,
                     const std::string& rest) {
  return R"({"inputs":[{"name":")" + name + R"(","datatype":")" + datatype + R"(","shape":)" + shape + "," +
         rest + "}]}";
}

// Expects INVALID_ARGUMENT whose message names the model and contains every
// fragment given.
void ExpectInvalid(const Result<HttpInferRequest>& result, const std::vector<std::string>& fragments) {
  ASSERT_FALSE(result.ok()) << "decoding should have failed";
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status().ToString();
  EXPECT_THAT(result.status().message(), HasSubstr("model 'm'"));
  for (const std::string& fragment : fragments) EXPECT_THAT(result.status().message(), HasSubstr(fragment));
}

// ---- JSON data, every datatype -------------------------------------------

struct JsonCase {
  std::string datatype;
  std::string shape;
  std::string data;
  std::string expected_bytes;
};

class JsonDataTest : public ::testing::TestWithParam<JsonCase> {};

TEST_P(JsonDataTest, FillsTheTensorBuffer) {
  const JsonCase& c = GetParam();
  Result<HttpInferRequest> decoded = DecodeJson(OneInput("x", c.datatype, c.shape, R"("data":)" + c.data));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->request.inputs.size(), 1u);
  const Tensor& tensor = decoded->request.inputs[0];
  EXPECT_EQ(tensor.name, "x");
  EXPECT_EQ(DataTypeName(tensor.datatype), c.datatype);
  EXPECT_EQ(tensor.bytes(), c.expected_bytes);
  EXPECT_NE(tensor.owner, nullptr);
}

INSTANTIATE_TEST_SUITE_P(
    EveryDataType, JsonDataTest,
    ::testing::Values(
        JsonCase{"BOOL", "[3]", "[true,false,true]", RawBytes<uint8_t>({1, 0, 1})},
        JsonCase{"UINT8", "[2]", "[0,255]", RawBytes<uint8_t>({0, 255})},
        JsonCase{"UINT16", "[2]", "[0,65535]", RawBytes<uint16_t>({0, 65535})},
        JsonCase{"UINT32", "[2]", "[1,4294967295]", RawBytes<uint32_t>({1, 4294967295u})},
        JsonCase{"UINT64", "[2]", "[2,18446744073709551615]",
                 RawBytes<uint64_t>({2, std::numeric_limits<uint64_t>::max()})},
        JsonCase{"INT8", "[2]", "[-128,127]", RawBytes<int8_t>({-128, 127})},
        JsonCase{"INT16", "[2]", "[-32768,32767]", RawBytes<int16_t>({-32768, 32767})},
        JsonCase{"INT32", "[2]", "[-2147483648,2147483647]",
                 RawBytes<int32_t>({std::numeric_limits<int32_t>::min(), 2147483647})},
        JsonCase{"INT64", "[2]", "[-9223372036854775808,9223372036854775807]",
                 RawBytes<int64_t>({std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()})},
        JsonCase{"FP16", "[3]", "[1.0,-2,0.1]", RawBytes<uint16_t>({0x3C00, 0xC000, 0x2E66})},
        JsonCase{"BF16", "[2]", "[1.0,3.140625]", RawBytes<uint16_t>({0x3F80, 0x4049})},
        JsonCase{"FP32", "[3]", "[0.1,-1.5,3]", RawBytes<float>({0.1f, -1.5f, 3.0f})},
        JsonCase{"FP64", "[3]", "[0.1,1e308,-7]", RawBytes<double>({0.1, 1e308, -7.0})},
        JsonCase{"BYTES", "[3]", R"(["ab","","caf\u00e9"])", BytesLayout({"ab", "", "caf\xC3\xA9"})}),
    [](const ::testing::TestParamInfo<JsonCase>& info) { return info.param.datatype; });

TEST(HttpInferRequestTest, NestedJsonArraysAreFlattenedRowMajor) {
  Result<HttpInferRequest> decoded = DecodeJson(OneInput("x", "INT32", "[2,3]", R"("data":[[1,2,3],[4,5,6]])"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->request.inputs[0].bytes(), RawBytes<int32_t>({1, 2, 3, 4, 5, 6}));

  decoded = DecodeJson(OneInput("x", "FP32", "[1,2,2]", R"("data":[[[1.5,2.5],[3.5,4.5]]])"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->request.inputs[0].bytes(), RawBytes<float>({1.5f, 2.5f, 3.5f, 4.5f}));

  decoded = DecodeJson(OneInput("x", "BYTES", "[2,1]", R"("data":[["a"],["bc"]])"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->request.inputs[0].bytes(), BytesLayout({"a", "bc"}));
}

TEST(HttpInferRequestTest, FloatInputsAcceptNanAndInfinityAsPythonWritesThem) {
  Result<HttpInferRequest> decoded = DecodeJson(OneInput("x", "FP32", "[3]", R"("data":[NaN,Infinity,-Infinity])"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  float values[3];
  std::memcpy(values, decoded->request.inputs[0].data, sizeof(values));
  EXPECT_TRUE(std::isnan(values[0]));
  EXPECT_EQ(values[1], std::numeric_limits<float>::infinity());
  EXPECT_EQ(values[2], -std::numeric_limits<float>::infinity());
}

TEST(HttpInferRequestTest, EmptyTensorsDecode) {
  Result<HttpInferRequest> decoded = DecodeJson(OneInput("x", "FP32", "[0,4]", R"("data":[])"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->request.inputs[0].byte_size, 0u);

  decoded = DecodeBinary(OneInput("x", "FP32", "[0]", R"("parameters":{"binary_data_size":0})"), "");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->request.inputs[0].byte_size, 0u);
}

// ---- binary data, every datatype ------------------------------------------

struct BinaryCase {
  std::string datatype;
  std::string shape;
  std::string payload;
};

class BinaryDataTest : public ::testing::TestWithParam<BinaryCase> {};

TEST_P(BinaryDataTest, PointsIntoTheBodyWithoutCopying) {
  const BinaryCase& c = GetParam();
  const std::string json = OneInput(
      "x", c.datatype, c.shape, R"("parameters":{"binary_data_size":)" + std::to_string(c.payload.size()) + "}");
  auto body = MakeBody(json + c.payload);
  Result<HttpInferRequest> decoded = DecodeHttpInferRequest("m", 1, body, json.size());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const Tensor& tensor = decoded->request.inputs[0];
  EXPECT_EQ(DataTypeName(tensor.datatype), c.datatype);
  EXPECT_EQ(tensor.data, body->data() + json.size());  // no copy
  EXPECT_EQ(tensor.bytes(), c.payload);
  EXPECT_EQ(tensor.owner.get(), static_cast<const void*>(body.get()));  // shares the body's ownership
}

INSTANTIATE_TEST_SUITE_P(
    EveryDataType, BinaryDataTest,
    ::testing::Values(BinaryCase{"BOOL", "[3]", RawBytes<uint8_t>({1, 0, 1})},
                      BinaryCase{"UINT8", "[2]", RawBytes<uint8_t>({7, 255})},
                      BinaryCase{"UINT16", "[2]", RawBytes<uint16_t>({1, 65535})},
                      BinaryCase{"UINT32", "[2,2]", RawBytes<uint32_t>({1, 2, 3, 4})},
                      BinaryCase{"UINT64", "[1]", RawBytes<uint64_t>({1ull << 63})},
                      BinaryCase{"INT8", "[2]", RawBytes<int8_t>({-1, 1})},
                      BinaryCase{"INT16", "[2]", RawBytes<int16_t>({-300, 300})},
                      BinaryCase{"INT32", "[3]", RawBytes<int32_t>({-5, 0, 5})},
                      BinaryCase{"INT64", "[1,2]", RawBytes<int64_t>({-(1ll << 40), 1ll << 40})},
                      BinaryCase{"FP16", "[2]", RawBytes<uint16_t>({0x3C00, 0x7C00})},
                      BinaryCase{"BF16", "[2]", RawBytes<uint16_t>({0x3F80, 0x7FC0})},
                      BinaryCase{"FP32", "[2]", RawBytes<float>({0.25f, -8.0f})},
                      BinaryCase{"FP64", "[2]", RawBytes<double>({0.1, -1e-300})},
                      BinaryCase{"BYTES", "[3]", BytesLayout({"a", std::string("\0\xFF", 2), ""})}),
    [](const ::testing::TestParamInfo<BinaryCase>& info) { return info.param.datatype; });

TEST(HttpInferRequestTest, BinaryInputsTakeTheirBytesInInputOrder) {
  const std::string json =
      R"({"inputs":[)"
      R"({"name":"a","datatype":"UINT32","shape":[2,2],"parameters":{"binary_data_size":16}},)"
      R"({"name":"j","datatype":"INT8","shape":[1],"data":[5]},)"
      R"({"name":"b","datatype":"BOOL","shape":[3],"parameters":{"binary_data_size":3}}]})";
  const std::string a = RawBytes<uint32_t>({1, 2, 3, 4});
  const std::string b = RawBytes<uint8_t>({1, 0, 1});
  Result<HttpInferRequest> decoded = DecodeBinary(json, a + b);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->request.inputs.size(), 3u);
  EXPECT_EQ(decoded->request.inputs[0].bytes(), a);
  EXPECT_EQ(decoded->request.inputs[1].bytes(), RawBytes<int8_t>({5}));
  EXPECT_EQ(decoded->request.inputs[2].bytes(), b);
}

TEST(HttpInferRequestTest, BinaryTensorsKeepTheBodyAlive) {
  const std::string json = OneInput("x", "INT32", "[1]", R"("parameters":{"binary_data_size":4})");
  auto body = MakeBody(json + RawBytes<int32_t>({42}));
  Result<HttpInferRequest> decoded = DecodeHttpInferRequest("m", 1, body, json.size());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  std::weak_ptr<const std::string> watch = body;
  body.reset();
  EXPECT_FALSE(watch.expired());
  int32_t value = 0;
  std::memcpy(&value, decoded->request.inputs[0].data, 4);
  EXPECT_EQ(value, 42);
}

// ---- request fields -------------------------------------------------------

TEST(HttpInferRequestTest, FillsModelIdParametersAndOutputs) {
  const std::string json = R"({
    "id": "req-7",
    "parameters": {"priority": 2, "timeout": 1500, "tag": "blue", "ratio": 0.5, "flag": true,
                   "binary_data_output": true},
    "inputs": [{"name": "x", "datatype": "INT32", "shape": [1], "data": [1]}],
    "outputs": [{"name": "probs", "parameters": {"classification": 3, "binary_data": false}},
                {"name": "raw", "parameters": {"binary_data": true}},
                {"name": "plain"}]
  })";
  Result<HttpInferRequest> decoded = DecodeHttpInferRequest("resnet", 4, MakeBody(json), std::nullopt);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const InferenceRequest& request = decoded->request;
  EXPECT_EQ(request.model_name, "resnet");
  EXPECT_EQ(request.model_version, 4);
  EXPECT_EQ(request.id, "req-7");

  EXPECT_EQ(std::get<int64_t>(request.parameters.at("priority")), 2);
  EXPECT_EQ(std::get<int64_t>(request.parameters.at("timeout")), 1500);
  EXPECT_EQ(std::get<std::string>(request.parameters.at("tag")), "blue");
  EXPECT_EQ(std::get<double>(request.parameters.at("ratio")), 0.5);
  EXPECT_EQ(std::get<bool>(request.parameters.at("flag")), true);
  EXPECT_EQ(request.parameters.count("binary_data_output"), 0u);  // consumed by the codec
  EXPECT_TRUE(decoded->binary_outputs_by_default);

  ASSERT_EQ(request.outputs.size(), 3u);
  EXPECT_EQ(request.outputs[0].name, "probs");
  EXPECT_EQ(std::get<int64_t>(request.outputs[0].parameters.at("classification")), 3);
  EXPECT_EQ(std::get<bool>(request.outputs[0].parameters.at("binary_data")), false);
  EXPECT_EQ(request.outputs[1].name, "raw");
  EXPECT_TRUE(request.outputs[2].parameters.empty());

  EXPECT_EQ(decoded->binary_output.size(), 2u);
  EXPECT_EQ(decoded->binary_output.at("probs"), false);
  EXPECT_EQ(decoded->binary_output.at("raw"), true);
}

TEST(HttpInferRequestTest, DefaultsWithoutOptionalFields) {
  Result<HttpInferRequest> decoded = DecodeJson(OneInput("x", "INT32", "[1]", R"("data":[1])"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_TRUE(decoded->request.id.empty());
  EXPECT_TRUE(decoded->request.parameters.empty());
  EXPECT_TRUE(decoded->request.outputs.empty());
  EXPECT_FALSE(decoded->binary_outputs_by_default);
  EXPECT_TRUE(decoded->binary_output.empty());
}

// ---- errors ----------------------------------------------------------------

TEST(HttpInferRequestErrorTest, HeaderLengthBeyondTheBody) {
  ExpectInvalid(DecodeHttpInferRequest("m", 1, MakeBody("{}"), 10), {"Inference-Header-Content-Length is 10", "2"});
}

TEST(HttpInferRequestErrorTest, BinaryDataLargerThanTheBody) {
  const std::string json = OneInput("x", "INT32", "[2]", R"("parameters":{"binary_data_size":8})");
  ExpectInvalid(DecodeBinary(json, RawBytes<int32_t>({1})), {"input 'x'", "binary_data_size is 8", "only 4 bytes"});
}

TEST(HttpInferRequestErrorTest, BinaryDataSmallerThanTheBody) {
  const std::string json = OneInput("x", "INT32", "[1]", R"("parameters":{"binary_data_size":4})");
  ExpectInvalid(DecodeBinary(json, RawBytes<int32_t>({1, 2})), {"add up to 4 bytes", "8 bytes after"});
}

TEST(HttpInferRequestErrorTest, TrailingBytesWithOnlyJsonInputs) {
  const std::string json = OneInput("x", "INT32", "[1]", R"("data":[1])");
  ExpectInvalid(DecodeBinary(json, "junk"), {"add up to 0 bytes", "4 bytes after"});
}

TEST(HttpInferRequestErrorTest, BinaryDataWithoutHeaderLength) {
  const std::string json = OneInput("x", "INT32", "[1]", R"("parameters":{"binary_data_size":4})");
  ExpectInvalid(DecodeJson(json), {"input 'x'", "Inference-Header-Content-Length"});
}

TEST(HttpInferRequestErrorTest, NeitherDataNorBinarySize) {
  ExpectInvalid(DecodeJson(OneInput("x", "INT32", "[1]", R"("parameters":{})")), {"input 'x'", "neither"});
}

TEST(HttpInferRequestErrorTest, BothDataAndBinarySize) {
  const std::string json = OneInput("x", "INT32", "[1]", R"("data":[1],"parameters":{"binary_data_size":4})");
  ExpectInvalid(DecodeBinary(json, RawBytes<int32_t>({1})), {"input 'x'", "both"});
}

TEST(HttpInferRequestErrorTest, JsonElementCountDiffersFromShape) {
  ExpectInvalid(DecodeJson(OneInput("x", "INT32", "[2,2]", R"("data":[1,2,3])")),
                {"input 'x'", "holds 3 elements", "[2,2] needs 4"});
  ExpectInvalid(DecodeJson(OneInput("x", "BYTES", "[1]", R"("data":["a","b"])")), {"input 'x'", "holds 2"});
}

// Checks of the request as a whole (repeated names, negative or oversized
// shapes, binary sizes against shapes) are the core's: the decoder passes
// such a request on as sent. request_checks_test.cc runs them for both
// protocols.
TEST(HttpInferRequestTest, RequestLevelChecksAreLeftToTheValidator) {
  const std::string json = R"({"inputs":[{"name":"x","datatype":"FP32","shape":[3],"parameters":{"binary_data_size":8}},)"
                           R"({"name":"x","datatype":"INT8","shape":[-1],"data":[1]}],)"
                           R"("outputs":[{"name":"y"},{"name":"y"}]})";
  Result<HttpInferRequest> decoded = DecodeBinary(json, RawBytes<float>({1, 2}));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->request.inputs.size(), 2u);
  EXPECT_EQ(decoded->request.inputs[0].byte_size, 8u);
  EXPECT_EQ(decoded->request.inputs[1].shape, (Shape{-1}));
  EXPECT_EQ(decoded->request.outputs.size(), 2u);
}

TEST(HttpInferRequestErrorTest, BadShapes) {
  ExpectInvalid(DecodeJson(OneInput("x", "INT32", "[1.5]", R"("data":[1])")), {"input 'x'", "1.5"});
  ExpectInvalid(DecodeJson(OneInput("x", "INT32", R"(["1"])", R"("data":[1])")), {"input 'x'", "a string"});
  ExpectInvalid(DecodeJson(OneInput("x", "INT32", "4", R"("data":[1])")), {"input 'x'", "\"shape\" array"});
}

TEST(HttpInferRequestErrorTest, UnknownDatatype) {
  ExpectInvalid(DecodeJson(OneInput("x", "FP8", "[1]", R"("data":[1])")), {"input 'x'", "\"FP8\"", "FP32"});
}

TEST(HttpInferRequestErrorTest, MalformedJson) {
  ExpectInvalid(DecodeJson(R"({"inputs": [)"), {"malformed JSON", "offset 12"});
  ExpectInvalid(DecodeJson(R"({"inputs": []} trailing)"), {"malformed JSON", "offset 15"});
  ExpectInvalid(DecodeJson("{\"id\": \"\xFF\", \"inputs\": []}"), {"malformed JSON", "encoding"});
  ExpectInvalid(DecodeJson(""), {"no JSON header"});
}

TEST(HttpInferRequestErrorTest, MissingInputs) {
  ExpectInvalid(DecodeJson(R"({"id":"1"})"), {"no \"inputs\""});
}

TEST(HttpInferRequestErrorTest, WrongJsonTypes) {
  ExpectInvalid(DecodeJson(R"([1,2])"), {"JSON object", "an array"});
  ExpectInvalid(DecodeJson(R"({"inputs":{}})"), {"\"inputs\" must be an array"});
  ExpectInvalid(DecodeJson(R"({"id":7,"inputs":[]})"), {"\"id\" must be a string", "a number"});
  ExpectInvalid(DecodeJson(R"({"inputs":[7]})"), {"inputs[0] must be an object"});
  ExpectInvalid(DecodeJson(R"({"inputs":[{"name":3,"datatype":"INT8","shape":[1],"data":[1]}]})"),
                {"inputs[0] needs a \"name\""});
  ExpectInvalid(DecodeJson(OneInput("x", "INT8", "[1]", R"("data":5)")), {"input 'x'", "must be a JSON array"});
  ExpectInvalid(DecodeJson(OneInput("x", "INT8", "[1]", R"("data":[1],"parameters":[])")),
                {"input 'x'", "\"parameters\" must be an object"});
  ExpectInvalid(DecodeJson(R"({"inputs":[{"name":"x","shape":[1],"data":[1]}]})"), {"input 'x'", "\"datatype\""});
  ExpectInvalid(DecodeJson(R"({"inputs":[],"parameters":"fast"})"), {"\"parameters\" of the request"});
  ExpectInvalid(DecodeJson(R"({"inputs":[],"parameters":{"p":null}})"), {"parameter \"p\"", "null"});
  ExpectInvalid(DecodeJson(R"({"inputs":[],"parameters":{"p":[1]}})"), {"parameter \"p\"", "an array"});
  ExpectInvalid(DecodeJson(R"({"inputs":[],"parameters":{"p":18446744073709551615}})"),
                {"parameter \"p\"", "int64"});
  ExpectInvalid(DecodeJson(R"({"inputs":[],"parameters":{"binary_data_output":1}})"),
                {"\"binary_data_output\" must be a bool"});
  ExpectInvalid(DecodeJson(R"({"inputs":[],"outputs":{}})"), {"\"outputs\" must be an array"});
  ExpectInvalid(DecodeJson(R"({"inputs":[],"outputs":[{"parameters":{}}]})"), {"outputs[0] needs a \"name\""});
  ExpectInvalid(DecodeJson(R"({"inputs":[],"outputs":[{"name":"y","parameters":{"binary_data":"yes"}}]})"),
                {"output 'y'", "\"binary_data\" must be a bool"});
  ExpectInvalid(DecodeJson(OneInput("x", "INT8", "[1]", R"("parameters":{"binary_data_size":-4})")),
                {"input 'x'", "non-negative integer"});
}

TEST(HttpInferRequestErrorTest, ElementsThatDoNotFitTheDatatype) {
  struct Case {
    std::string datatype;
    std::string data;
    std::string fragment;
  };
  const std::vector<Case> cases = {
      {"UINT8", "[1,300]", "element 1 is 300, expected an integer in [0, 255] for UINT8"},
      {"UINT32", "[-1]", "element 0 is -1"},
      {"INT8", "[-129]", "[-128, 127]"},
      {"INT32", "[1.5]", "element 0 is 1.5, expected an integer"},
      {"INT32", "[2147483648]", "2147483648"},
      {"INT64", "[9223372036854775808]", "9223372036854775808"},
      {"UINT64", "[1e3]", "1000"},
      {"BOOL", "[1]", "expected true or false for BOOL"},
      {"FP32", R"(["1.0"])", "element 0 is \"1.0\", expected a number"},
      {"FP32", "[1e39]", "FP32"},
      {"FP16", "[70000]", "FP16"},
      {"BF16", "[1e39]", "BF16"},
      {"FP64", "[true]", "expected a number"},
      {"BYTES", "[1]", "expected a string for BYTES"},
      {"INT8", "[null]", "null"},
      {"INT8", "[{}]", "an object"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.datatype + " " + c.data);
    const std::string shape = c.data == "[1,300]" ? "[2]" : "[1]";
    ExpectInvalid(DecodeJson(OneInput("x", c.datatype, shape, R"("data":)" + c.data)), {"input 'x'", c.fragment});
  }
}

TEST(HttpInferRequestErrorTest, Fp32JustBeyondMaxRoundsToMax) {
  // 3.4028235e38 is FLT_MAX rounded to 8 digits: slightly above it, but
  // within half an ulp, so it is FLT_MAX and not an error.
  Result<HttpInferRequest> decoded = DecodeJson(OneInput("x", "FP32", "[1]", R"("data":[3.4028235e38])"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  float value = 0;
  std::memcpy(&value, decoded->request.inputs[0].data, 4);
  EXPECT_EQ(value, std::numeric_limits<float>::max());
}

TEST(HttpInferRequestErrorTest, NestingTooDeep) {
  const std::string data = std::string(100, '[') + "1" + std::string(100, ']');
  ExpectInvalid(DecodeJson(OneInput("x", "INT8", "[1]", R"("data":)" + data)), {"input 'x'", "deeper than"});
}

TEST(HttpInferRequestErrorTest, SharedMemoryIsUnimplemented) {
  Result<HttpInferRequest> decoded =
      DecodeJson(OneInput("x", "INT8", "[1]", R"("parameters":{"shared_memory_region":"r","shared_memory_byte_size":1})"));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(decoded.status().message(), HasSubstr("input 'x'"));
}

}  // namespace
}  // namespace inferd::protocol
