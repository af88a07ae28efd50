#include "config/unimplemented.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/normalize.h"
#include "config/parse.h"
#include "config/test_configs.h"

namespace inferd::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::IsSupersetOf;

// The names of the unimplemented fields `config` sets.
std::vector<std::string> Names(const inference::ModelConfig& config) {
  std::vector<std::string> names;
  for (const UnimplementedField& field : UnimplementedFields(config)) names.push_back(field.name);
  return names;
}

// The names of those that change results (the model is refused).
std::vector<std::string> RefusedNames(const inference::ModelConfig& config) {
  std::vector<std::string> names;
  for (const UnimplementedField& field : UnimplementedFields(config)) {
    if (field.changes_results) names.push_back(field.name);
  }
  return names;
}

inference::ModelConfig ParseAndNormalize(std::string_view text, std::string_view folder) {
  Result<inference::ModelConfig> config = ParseModelConfigText(text, "test.pbtxt");
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  if (!config.ok()) return {};
  Status status = NormalizeModelConfig(folder, &*config);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return *config;
}

TEST(UnimplementedTest, EmptyConfigHasNothingUnimplemented) {
  EXPECT_THAT(Names(inference::ModelConfig()), IsEmpty());
}

// The defaults Normalize fills in (pinned memory, instance groups, version
// policy) must never produce warnings for a plain config.
TEST(UnimplementedTest, ReportConfigsHaveNothingUnimplementedAfterNormalize) {
  EXPECT_THAT(Names(ParseAndNormalize(testing::kTextRecognition, "text_recognition")), IsEmpty());
  EXPECT_THAT(Names(ParseAndNormalize(testing::TextDetection(256), "text_detection")), IsEmpty());
}

TEST(UnimplementedTest, KitchenSinkListsEveryIgnoredSection) {
  const std::vector<std::string> fields =
      Names(ParseAndNormalize(testing::kKitchenSinkDynamic, "kitchen_sink"));
  EXPECT_THAT(fields, IsSupersetOf({"optimization.priority", "optimization.cuda",
                                    "optimization.execution_accelerators",
                                    "optimization.gather_kernel_buffer_threshold", "optimization.eager_batching",
                                    "response_cache", "model_repository_agents", "model_operations",
                                    "batch_input", "batch_output", "cc_model_filenames", "metric_tags",
                                    "instance_group.rate_limiter"}));
  // Implemented by the dynamic batcher and the loader.
  EXPECT_THAT(fields, ::testing::Not(::testing::Contains("dynamic_batching")));
  EXPECT_THAT(fields, ::testing::Not(::testing::Contains("model_warmup")));
  // Set to their defaults in the kitchen sink, so not reported.
  EXPECT_THAT(fields, ::testing::Not(::testing::Contains("model_transaction_policy")));
  // Implemented elsewhere in the server (classification labels, the ONNX
  // Runtime graph level): never reported.
  for (const std::string& field : fields) {
    EXPECT_NE(field.rfind("output.", 0), 0u) << field;
    EXPECT_NE(field, "optimization.graph");
  }
  EXPECT_THAT(RefusedNames(ParseAndNormalize(testing::kKitchenSinkDynamic, "kitchen_sink")),
              IsSupersetOf({"optimization.cuda", "optimization.execution_accelerators", "model_repository_agents",
                            "model_operations", "batch_input", "batch_output"}));
  // Tuning knobs only warn.
  for (const std::string& refused : RefusedNames(ParseAndNormalize(testing::kKitchenSinkDynamic, "kitchen_sink"))) {
    EXPECT_NE(refused, "optimization.priority");
    EXPECT_NE(refused, "instance_group.rate_limiter");
    EXPECT_NE(refused, "response_cache");
  }
}

TEST(UnimplementedTest, OtherSchedulers) {
  EXPECT_THAT(Names(ParseAndNormalize(testing::kKitchenSinkSequence, "sequence_model")),
              ElementsAre("sequence_batching"));
  // Ensembles are implemented (src/scheduler/ensemble_*).
  EXPECT_THAT(Names(ParseAndNormalize(testing::kKitchenSinkEnsemble, "ocr_pipeline")), IsEmpty());
}

TEST(UnimplementedTest, EachFieldIsReportedOnItsOwn) {
  inference::ModelConfig decoupled;
  decoupled.mutable_model_transaction_policy()->set_decoupled(true);
  EXPECT_THAT(Names(decoupled), ElementsAre("model_transaction_policy.decoupled"));

  inference::ModelConfig ragged;
  ragged.add_input()->set_allow_ragged_batch(true);
  EXPECT_THAT(Names(ragged), ElementsAre("input.allow_ragged_batch"));

  inference::ModelConfig accelerators;
  accelerators.mutable_optimization()->mutable_execution_accelerators()->add_cpu_execution_accelerator();
  EXPECT_THAT(Names(accelerators), ElementsAre("optimization.execution_accelerators"));

  // Implemented: the ONNX Runtime backend reads the graph level, and the
  // classification extension reads label files.
  inference::ModelConfig implemented;
  implemented.mutable_optimization()->mutable_graph()->set_level(-1);
  implemented.add_input()->set_optional(true);
  implemented.add_output()->set_label_filename("labels.txt");
  EXPECT_THAT(Names(implemented), IsEmpty());

  inference::ModelConfig pinned_only;
  pinned_only.mutable_optimization()->mutable_input_pinned_memory()->set_enable(false);
  EXPECT_THAT(Names(pinned_only), IsEmpty());

  inference::ModelConfig passive;
  passive.add_instance_group()->set_passive(true);
  EXPECT_THAT(Names(passive), ElementsAre("instance_group.passive"));
  EXPECT_THAT(RefusedNames(passive), IsEmpty());

  inference::ModelConfig namespaced;
  namespaced.set_platform("ensemble");
  namespaced.mutable_ensemble_scheduling()->add_step()->set_model_namespace("team_a");
  EXPECT_THAT(RefusedNames(namespaced), ElementsAre("ensemble_scheduling.step.model_namespace"));

  EXPECT_THAT(RefusedNames(decoupled), ElementsAre("model_transaction_policy.decoupled"));
  EXPECT_THAT(RefusedNames(ragged), ElementsAre("input.allow_ragged_batch"));
}

}  // namespace
}  // namespace inferd::config
