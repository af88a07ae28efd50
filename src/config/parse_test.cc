#include "config/parse.h"

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/test_configs.h"

namespace inferd::config {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::vector<int64_t> Dims(const google::protobuf::RepeatedField<int64_t>& dims) {
  return {dims.begin(), dims.end()};
}

TEST(ParseTest, TextRecognitionFromTheReportParsesExactly) {
  Result<inference::ModelConfig> config = ParseModelConfigText(testing::kTextRecognition, "config.pbtxt");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->name(), "text_recognition");
  EXPECT_EQ(config->backend(), "onnxruntime");
  EXPECT_EQ(config->platform(), "");
  EXPECT_EQ(config->max_batch_size(), 0);
  ASSERT_EQ(config->input_size(), 1);
  EXPECT_EQ(config->input(0).name(), "input.1");
  EXPECT_EQ(config->input(0).data_type(), inference::TYPE_FP32);
  EXPECT_EQ(Dims(config->input(0).dims()), (std::vector<int64_t>{1, 1, 32, 100}));
  ASSERT_EQ(config->output_size(), 1);
  EXPECT_EQ(config->output(0).name(), "308");
  EXPECT_EQ(config->output(0).data_type(), inference::TYPE_FP32);
  EXPECT_EQ(Dims(config->output(0).dims()), (std::vector<int64_t>{1, 26, 37}));
}

TEST(ParseTest, TextDetectionFromTheReportParsesExactlyWithBothBatchSizes) {
  for (int max_batch_size : {0, 256}) {
    SCOPED_TRACE(max_batch_size);
    Result<inference::ModelConfig> config = ParseModelConfigText(testing::TextDetection(max_batch_size), "cfg");
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    EXPECT_EQ(config->name(), "text_detection");
    EXPECT_EQ(config->max_batch_size(), max_batch_size);
    ASSERT_EQ(config->input_size(), 1);
    EXPECT_EQ(config->input(0).name(), "input_images:0");
    EXPECT_EQ(Dims(config->input(0).dims()), (std::vector<int64_t>{-1, -1, -1, 3}));
    // Two separate "output [...]" lists append to the same repeated field.
    ASSERT_EQ(config->output_size(), 2);
    EXPECT_EQ(config->output(0).name(), "feature_fusion/Conv_7/Sigmoid:0");
    EXPECT_EQ(Dims(config->output(0).dims()), (std::vector<int64_t>{-1, -1, -1, 1}));
    EXPECT_EQ(config->output(1).name(), "feature_fusion/concat_3:0");
    EXPECT_EQ(Dims(config->output(1).dims()), (std::vector<int64_t>{-1, -1, -1, 5}));
  }
}

