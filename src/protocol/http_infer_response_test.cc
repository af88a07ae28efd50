#include "protocol/http_infer_response.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "protocol/half_float.h"

namespace inferd::protocol {
namespace {

using ::testing::HasSubstr;

template <typename T>
Tensor MakeTensor(const std::string& name, DataType datatype, Shape shape, const std::vector<T>& values) {
  std::string bytes(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return Tensor::FromBuffer(name, datatype, std::move(shape), std::move(bytes));
}

Tensor MakeBytesTensor(const std::string& name, Shape shape, const std::vector<std::string>& elements) {
  std::string buffer;
  for (const std::string& element : elements) AppendBytesElement(element, &buffer);
  return Tensor::FromBuffer(name, DataType::kBytes, std::move(shape), std::move(buffer));
}

InferenceResponse MakeResponse(std::vector<Tensor> outputs) {
  InferenceResponse response;
  response.model_name = "m";
  response.model_version = 3;
  response.outputs = std::move(outputs);
  return response;
}

// The parsed JSON part of a response body plus the binary part after it.
struct ParsedBody {
  rapidjson::Document json;
  std::string binary;

  const rapidjson::Value& Output(size_t index) const { return json["outputs"][static_cast<rapidjson::SizeType>(index)]; }
};

ParsedBody Parse(const HttpResponseBody& body) {
  ParsedBody parsed;
  const size_t json_size = body.json_header_length.value_or(body.content.size());
  parsed.json.Parse(body.content.data(), json_size);
  EXPECT_FALSE(parsed.json.HasParseError()) << "offset " << parsed.json.GetErrorOffset() << " in "
                                            << body.content.substr(0, json_size);
  parsed.binary = body.content.substr(json_size);
  return parsed;
}

HttpInferRequest JsonRequest() { return HttpInferRequest{}; }
HttpInferRequest BinaryRequest() {
  HttpInferRequest request;
  request.binary_outputs_by_default = true;
  return request;
}

std::vector<double> NumbersOf(const rapidjson::Value& data) {
  std::vector<double> numbers;
  for (const auto& value : data.GetArray()) numbers.push_back(value.GetDouble());
  return numbers;
}

TEST(HttpInferResponseTest, WritesModelVersionAndOutputsAsJson) {
  HttpResponseBody body = EncodeHttpInferResponse(
      MakeResponse({MakeTensor<int32_t>("y", DataType::kInt32, {2, 2}, {1, -2, 3, -4})}), JsonRequest());
  EXPECT_FALSE(body.json_header_length.has_value());
  ParsedBody parsed = Parse(body);
  EXPECT_STREQ(parsed.json["model_name"].GetString(), "m");
  EXPECT_STREQ(parsed.json["model_version"].GetString(), "3");  // a string, as KServe says
  EXPECT_FALSE(parsed.json.HasMember("id"));
  EXPECT_FALSE(parsed.json.HasMember("parameters"));
  const rapidjson::Value& output = parsed.Output(0);
  EXPECT_STREQ(output["name"].GetString(), "y");
  EXPECT_STREQ(output["datatype"].GetString(), "INT32");
  ASSERT_EQ(output["shape"].Size(), 2u);
  EXPECT_EQ(output["shape"][0].GetInt64(), 2);
  EXPECT_FALSE(output.HasMember("parameters"));
  EXPECT_EQ(NumbersOf(output["data"]), (std::vector<double>{1, -2, 3, -4}));
  EXPECT_TRUE(parsed.binary.empty());
}

TEST(HttpInferResponseTest, EveryDatatypeAsJson) {
  std::vector<Tensor> outputs;
  outputs.push_back(MakeTensor<uint8_t>("bool", DataType::kBool, {2}, {1, 0}));
  outputs.push_back(MakeTensor<uint8_t>("u8", DataType::kUint8, {1}, {255}));
  outputs.push_back(MakeTensor<uint16_t>("u16", DataType::kUint16, {1}, {65535}));
  outputs.push_back(MakeTensor<uint32_t>("u32", DataType::kUint32, {1}, {4294967295u}));
  outputs.push_back(MakeTensor<uint64_t>("u64", DataType::kUint64, {1}, {std::numeric_limits<uint64_t>::max()}));
  outputs.push_back(MakeTensor<int8_t>("i8", DataType::kInt8, {1}, {-128}));
  outputs.push_back(MakeTensor<int16_t>("i16", DataType::kInt16, {1}, {-32768}));
  outputs.push_back(MakeTensor<int32_t>("i32", DataType::kInt32, {1}, {std::numeric_limits<int32_t>::min()}));
  outputs.push_back(MakeTensor<int64_t>("i64", DataType::kInt64, {1}, {std::numeric_limits<int64_t>::min()}));
  outputs.push_back(MakeTensor<uint16_t>("f16", DataType::kFp16, {2}, {0x2E66, 0xC000}));
  outputs.push_back(MakeTensor<uint16_t>("bf16", DataType::kBf16, {1}, {0x4049}));
  outputs.push_back(MakeTensor<float>("f32", DataType::kFp32, {3}, {0.1f, -1.5f, 3.4028235e38f}));
  outputs.push_back(MakeTensor<double>("f64", DataType::kFp64, {2}, {0.1, 5e-324}));
  outputs.push_back(MakeBytesTensor("str", {3}, {"hi", "", "caf\xC3\xA9 \"quoted\"\n"}));

  HttpResponseBody body = EncodeHttpInferResponse(MakeResponse(std::move(outputs)), JsonRequest());
  EXPECT_FALSE(body.json_header_length.has_value());
  ParsedBody parsed = Parse(body);

  EXPECT_TRUE(parsed.Output(0)["data"][0].GetBool());
  EXPECT_FALSE(parsed.Output(0)["data"][1].GetBool());
  EXPECT_EQ(parsed.Output(1)["data"][0].GetUint(), 255u);
  EXPECT_EQ(parsed.Output(2)["data"][0].GetUint(), 65535u);
  EXPECT_EQ(parsed.Output(3)["data"][0].GetUint(), 4294967295u);
  EXPECT_EQ(parsed.Output(4)["data"][0].GetUint64(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(parsed.Output(5)["data"][0].GetInt(), -128);
  EXPECT_EQ(parsed.Output(6)["data"][0].GetInt(), -32768);
  EXPECT_EQ(parsed.Output(7)["data"][0].GetInt(), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(parsed.Output(8)["data"][0].GetInt64(), std::numeric_limits<int64_t>::min());
  // FP16/BF16 go out as numbers that read back to the same 16 bits.
  EXPECT_EQ(DoubleToFp16(parsed.Output(9)["data"][0].GetDouble()), 0x2E66);
  EXPECT_EQ(parsed.Output(9)["data"][1].GetDouble(), -2.0);
  EXPECT_EQ(parsed.Output(10)["data"][0].GetDouble(), 3.140625);
  // Floats read back exactly, written with the fewest digits.
  EXPECT_EQ(static_cast<float>(parsed.Output(11)["data"][0].GetDouble()), 0.1f);
  EXPECT_EQ(static_cast<float>(parsed.Output(11)["data"][2].GetDouble()), 3.4028235e38f);
  EXPECT_THAT(body.content, HasSubstr("[0.1,-1.5,3.4028235e+38]"));
  EXPECT_EQ(parsed.Output(12)["data"][0].GetDouble(), 0.1);
  EXPECT_EQ(parsed.Output(12)["data"][1].GetDouble(), 5e-324);
  const rapidjson::Value& strings = parsed.Output(13)["data"];
  ASSERT_EQ(strings.Size(), 3u);
  EXPECT_STREQ(strings[0].GetString(), "hi");
  EXPECT_STREQ(strings[1].GetString(), "");
  EXPECT_EQ(std::string(strings[2].GetString(), strings[2].GetStringLength()), "caf\xC3\xA9 \"quoted\"\n");
  for (size_t i = 0; i < 14; ++i) EXPECT_FALSE(parsed.Output(i).HasMember("parameters")) << i;
}

TEST(HttpInferResponseTest, BinaryOutputsFollowTheJsonInOutputOrder) {
  const std::vector<float> a = {1.0f, 2.0f, 3.0f};
  const std::vector<int64_t> b = {7, 8};
  HttpResponseBody body = EncodeHttpInferResponse(
      MakeResponse({MakeTensor<float>("a", DataType::kFp32, {3}, a),
                    MakeBytesTensor("s", {2}, {"x", std::string("\0\xFF", 2)}),
                    MakeTensor<int64_t>("b", DataType::kInt64, {1, 2}, b)}),
      BinaryRequest());
  ASSERT_TRUE(body.json_header_length.has_value());
  ParsedBody parsed = Parse(body);
  EXPECT_EQ(parsed.json.GetObject().MemberCount(), 3u);  // model_name, model_version, outputs
  std::string expected_binary;
  expected_binary.append(reinterpret_cast<const char*>(a.data()), 12);
  AppendBytesElement("x", &expected_binary);
  AppendBytesElement(std::string("\0\xFF", 2), &expected_binary);
  expected_binary.append(reinterpret_cast<const char*>(b.data()), 16);
  EXPECT_EQ(parsed.binary, expected_binary);
  EXPECT_EQ(parsed.Output(0)["parameters"]["binary_data_size"].GetUint64(), 12u);
  EXPECT_EQ(parsed.Output(1)["parameters"]["binary_data_size"].GetUint64(), 11u);  // (4 + 1) + (4 + 2)
  EXPECT_EQ(parsed.Output(2)["parameters"]["binary_data_size"].GetUint64(), 16u);
  for (size_t i = 0; i < 3; ++i) EXPECT_FALSE(parsed.Output(i).HasMember("data")) << i;
}

TEST(HttpInferResponseTest, PerOutputChoiceOverridesTheDefault) {
  auto outputs = [] {
    return std::vector<Tensor>{MakeTensor<int32_t>("json", DataType::kInt32, {1}, {5}),
                               MakeTensor<int32_t>("bin", DataType::kInt32, {1}, {6}),
                               MakeTensor<int32_t>("default", DataType::kInt32, {1}, {7})};
  };
  // Default binary, one output asks for JSON.
  HttpInferRequest request = BinaryRequest();
  request.binary_output.emplace("json", false);
  ParsedBody parsed = Parse(EncodeHttpInferResponse(MakeResponse(outputs()), request));
  EXPECT_EQ(parsed.Output(0)["data"][0].GetInt(), 5);
  EXPECT_TRUE(parsed.Output(1).HasMember("parameters"));
  EXPECT_TRUE(parsed.Output(2).HasMember("parameters"));
  EXPECT_EQ(parsed.binary.size(), 8u);

  // Default JSON, one output asks for binary.
  request = JsonRequest();
  request.binary_output.emplace("bin", true);
  HttpResponseBody body = EncodeHttpInferResponse(MakeResponse(outputs()), request);
  ASSERT_TRUE(body.json_header_length.has_value());
  parsed = Parse(body);
  EXPECT_EQ(parsed.Output(0)["data"][0].GetInt(), 5);
  EXPECT_EQ(parsed.Output(1)["parameters"]["binary_data_size"].GetUint64(), 4u);
  EXPECT_EQ(parsed.Output(2)["data"][0].GetInt(), 7);
  int32_t value = 0;
  ASSERT_EQ(parsed.binary.size(), 4u);
  std::memcpy(&value, parsed.binary.data(), 4);
  EXPECT_EQ(value, 6);
}

TEST(HttpInferResponseTest, NonFiniteFloatsAreSentAsBinary) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  HttpResponseBody body = EncodeHttpInferResponse(
      MakeResponse({MakeTensor<float>("nan", DataType::kFp32, {2}, {1.0f, nan}),
                    MakeTensor<double>("inf", DataType::kFp64, {1}, {-std::numeric_limits<double>::infinity()}),
                    MakeTensor<uint16_t>("h", DataType::kFp16, {1}, {0x7C00}),
                    MakeTensor<uint16_t>("b", DataType::kBf16, {1}, {0x7FC0}),
                    MakeTensor<float>("fine", DataType::kFp32, {1}, {2.5f})}),
      JsonRequest());
  ASSERT_TRUE(body.json_header_length.has_value());
  ParsedBody parsed = Parse(body);  // strictly valid JSON: no NaN/Infinity tokens
  EXPECT_EQ(parsed.Output(0)["parameters"]["binary_data_size"].GetUint64(), 8u);
  EXPECT_EQ(parsed.Output(1)["parameters"]["binary_data_size"].GetUint64(), 8u);
  EXPECT_EQ(parsed.Output(2)["parameters"]["binary_data_size"].GetUint64(), 2u);
  EXPECT_EQ(parsed.Output(3)["parameters"]["binary_data_size"].GetUint64(), 2u);
  EXPECT_EQ(parsed.Output(4)["data"][0].GetDouble(), 2.5);
  EXPECT_EQ(parsed.binary.size(), 20u);
}

TEST(HttpInferResponseTest, InvalidUtf8StringsAreSentAsBinary) {
  HttpResponseBody body = EncodeHttpInferResponse(
      MakeResponse({MakeBytesTensor("raw", {2}, {"ok", "\xFF\xFE"}), MakeBytesTensor("text", {1}, {"fine"})}),
      JsonRequest());
  ASSERT_TRUE(body.json_header_length.has_value());
  ParsedBody parsed = Parse(body);
  EXPECT_EQ(parsed.Output(0)["parameters"]["binary_data_size"].GetUint64(), 12u);
  EXPECT_STREQ(parsed.Output(1)["data"][0].GetString(), "fine");
  std::string expected;
  AppendBytesElement("ok", &expected);
  AppendBytesElement("\xFF\xFE", &expected);
  EXPECT_EQ(parsed.binary, expected);
}

TEST(HttpInferResponseTest, MalformedBytesOutputIsSentAsBinaryUnchanged) {
  Tensor broken = Tensor::FromBuffer("broken", DataType::kBytes, {1}, std::string("\x09\0\0\0ab", 6));
  HttpResponseBody body = EncodeHttpInferResponse(MakeResponse({broken}), JsonRequest());
  ASSERT_TRUE(body.json_header_length.has_value());
  EXPECT_EQ(Parse(body).binary, std::string("\x09\0\0\0ab", 6));
}

TEST(HttpInferResponseTest, EchoesTheId) {
  HttpInferRequest request = JsonRequest();
  request.request.id = "from-request";
  InferenceResponse response = MakeResponse({});
  EXPECT_STREQ(Parse(EncodeHttpInferResponse(response, request)).json["id"].GetString(), "from-request");

  response.id = "from-response";
  EXPECT_STREQ(Parse(EncodeHttpInferResponse(response, request)).json["id"].GetString(), "from-response");

  response.id.clear();
  EXPECT_FALSE(Parse(EncodeHttpInferResponse(response, JsonRequest())).json.HasMember("id"));
}

TEST(HttpInferResponseTest, WritesResponseParameters) {
  InferenceResponse response = MakeResponse({});
  response.parameters.emplace("sequence_end", true);
  response.parameters.emplace("count", int64_t{-4});
  response.parameters.emplace("score", 0.25);
  response.parameters.emplace("note", std::string("n\"q"));
  response.parameters.emplace("bad", std::numeric_limits<double>::quiet_NaN());
  ParsedBody parsed = Parse(EncodeHttpInferResponse(response, JsonRequest()));
  const rapidjson::Value& parameters = parsed.json["parameters"];
  EXPECT_TRUE(parameters["sequence_end"].GetBool());
  EXPECT_EQ(parameters["count"].GetInt64(), -4);
  EXPECT_EQ(parameters["score"].GetDouble(), 0.25);
  EXPECT_STREQ(parameters["note"].GetString(), "n\"q");
  EXPECT_TRUE(parameters["bad"].IsNull());
  EXPECT_EQ(parsed.json["outputs"].Size(), 0u);
}

TEST(HttpInferResponseTest, EmptyBinaryOutputStillSetsTheHeaderLength) {
  HttpResponseBody body =
      EncodeHttpInferResponse(MakeResponse({MakeTensor<float>("e", DataType::kFp32, {0}, {})}), BinaryRequest());
  ASSERT_TRUE(body.json_header_length.has_value());
  EXPECT_EQ(*body.json_header_length, body.content.size());
  EXPECT_EQ(Parse(body).Output(0)["parameters"]["binary_data_size"].GetUint64(), 0u);
}

}  // namespace
}  // namespace inferd::protocol
