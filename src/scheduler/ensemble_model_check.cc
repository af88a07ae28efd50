// CheckComposingModels (declared in ensemble_graph.h): each ensemble step
// against the config its composing model is served with.
#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "scheduler/ensemble_graph.h"

namespace inferd {
namespace {

// One view of an ensemble tensor: who declares it, with which type and dims.
struct Declaration {
  std::string who;  // "step 2 (model 'x') output 'y'", "ensemble input 'IMAGE'"
  inference::DataType type = inference::TYPE_INVALID;
  std::vector<int64_t> dims;  // without the batch dimension
  bool batched = false;       // the declaring model has max_batch_size > 0

  // The shape requests carry: [-1, dims...] for a batching model.
  std::vector<int64_t> FullDims() const {
    std::vector<int64_t> full;
    if (batched) full.push_back(-1);
    full.insert(full.end(), dims.begin(), dims.end());
    return full;
  }
};

template <typename TensorConfig>  // inference::ModelInput or ModelOutput
Declaration Declare(std::string who, const TensorConfig& tensor, bool batched) {
  return {std::move(who), tensor.data_type(), {tensor.dims().begin(), tensor.dims().end()}, batched};
}

// Same rank and, dimension by dimension, equal sizes or a -1 (checked when
// the request runs) on either side.
bool DimsAgree(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && a[i] != -1 && b[i] != -1) return false;
  }
  return true;
}

std::string DimsText(const std::vector<int64_t>& dims) { return fmt::format("[{}]", fmt::join(dims, ",")); }

// A tensor shared by a batching and a non-batching model agrees when the
// non-batching model spells the batch dimension out ([-1, 4] vs [4]), as in
// Triton, so both the declared and the full dims are compared.
Status CheckConsistent(const std::string& ensemble, const std::string& tensor, const Declaration& producer,
                       const Declaration& consumer) {
  if (producer.type != consumer.type) {
    return Status::InvalidArgument(
        fmt::format("ensemble '{}': data type mismatch on ensemble tensor '{}': {} gives {} but {} expects {}",
                    ensemble, tensor, producer.who, inference::DataType_Name(producer.type), consumer.who,
                    inference::DataType_Name(consumer.type)));
  }
  if (!DimsAgree(producer.dims, consumer.dims) && !DimsAgree(producer.FullDims(), consumer.FullDims())) {
    return Status::InvalidArgument(
        fmt::format("ensemble '{}': shape mismatch on ensemble tensor '{}': {} gives {} but {} expects {}",
                    ensemble, tensor, producer.who, DimsText(producer.FullDims()), consumer.who,
                    DimsText(consumer.FullDims())));
  }
  return Status::Ok();
}

template <typename Tensors>
auto FindByName(const Tensors& tensors, const std::string& name) -> decltype(&*tensors.begin()) {
  auto it = std::find_if(tensors.begin(), tensors.end(), [&](const auto& t) { return t.name() == name; });
  return it == tensors.end() ? nullptr : &*it;
}

template <typename Tensors>
std::string NamesOf(const Tensors& tensors) {
  std::vector<std::string> names;
  for (const auto& tensor : tensors) names.push_back("'" + tensor.name() + "'");
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

// The ensemble's own inputs and outputs always have a slot (BuildEnsembleDataflow).
size_t SlotOf(const EnsembleGraph& graph, const std::string& tensor) {
  return static_cast<size_t>(std::find(graph.tensors.begin(), graph.tensors.end(), tensor) - graph.tensors.begin());
}

std::string VersionText(int64_t version) { return version < 0 ? "latest version" : fmt::format("version {}", version); }

}  // namespace