TEST(ParseTest, KitchenSinkWithDynamicBatchingParses) {
  Result<inference::ModelConfig> config = ParseModelConfigText(testing::kKitchenSinkDynamic, "sink.pbtxt");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(Dims(config->version_policy().specific().versions()), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(config->input(0).format(), inference::ModelInput::FORMAT_NCHW);
  EXPECT_TRUE(config->input(1).has_reshape());
  EXPECT_EQ(config->input(1).reshape().shape_size(), 0);
  EXPECT_EQ(config->output(0).label_filename(), "labels.txt");
  EXPECT_EQ(config->batch_input(0).kind(), inference::BatchInput::BATCH_ELEMENT_COUNT);
  EXPECT_EQ(config->batch_output(0).source_input(0), "INPUT0");

  const auto& gpu_group = config->instance_group(0);
  EXPECT_EQ(gpu_group.kind(), inference::ModelInstanceGroup::KIND_GPU);
  EXPECT_EQ(std::vector<int32_t>(gpu_group.gpus().begin(), gpu_group.gpus().end()), (std::vector<int32_t>{0, 1}));
  EXPECT_TRUE(gpu_group.rate_limiter().resources(0).global());
  EXPECT_EQ(gpu_group.rate_limiter().priority(), 2u);

  const auto& batching = config->dynamic_batching();
  EXPECT_EQ(std::vector<int32_t>(batching.preferred_batch_size().begin(), batching.preferred_batch_size().end()),
            (std::vector<int32_t>{4, 8}));
  EXPECT_EQ(batching.max_queue_delay_microseconds(), 100u);
  EXPECT_EQ(batching.default_queue_policy().default_timeout_microseconds(), UINT64_MAX);
  ASSERT_EQ(batching.priority_queue_policy().count(2), 1u);
  EXPECT_EQ(batching.priority_queue_policy().at(2).timeout_action(), inference::ModelQueuePolicy::DELAY);
  EXPECT_EQ(batching.priority_queue_policy().at(2).max_queue_size(), 4u);

  const auto& optimization = config->optimization();
  EXPECT_EQ(optimization.graph().level(), 1);
  EXPECT_EQ(optimization.priority(), inference::ModelOptimizationPolicy::PRIORITY_MAX);
  EXPECT_EQ(optimization.cuda().graph_spec(0).input().at("INPUT0").dim_size(), 3);
  EXPECT_EQ(optimization.execution_accelerators().gpu_execution_accelerator(0).parameters().at("precision_mode"),
            "FP16");
  EXPECT_FALSE(optimization.input_pinned_memory().enable());
  EXPECT_TRUE(optimization.eager_batching());

  EXPECT_EQ(config->cc_model_filenames().at("7.5"), "model_t4.onnx");
  EXPECT_EQ(config->metric_tags().at("team"), "ocr");
  EXPECT_EQ(config->parameters().at("intra_op_thread_count").string_value(), "2");
  EXPECT_EQ(config->parameters().at("execution_mode").string_value(), "0");
  ASSERT_EQ(config->model_warmup_size(), 2);
  EXPECT_TRUE(config->model_warmup(0).inputs().at("INPUT0").zero_data());
  EXPECT_TRUE(config->model_warmup(1).inputs().at("INPUT1").random_data());
  EXPECT_EQ(config->model_operations().op_library_filename(0), "libcustom_ops.so");
  EXPECT_FALSE(config->model_transaction_policy().decoupled());
  EXPECT_EQ(config->model_repository_agents().agents(0).parameters().at("MD5:1/model.onnx"), "abc");
  EXPECT_TRUE(config->response_cache().enable());
}

TEST(ParseTest, KitchenSinkWithSequenceBatchingParses) {
  Result<inference::ModelConfig> config = ParseModelConfigText(testing::kKitchenSinkSequence, "seq.pbtxt");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const auto& batching = config->sequence_batching();
  EXPECT_EQ(config->version_policy().latest().num_versions(), 2u);
  EXPECT_EQ(batching.max_sequence_idle_microseconds(), 5000000u);
  EXPECT_EQ(batching.oldest().max_candidate_sequences(), 4);
  EXPECT_TRUE(batching.oldest().preserve_ordering());
  ASSERT_EQ(batching.control_input_size(), 4);
  EXPECT_EQ(batching.control_input(0).control(0).fp32_false_true(1), 1.0f);
  EXPECT_EQ(batching.control_input(2).control(0).bool_false_true(1), true);
  EXPECT_EQ(batching.control_input(3).control(0).data_type(), inference::TYPE_UINT64);
  EXPECT_EQ(batching.state(0).initial_state(0).state_data_case(),
            inference::ModelSequenceBatching::InitialState::kZeroData);
  EXPECT_TRUE(batching.state(0).use_growable_memory());

  Result<inference::ModelConfig> direct = ParseModelConfigText(testing::kKitchenSinkDirect, "direct.pbtxt");
  ASSERT_TRUE(direct.ok()) << direct.status().ToString();
  EXPECT_TRUE(direct->version_policy().has_all());
  EXPECT_FLOAT_EQ(direct->sequence_batching().direct().minimum_slot_utilization(), 0.5f);
}

TEST(ParseTest, KitchenSinkEnsembleParses) {
  Result<inference::ModelConfig> config = ParseModelConfigText(testing::kKitchenSinkEnsemble, "ens.pbtxt");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const auto& ensemble = config->ensemble_scheduling();
  ASSERT_EQ(ensemble.step_size(), 2);
  EXPECT_EQ(ensemble.step(0).model_version(), -1);
  EXPECT_EQ(ensemble.step(0).input_map().at("input_images:0"), "IMAGE");
  EXPECT_EQ(ensemble.step(1).output_map().at("308"), "TEXT");
}

TEST(ParseTest, UnknownFieldErrorCarriesFileLineAndColumn) {
  const std::string text = "name: \"m\"\nmax_batch_size: 4\n  bogus_field: 1\n";
  Result<inference::ModelConfig> config = ParseModelConfigText(text, "models/m/config.pbtxt");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  // Protobuf points just past the unknown name.
  EXPECT_THAT(config.status().message(), StartsWith("models/m/config.pbtxt:3:14: "));
  EXPECT_THAT(config.status().message(), HasSubstr("no field named \"bogus_field\""));
}

TEST(ParseTest, WrongValueTypeErrorNamesTheField) {
  const std::string text = "name: \"m\"\n\nmax_batch_size: \"four\"\n";
  Result<inference::ModelConfig> config = ParseModelConfigText(text, "config.pbtxt");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), StartsWith("config.pbtxt:3:17: "));
  // Protobuf's own message ("Expected integer") does not name the field, so
  // the line is quoted.
  EXPECT_THAT(config.status().message(), HasSubstr("(in line: max_batch_size: \"four\")"));
}

