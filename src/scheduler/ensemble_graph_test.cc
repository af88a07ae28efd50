#include "scheduler/ensemble_graph.h"

#include <map>
#include <string>

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

namespace inferd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

inference::ModelConfig Parse(const std::string& text) {
  inference::ModelConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config)) << text;
  return config;
}

// A diamond: split -> (left, right) -> join; the ensemble also returns the
// split's first output, which the left branch reads too.
constexpr const char* kDiamond = R"pb(
name: "diamond"
platform: "ensemble"
max_batch_size: 8
input [ { name: "A" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "B" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUT" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "SUM" data_type: TYPE_FP32 dims: [ 4 ] } ]
ensemble_scheduling {
  step [
    { model_name: "split" model_version: -1
      input_map { key: "X" value: "A" } input_map { key: "Y" value: "B" }
      output_map { key: "S" value: "SUM" } output_map { key: "D" value: "diff" } },
    { model_name: "left" model_version: 1
      input_map { key: "IN" value: "SUM" } output_map { key: "OUT" value: "l" } },
    { model_name: "right" model_version: -1
      input_map { key: "IN" value: "diff" } output_map { key: "OUT" value: "r" } },
    { model_name: "join" model_version: -1
      input_map { key: "X" value: "l" } input_map { key: "Y" value: "r" }
      output_map { key: "S" value: "OUT" } }
  ]
}
)pb";

// Composing model configs by name, FP32 [4] tensors, max_batch_size 8.
class FakeModels {
 public:
  FakeModels() {
    Add("split", R"pb(max_batch_size: 8
        input [ { name: "X" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "Y" data_type: TYPE_FP32 dims: [ 4 ] } ]
        output [ { name: "S" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "D" data_type: TYPE_FP32 dims: [ 4 ] } ])pb");
    Add("left", R"pb(max_batch_size: 8
        input [ { name: "IN" data_type: TYPE_FP32 dims: [ -1 ] } ]
        output [ { name: "OUT" data_type: TYPE_FP32 dims: [ -1 ] } ])pb");
    Add("right", R"pb(max_batch_size: 0
        input [ { name: "IN" data_type: TYPE_FP32 dims: [ -1, 4 ] } ]
        output [ { name: "OUT" data_type: TYPE_FP32 dims: [ -1, 4 ] } ])pb");
    Add("join", R"pb(max_batch_size: 16
        input [ { name: "X" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "Y" data_type: TYPE_FP32 dims: [ 4 ] } ]
        output [ { name: "S" data_type: TYPE_FP32 dims: [ 4 ] } ])pb");
  }

  void Add(const std::string& name, const std::string& text) {
    inference::ModelConfig config = Parse(text);
    config.set_name(name);
    configs[name] = config;
  }

  ComposingConfigLookup Lookup() {
    return [this](const std::string& name, int64_t) -> Result<std::shared_ptr<const inference::ModelConfig>> {
      auto it = configs.find(name);
      if (it == configs.end()) return Status::NotFound("unknown model: '" + name + "'");
      return std::make_shared<const inference::ModelConfig>(it->second);
    };
  }

  std::map<std::string, inference::ModelConfig> configs;
};

std::string DataflowError(const inference::ModelConfig& config) {
  Result<EnsembleGraph> graph = BuildEnsembleDataflow(config);
  EXPECT_FALSE(graph.ok());
  return graph.ok() ? "" : graph.status().message();
}

std::string ComposingError(const inference::ModelConfig& config, FakeModels& models) {
  Result<std::shared_ptr<const EnsembleGraph>> graph = BuildEnsembleGraph(config, models.Lookup());
  EXPECT_FALSE(graph.ok());
  return graph.ok() ? "" : graph.status().message();
}

inference::ModelEnsembling::Step* StepOf(inference::ModelConfig& config, int index) {
  return config.mutable_ensemble_scheduling()->mutable_step(index);
}

TEST(EnsembleGraphTest, CompilesADiamondIntoSlotsAndConsumers) {
  FakeModels models;
  Result<std::shared_ptr<const EnsembleGraph>> built = BuildEnsembleGraph(Parse(kDiamond), models.Lookup());
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  const EnsembleGraph& graph = **built;
  EXPECT_EQ(graph.name, "diamond");
  ASSERT_EQ(graph.steps.size(), 4u);
  EXPECT_EQ(graph.steps[1].model_version, 1);
  EXPECT_EQ(graph.DescribeStep(3), "step 4 (model 'join')");

  auto slot_of = [&](const std::string& name) {
    return static_cast<size_t>(std::find(graph.tensors.begin(), graph.tensors.end(), name) - graph.tensors.begin());
  };
  EXPECT_THAT(graph.input_slots, ElementsAre(slot_of("A"), slot_of("B")));
  EXPECT_THAT(graph.output_slots, ElementsAre(slot_of("OUT"), slot_of("SUM")));
  EXPECT_THAT(graph.consumers[slot_of("SUM")], ElementsAre(1u));   // left reads it; it is also an output
  EXPECT_THAT(graph.consumers[slot_of("l")], ElementsAre(3u));
  EXPECT_THAT(graph.consumers[slot_of("r")], ElementsAre(3u));
  EXPECT_TRUE(graph.consumers[slot_of("OUT")].empty());
  ASSERT_EQ(graph.steps[0].inputs.size(), 2u);
  EXPECT_EQ(graph.steps[0].inputs[0].model_tensor, "X");
  EXPECT_EQ(graph.steps[0].inputs[0].slot, slot_of("A"));
  EXPECT_EQ(graph.steps[3].outputs[0].slot, slot_of("OUT"));
}

TEST(EnsembleGraphTest, OneTensorIntoTwoInputsOfOneStepCountsTwice) {
  inference::ModelConfig config = Parse(kDiamond);
  (*StepOf(config, 3)->mutable_input_map())["Y"] = "l";
  StepOf(config, 2)->mutable_output_map()->clear();
  (*StepOf(config, 2)->mutable_output_map())["OUT"] = "SUM2";
  config.add_output()->set_name("SUM2");
  Result<EnsembleGraph> graph = BuildEnsembleDataflow(config);
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  const size_t l = static_cast<size_t>(std::find(graph->tensors.begin(), graph->tensors.end(), "l") -
                                       graph->tensors.begin());
  EXPECT_THAT(graph->consumers[l], ElementsAre(3u, 3u));
}

TEST(EnsembleGraphTest, TensorWithTwoProducers) {
  inference::ModelConfig config = Parse(kDiamond);
  (*StepOf(config, 2)->mutable_output_map())["OUT"] = "l";
  EXPECT_EQ(DataflowError(config),
            "ensemble 'diamond': ensemble tensor 'l' is produced by both step 2 (model 'left') and step 3 (model "
            "'right') (output 'OUT'); each tensor needs exactly one producer");
}

TEST(EnsembleGraphTest, StepProducingAnEnsembleInput) {
  inference::ModelConfig config = Parse(kDiamond);
  (*StepOf(config, 1)->mutable_output_map())["OUT"] = "B";
  EXPECT_THAT(DataflowError(config), HasSubstr("ensemble tensor 'B' is an input of the ensemble, so step 2 (model "
                                               "'left') cannot also produce it"));
}

TEST(EnsembleGraphTest, OutputNoStepProduces) {
  inference::ModelConfig config = Parse(kDiamond);
  config.mutable_output(0)->set_name("NOWHERE");
  // "OUT" is now produced but unused; the missing producer is reported first.
  EXPECT_EQ(DataflowError(config),
            "ensemble 'diamond': ensemble output 'NOWHERE' is produced by no step (no output_map value names it)");
}

TEST(EnsembleGraphTest, StepReadingATensorNobodyProduces) {
  inference::ModelConfig config = Parse(kDiamond);
  (*StepOf(config, 2)->mutable_input_map())["IN"] = "dif";  // a typo of "diff"
  EXPECT_THAT(DataflowError(config),
              HasSubstr("step 3 (model 'right') reads ensemble tensor 'dif' (into its input 'IN'), which is neither "
                        "an ensemble input nor produced by any step"));
}

TEST(EnsembleGraphTest, UnusedEnsembleInputAndUnusedStepOutput) {
  inference::ModelConfig unused_input = Parse(kDiamond);
  inference::ModelInput* extra = unused_input.add_input();
  extra->set_name("C");
  EXPECT_THAT(DataflowError(unused_input), HasSubstr("ensemble input 'C' is read by no step"));

  inference::ModelConfig unused_output = Parse(kDiamond);
  (*StepOf(unused_output, 3)->mutable_output_map())["EXTRA"] = "dangling";
  EXPECT_THAT(DataflowError(unused_output),
              HasSubstr("ensemble tensor 'dangling' (output 'EXTRA' of step 4 (model 'join')) is read by no step "
                        "and is not an ensemble output"));
}

TEST(EnsembleGraphTest, CycleNamesTheStepsThatCanNeverRun) {
  inference::ModelConfig config = Parse(R"pb(
    name: "loop" platform: "ensemble"
    input [ { name: "IN" data_type: TYPE_FP32 dims: [ 4 ] } ]
    output [ { name: "OUT" data_type: TYPE_FP32 dims: [ 4 ] } ]
    ensemble_scheduling { step [
      { model_name: "first" input_map { key: "X" value: "IN" } output_map { key: "S" value: "a" } },
      { model_name: "second" input_map { key: "X" value: "a" } input_map { key: "Y" value: "c" }
        output_map { key: "S" value: "b" } output_map { key: "T" value: "OUT" } },
      { model_name: "third" input_map { key: "X" value: "b" } output_map { key: "S" value: "c" } }
    ] })pb");
  EXPECT_EQ(DataflowError(config),
            "ensemble 'loop': steps wait on each other's outputs in a cycle and can never run: step 2 (model "
            "'second') waits for 'c', step 3 (model 'third') waits for 'b'");
}

TEST(EnsembleGraphTest, StepUsingTheEnsembleItselfAndStepWithoutOutputs) {
  inference::ModelConfig itself = Parse(kDiamond);
  StepOf(itself, 1)->set_model_name("diamond");
  EXPECT_THAT(DataflowError(itself), HasSubstr("step 2 (model 'diamond') uses the ensemble itself"));

  inference::ModelConfig no_outputs = Parse(kDiamond);
  StepOf(no_outputs, 2)->mutable_output_map()->clear();
  EXPECT_THAT(DataflowError(no_outputs), HasSubstr("step 3 (model 'right') maps no outputs"));
}

TEST(EnsembleGraphTest, UnknownComposingModelIsNotFoundWithTheStepNamed) {
  FakeModels models;
  models.configs.erase("right");
  Result<std::shared_ptr<const EnsembleGraph>> graph = BuildEnsembleGraph(Parse(kDiamond), models.Lookup());
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(graph.status().message(),
            "ensemble 'diamond': step 3 (model 'right') needs model 'right' latest version, which is not "
            "available: unknown model: 'right'");
}

TEST(EnsembleGraphTest, UnavailableComposingModelKeepsItsReason) {
  ComposingConfigLookup broken = [](const std::string&,
                                     int64_t) -> Result<std::shared_ptr<const inference::ModelConfig>> {
    return Status::Unavailable("model 'split' version 1 is not ready (UNAVAILABLE): bad file");
  };
  Result<std::shared_ptr<const EnsembleGraph>> graph = BuildEnsembleGraph(Parse(kDiamond), broken);
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(graph.status().message(), HasSubstr("step 1 (model 'split')"));
  EXPECT_THAT(graph.status().message(), HasSubstr("bad file"));
}

TEST(EnsembleGraphTest, ADecoupledComposingModelCannotBeAStep) {
  FakeModels models;
  models.configs["left"].mutable_model_transaction_policy()->set_decoupled(true);
  Result<std::shared_ptr<const EnsembleGraph>> graph = BuildEnsembleGraph(Parse(kDiamond), models.Lookup());
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), StatusCode::kUnsupported);
  EXPECT_THAT(graph.status().message(), HasSubstr("ensemble 'diamond': step 2 (model 'left') is decoupled"));
  EXPECT_THAT(graph.status().message(), HasSubstr("exec(decoupled=True)"));
}

