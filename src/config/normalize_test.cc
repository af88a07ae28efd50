#include "config/normalize.h"

#include <filesystem>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "config/parse.h"
#include "config/test_configs.h"

namespace inferd::config {
namespace {

using ::testing::HasSubstr;

inference::ModelConfig Parse(std::string_view text) {
  Result<inference::ModelConfig> config = ParseModelConfigText(text, "test.pbtxt");
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return config.ok() ? *config : inference::ModelConfig();
}

// A minimal valid ONNX config named "m", for tests that change one field.
inference::ModelConfig Minimal() {
  return Parse(R"pb(
    name: "m"
    backend: "onnxruntime"
    max_batch_size: 4
    input [ { name: "x" data_type: TYPE_FP32 dims: [ 3 ] } ]
    output [ { name: "y" data_type: TYPE_FP32 dims: [ 3 ] } ]
  )pb");
}

// Normalizes and returns the error message ("" when OK).
std::string ErrorOf(inference::ModelConfig config, std::string_view folder = "m") {
  Status status = NormalizeModelConfig(folder, &config);
  if (!status.ok()) {
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  }
  return status.message();
}

TEST(NormalizeTest, ReportConfigsNormalizeWithTritonDefaults) {
  std::vector<std::pair<std::string, inference::ModelConfig>> configs = {
      {"text_recognition", Parse(testing::kTextRecognition)},
      {"text_detection", Parse(testing::TextDetection(0))},
      {"text_detection", Parse(testing::TextDetection(256))},
  };
  for (auto& [folder, config] : configs) {
    SCOPED_TRACE(folder + " max_batch_size " + std::to_string(config.max_batch_size()));
    ASSERT_TRUE(NormalizeModelConfig(folder, &config).ok()) << NormalizeModelConfig(folder, &config).ToString();
    EXPECT_EQ(config.platform(), "onnxruntime_onnx");
    EXPECT_EQ(config.backend(), "onnxruntime");
    EXPECT_EQ(config.default_model_filename(), "model.onnx");
    EXPECT_EQ(config.version_policy().latest().num_versions(), 1u);
    ASSERT_EQ(config.instance_group_size(), 1);
    EXPECT_EQ(config.instance_group(0).name(), folder);
    EXPECT_EQ(config.instance_group(0).kind(), inference::ModelInstanceGroup::KIND_CPU);
    EXPECT_EQ(config.instance_group(0).count(), 1);
    EXPECT_TRUE(config.optimization().input_pinned_memory().enable());
    EXPECT_TRUE(config.optimization().output_pinned_memory().enable());
  }
}

TEST(NormalizeTest, NormalizingTwiceChangesNothing) {
  inference::ModelConfig config = Parse(testing::kKitchenSinkDynamic);
  ASSERT_TRUE(NormalizeModelConfig("kitchen_sink", &config).ok());
  inference::ModelConfig again = config;
  ASSERT_TRUE(NormalizeModelConfig("kitchen_sink", &again).ok());
  // Compared field by field: map order in serialized bytes is unspecified.
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(again, config));
}

TEST(NormalizeTest, KitchenSinksNormalize) {
  inference::ModelConfig dynamic = Parse(testing::kKitchenSinkDynamic);
  ASSERT_EQ(ErrorOf(dynamic, "kitchen_sink"), "");
  ASSERT_TRUE(NormalizeModelConfig("kitchen_sink", &dynamic).ok());
  EXPECT_EQ(dynamic.backend(), "onnxruntime");
  EXPECT_EQ(dynamic.instance_group(0).name(), "gpu_group");
  EXPECT_EQ(dynamic.instance_group(1).name(), "kitchen_sink_1");
  EXPECT_EQ(dynamic.instance_group(1).count(), 1);  // count 0 becomes 1
  EXPECT_FALSE(dynamic.optimization().input_pinned_memory().enable());  // explicit value kept
  EXPECT_EQ(dynamic.dynamic_batching().preferred_batch_size_size(), 2);

  inference::ModelConfig sequence = Parse(testing::kKitchenSinkSequence);
  ASSERT_TRUE(NormalizeModelConfig("sequence_model", &sequence).ok());
  EXPECT_EQ(sequence.platform(), "onnxruntime_onnx");
  EXPECT_EQ(sequence.instance_group(0).kind(), inference::ModelInstanceGroup::KIND_CPU);  // KIND_AUTO, no gpus
  EXPECT_EQ(sequence.instance_group(0).count(), 2);
  EXPECT_EQ(sequence.sequence_batching().max_sequence_idle_microseconds(), 5000000u);

  inference::ModelConfig direct = Parse(testing::kKitchenSinkDirect);
  ASSERT_TRUE(NormalizeModelConfig("direct_model", &direct).ok());
  EXPECT_TRUE(direct.version_policy().has_all());
  EXPECT_EQ(direct.sequence_batching().max_sequence_idle_microseconds(), 1000000u);  // Triton's default

  inference::ModelConfig ensemble = Parse(testing::kKitchenSinkEnsemble);
  ASSERT_TRUE(NormalizeModelConfig("ocr_pipeline", &ensemble).ok());
  EXPECT_TRUE(IsEnsemble(ensemble));
  EXPECT_EQ(ensemble.backend(), "");
  EXPECT_EQ(ensemble.instance_group_size(), 0);  // steps' models own their instances
  EXPECT_FALSE(ensemble.has_optimization());
}

TEST(NormalizeTest, MissingNameComesFromTheFolder) {
  inference::ModelConfig config = Minimal();
  config.clear_name();
  ASSERT_TRUE(NormalizeModelConfig("from_folder", &config).ok());
  EXPECT_EQ(config.name(), "from_folder");
  EXPECT_EQ(config.instance_group(0).name(), "from_folder");
}

TEST(NormalizeTest, DifferentNameIsAnErrorNamingBoth) {
  const std::string error = ErrorOf(Minimal(), "folder_name");
  EXPECT_THAT(error, HasSubstr("'folder_name'"));
  EXPECT_THAT(error, HasSubstr("'m'"));
}

TEST(NormalizeTest, PlatformAndBackendFillEachOther) {
  inference::ModelConfig by_platform = Minimal();
  by_platform.clear_backend();
  by_platform.set_platform("onnxruntime_onnx");
  ASSERT_TRUE(NormalizeModelConfig("m", &by_platform).ok());
  EXPECT_EQ(by_platform.backend(), "onnxruntime");

  inference::ModelConfig pytorch = Minimal();
  pytorch.set_backend("pytorch");
  ASSERT_TRUE(NormalizeModelConfig("m", &pytorch).ok());
  EXPECT_EQ(pytorch.platform(), "pytorch_libtorch");
  EXPECT_EQ(pytorch.default_model_filename(), "model.pt");

  // tensorflow has two platforms: the backend alone cannot choose one.
  inference::ModelConfig tensorflow = Minimal();
  tensorflow.set_backend("tensorflow");
  ASSERT_TRUE(NormalizeModelConfig("m", &tensorflow).ok());
  EXPECT_EQ(tensorflow.platform(), "");

  inference::ModelConfig python = Minimal();
  python.set_backend("python");
  ASSERT_TRUE(NormalizeModelConfig("m", &python).ok());
  EXPECT_EQ(python.default_model_filename(), "model.py");

  inference::ModelConfig custom = Minimal();
  custom.set_backend("image_decoder");
  custom.set_platform("anything_goes");
  ASSERT_TRUE(NormalizeModelConfig("m", &custom).ok());
  EXPECT_EQ(custom.default_model_filename(), "");
}

TEST(NormalizeTest, EnsembleBackendBecomesTritonsEnsemblePlatform) {
  inference::ModelConfig config = Parse(testing::kKitchenSinkEnsemble);
  config.clear_platform();
  config.set_backend("ensemble");
  ASSERT_TRUE(NormalizeModelConfig("ocr_pipeline", &config).ok());
  EXPECT_EQ(config.platform(), "ensemble");
  EXPECT_EQ(config.backend(), "");
}

TEST(NormalizeTest, PlatformBackendConflictsAreErrors) {
  inference::ModelConfig mismatch = Minimal();
  mismatch.set_platform("pytorch_libtorch");
  EXPECT_EQ(ErrorOf(mismatch), "model 'm': platform 'pytorch_libtorch' needs backend 'pytorch', got backend "
                               "'onnxruntime'");

  inference::ModelConfig unknown_platform = Minimal();
  unknown_platform.clear_backend();
  unknown_platform.set_platform("caffe2_netdef");
  EXPECT_THAT(ErrorOf(unknown_platform), HasSubstr("unknown platform 'caffe2_netdef'"));

  inference::ModelConfig ensemble_with_backend = Parse(testing::kKitchenSinkEnsemble);
  ensemble_with_backend.set_backend("onnxruntime");
  EXPECT_THAT(ErrorOf(ensemble_with_backend, "ocr_pipeline"), HasSubstr("platform 'ensemble' takes no backend"));
}

TEST(NormalizeTest, NeitherPlatformNorBackendIsAnError) {
  inference::ModelConfig config = Minimal();
  config.clear_backend();
  EXPECT_FALSE(HasBackend(config));
  EXPECT_EQ(ErrorOf(config), "model 'm': config sets neither platform nor backend");

  config.set_platform("onnxruntime_onnx");
  EXPECT_TRUE(HasBackend(config));
}

TEST(NormalizeTest, VersionPolicy) {
  inference::ModelConfig zero = Minimal();
  zero.mutable_version_policy()->mutable_latest()->set_num_versions(0);
  EXPECT_EQ(ErrorOf(zero), "model 'm': version_policy.latest.num_versions must be >= 1, got 0");

  inference::ModelConfig negative = Minimal();
  negative.mutable_version_policy()->mutable_specific()->add_versions(-2);
  EXPECT_THAT(ErrorOf(negative), HasSubstr("version_policy.specific.versions must be >= 0, got -2"));

  inference::ModelConfig empty_choice = Minimal();
  empty_choice.mutable_version_policy();
  ASSERT_TRUE(NormalizeModelConfig("m", &empty_choice).ok());
  EXPECT_EQ(empty_choice.version_policy().latest().num_versions(), 1u);
}

TEST(NormalizeTest, NegativeMaxBatchSizeIsAnError) {
  inference::ModelConfig config = Minimal();
  config.set_max_batch_size(-1);
  EXPECT_EQ(ErrorOf(config), "model 'm': max_batch_size must be >= 0, got -1");
}

TEST(NormalizeTest, InstanceGroupDefaultsAndChecks) {
  inference::ModelConfig config = Minimal();
  auto* unnamed = config.add_instance_group();
  unnamed->set_count(-3);
  auto* auto_gpu = config.add_instance_group();
  auto_gpu->add_gpus(1);
  ASSERT_TRUE(NormalizeModelConfig("m", &config).ok());
  EXPECT_EQ(config.instance_group(0).name(), "m_0");
  EXPECT_EQ(config.instance_group(0).count(), 1);
  EXPECT_EQ(config.instance_group(0).kind(), inference::ModelInstanceGroup::KIND_CPU);
  EXPECT_EQ(config.instance_group(1).name(), "m_1");
  EXPECT_EQ(config.instance_group(1).kind(), inference::ModelInstanceGroup::KIND_GPU);

  inference::ModelConfig cpu_with_gpus = Minimal();
  auto* group = cpu_with_gpus.add_instance_group();
  group->set_name("g");
  group->set_kind(inference::ModelInstanceGroup::KIND_CPU);
  group->add_gpus(0);
  EXPECT_EQ(ErrorOf(cpu_with_gpus), "model 'm': instance_group 'g' has kind KIND_CPU but lists gpus");

  inference::ModelConfig profile = Minimal();
  profile.add_instance_group()->add_profile("0");
  EXPECT_THAT(ErrorOf(profile), HasSubstr("'profile', which only TensorRT models support"));
}

TEST(NormalizeTest, TensorNamesMustBeSetAndUnique) {
  inference::ModelConfig unnamed = Minimal();
  unnamed.mutable_input(0)->clear_name();
  EXPECT_EQ(ErrorOf(unnamed), "model 'm': input #0 has no name");

  inference::ModelConfig twice = Minimal();
  *twice.add_output() = twice.output(0);
  EXPECT_EQ(ErrorOf(twice), "model 'm': output 'y' is listed twice");
}

TEST(NormalizeTest, TensorDataTypeMustBeValid) {
  inference::ModelConfig missing = Minimal();
  missing.mutable_output(0)->clear_data_type();
  EXPECT_EQ(ErrorOf(missing), "model 'm': output 'y': expected a data_type such as TYPE_FP32, got none");

  inference::ModelConfig out_of_range = Minimal();
  out_of_range.mutable_input(0)->set_data_type(static_cast<inference::DataType>(42));
  EXPECT_THAT(ErrorOf(out_of_range), HasSubstr("input 'x': expected a data_type such as TYPE_FP32, got 42"));
}

TEST(NormalizeTest, DimsMustBePositiveOrVariable) {
  inference::ModelConfig empty = Minimal();
  empty.mutable_input(0)->clear_dims();
  EXPECT_THAT(ErrorOf(empty), HasSubstr("model 'm': input 'x': 'dims' is missing"));

  for (int64_t bad : {0, -2}) {
    inference::ModelConfig config = Minimal();
    config.mutable_input(0)->add_dims(bad);
    EXPECT_EQ(ErrorOf(config), fmt::format("model 'm': input 'x': dims[1] is {}; each dimension must be >= 1, or -1 "
                                           "for a variable size",
                                           bad));
  }

  inference::ModelConfig variable = Minimal();
  variable.mutable_output(0)->add_dims(-1);
  EXPECT_EQ(ErrorOf(variable), "");
}

TEST(NormalizeTest, ReshapeMustKeepTheElementCount) {
  inference::ModelConfig config = Minimal();
  auto* input = config.mutable_input(0);
  input->clear_dims();
  for (int64_t dim : {2, 4, -1, 6}) input->add_dims(dim);
  for (int64_t dim : {8, -1, 1, 6}) input->mutable_reshape()->add_shape(dim);
  EXPECT_EQ(ErrorOf(config), "");

  input->mutable_reshape()->set_shape(0, 7);
  EXPECT_THAT(ErrorOf(config), HasSubstr("input 'x': reshape [7,-1,1,6] does not have the same number of elements "
                                         "as dims [2,4,-1,6]"));

  inference::ModelConfig fixed = Minimal();
  fixed.mutable_output(0)->mutable_reshape()->add_shape(1);
  fixed.mutable_output(0)->mutable_reshape()->add_shape(3);
  EXPECT_EQ(ErrorOf(fixed), "");
  fixed.mutable_output(0)->mutable_reshape()->add_shape(2);
  EXPECT_THAT(ErrorOf(fixed), HasSubstr("output 'y': reshape [1,3,2] does not have the same number"));

  inference::ModelConfig zero = Minimal();
  zero.mutable_output(0)->mutable_reshape()->add_shape(0);
  EXPECT_THAT(ErrorOf(zero), HasSubstr("output 'y': reshape.shape[0] is 0"));
}

TEST(NormalizeTest, EmptyReshapeIsAScalarOnlyWithBatching) {
  inference::ModelConfig config = Minimal();
  config.mutable_input(0)->set_dims(0, 1);
  config.mutable_input(0)->mutable_reshape();
  EXPECT_EQ(ErrorOf(config), "");

  config.set_max_batch_size(0);
  EXPECT_THAT(ErrorOf(config), HasSubstr("input 'x': an empty reshape is only allowed when max_batch_size > 0"));

  inference::ModelConfig many = Minimal();
  many.mutable_input(0)->mutable_reshape();
  EXPECT_THAT(ErrorOf(many), HasSubstr("an empty reshape needs dims with exactly one element, got dims [3]"));
}

TEST(NormalizeTest, ImageFormatNeedsThreeDims) {
  inference::ModelConfig config = Minimal();
  config.mutable_input(0)->set_format(inference::ModelInput::FORMAT_NHWC);
  EXPECT_EQ(ErrorOf(config), "model 'm': input 'x': format FORMAT_NHWC needs 3 dims (without the batch dimension), "
                             "got [3]");
}

TEST(NormalizeTest, ShapeTensorsAreForTensorRtOnly) {
  inference::ModelConfig config = Minimal();
  config.mutable_output(0)->set_is_shape_tensor(true);
  EXPECT_THAT(ErrorOf(config), HasSubstr("output 'y': is_shape_tensor is only supported for TensorRT models"));
}

TEST(NormalizeTest, DynamicBatching) {
  inference::ModelConfig defaults = Minimal();
  defaults.mutable_dynamic_batching();
  ASSERT_TRUE(NormalizeModelConfig("m", &defaults).ok());
  ASSERT_EQ(defaults.dynamic_batching().preferred_batch_size_size(), 1);
  EXPECT_EQ(defaults.dynamic_batching().preferred_batch_size(0), 4);

  inference::ModelConfig no_batching = Minimal();
  no_batching.set_max_batch_size(0);
  no_batching.mutable_dynamic_batching();
  EXPECT_EQ(ErrorOf(no_batching), "model 'm': dynamic_batching needs max_batch_size > 0, got 0");

  inference::ModelConfig too_big = Minimal();
  too_big.mutable_dynamic_batching()->add_preferred_batch_size(8);
  EXPECT_EQ(ErrorOf(too_big),
            "model 'm': dynamic_batching.preferred_batch_size 8 must be between 1 and max_batch_size (4)");

  inference::ModelConfig bad_level = Minimal();
  bad_level.mutable_dynamic_batching()->set_priority_levels(2);
  bad_level.mutable_dynamic_batching()->set_default_priority_level(3);
  EXPECT_THAT(ErrorOf(bad_level), HasSubstr("default_priority_level must be between 1 and 2, got 3"));

  inference::ModelConfig bad_policy_level = Minimal();
  bad_policy_level.mutable_dynamic_batching()->set_priority_levels(2);
  bad_policy_level.mutable_dynamic_batching()->set_default_priority_level(1);
  (*bad_policy_level.mutable_dynamic_batching()->mutable_priority_queue_policy())[5];
  EXPECT_THAT(ErrorOf(bad_policy_level), HasSubstr("priority_queue_policy level 5 must be between 1"));

  // Triton accepts these together; so do we (ordering is the queue's order).
  inference::ModelConfig ordered_delay = Minimal();
  auto* policy = ordered_delay.mutable_dynamic_batching()->mutable_default_queue_policy();
  ordered_delay.mutable_dynamic_batching()->set_preserve_ordering(true);
  ordered_delay.mutable_dynamic_batching()->set_priority_levels(2);
  ordered_delay.mutable_dynamic_batching()->set_default_priority_level(1);
  policy->set_timeout_action(inference::ModelQueuePolicy::DELAY);
  policy->set_default_timeout_microseconds(10);
  EXPECT_EQ(ErrorOf(ordered_delay), "");

  inference::ModelConfig zero_preferred = Minimal();
  zero_preferred.mutable_dynamic_batching()->add_preferred_batch_size(0);
  EXPECT_THAT(ErrorOf(zero_preferred), HasSubstr("preferred_batch_size 0 must be between 1 and max_batch_size (4)"));
}

TEST(NormalizeTest, SequenceBatchingControls) {
  auto with_control = [](const std::string& control_text) {
    return Parse(R"pb(
      name: "m" backend: "onnxruntime" max_batch_size: 2
      sequence_batching { control_input [ { name: "C" control [ )pb" +
                 control_text + " ] } ] }");
  };
  EXPECT_EQ(ErrorOf(with_control("{ kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ] }")), "");
  EXPECT_THAT(ErrorOf(with_control("{ kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ] "
                                   "fp32_false_true: [ 0, 1 ] }")),
              HasSubstr("control CONTROL_SEQUENCE_START on tensor 'C' must set exactly one of"));
  EXPECT_THAT(ErrorOf(with_control("{ kind: CONTROL_SEQUENCE_END bool_false_true: [ true ] }")),
              HasSubstr("control CONTROL_SEQUENCE_END on tensor 'C' needs 2 values (false, then true), got 1"));
  EXPECT_THAT(ErrorOf(with_control("{ kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_FP32 }")),
              HasSubstr("CONTROL_SEQUENCE_CORRID on tensor 'C' needs data_type TYPE_UINT64"));
  EXPECT_THAT(ErrorOf(with_control("{ kind: CONTROL_SEQUENCE_READY int32_false_true: [ 0, 1 ] }, "
                                   "{ kind: CONTROL_SEQUENCE_READY int32_false_true: [ 0, 1 ] }")),
              HasSubstr("sets control CONTROL_SEQUENCE_READY more than once"));

  inference::ModelConfig cached = with_control("{ kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ] }");
  cached.mutable_response_cache()->set_enable(true);
  EXPECT_THAT(ErrorOf(cached), HasSubstr("response_cache cannot be enabled together with sequence_batching"));

  inference::ModelConfig utilization = Parse(testing::kKitchenSinkDirect);
  utilization.mutable_sequence_batching()->mutable_direct()->set_minimum_slot_utilization(1.5f);
  EXPECT_THAT(ErrorOf(utilization, "direct_model"), HasSubstr("minimum_slot_utilization must be in [0, 1], got 1.5"));
}

TEST(NormalizeTest, EnsembleStructure) {
  inference::ModelConfig no_model = Parse(testing::kKitchenSinkEnsemble);
  no_model.mutable_ensemble_scheduling()->mutable_step(1)->clear_model_name();
  EXPECT_EQ(ErrorOf(no_model, "ocr_pipeline"),
            "model 'ocr_pipeline': ensemble_scheduling.step[1] does not name a model (model_name)");

  inference::ModelConfig no_steps = Parse(testing::kKitchenSinkEnsemble);
  no_steps.mutable_ensemble_scheduling()->clear_step();
  EXPECT_EQ(ErrorOf(no_steps, "ocr_pipeline"), "model 'ocr_pipeline': ensemble_scheduling lists no step");

  inference::ModelConfig with_instances = Parse(testing::kKitchenSinkEnsemble);
  with_instances.add_instance_group()->set_count(1);
  EXPECT_THAT(ErrorOf(with_instances, "ocr_pipeline"), HasSubstr("an ensemble cannot set instance_group"));

  inference::ModelConfig without_section = Parse(testing::kKitchenSinkEnsemble);
  without_section.clear_ensemble_scheduling();
  EXPECT_THAT(ErrorOf(without_section, "ocr_pipeline"),
              HasSubstr("platform 'ensemble' needs an ensemble_scheduling section"));

  inference::ModelConfig not_ensemble = Minimal();
  not_ensemble.mutable_ensemble_scheduling()->add_step()->set_model_name("a");
  EXPECT_THAT(ErrorOf(not_ensemble), HasSubstr("ensemble_scheduling needs platform 'ensemble'"));
}

TEST(NormalizeTest, DecoupledModelsCannotUseTheResponseCache) {
  inference::ModelConfig config = Minimal();
  config.mutable_model_transaction_policy()->set_decoupled(true);
  config.mutable_response_cache()->set_enable(true);
  EXPECT_EQ(ErrorOf(config), "model 'm': response_cache cannot be enabled for a decoupled model");
}

// Every config.pbtxt under examples/ (the test runs from the source root)
// must parse and normalize, with the backend chosen the way the server does
// when the config names none: ONNX when a version folder holds model.onnx.
TEST(ConfigExamples, every_example_config_parses) {
  namespace fs = std::filesystem;
  std::vector<fs::path> paths;
  if (fs::is_directory("examples")) {
    for (const auto& entry : fs::recursive_directory_iterator("examples")) {
      if (entry.is_regular_file() && entry.path().filename() == "config.pbtxt") paths.push_back(entry.path());
    }
  }
  if (paths.empty()) GTEST_SKIP() << "no examples/**/config.pbtxt under " << fs::current_path();

  for (const fs::path& path : paths) {
    SCOPED_TRACE(path.string());
    Result<inference::ModelConfig> config = LoadModelConfigFile(path.string());
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    const fs::path model_folder = path.parent_path();
    if (!HasBackend(*config)) {
      for (const auto& entry : fs::directory_iterator(model_folder)) {
        if (entry.is_directory() && fs::exists(entry.path() / "model.onnx")) {
          config->set_backend(std::string(kOnnxRuntimeBackend));
        }
      }
      // Model files are fetched at set-up time, not committed; without one
      // the backend is unknown, so only the parse can be checked.
      if (!HasBackend(*config)) continue;
    }
    Status status = NormalizeModelConfig(model_folder.filename().string(), &*config);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
}

}  // namespace
}  // namespace inferd::config
