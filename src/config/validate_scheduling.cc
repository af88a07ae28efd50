#include "config/validate_scheduling.h"

#include <set>
#include <string>

#include "config/config_error.h"

namespace inferd::config {
namespace {

using Control = inference::ModelSequenceBatching::Control;

Status CheckPreferredBatchSizes(const inference::ModelConfig& config, std::string_view section,
                                const google::protobuf::RepeatedField<int32_t>& sizes) {
  for (int32_t size : sizes) {
    if (size <= 0 || size > config.max_batch_size()) {
      return ConfigError(config, "{}.preferred_batch_size {} must be between 1 and max_batch_size ({})", section,
                         size, config.max_batch_size());
    }
  }
  return Status::Ok();
}

// START, END and READY controls carry a false/true pair of one type.
Status CheckBooleanControl(const inference::ModelConfig& config, const std::string& tensor, const Control& control) {
  const std::string_view kind = Control::Kind_Name(control.kind());
  const int lists = (control.int32_false_true_size() > 0) + (control.fp32_false_true_size() > 0) +
                    (control.bool_false_true_size() > 0);
  if (lists != 1) {
    return ConfigError(config,
                       "sequence_batching control {} on tensor '{}' must set exactly one of int32_false_true, "
                       "fp32_false_true or bool_false_true, got {}",
                       kind, tensor, lists);
  }
  const int entries =
      control.int32_false_true_size() + control.fp32_false_true_size() + control.bool_false_true_size();
  if (entries != 2) {
    return ConfigError(config,
                       "sequence_batching control {} on tensor '{}' needs 2 values (false, then true), got {}", kind,
                       tensor, entries);
  }
  return Status::Ok();
}

Status CheckCorrelationIdControl(const inference::ModelConfig& config, const std::string& tensor,
                                 const Control& control) {
  if (control.int32_false_true_size() > 0 || control.fp32_false_true_size() > 0 ||
      control.bool_false_true_size() > 0) {
    return ConfigError(config, "sequence_batching control CONTROL_SEQUENCE_CORRID on tensor '{}' takes no "
                       "false/true values", tensor);
  }
  switch (control.data_type()) {
    case inference::TYPE_UINT64:
    case inference::TYPE_INT64:
    case inference::TYPE_UINT32:
    case inference::TYPE_INT32:
    case inference::TYPE_STRING:
      return Status::Ok();
    default:
      return ConfigError(config,
                         "sequence_batching control CONTROL_SEQUENCE_CORRID on tensor '{}' needs data_type "
                         "TYPE_UINT64, TYPE_INT64, TYPE_UINT32, TYPE_INT32 or TYPE_STRING, got {}",
                         tensor, inference::DataType_Name(control.data_type()));
  }
}

}  // namespace

Status ValidateDynamicBatching(const inference::ModelConfig& config) {
  if (!config.has_dynamic_batching()) return Status::Ok();
  const inference::ModelDynamicBatching& batching = config.dynamic_batching();
  if (config.max_batch_size() <= 0) {
    return ConfigError(config, "dynamic_batching needs max_batch_size > 0, got {}", config.max_batch_size());
  }
  RETURN_IF_ERROR(CheckPreferredBatchSizes(config, "dynamic_batching", batching.preferred_batch_size()));

  // Without priority_levels the priority settings are ignored, as in Triton.
  const uint64_t levels = batching.priority_levels();
  if (levels != 0) {
    if (batching.default_priority_level() == 0 || batching.default_priority_level() > levels) {
      return ConfigError(config, "dynamic_batching.default_priority_level must be between 1 and {}, got {}", levels,
                         batching.default_priority_level());
    }
    for (const auto& [level, policy] : batching.priority_queue_policy()) {
      if (level == 0 || level > levels) {
        return ConfigError(config,
                           "dynamic_batching.priority_queue_policy level {} must be between 1 and "
                           "priority_levels ({})",
                           level, levels);
      }
    }
  }

  // preserve_ordering combines with priorities and DELAY timeouts, as in
  // Triton: responses leave in the order their requests left the queue.
  return Status::Ok();
}

Status ValidateSequenceBatching(const inference::ModelConfig& config) {
  if (!config.has_sequence_batching()) return Status::Ok();
  const inference::ModelSequenceBatching& batching = config.sequence_batching();
  if (config.response_cache().enable()) {
    return ConfigError(config, "response_cache cannot be enabled together with sequence_batching");
  }

  std::set<std::string> control_tensors;
  std::set<int> control_kinds;
  for (const auto& input : batching.control_input()) {
    if (input.name().empty()) {
      return ConfigError(config, "sequence_batching.control_input has an entry without a name");
    }
    if (!control_tensors.insert(input.name()).second) {
      return ConfigError(config, "sequence_batching.control_input lists tensor '{}' twice", input.name());
    }
    for (const Control& control : input.control()) {
      if (!control_kinds.insert(control.kind()).second) {
        return ConfigError(config, "sequence_batching sets control {} more than once",
                           Control::Kind_Name(control.kind()));
      }
      if (control.kind() == Control::CONTROL_SEQUENCE_CORRID) {
        RETURN_IF_ERROR(CheckCorrelationIdControl(config, input.name(), control));
      } else {
        RETURN_IF_ERROR(CheckBooleanControl(config, input.name(), control));
      }
    }
  }

  if (batching.has_oldest()) {
    RETURN_IF_ERROR(
        CheckPreferredBatchSizes(config, "sequence_batching.oldest", batching.oldest().preferred_batch_size()));
  }
  if (batching.has_direct()) {
    const float utilization = batching.direct().minimum_slot_utilization();
    if (utilization < 0.0f || utilization > 1.0f) {
      return ConfigError(config, "sequence_batching.direct.minimum_slot_utilization must be in [0, 1], got {}",
                         utilization);
    }
  }
  return Status::Ok();
}

Status ValidateEnsembleScheduling(const inference::ModelConfig& config) {
  const bool ensemble_platform = config.platform() == "ensemble";
  if (ensemble_platform && !config.has_ensemble_scheduling()) {
    return ConfigError(config, "platform 'ensemble' needs an ensemble_scheduling section");
  }
  if (!ensemble_platform && config.has_ensemble_scheduling()) {
    return ConfigError(config, "ensemble_scheduling needs platform 'ensemble', got platform '{}'", config.platform());
  }
  if (!ensemble_platform) return Status::Ok();

  const inference::ModelEnsembling& ensemble = config.ensemble_scheduling();
  if (ensemble.step().empty()) {
    return ConfigError(config, "ensemble_scheduling lists no step");
  }
  for (int i = 0; i < ensemble.step_size(); ++i) {
    if (ensemble.step(i).model_name().empty()) {
      return ConfigError(config, "ensemble_scheduling.step[{}] does not name a model (model_name)", i);
    }
  }
  if (config.instance_group_size() != 0) {
    return ConfigError(config, "an ensemble cannot set instance_group; each step's model has its own");
  }
  if (config.has_optimization()) {
    return ConfigError(config, "an ensemble cannot set optimization; each step's model has its own");
  }
  if (config.model_warmup_size() != 0) {
    return ConfigError(config, "an ensemble cannot set model_warmup");
  }
  return Status::Ok();
}

}  // namespace inferd::config
