// EnsembleGraph: an ensemble config (platform "ensemble") compiled into the
// dataflow the EnsembleScheduler runs, after checking it at load time.
//
// Vocabulary (Triton's): a *step* runs one composing model; its input_map
// says which ensemble tensor feeds each of the model's inputs (key: the
// model's input name, value: the ensemble tensor), its output_map which
// ensemble tensor each of the model's outputs becomes. *Ensemble tensors* are
// the ensemble's own inputs and outputs plus every value of those maps; each
// gets a slot, the index the scheduler keeps the tensor under while a
// request runs.
//
// Building is two passes, so the structural pass is testable without models:
//   BuildEnsembleDataflow  the graph alone: one producer per tensor, every
//                          tensor read is produced, every ensemble input read,
//                          every ensemble output produced, every produced
//                          tensor used, no cycle, no step using the ensemble;
//   CheckComposingModels   each step against its model's served config: the
//                          model version is ready, the mapped inputs and
//                          outputs exist, every required input is mapped,
//                          max_batch_size fits, and data types and shapes of
//                          each producer/consumer pair agree.
// Every error names the ensemble, the step (1-based, in config order) with its
// model, and the tensor involved.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "model_config.pb.h"

namespace inferd {

// The config a composing model version is served with. NOT_FOUND or
// UNAVAILABLE (with the reason) when that version is unknown or not ready.
// `version` may be -1: the latest ready version.
using ComposingConfigLookup = std::function<Result<std::shared_ptr<const inference::ModelConfig>>(
    const std::string& model_name, int64_t version)>;

// One tensor a step reads or writes: the composing model's name for it and
// the ensemble tensor's slot.
struct StepTensor {
  std::string model_tensor;
  size_t slot = 0;
};

struct EnsembleStep {
  std::string model_name;
  int64_t model_version = -1;  // -1: the latest ready version when the step runs
  std::vector<StepTensor> inputs;   // sorted by model tensor name
  std::vector<StepTensor> outputs;  // sorted by model tensor name
};

struct EnsembleGraph {
  std::string name;                 // the ensemble's
  std::vector<std::string> tensors;  // ensemble tensor name by slot
  std::vector<size_t> input_slots;   // the ensemble's inputs, config order
  std::vector<size_t> output_slots;  // the ensemble's outputs, config order
  std::vector<EnsembleStep> steps;   // config order
  // ensemble_scheduling.max_inflight_requests: step requests of this ensemble
  // submitted to one step's model at a time; 0: no limit.
  uint32_t max_inflight_requests = 0;
  // Per slot, the steps that read it, once per reading input (a step reading
  // one tensor into two inputs is listed twice), so counting down a step's
  // missing inputs is one decrement per entry.
  std::vector<std::vector<size_t>> consumers;

  // "step 2 (model 'text_detection')" for messages; `step` is 0-based.
  std::string DescribeStep(size_t step) const;
};

// The structural pass (see the file comment). INVALID_ARGUMENT on failure.
Result<EnsembleGraph> BuildEnsembleDataflow(const inference::ModelConfig& ensemble);

// The pass against the composing models (see the file comment). Errors:
// UNAVAILABLE when a composing model is not ready (or unknown), else
// INVALID_ARGUMENT.
Status CheckComposingModels(const inference::ModelConfig& ensemble, const EnsembleGraph& graph,
                            const ComposingConfigLookup& lookup);

// Both passes: what the loader calls.
Result<std::shared_ptr<const EnsembleGraph>> BuildEnsembleGraph(const inference::ModelConfig& ensemble,
                                                                const ComposingConfigLookup& lookup);

}  // namespace inferd
