#include "config/json.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "config/normalize.h"
#include "config/parse.h"
#include "config/test_configs.h"

namespace inferd::config {
namespace {

inference::ModelConfig ParseAndNormalize(std::string_view text, std::string_view folder) {
  Result<inference::ModelConfig> config = ParseModelConfigText(text, "test.pbtxt");
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  if (!config.ok()) return {};
  Status status = NormalizeModelConfig(folder, &*config);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return *config;
}

rapidjson::Document ParseJson(const std::string& json) {
  rapidjson::Document document;
  document.Parse(json.c_str());
  EXPECT_FALSE(document.HasParseError()) << json;
  return document;
}

std::vector<int64_t> IntArray(const rapidjson::Value& array) {
  std::vector<int64_t> values;
  for (const auto& value : array.GetArray()) {
    EXPECT_TRUE(value.IsInt64()) << "not a JSON integer";
    if (value.IsInt64()) values.push_back(value.GetInt64());
  }
  return values;
}

void ExpectRoundTrips(const inference::ModelConfig& config) {
  const std::string json = ModelConfigToJson(config);
  inference::ModelConfig parsed;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &parsed);
  ASSERT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, config)) << json;
}

TEST(ModelConfigJsonTest, RendersLikeTriton) {
  const rapidjson::Document json =
      ParseJson(ModelConfigToJson(ParseAndNormalize(testing::kTextRecognition, "text_recognition")));
  ASSERT_TRUE(json.IsObject());
  EXPECT_STREQ(json["name"].GetString(), "text_recognition");
  EXPECT_STREQ(json["platform"].GetString(), "onnxruntime_onnx");
  EXPECT_STREQ(json["backend"].GetString(), "onnxruntime");
  ASSERT_TRUE(json["max_batch_size"].IsInt());
  EXPECT_EQ(json["max_batch_size"].GetInt(), 0);
  // Defaults are printed, with proto (snake_case) names.
  ASSERT_TRUE(json.HasMember("default_model_filename"));
  ASSERT_TRUE(json.HasMember("runtime"));
  EXPECT_STREQ(json["runtime"].GetString(), "");

  const rapidjson::Value& input = json["input"][0];
  EXPECT_STREQ(input["name"].GetString(), "input.1");
  EXPECT_STREQ(input["data_type"].GetString(), "TYPE_FP32");  // enums by name
  EXPECT_STREQ(input["format"].GetString(), "FORMAT_NONE");
  EXPECT_EQ(IntArray(input["dims"]), (std::vector<int64_t>{1, 1, 32, 100}));
  ASSERT_TRUE(input.HasMember("is_shape_tensor"));
  EXPECT_FALSE(input["is_shape_tensor"].GetBool());
  EXPECT_EQ(IntArray(json["output"][0]["dims"]), (std::vector<int64_t>{1, 26, 37}));

  const rapidjson::Value& group = json["instance_group"][0];
  EXPECT_STREQ(group["kind"].GetString(), "KIND_CPU");
  EXPECT_EQ(group["count"].GetInt(), 1);
  EXPECT_EQ(json["version_policy"]["latest"]["num_versions"].GetUint(), 1u);
}

