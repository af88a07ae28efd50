#include "config/normalize.h"

#include <array>
#include <cstdint>
#include <string>

#include "config/config_error.h"
#include "config/validate_scheduling.h"
#include "config/validate_tensors.h"

namespace inferd::config {
namespace {

// Triton's known platform/backend pairs and the file each loads by default.
// An empty platform means the backend has no platform name.
struct KnownBackend {
  std::string_view platform;
  std::string_view backend;
  std::string_view default_model_filename;
};

constexpr std::array<KnownBackend, 7> kKnownBackends{{
    {kOnnxRuntimePlatform, kOnnxRuntimeBackend, "model.onnx"},
    {"pytorch_libtorch", "pytorch", "model.pt"},
    {"tensorrt_plan", "tensorrt", "model.plan"},
    {"tensorflow_graphdef", "tensorflow", "model.graphdef"},
    {"tensorflow_savedmodel", "tensorflow", "model.savedmodel"},
    {"", "python", "model.py"},
    {"", "openvino", "model.xml"},
}};

constexpr uint64_t kDefaultSequenceIdleMicroseconds = 1'000'000;

const KnownBackend* FindByPlatform(std::string_view platform) {
  for (const auto& known : kKnownBackends) {
    if (!known.platform.empty() && known.platform == platform) return &known;
  }
  return nullptr;
}

// The platform a backend implies; nullptr for unknown backends and for
// backends with several platforms (tensorflow), where the user must choose.
const KnownBackend* FindUniqueByBackend(std::string_view backend) {
  const KnownBackend* found = nullptr;
  for (const auto& known : kKnownBackends) {
    if (known.backend != backend) continue;
    if (found != nullptr) return nullptr;
    found = &known;
  }
  return found;
}

bool IsKnownBackend(std::string_view backend) {
  for (const auto& known : kKnownBackends) {
    if (known.backend == backend) return true;
  }
  return false;
}

Status NormalizeName(std::string_view folder_name, inference::ModelConfig* config) {
  if (config->name().empty()) {
    config->set_name(std::string(folder_name));
  } else if (config->name() != folder_name) {
    return Status::InvalidArgument(
        fmt::format("model in folder '{}': config names the model '{}'; the name must match the folder name "
                    "(or be left out)",
                    folder_name, config->name()));
  }
  return Status::Ok();
}

Status NormalizeEnsembleBackend(inference::ModelConfig* config) {
  if (config->backend() == kEnsemblePlatform) {
    if (!config->platform().empty() && config->platform() != kEnsemblePlatform) {
      return ConfigError(*config, "backend 'ensemble' conflicts with platform '{}'", config->platform());
    }
    config->set_platform(std::string(kEnsemblePlatform));
    config->clear_backend();
  }
  if (config->platform() == kEnsemblePlatform && !config->backend().empty()) {
    return ConfigError(*config, "platform 'ensemble' takes no backend, got backend '{}'", config->backend());
  }
  return Status::Ok();
}

Status NormalizePlatformAndBackend(inference::ModelConfig* config) {
  RETURN_IF_ERROR(NormalizeEnsembleBackend(config));
  if (!HasBackend(*config)) {
    return ConfigError(*config, "config sets neither platform nor backend");
  }
  if (IsEnsemble(*config)) return Status::Ok();

  // Copies: the setters below may replace the strings these would refer to.
  const std::string platform = config->platform();
  const std::string backend = config->backend();
  const KnownBackend* by_platform = FindByPlatform(platform);
  if (!platform.empty() && by_platform == nullptr) {
    // A custom backend may use any platform string (as in Triton), but a
    // platform alone must be one we can map to a backend.
    if (backend.empty()) {
      return ConfigError(*config, "unknown platform '{}'; set 'backend' to choose the backend", platform);
    }
    if (IsKnownBackend(backend)) {
      return ConfigError(*config, "backend '{}' does not run platform '{}'", backend, platform);
    }
  }
  if (by_platform != nullptr) {
    if (backend.empty()) {
      config->set_backend(std::string(by_platform->backend));
    } else if (backend != by_platform->backend && IsKnownBackend(backend)) {
      return ConfigError(*config, "platform '{}' needs backend '{}', got backend '{}'", platform,
                         by_platform->backend, backend);
    }
  }
  if (platform.empty()) {
    if (const KnownBackend* by_backend = FindUniqueByBackend(config->backend()); by_backend != nullptr) {
      config->set_platform(std::string(by_backend->platform));
    }
  }

  if (config->default_model_filename().empty()) {
    const KnownBackend* known = FindByPlatform(config->platform());
    if (known == nullptr) known = FindUniqueByBackend(config->backend());
    if (known != nullptr) config->set_default_model_filename(std::string(known->default_model_filename));
  }
  return Status::Ok();
}

Status NormalizeVersionPolicy(inference::ModelConfig* config) {
  if (!config->has_version_policy() ||
      config->version_policy().policy_choice_case() == inference::ModelVersionPolicy::POLICY_CHOICE_NOT_SET) {
    config->mutable_version_policy()->mutable_latest()->set_num_versions(1);
  }
  const inference::ModelVersionPolicy& policy = config->version_policy();
  if (policy.has_latest() && policy.latest().num_versions() == 0) {
    return ConfigError(*config, "version_policy.latest.num_versions must be >= 1, got 0");
  }
  for (int64_t version : policy.specific().versions()) {
    if (version < 0) {
      return ConfigError(*config, "version_policy.specific.versions must be >= 0, got {}", version);
    }
  }
  return Status::Ok();
}

Status NormalizeInstanceGroups(inference::ModelConfig* config) {
  if (IsEnsemble(*config)) return Status::Ok();  // steps' models own their instances
  if (config->instance_group().empty()) {
    inference::ModelInstanceGroup* group = config->add_instance_group();
    group->set_name(config->name());
    group->set_kind(inference::ModelInstanceGroup::KIND_CPU);
    group->set_count(1);
  }

  for (int i = 0; i < config->instance_group_size(); ++i) {
    inference::ModelInstanceGroup* group = config->mutable_instance_group(i);
    if (group->name().empty()) group->set_name(fmt::format("{}_{}", config->name(), i));
    if (group->count() < 1) group->set_count(1);
    if (group->kind() == inference::ModelInstanceGroup::KIND_AUTO) {
      group->set_kind(group->gpus().empty() ? inference::ModelInstanceGroup::KIND_CPU
                                            : inference::ModelInstanceGroup::KIND_GPU);
    }

    const bool takes_gpus = group->kind() == inference::ModelInstanceGroup::KIND_GPU;
    if (!takes_gpus && !group->gpus().empty()) {
      return ConfigError(*config, "instance_group '{}' has kind {} but lists gpus", group->name(),
                         inference::ModelInstanceGroup::Kind_Name(group->kind()));
    }
    for (int32_t gpu : group->gpus()) {
      if (gpu < 0) {
        return ConfigError(*config, "instance_group '{}' lists gpu {}; GPU ids are >= 0", group->name(), gpu);
      }
    }
    if (!group->profile().empty() && config->platform() != "tensorrt_plan") {
      return ConfigError(*config, "instance_group '{}' sets 'profile', which only TensorRT models support",
                         group->name());
    }
  }
  return Status::Ok();
}

void FillSchedulingDefaults(inference::ModelConfig* config) {
  // Triton's defaults: with no preferred sizes, the batcher aims for full
  // batches; an idle sequence is dropped after one second.
  const int32_t max_batch_size = config->max_batch_size();
  if (config->has_dynamic_batching() && config->dynamic_batching().preferred_batch_size().empty() &&
      max_batch_size > 0) {
    config->mutable_dynamic_batching()->add_preferred_batch_size(max_batch_size);
  }
  if (config->has_sequence_batching()) {
    inference::ModelSequenceBatching* batching = config->mutable_sequence_batching();
    if (batching->max_sequence_idle_microseconds() == 0) {
      batching->set_max_sequence_idle_microseconds(kDefaultSequenceIdleMicroseconds);
    }
    if (batching->has_oldest() && batching->oldest().preferred_batch_size().empty() && max_batch_size > 0) {
      batching->mutable_oldest()->add_preferred_batch_size(max_batch_size);
    }
  }
  if (!IsEnsemble(*config)) {
    inference::ModelOptimizationPolicy* optimization = config->mutable_optimization();
    if (!optimization->has_input_pinned_memory()) optimization->mutable_input_pinned_memory()->set_enable(true);
    if (!optimization->has_output_pinned_memory()) optimization->mutable_output_pinned_memory()->set_enable(true);
  }
}

}  // namespace

bool HasBackend(const inference::ModelConfig& config) {
  return !config.platform().empty() || !config.backend().empty();
}

bool IsEnsemble(const inference::ModelConfig& config) { return config.platform() == kEnsemblePlatform; }

Status NormalizeModelConfig(std::string_view folder_name, inference::ModelConfig* config) {
  RETURN_IF_ERROR(NormalizeName(folder_name, config));
  RETURN_IF_ERROR(NormalizePlatformAndBackend(config));
  if (config->max_batch_size() < 0) {
    return ConfigError(*config, "max_batch_size must be >= 0, got {}", config->max_batch_size());
  }
  RETURN_IF_ERROR(NormalizeVersionPolicy(config));
  // Ensemble checks come before defaults so that "an ensemble cannot set
  // optimization" is about what the user wrote, not what we filled in.
  RETURN_IF_ERROR(ValidateEnsembleScheduling(*config));
  RETURN_IF_ERROR(NormalizeInstanceGroups(config));
  FillSchedulingDefaults(config);
  RETURN_IF_ERROR(ValidateTensors(*config));
  RETURN_IF_ERROR(ValidateDynamicBatching(*config));
  RETURN_IF_ERROR(ValidateSequenceBatching(*config));
  if (config->model_transaction_policy().decoupled() && config->response_cache().enable()) {
    return ConfigError(*config, "response_cache cannot be enabled for a decoupled model");
  }
  return Status::Ok();
}

}  // namespace inferd::config
