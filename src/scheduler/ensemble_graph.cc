#include "scheduler/ensemble_graph.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace inferd {
namespace {

// Who produces an ensemble tensor, beside a step index.
constexpr size_t kNoProducer = std::numeric_limits<size_t>::max();
constexpr size_t kEnsembleInput = kNoProducer - 1;

template <typename... Args>
Status GraphError(const std::string& ensemble, fmt::format_string<Args...> format, Args&&... args) {
  return Status::InvalidArgument(
      fmt::format("ensemble '{}': {}", ensemble, fmt::format(format, std::forward<Args>(args)...)));
}

// protobuf maps iterate in no fixed order; messages and the slot numbering
// must not depend on it.
std::vector<std::pair<std::string, std::string>> SortedMap(
    const google::protobuf::Map<std::string, std::string>& map) {
  std::vector<std::pair<std::string, std::string>> sorted(map.begin(), map.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

class DataflowBuilder {
 public:
  explicit DataflowBuilder(const inference::ModelConfig& config) : config_(config) {
    graph_.name = config.name();
    graph_.max_inflight_requests = config.ensemble_scheduling().max_inflight_requests();
  }

  Result<EnsembleGraph> Build() {
    for (const auto& input : config_.input()) {
      const size_t slot = SlotFor(input.name());
      producer_[slot] = kEnsembleInput;
      graph_.input_slots.push_back(slot);
    }
    for (int i = 0; i < config_.ensemble_scheduling().step_size(); ++i) {
      RETURN_IF_ERROR(AddStep(static_cast<size_t>(i), config_.ensemble_scheduling().step(i)));
    }
    RETURN_IF_ERROR(AddOutputs());
    RETURN_IF_ERROR(CheckEveryReadTensorIsProduced());
    RETURN_IF_ERROR(CheckEveryTensorIsUsed());
    RETURN_IF_ERROR(CheckNoCycle());
    return std::move(graph_);
  }

 private:
  size_t SlotFor(const std::string& tensor) {
    auto [it, inserted] = slots_.try_emplace(tensor, graph_.tensors.size());
    if (inserted) {
      graph_.tensors.push_back(tensor);
      graph_.consumers.emplace_back();
      producer_.push_back(kNoProducer);
    }
    return it->second;
  }

  Status AddStep(size_t index, const inference::ModelEnsembling::Step& config_step) {
    EnsembleStep step;
    step.model_name = config_step.model_name();
    step.model_version = config_step.model_version();
    graph_.steps.push_back(step);  // so DescribeStep works in the messages below
    const std::string described = graph_.DescribeStep(index);
    if (step.model_name == config_.name()) {
      return GraphError(graph_.name, "{} uses the ensemble itself, which would never finish", described);
    }
    if (config_step.output_map().empty()) {
      return GraphError(graph_.name, "{} maps no outputs (its output_map is empty), so its work would be lost",
                        described);
    }
    for (const auto& [model_input, tensor] : SortedMap(config_step.input_map())) {
      if (tensor.empty()) {
        return GraphError(graph_.name, "{} maps input '{}' to an empty ensemble tensor name", described, model_input);
      }
      const size_t slot = SlotFor(tensor);
      step.inputs.push_back({model_input, slot});
      graph_.consumers[slot].push_back(index);
    }
    for (const auto& [model_output, tensor] : SortedMap(config_step.output_map())) {
      if (tensor.empty()) {
        return GraphError(graph_.name, "{} maps output '{}' to an empty ensemble tensor name", described,
                          model_output);
      }
      const size_t slot = SlotFor(tensor);
      if (producer_[slot] == kEnsembleInput) {
        return GraphError(graph_.name,
                          "ensemble tensor '{}' is an input of the ensemble, so {} cannot also produce it "
                          "(from its output '{}')",
                          tensor, described, model_output);
      }
      if (producer_[slot] != kNoProducer) {
        return GraphError(graph_.name,
                          "ensemble tensor '{}' is produced by both {} and {} (output '{}'); each tensor needs "
                          "exactly one producer",
                          tensor, graph_.DescribeStep(producer_[slot]), described, model_output);
      }
      producer_[slot] = index;
      step.outputs.push_back({model_output, slot});
    }
    graph_.steps.back() = std::move(step);
    return Status::Ok();
  }

  Status AddOutputs() {
    for (const auto& output : config_.output()) {
      const size_t slot = SlotFor(output.name());
      if (producer_[slot] == kEnsembleInput) {
        return GraphError(graph_.name,
                          "ensemble output '{}' is also an ensemble input; an output must be produced by a step",
                          output.name());
      }
      if (producer_[slot] == kNoProducer) {
        return GraphError(graph_.name, "ensemble output '{}' is produced by no step (no output_map value names it)",
                          output.name());
      }
      graph_.output_slots.push_back(slot);
    }
    return Status::Ok();
  }

  Status CheckEveryReadTensorIsProduced() const {
    for (size_t i = 0; i < graph_.steps.size(); ++i) {
      for (const StepTensor& input : graph_.steps[i].inputs) {
        if (producer_[input.slot] != kNoProducer) continue;
        return GraphError(graph_.name,
                          "{} reads ensemble tensor '{}' (into its input '{}'), which is neither an ensemble "
                          "input nor produced by any step",
                          graph_.DescribeStep(i), graph_.tensors[input.slot], input.model_tensor);
      }
    }
    return Status::Ok();
  }

  Status CheckEveryTensorIsUsed() const {
    for (size_t slot : graph_.input_slots) {
      if (graph_.consumers[slot].empty()) {
        return GraphError(graph_.name, "ensemble input '{}' is read by no step (no input_map value names it)",
                          graph_.tensors[slot]);
      }
    }
    const std::set<size_t> outputs(graph_.output_slots.begin(), graph_.output_slots.end());
    for (size_t i = 0; i < graph_.steps.size(); ++i) {
      for (const StepTensor& output : graph_.steps[i].outputs) {
        if (!graph_.consumers[output.slot].empty() || outputs.contains(output.slot)) continue;
        return GraphError(graph_.name,
                          "ensemble tensor '{}' (output '{}' of {}) is read by no step and is not an ensemble "
                          "output",
                          graph_.tensors[output.slot], output.model_tensor, graph_.DescribeStep(i));
      }
    }
    return Status::Ok();
  }

  // Runs the graph on paper (Kahn's algorithm): a step that never gets all
  // its inputs waits, directly or not, on its own output.
  Status CheckNoCycle() const {
    std::vector<size_t> missing(graph_.steps.size());
    std::vector<bool> available(graph_.tensors.size(), false);
    for (size_t i = 0; i < graph_.steps.size(); ++i) missing[i] = graph_.steps[i].inputs.size();
    std::deque<size_t> runnable;
    for (size_t i = 0; i < graph_.steps.size(); ++i) {
      if (missing[i] == 0) runnable.push_back(i);
    }
    auto make_available = [&](size_t slot) {
      available[slot] = true;
      for (size_t consumer : graph_.consumers[slot]) {
        if (--missing[consumer] == 0) runnable.push_back(consumer);
      }
    };
    for (size_t slot : graph_.input_slots) make_available(slot);
    size_t ran = 0;
    while (!runnable.empty()) {
      const size_t step = runnable.front();
      runnable.pop_front();
      ++ran;
      for (const StepTensor& output : graph_.steps[step].outputs) make_available(output.slot);
    }
    if (ran == graph_.steps.size()) return Status::Ok();

    std::vector<std::string> stuck;
    for (size_t i = 0; i < graph_.steps.size(); ++i) {
      if (missing[i] == 0) continue;
      for (const StepTensor& input : graph_.steps[i].inputs) {
        if (available[input.slot]) continue;
        stuck.push_back(fmt::format("{} waits for '{}'", graph_.DescribeStep(i), graph_.tensors[input.slot]));
        break;
      }
    }
    return GraphError(graph_.name, "steps wait on each other's outputs in a cycle and can never run: {}",
                      fmt::join(stuck, ", "));
  }

  const inference::ModelConfig& config_;
  EnsembleGraph graph_;
  std::map<std::string, size_t, std::less<>> slots_;
  std::vector<size_t> producer_;  // per slot: a step index, kEnsembleInput or kNoProducer
};

}  // namespace

std::string EnsembleGraph::DescribeStep(size_t step) const {
  return fmt::format("step {} (model '{}')", step + 1, step < steps.size() ? steps[step].model_name : "?");
}

Result<EnsembleGraph> BuildEnsembleDataflow(const inference::ModelConfig& ensemble) {
  if (ensemble.ensemble_scheduling().step().empty()) {
    return GraphError(ensemble.name(), "ensemble_scheduling lists no step");
  }
  if (ensemble.input().empty() || ensemble.output().empty()) {
    return GraphError(ensemble.name(), "an ensemble needs at least one input and one output, got {} and {}",
                      ensemble.input_size(), ensemble.output_size());
  }
  return DataflowBuilder(ensemble).Build();
}

Result<std::shared_ptr<const EnsembleGraph>> BuildEnsembleGraph(const inference::ModelConfig& ensemble,
                                                                const ComposingConfigLookup& lookup) {
  ASSIGN_OR_RETURN(EnsembleGraph graph, BuildEnsembleDataflow(ensemble));
  RETURN_IF_ERROR(CheckComposingModels(ensemble, graph, lookup));
  return std::shared_ptr<const EnsembleGraph>(std::make_shared<EnsembleGraph>(std::move(graph)));
}

}  // namespace inferd
