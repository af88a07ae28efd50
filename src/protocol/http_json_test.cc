#include "protocol/http_json.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace inferd::protocol {
namespace {

using ::testing::HasSubstr;

rapidjson::Document ParseJson(const std::string& text) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  EXPECT_FALSE(document.HasParseError()) << "offset " << document.GetErrorOffset() << " in " << text;
  return document;
}

std::string StringOf(const rapidjson::Value& value) { return {value.GetString(), value.GetStringLength()}; }

TEST(HttpJsonTest, ErrorJsonEscapesTheMessage) {
  const std::string message = "model 'm': bad \"input\"\n\ttab \\ back\x01 ctl";
  rapidjson::Document error = ParseJson(ErrorJson(message));
  ASSERT_TRUE(error.IsObject());
  EXPECT_EQ(error.MemberCount(), 1u);
  EXPECT_EQ(StringOf(error["error"]), message);
}

TEST(HttpJsonTest, ErrorJsonStaysValidWithIllFormedUtf8) {
  rapidjson::Document error = ParseJson(ErrorJson("name \xFF\xFE here"));
  EXPECT_EQ(StringOf(error["error"]), "name \xEF\xBF\xBD\xEF\xBF\xBD here");
}

TEST(HttpJsonTest, ServerMetadata) {
  rapidjson::Document metadata =
      ParseJson(ServerMetadataJson("inferd", "0.1.0", {"classification", "binary_tensor_data", "statistics"}));
  EXPECT_EQ(StringOf(metadata["name"]), "inferd");
  EXPECT_EQ(StringOf(metadata["version"]), "0.1.0");
  ASSERT_EQ(metadata["extensions"].Size(), 3u);
  EXPECT_EQ(StringOf(metadata["extensions"][1]), "binary_tensor_data");
}

TEST(HttpJsonTest, ModelMetadata) {
  ModelMetadata model;
  model.name = "resnet";
  model.versions = {"1", "3"};
  model.platform = "onnxruntime_onnx";
  model.inputs = {{"x", "FP32", {-1, 3, 224, 224}}};
  model.outputs = {{"probs", "FP32", {-1, 1000}}, {"label", "BYTES", {-1}}};
  rapidjson::Document metadata = ParseJson(ModelMetadataJson(model));
  EXPECT_EQ(StringOf(metadata["name"]), "resnet");
  ASSERT_EQ(metadata["versions"].Size(), 2u);
  EXPECT_EQ(StringOf(metadata["versions"][0]), "1");
  EXPECT_EQ(StringOf(metadata["versions"][1]), "3");
  EXPECT_EQ(StringOf(metadata["platform"]), "onnxruntime_onnx");
  ASSERT_EQ(metadata["inputs"].Size(), 1u);
  const rapidjson::Value& input = metadata["inputs"][0];
  EXPECT_EQ(StringOf(input["name"]), "x");
  EXPECT_EQ(StringOf(input["datatype"]), "FP32");
  ASSERT_EQ(input["shape"].Size(), 4u);
  EXPECT_EQ(input["shape"][0].GetInt64(), -1);
  EXPECT_EQ(input["shape"][3].GetInt64(), 224);
  ASSERT_EQ(metadata["outputs"].Size(), 2u);
  EXPECT_EQ(StringOf(metadata["outputs"][1]["datatype"]), "BYTES");
}

TEST(HttpJsonTest, RepositoryIndexLeavesOutEmptyVersionAndReason) {
  rapidjson::Document index = ParseJson(RepositoryIndexJson({
      {"simple", "1", "READY", ""},
      {"broken", "", "UNAVAILABLE", "config.pbtxt: unknown platform \"x\""},
  }));
  ASSERT_TRUE(index.IsArray());
  ASSERT_EQ(index.Size(), 2u);
  EXPECT_EQ(StringOf(index[0]["name"]), "simple");
  EXPECT_EQ(StringOf(index[0]["version"]), "1");
  EXPECT_EQ(StringOf(index[0]["state"]), "READY");
  EXPECT_FALSE(index[0].HasMember("reason"));
  EXPECT_FALSE(index[1].HasMember("version"));
  EXPECT_EQ(StringOf(index[1]["state"]), "UNAVAILABLE");
  EXPECT_EQ(StringOf(index[1]["reason"]), "config.pbtxt: unknown platform \"x\"");
  EXPECT_EQ(RepositoryIndexJson({}), "[]");
}