TEST(ParseTest, BadEnumValueIsAnError) {
  Result<inference::ModelConfig> config =
      ParseModelConfigText("input [ { name: \"x\" data_type: TYPE_FLOAT32 } ]", "config.pbtxt");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), StartsWith("config.pbtxt:1:"));
  EXPECT_THAT(config.status().message(), HasSubstr("TYPE_FLOAT32"));
}

TEST(ParseTest, TwoSchedulersInOneConfigAreAnError) {
  Result<inference::ModelConfig> config =
      ParseModelConfigText("dynamic_batching { }\nsequence_batching { }\n", "config.pbtxt");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), StartsWith("config.pbtxt:2:"));
  EXPECT_THAT(config.status().message(), HasSubstr("oneof"));
}

TEST(ParseTest, EmptyTextIsAnEmptyConfig) {
  Result<inference::ModelConfig> config = ParseModelConfigText("# only a comment\n", "config.pbtxt");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->ByteSizeLong(), 0u);
}

class LoadModelConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("inferd_parse_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(folder_);
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  std::string Write(const std::string& name, std::string_view contents) {
    const std::filesystem::path path = folder_ / name;
    std::ofstream(path, std::ios::binary) << contents;
    return path.string();
  }

  std::filesystem::path folder_;
};

TEST_F(LoadModelConfigFileTest, ReadsAndParsesAFile) {
  const std::string path = Write("config.pbtxt", testing::kTextRecognition);
  Result<inference::ModelConfig> config = LoadModelConfigFile(path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->name(), "text_recognition");
}

TEST_F(LoadModelConfigFileTest, MissingFileIsNotFoundWithThePath) {
  const std::string path = (folder_ / "nope.pbtxt").string();
  Result<inference::ModelConfig> config = LoadModelConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(config.status().message(), HasSubstr(path));
}

TEST_F(LoadModelConfigFileTest, DirectoryIsInvalidArgumentWithThePath) {
  Result<inference::ModelConfig> config = LoadModelConfigFile(folder_.string());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr(folder_.string()));
}

TEST_F(LoadModelConfigFileTest, ParseErrorNamesThePathAndLine) {
  const std::string path = Write("config.pbtxt", "name: \"m\"\nmax_batch_size: many\n");
  Result<inference::ModelConfig> config = LoadModelConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), StartsWith(path + ":2:"));
}

TEST_F(LoadModelConfigFileTest, EmptyFileIsAnEmptyConfig) {
  Result<inference::ModelConfig> config = LoadModelConfigFile(Write("config.pbtxt", ""));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->ByteSizeLong(), 0u);
}

}  // namespace
}  // namespace inferd::config
