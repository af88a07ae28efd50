#include "config/autocomplete.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "config/normalize.h"
#include "config/parse.h"
#include "config/test_configs.h"

namespace inferd::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

inference::ModelConfig Parse(std::string_view text) {
  Result<inference::ModelConfig> config = ParseModelConfigText(text, "test.pbtxt");
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return config.ok() ? *config : inference::ModelConfig();
}

std::vector<int64_t> Dims(const google::protobuf::RepeatedField<int64_t>& dims) { return {dims.begin(), dims.end()}; }

// PP-OCR-like detector: symbolic batch, height and width.
ModelFileInfo BatchableFile() {
  ModelFileInfo info;
  info.inputs.push_back({"x", DataType::kFp32, {-1, 3, -1, -1}});
  info.inputs.push_back({"scale", DataType::kFp32, {-1}});
  info.outputs.push_back({"probabilities", DataType::kFp32, {-1, 1, -1, -1}});
  return info;
}

ModelFileInfo FixedBatchFile() {
  ModelFileInfo info;
  info.inputs.push_back({"x", DataType::kInt64, {1, 8}});
  info.outputs.push_back({"y", DataType::kBytes, {1, 8}});
  return info;
}

inference::ModelConfig NamedOnnx() {
  inference::ModelConfig config;
  config.set_name("m");
  config.set_backend("onnxruntime");
  return config;
}

TEST(AutoCompleteTest, EmptyConfigTakesEverythingFromABatchableFile) {
  inference::ModelConfig config = NamedOnnx();
  ASSERT_TRUE(AutoCompleteConfig(BatchableFile(), &config).ok());
  EXPECT_EQ(config.max_batch_size(), kDefaultMaxBatchSize);
  EXPECT_TRUE(config.has_dynamic_batching());  // as Triton does when max_batch_size > 1
  ASSERT_EQ(config.input_size(), 2);
  EXPECT_EQ(config.input(0).name(), "x");
  EXPECT_EQ(config.input(0).data_type(), inference::TYPE_FP32);
  EXPECT_EQ(Dims(config.input(0).dims()), (std::vector<int64_t>{3, -1, -1}));
  // [-1] without its batch dimension is a scalar per item: dims [1], reshape [].
  EXPECT_EQ(Dims(config.input(1).dims()), (std::vector<int64_t>{1}));
  EXPECT_TRUE(config.input(1).has_reshape());
  EXPECT_EQ(config.input(1).reshape().shape_size(), 0);
  ASSERT_EQ(config.output_size(), 1);
  EXPECT_EQ(Dims(config.output(0).dims()), (std::vector<int64_t>{1, -1, -1}));

  // The completed config is valid.
  Status status = NormalizeModelConfig("m", &config);
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST(AutoCompleteTest, DefaultMaxBatchSizeOfOneEnablesNoDynamicBatching) {
  inference::ModelConfig config = NamedOnnx();
  ASSERT_TRUE(AutoCompleteConfig(BatchableFile(), &config, 1).ok());
  EXPECT_EQ(config.max_batch_size(), 1);
  EXPECT_FALSE(config.has_dynamic_batching());
}

TEST(AutoCompleteTest, ChosenSchedulerIsKept) {
  inference::ModelConfig config = NamedOnnx();
  config.mutable_sequence_batching();
  ASSERT_TRUE(AutoCompleteConfig(BatchableFile(), &config).ok());
  EXPECT_TRUE(config.has_sequence_batching());
}

TEST(AutoCompleteTest, FixedFirstDimensionMeansNoBatching) {
  inference::ModelConfig config = NamedOnnx();
  ASSERT_TRUE(AutoCompleteConfig(FixedBatchFile(), &config).ok());
  EXPECT_EQ(config.max_batch_size(), 0);
  EXPECT_FALSE(config.has_dynamic_batching());
  EXPECT_EQ(config.input(0).data_type(), inference::TYPE_INT64);
  EXPECT_EQ(Dims(config.input(0).dims()), (std::vector<int64_t>{1, 8}));
  EXPECT_EQ(config.output(0).data_type(), inference::TYPE_STRING);
}

TEST(AutoCompleteTest, BatchingRequestedForAFileThatCannotBatchIsAnError) {
  inference::ModelConfig config = NamedOnnx();
  config.set_max_batch_size(8);
  Status status = AutoCompleteConfig(FixedBatchFile(), &config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "model 'm': max_batch_size is 8 but the model file cannot batch: tensor 'x' has shape [1,8] (batching "
            "needs a variable first dimension)");
}

TEST(AutoCompleteTest, CompleteConfigIsLeftAsWritten) {
  // text_recognition as in the report; the file allows any batch size, but a
  // config that lists inputs and outputs keeps its max_batch_size of 0.
  inference::ModelConfig config = Parse(testing::kTextRecognition);
  const inference::ModelConfig before = config;
  ModelFileInfo info;
  info.inputs.push_back({"input.1", DataType::kFp32, {-1, 1, 32, 100}});
  info.outputs.push_back({"308", DataType::kFp32, {-1, 26, 37}});
  ASSERT_TRUE(AutoCompleteConfig(info, &config).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(config, before));
}

TEST(AutoCompleteTest, TextDetectionFromTheReportAgreesWithItsFile) {
  ModelFileInfo info;
  info.inputs.push_back({"input_images:0", DataType::kFp32, {-1, -1, -1, -1, 3}});
  info.outputs.push_back({"feature_fusion/Conv_7/Sigmoid:0", DataType::kFp32, {-1, -1, -1, -1, 1}});
  info.outputs.push_back({"feature_fusion/concat_3:0", DataType::kFp32, {-1, -1, -1, -1, 5}});
  inference::ModelConfig batching = Parse(testing::TextDetection(256));
  Status status = AutoCompleteConfig(info, &batching);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(batching.max_batch_size(), 256);

  // Without batching the same file has one dimension too many.
  inference::ModelConfig no_batching = Parse(testing::TextDetection(0));
  status = AutoCompleteConfig(info, &no_batching);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "model 'text_detection': input 'input_images:0': config dims [-1,-1,-1,3] does not match the model "
            "file's shape [-1,-1,-1,-1,3]");
}

