#include "config/unimplemented.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace inferd::config {
namespace {

using Config = inference::ModelConfig;

// Whether any input/output/instance group satisfies `predicate`.
template <typename Items, typename Predicate>
bool AnyOf(const Items& items, Predicate predicate) {
  return std::any_of(items.begin(), items.end(), predicate);
}

struct UnimplementedField {
  std::string_view name;
  bool (*is_set)(const Config&);
};

// One row per feature not implemented yet: delete the row when it lands.
constexpr std::array kUnimplemented = {
    UnimplementedField{"sequence_batching", [](const Config& c) { return c.has_sequence_batching(); }},
    // optimization.graph is read by the ONNX Runtime backend; pinned memory
    // only matters for GPU copies and is filled in by Normalize.
    UnimplementedField{"optimization.priority", [](const Config& c) { return c.optimization().priority() != 0; }},
    UnimplementedField{"optimization.cuda", [](const Config& c) { return c.optimization().has_cuda(); }},
    UnimplementedField{"optimization.execution_accelerators",
                       [](const Config& c) { return c.optimization().has_execution_accelerators(); }},
    UnimplementedField{"optimization.gather_kernel_buffer_threshold",
                       [](const Config& c) { return c.optimization().gather_kernel_buffer_threshold() != 0; }},
    UnimplementedField{"optimization.eager_batching",
                       [](const Config& c) { return c.optimization().eager_batching(); }},
    UnimplementedField{"model_warmup", [](const Config& c) { return c.model_warmup_size() > 0; }},
    UnimplementedField{"response_cache", [](const Config& c) { return c.response_cache().enable(); }},
    UnimplementedField{"model_transaction_policy",
                       [](const Config& c) { return c.model_transaction_policy().decoupled(); }},
    UnimplementedField{"model_repository_agents",
                       [](const Config& c) { return c.model_repository_agents().agents_size() > 0; }},
    UnimplementedField{"model_operations",
                       [](const Config& c) { return c.model_operations().op_library_filename_size() > 0; }},
    UnimplementedField{"model_metrics", [](const Config& c) { return c.model_metrics().metric_control_size() > 0; }},
    UnimplementedField{"batch_input", [](const Config& c) { return c.batch_input_size() > 0; }},
    UnimplementedField{"batch_output", [](const Config& c) { return c.batch_output_size() > 0; }},
    UnimplementedField{"cc_model_filenames", [](const Config& c) { return !c.cc_model_filenames().empty(); }},
    UnimplementedField{"metric_tags", [](const Config& c) { return !c.metric_tags().empty(); }},
    UnimplementedField{"runtime", [](const Config& c) { return !c.runtime().empty(); }},
    UnimplementedField{"input.allow_ragged_batch",
                       [](const Config& c) {
                         return AnyOf(c.input(), [](const auto& i) { return i.allow_ragged_batch(); });
                       }},
    UnimplementedField{"instance_group.rate_limiter",
                       [](const Config& c) {
                         return AnyOf(c.instance_group(), [](const auto& g) { return g.has_rate_limiter(); });
                       }},
    UnimplementedField{"instance_group.secondary_devices",
                       [](const Config& c) {
                         return AnyOf(c.instance_group(), [](const auto& g) { return g.secondary_devices_size() > 0; });
                       }},
    UnimplementedField{"instance_group.passive",
                       [](const Config& c) {
                         return AnyOf(c.instance_group(), [](const auto& g) { return g.passive(); });
                       }},
    UnimplementedField{"instance_group.host_policy",
                       [](const Config& c) {
                         return AnyOf(c.instance_group(), [](const auto& g) { return !g.host_policy().empty(); });
                       }},
};

}  // namespace

std::vector<std::string> UnimplementedFields(const inference::ModelConfig& config) {
  std::vector<std::string> names;
  for (const auto& field : kUnimplemented) {
    if (field.is_set(config)) names.emplace_back(field.name);
  }
  return names;
}

}  // namespace inferd::config