TEST(EnsembleGraphTest, MappedNamesMustExistOnTheModel) {
  FakeModels models;
  inference::ModelConfig bad_input = Parse(kDiamond);
  StepOf(bad_input, 1)->mutable_input_map()->clear();
  (*StepOf(bad_input, 1)->mutable_input_map())["INPUT"] = "SUM";
  EXPECT_EQ(ComposingError(bad_input, models),
            "ensemble 'diamond': step 2 (model 'left') maps input 'INPUT', which model 'left' does not have (its "
            "inputs: 'IN')");

  inference::ModelConfig bad_output = Parse(kDiamond);
  StepOf(bad_output, 3)->mutable_output_map()->clear();
  (*StepOf(bad_output, 3)->mutable_output_map())["SUM"] = "OUT";
  EXPECT_THAT(ComposingError(bad_output, models),
              HasSubstr("step 4 (model 'join') maps output 'SUM', which model 'join' does not have (its outputs: "
                        "'S')"));
}

TEST(EnsembleGraphTest, EveryRequiredModelInputIsMappedButOptionalOnesMayNotBe) {
  FakeModels models;
  models.Add("left", R"pb(max_batch_size: 8
      input [ { name: "IN" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "SCALE" data_type: TYPE_FP32 dims: [ 1 ] } ]
      output [ { name: "OUT" data_type: TYPE_FP32 dims: [ 4 ] } ])pb");
  EXPECT_THAT(ComposingError(Parse(kDiamond), models),
              HasSubstr("step 2 (model 'left') leaves the model's input 'SCALE' unmapped"));

  models.configs["left"].mutable_input(1)->set_optional(true);
  EXPECT_TRUE(BuildEnsembleGraph(Parse(kDiamond), models.Lookup()).ok());
}