TEST(ModelConfigJsonTest, SixtyFourBitIntegersAreNumbersEverywhere) {
  const rapidjson::Document json =
      ParseJson(ModelConfigToJson(ParseAndNormalize(testing::kKitchenSinkDynamic, "kitchen_sink")));
  EXPECT_EQ(IntArray(json["version_policy"]["specific"]["versions"]), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(IntArray(json["input"][1]["reshape"]["shape"]), (std::vector<int64_t>{}));

  const rapidjson::Value& batching = json["dynamic_batching"];
  ASSERT_TRUE(batching["max_queue_delay_microseconds"].IsUint64());
  EXPECT_EQ(batching["max_queue_delay_microseconds"].GetUint64(), 100u);
  EXPECT_EQ(batching["priority_levels"].GetUint64(), 2u);
  EXPECT_EQ(batching["default_priority_level"].GetUint64(), 1u);
  // The largest uint64 survives exactly.
  ASSERT_TRUE(batching["default_queue_policy"]["default_timeout_microseconds"].IsUint64());
  EXPECT_EQ(batching["default_queue_policy"]["default_timeout_microseconds"].GetUint64(), UINT64_MAX);
  // Map keys stay strings (JSON has no other kind); the values are fixed.
  ASSERT_TRUE(batching["priority_queue_policy"].HasMember("2"));
  const rapidjson::Value& level_two = batching["priority_queue_policy"]["2"];
  ASSERT_TRUE(level_two["default_timeout_microseconds"].IsUint64());
  EXPECT_EQ(level_two["default_timeout_microseconds"].GetUint64(), 1000u);
  EXPECT_STREQ(level_two["timeout_action"].GetString(), "DELAY");

  EXPECT_EQ(IntArray(json["optimization"]["cuda"]["graph_spec"][0]["input"]["INPUT0"]["dim"]),
            (std::vector<int64_t>{3, 224, 224}));
  EXPECT_EQ(IntArray(json["model_warmup"][0]["inputs"]["INPUT0"]["dims"]), (std::vector<int64_t>{3, 224, 224}));
  EXPECT_STREQ(json["parameters"]["intra_op_thread_count"]["string_value"].GetString(), "2");
}

TEST(ModelConfigJsonTest, SequenceAndEnsembleIntegersAreNumbers) {
  const rapidjson::Document sequence =
      ParseJson(ModelConfigToJson(ParseAndNormalize(testing::kKitchenSinkSequence, "sequence_model")));
  const rapidjson::Value& batching = sequence["sequence_batching"];
  EXPECT_EQ(batching["max_sequence_idle_microseconds"].GetUint64(), 5000000u);
  EXPECT_EQ(batching["oldest"]["max_queue_delay_microseconds"].GetUint64(), 100u);
  EXPECT_EQ(IntArray(batching["state"][0]["dims"]), (std::vector<int64_t>{-1}));
  EXPECT_EQ(IntArray(batching["state"][0]["initial_state"][0]["dims"]), (std::vector<int64_t>{1}));

  const rapidjson::Document ensemble =
      ParseJson(ModelConfigToJson(ParseAndNormalize(testing::kKitchenSinkEnsemble, "ocr_pipeline")));
  const rapidjson::Value& step = ensemble["ensemble_scheduling"]["step"][0];
  ASSERT_TRUE(step["model_version"].IsInt64());
  EXPECT_EQ(step["model_version"].GetInt64(), -1);
  EXPECT_STREQ(step["input_map"]["input_images:0"].GetString(), "IMAGE");
}

TEST(ModelConfigJsonTest, RoundTripsThroughProtobufJson) {
  ExpectRoundTrips(ParseAndNormalize(testing::kTextRecognition, "text_recognition"));
  ExpectRoundTrips(ParseAndNormalize(testing::TextDetection(256), "text_detection"));
  ExpectRoundTrips(ParseAndNormalize(testing::kKitchenSinkDynamic, "kitchen_sink"));
  ExpectRoundTrips(ParseAndNormalize(testing::kKitchenSinkSequence, "sequence_model"));
  ExpectRoundTrips(ParseAndNormalize(testing::kKitchenSinkDirect, "direct_model"));
  ExpectRoundTrips(ParseAndNormalize(testing::kKitchenSinkEnsemble, "ocr_pipeline"));
  ExpectRoundTrips(inference::ModelConfig());
}

// Triton's own JSON test uses the largest priority values; they must stay
// exact numbers (a double would round them).
TEST(ModelConfigJsonTest, ExtremePriorityValuesStayExact) {
  inference::ModelConfig config = ParseAndNormalize(R"pb(
    name: "max_priority_level"
    backend: "identity"
    max_batch_size: 1
    input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 1 ] } ]
    output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 1 ] } ]
    dynamic_batching {
      priority_levels: 18446744073709551615
      default_priority_level: 4294967295
      priority_queue_policy [
        { key: 4294967296 value: { default_timeout_microseconds: 18446744073709551615 max_queue_size: 10 } }
      ]
    }
  )pb", "max_priority_level");
  const rapidjson::Document json = ParseJson(ModelConfigToJson(config));
  const rapidjson::Value& batching = json["dynamic_batching"];
  ASSERT_TRUE(batching["priority_levels"].IsUint64());
  EXPECT_EQ(batching["priority_levels"].GetUint64(), UINT64_MAX);
  EXPECT_EQ(batching["default_priority_level"].GetUint64(), 4294967295u);
  ASSERT_TRUE(batching["priority_queue_policy"].HasMember("4294967296"));
  EXPECT_EQ(batching["priority_queue_policy"]["4294967296"]["default_timeout_microseconds"].GetUint64(), UINT64_MAX);
  ExpectRoundTrips(config);
}

TEST(ModelConfigJsonTest, SecondaryDeviceIdIsANumber) {
  inference::ModelConfig config;
  config.add_instance_group()->add_secondary_devices()->set_device_id(-7);
  const rapidjson::Document json = ParseJson(ModelConfigToJson(config));
  const rapidjson::Value& device_id = json["instance_group"][0]["secondary_devices"][0]["device_id"];
  ASSERT_TRUE(device_id.IsInt64());
  EXPECT_EQ(device_id.GetInt64(), -7);
}

}  // namespace
}  // namespace inferd::config