TEST(AutoCompleteTest, PartialEntriesAreFilledFromTheFile) {
  inference::ModelConfig config = NamedOnnx();
  config.set_max_batch_size(2);
  config.add_input()->set_name("x");
  auto* scale = config.add_input();
  scale->set_name("scale");
  scale->set_data_type(inference::TYPE_FP32);
  config.add_output()->set_name("probabilities");
  ASSERT_TRUE(AutoCompleteConfig(BatchableFile(), &config).ok());
  EXPECT_EQ(config.max_batch_size(), 2);
  EXPECT_FALSE(config.has_dynamic_batching());  // I/O were listed: no Triton batch auto-fill
  EXPECT_EQ(config.input(0).data_type(), inference::TYPE_FP32);
  EXPECT_EQ(Dims(config.input(0).dims()), (std::vector<int64_t>{3, -1, -1}));
  EXPECT_EQ(Dims(config.input(1).dims()), (std::vector<int64_t>{1}));
  EXPECT_EQ(Dims(config.output(0).dims()), (std::vector<int64_t>{1, -1, -1}));
}

TEST(AutoCompleteTest, MissingOutputsAreAddedWhenInputsAreListed) {
  inference::ModelConfig config = NamedOnnx();
  auto* input = config.add_input();
  input->set_name("x");
  input->set_data_type(inference::TYPE_FP32);
  for (int64_t dim : {3, 640, 640}) input->add_dims(dim);
  config.add_input()->set_name("scale");
  ASSERT_TRUE(AutoCompleteConfig(BatchableFile(), &config).ok());
  EXPECT_EQ(config.max_batch_size(), kDefaultMaxBatchSize);
  ASSERT_EQ(config.output_size(), 1);
  EXPECT_EQ(config.output(0).name(), "probabilities");
  EXPECT_EQ(Dims(config.input(0).dims()), (std::vector<int64_t>{3, 640, 640}));  // kept as written
}