TEST(HttpJsonTest, ModelStatisticsUsesTheExtensionsNames) {
  ModelStatisticsSnapshot stat;
  stat.name = "simple";
  stat.version = 2;
  stat.last_inference_ms = 1700000000123;
  stat.inference_count = 64;
  stat.execution_count = 2;
  stat.success = {2, 5000};
  stat.fail = {1, 10};
  stat.queue = {2, 300};
  stat.compute_input = {2, 40};
  stat.compute_infer = {2, 4000};
  stat.compute_output = {2, 60};
  stat.cache_hit = {0, 0};
  stat.cache_miss = {0, 0};
  stat.batch_stats = {{32, {2, 40}, {2, 4000}, {2, 60}}};
  rapidjson::Document json = ParseJson(ModelStatisticsJson({stat}));

  ASSERT_EQ(json["model_stats"].Size(), 1u);
  const rapidjson::Value& model = json["model_stats"][0];
  EXPECT_EQ(StringOf(model["name"]), "simple");
  EXPECT_EQ(StringOf(model["version"]), "2");
  EXPECT_EQ(model["last_inference"].GetUint64(), 1700000000123u);
  EXPECT_EQ(model["inference_count"].GetUint64(), 64u);
  EXPECT_EQ(model["execution_count"].GetUint64(), 2u);

  const rapidjson::Value& inference = model["inference_stats"];
  const std::vector<std::pair<const char*, DurationStat>> expected = {
      {"success", stat.success},         {"fail", stat.fail},
      {"queue", stat.queue},             {"compute_input", stat.compute_input},
      {"compute_infer", stat.compute_infer}, {"compute_output", stat.compute_output},
      {"cache_hit", stat.cache_hit},     {"cache_miss", stat.cache_miss},
  };
  EXPECT_EQ(inference.MemberCount(), expected.size());
  for (const auto& [name, duration] : expected) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(inference.HasMember(name));
    EXPECT_EQ(inference[name]["count"].GetUint64(), duration.count);
    EXPECT_EQ(inference[name]["ns"].GetUint64(), duration.ns);
  }

  ASSERT_EQ(model["batch_stats"].Size(), 1u);
  const rapidjson::Value& batch = model["batch_stats"][0];
  EXPECT_EQ(batch["batch_size"].GetUint64(), 32u);
  EXPECT_EQ(batch["compute_input"]["ns"].GetUint64(), 40u);
  EXPECT_EQ(batch["compute_infer"]["count"].GetUint64(), 2u);
  EXPECT_EQ(batch["compute_output"]["ns"].GetUint64(), 60u);

  EXPECT_EQ(ParseJson(ModelStatisticsJson({}))["model_stats"].Size(), 0u);
}

TEST(HttpJsonTest, ParseRepositoryIndexReady) {
  EXPECT_EQ(ParseRepositoryIndexReady("").value(), false);
  EXPECT_EQ(ParseRepositoryIndexReady(" \r\n").value(), false);
  EXPECT_EQ(ParseRepositoryIndexReady("{}").value(), false);
  EXPECT_EQ(ParseRepositoryIndexReady(R"({"ready": true})").value(), true);
  EXPECT_EQ(ParseRepositoryIndexReady(R"({"ready": false})").value(), false);
  EXPECT_EQ(ParseRepositoryIndexReady(R"({"repository_name": "", "ready": true})").value(), true);

  for (const char* bad : {R"({"ready": 1})", R"({"ready": "true"})", "{", "[]", "true"}) {
    SCOPED_TRACE(bad);
    Result<bool> ready = ParseRepositoryIndexReady(bad);
    ASSERT_FALSE(ready.ok());
    EXPECT_EQ(ready.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(ready.status().message(), HasSubstr("repository index"));
  }
  EXPECT_THAT(ParseRepositoryIndexReady("{").status().message(), HasSubstr("offset 1"));
}

}  // namespace
}  // namespace inferd::protocol
