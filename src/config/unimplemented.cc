#include "config/unimplemented.h"

#include <algorithm>
#include <array>

namespace inferd::config {
namespace {

using Config = inference::ModelConfig;

template <typename Items, typename Predicate>
bool AnyOf(const Items& items, Predicate predicate) {
  return std::any_of(items.begin(), items.end(), predicate);
}

struct FieldRow {
  std::string_view name;
  bool changes_results;
  std::string_view instead;
  bool (*is_set)(const Config&);
};

constexpr bool kChangesResults = true;
constexpr bool kTuningOnly = false;

// One row per field not implemented yet: delete the row when it lands.
// optimization.graph is read by the ONNX Runtime backend; pinned memory only
// matters for GPU copies and is filled in by Normalize.
constexpr std::array kUnimplemented = {
    FieldRow{"sequence_batching", kChangesResults, "requests would reach the model without sequence control inputs",
             [](const Config& c) { return c.has_sequence_batching(); }},
    FieldRow{"model_transaction_policy.decoupled", kChangesResults,
             "only Python models can be decoupled in inferd; this one would have to answer each request with exactly "
             "one response",
             [](const Config& c) { return c.model_transaction_policy().decoupled() && c.backend() != "python"; }},
    FieldRow{"batch_input", kChangesResults, "the batch inputs would not be generated",
             [](const Config& c) { return c.batch_input_size() > 0; }},
    FieldRow{"batch_output", kChangesResults, "the batch outputs would not be scattered",
             [](const Config& c) { return c.batch_output_size() > 0; }},
    FieldRow{"input.allow_ragged_batch", kChangesResults, "ragged inputs would not be batched",
             [](const Config& c) { return AnyOf(c.input(), [](const auto& i) { return i.allow_ragged_batch(); }); }},
    FieldRow{"optimization.cuda", kChangesResults, "inferd runs models on CPU without CUDA graphs or CUDA options",
             [](const Config& c) { return c.optimization().has_cuda(); }},
    FieldRow{"optimization.execution_accelerators", kChangesResults,
             "the model would run on ONNX Runtime's CPU provider instead of the accelerators it names",
             [](const Config& c) { return c.optimization().has_execution_accelerators(); }},
    FieldRow{"model_operations", kChangesResults, "the custom operation libraries would not be loaded",
             [](const Config& c) { return c.model_operations().op_library_filename_size() > 0; }},
    FieldRow{"model_repository_agents", kChangesResults, "the repository agents would not run on the model files",
             [](const Config& c) { return c.model_repository_agents().agents_size() > 0; }},
    FieldRow{"runtime", kChangesResults, "the backend's default runtime library would run the model",
             [](const Config& c) { return !c.runtime().empty(); }},
    FieldRow{"ensemble_scheduling.step.model_namespace", kChangesResults,
             "steps would resolve models by name in the one global namespace",
             [](const Config& c) {
               return AnyOf(c.ensemble_scheduling().step(), [](const auto& s) { return !s.model_namespace().empty(); });
             }},
    FieldRow{"optimization.priority", kTuningOnly, "instances run at the default priority",
             [](const Config& c) { return c.optimization().priority() != 0; }},
    FieldRow{"optimization.gather_kernel_buffer_threshold", kTuningOnly, "inputs are gathered on the CPU",
             [](const Config& c) { return c.optimization().gather_kernel_buffer_threshold() != 0; }},
    FieldRow{"optimization.eager_batching", kTuningOnly, "batches form as the dynamic batcher decides",
             [](const Config& c) { return c.optimization().eager_batching(); }},
    FieldRow{"response_cache", kTuningOnly, "every request runs the model; nothing is cached",
             [](const Config& c) { return c.response_cache().enable(); }},
    FieldRow{"model_metrics", kTuningOnly, "metrics keep their default buckets",
             [](const Config& c) { return c.model_metrics().metric_control_size() > 0; }},
    FieldRow{"cc_model_filenames", kTuningOnly, "inferd runs on CPU and loads default_model_filename",
             [](const Config& c) { return !c.cc_model_filenames().empty(); }},
    FieldRow{"metric_tags", kTuningOnly, "metrics carry no extra labels",
             [](const Config& c) { return !c.metric_tags().empty(); }},
    FieldRow{"instance_group.rate_limiter", kTuningOnly, "instances run without a rate limiter",
             [](const Config& c) {
               return AnyOf(c.instance_group(), [](const auto& g) { return g.has_rate_limiter(); });
             }},
    FieldRow{"instance_group.secondary_devices", kTuningOnly, "no secondary devices are reserved",
             [](const Config& c) {
               return AnyOf(c.instance_group(), [](const auto& g) { return g.secondary_devices_size() > 0; });
             }},
    FieldRow{"instance_group.passive", kTuningOnly, "passive instances take requests like the others",
             [](const Config& c) { return AnyOf(c.instance_group(), [](const auto& g) { return g.passive(); }); }},
    FieldRow{"instance_group.host_policy", kTuningOnly, "instances use the default host policy",
             [](const Config& c) {
               return AnyOf(c.instance_group(), [](const auto& g) { return !g.host_policy().empty(); });
             }},
};

}  // namespace

std::vector<UnimplementedField> UnimplementedFields(const inference::ModelConfig& config) {
  std::vector<UnimplementedField> fields;
  for (const FieldRow& row : kUnimplemented) {
    if (row.is_set(config)) fields.push_back({std::string(row.name), row.changes_results, row.instead});
  }
  return fields;
}

}  // namespace inferd::config