Status CheckComposingModels(const inference::ModelConfig& ensemble, const EnsembleGraph& graph,
                            const ComposingConfigLookup& lookup) {
  const std::string& name = graph.name;
  const bool ensemble_batched = ensemble.max_batch_size() > 0;
  std::vector<std::optional<Declaration>> producers(graph.tensors.size());
  std::vector<std::vector<Declaration>> consumers(graph.tensors.size());
  for (const auto& input : ensemble.input()) {
    const auto slot = SlotOf(graph, input.name());
    producers[slot] = Declare(fmt::format("ensemble input '{}'", input.name()), input, ensemble_batched);
  }
  for (const auto& output : ensemble.output()) {
    const auto slot = SlotOf(graph, output.name());
    consumers[slot].push_back(Declare(fmt::format("ensemble output '{}'", output.name()), output, ensemble_batched));
  }

  for (size_t i = 0; i < graph.steps.size(); ++i) {
    const EnsembleStep& step = graph.steps[i];
    const std::string described = graph.DescribeStep(i);
    Result<std::shared_ptr<const inference::ModelConfig>> found = lookup(step.model_name, step.model_version);
    if (!found.ok()) {
      return Status(found.status().code() == StatusCode::kNotFound ? StatusCode::kNotFound : StatusCode::kUnavailable,
                    fmt::format("ensemble '{}': {} needs model '{}' {}, which is not available: {}", name, described,
                                step.model_name, VersionText(step.model_version), found.status().message()));
    }
    const inference::ModelConfig& model = **found;
    if (model.model_transaction_policy().decoupled()) {
      // A step hands exactly one response to the next; a stream of them
      // has nowhere to go.
      return Status::Unsupported(fmt::format(
          "ensemble '{}': {} is decoupled (model_transaction_policy.decoupled); inferd's ensembles take one "
          "response per step, so a decoupled model cannot be a step; call it from a Python model with "
          "exec(decoupled=True) instead",
          name, described));
    }
    const bool batched = model.max_batch_size() > 0;
    if (ensemble_batched && batched && model.max_batch_size() < ensemble.max_batch_size()) {
      return Status::InvalidArgument(fmt::format(
          "ensemble '{}': max_batch_size is {} but {} allows at most {}; an ensemble's max_batch_size must not "
          "exceed its composing models'",
          name, ensemble.max_batch_size(), described, model.max_batch_size()));
    }
    for (const StepTensor& input : step.inputs) {
      const inference::ModelInput* declared = FindByName(model.input(), input.model_tensor);
      if (declared == nullptr) {
        return Status::InvalidArgument(
            fmt::format("ensemble '{}': {} maps input '{}', which model '{}' does not have (its inputs: {})", name,
                        described, input.model_tensor, step.model_name, NamesOf(model.input())));
      }
      consumers[input.slot].push_back(
          Declare(fmt::format("{} input '{}'", described, input.model_tensor), *declared, batched));
    }
    for (const auto& declared : model.input()) {
      if (declared.optional()) continue;
      const bool mapped = std::any_of(step.inputs.begin(), step.inputs.end(),
                                      [&](const StepTensor& input) { return input.model_tensor == declared.name(); });
      if (!mapped) {
        return Status::InvalidArgument(
            fmt::format("ensemble '{}': {} leaves the model's input '{}' unmapped; input_map needs an entry for it",
                        name, described, declared.name()));
      }
    }
    for (const StepTensor& output : step.outputs) {
      const inference::ModelOutput* declared = FindByName(model.output(), output.model_tensor);
      if (declared == nullptr) {
        return Status::InvalidArgument(
            fmt::format("ensemble '{}': {} maps output '{}', which model '{}' does not have (its outputs: {})", name,
                        described, output.model_tensor, step.model_name, NamesOf(model.output())));
      }
      producers[output.slot] =
          Declare(fmt::format("{} output '{}'", described, output.model_tensor), *declared, batched);
    }
  }

  for (size_t slot = 0; slot < graph.tensors.size(); ++slot) {
    if (!producers[slot]) continue;  // BuildEnsembleDataflow guarantees one for every read tensor
    for (const Declaration& consumer : consumers[slot]) {
      RETURN_IF_ERROR(CheckConsistent(name, graph.tensors[slot], *producers[slot], consumer));
    }
  }
  return Status::Ok();
}

}  // namespace inferd