TEST(AutoCompleteTest, MismatchesNameTheTensor) {
  auto complete = [](inference::ModelConfig config) {
    Status status = AutoCompleteConfig(BatchableFile(), &config);
    EXPECT_FALSE(status.ok());
    return status.message();
  };
  inference::ModelConfig base = NamedOnnx();
  base.set_max_batch_size(4);
  base.add_output()->set_name("probabilities");

  inference::ModelConfig unknown = base;
  unknown.add_input()->set_name("image");
  EXPECT_EQ(complete(unknown), "model 'm': input 'image' is not in the model file; the file's inputs are: x, scale");

  inference::ModelConfig wrong_type = base;
  wrong_type.add_input()->set_name("x");
  wrong_type.mutable_input(0)->set_data_type(inference::TYPE_UINT8);
  EXPECT_EQ(complete(wrong_type),
            "model 'm': input 'x': config sets data_type TYPE_UINT8 but the model file has TYPE_FP32");

  inference::ModelConfig wrong_dims = base;
  wrong_dims.add_input()->set_name("x");
  for (int64_t dim : {4, 640, 640}) wrong_dims.mutable_input(0)->add_dims(dim);
  EXPECT_EQ(complete(wrong_dims), "model 'm': input 'x': config dims [4,640,640] does not match the model file's "
                                  "shape [3,-1,-1] (batch dimension left out)");

  inference::ModelConfig wrong_rank = base;
  wrong_rank.add_input()->set_name("x");
  for (int64_t dim : {3, 640}) wrong_rank.mutable_input(0)->add_dims(dim);
  EXPECT_THAT(complete(wrong_rank), HasSubstr("input 'x': config dims [3,640] does not match"));

  inference::ModelConfig wrong_reshape = base;
  wrong_reshape.add_input()->set_name("x");
  wrong_reshape.mutable_input(0)->add_dims(-1);
  for (int64_t dim : {3, -1}) wrong_reshape.mutable_input(0)->mutable_reshape()->add_shape(dim);
  EXPECT_THAT(complete(wrong_reshape), HasSubstr("input 'x': config reshape [3,-1] does not match"));

  inference::ModelConfig unknown_output = NamedOnnx();
  unknown_output.add_input()->set_name("x");
  unknown_output.add_output()->set_name("logits");
  EXPECT_THAT(complete(unknown_output), HasSubstr("output 'logits' is not in the model file; the file's outputs are: "
                                                  "probabilities"));
}

TEST(AutoCompleteTest, BatchingConfigNeedsAVariableFirstDimensionPerTensor) {
  inference::ModelConfig config = NamedOnnx();
  config.set_max_batch_size(4);
  config.add_input()->set_name("x");
  config.add_output()->set_name("y");
  Status status = AutoCompleteConfig(FixedBatchFile(), &config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "model 'm': input 'x': max_batch_size is 4 but the model file declares shape [1,8], "
                              "without a variable first (batch) dimension");
}

TEST(AutoCompleteTest, UnsupportedFileTypeNeedsAnExplicitDataType) {
  ModelFileInfo info = FixedBatchFile();
  info.inputs[0].datatype = DataType::kInvalid;
  inference::ModelConfig config = NamedOnnx();
  Status status = AutoCompleteConfig(info, &config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "model 'm': input 'x': the model file's data type is not supported; set data_type explicitly");
}

TEST(AutoCompleteTest, VariableConfigDimAcceptsAFixedFileDim) {
  inference::ModelConfig config = NamedOnnx();
  auto* input = config.add_input();
  input->set_name("x");
  for (int64_t dim : {-1, -1}) input->add_dims(dim);
  config.add_output()->set_name("y");
  ASSERT_TRUE(AutoCompleteConfig(FixedBatchFile(), &config).ok());
  EXPECT_EQ(Dims(config.input(0).dims()), (std::vector<int64_t>{-1, -1}));
  EXPECT_EQ(config.input(0).data_type(), inference::TYPE_INT64);
}

}  // namespace
}  // namespace inferd::config