TEST(EnsembleGraphTest, DataTypeMismatchNamesProducerAndConsumer) {
  FakeModels models;
  models.configs["right"].mutable_input(0)->set_data_type(inference::TYPE_INT32);
  EXPECT_EQ(ComposingError(Parse(kDiamond), models),
            "ensemble 'diamond': data type mismatch on ensemble tensor 'diff': step 1 (model 'split') output 'D' "
            "gives TYPE_FP32 but step 3 (model 'right') input 'IN' expects TYPE_INT32");

  FakeModels output_type;
  inference::ModelConfig config = Parse(kDiamond);
  config.mutable_output(0)->set_data_type(inference::TYPE_FP16);
  EXPECT_THAT(ComposingError(config, output_type),
              HasSubstr("step 4 (model 'join') output 'S' gives TYPE_FP32 but ensemble output 'OUT' expects "
                        "TYPE_FP16"));
}

TEST(EnsembleGraphTest, ShapesAgreeWithWildcardsAndAcrossBatchingButNotOtherwise) {
  // kDiamond already mixes [4], [-1] and an unbatched [-1, 4]: it loads.
  FakeModels models;
  ASSERT_TRUE(BuildEnsembleGraph(Parse(kDiamond), models.Lookup()).ok());

  models.configs["join"].mutable_input(1)->mutable_dims()->Set(0, 5);
  EXPECT_EQ(ComposingError(Parse(kDiamond), models),
            "ensemble 'diamond': shape mismatch on ensemble tensor 'r': step 3 (model 'right') output 'OUT' gives "
            "[-1,4] but step 4 (model 'join') input 'Y' expects [-1,5]");

  FakeModels rank;
  rank.configs["join"].mutable_input(0)->add_dims(2);  // [4, 2]
  EXPECT_THAT(ComposingError(Parse(kDiamond), rank), HasSubstr("shape mismatch on ensemble tensor 'l'"));
}

TEST(EnsembleGraphTest, EnsembleBatchSizeMustFitItsBatchingModels) {
  FakeModels models;
  models.configs["left"].set_max_batch_size(4);
  EXPECT_EQ(ComposingError(Parse(kDiamond), models),
            "ensemble 'diamond': max_batch_size is 8 but step 2 (model 'left') allows at most 4; an ensemble's "
            "max_batch_size must not exceed its composing models'");
}

}  // namespace
}  // namespace inferd
