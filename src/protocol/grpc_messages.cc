#include "protocol/grpc_messages.h"

#include <cstdint>
#include <limits>
#include <variant>

#include <fmt/format.h>

namespace inferd::protocol {
namespace {

void FillDuration(const DurationStat& stat, inference::StatisticDuration* duration) {
  duration->set_count(stat.count);
  duration->set_ns(stat.ns);
}

void FillTensorMetadata(const std::vector<TensorMetadata>& tensors,
                        google::protobuf::RepeatedPtrField<inference::ModelMetadataResponse::TensorMetadata>* target) {
  target->Reserve(static_cast<int>(tensors.size()));
  for (const TensorMetadata& tensor : tensors) {
    inference::ModelMetadataResponse::TensorMetadata* entry = target->Add();
    entry->set_name(tensor.name);
    entry->set_datatype(tensor.datatype);
    entry->mutable_shape()->Add(tensor.shape.begin(), tensor.shape.end());
  }
}

}  // namespace

Status ReadGrpcParameters(const GrpcParameterMap& source, std::string_view model_name, std::string_view owner,
                          Parameters* parameters) {
  for (const auto& [key, value] : source) {
    using Choice = inference::InferParameter::ParameterChoiceCase;
    switch (value.parameter_choice_case()) {
      case Choice::kBoolParam: parameters->insert_or_assign(key, value.bool_param()); break;
      case Choice::kInt64Param: parameters->insert_or_assign(key, value.int64_param()); break;
      case Choice::kDoubleParam: parameters->insert_or_assign(key, value.double_param()); break;
      case Choice::kStringParam: parameters->insert_or_assign(key, value.string_param()); break;
      case Choice::kUint64Param:
        // tritonclient sends "priority" as uint64; the core keeps int64.
        if (value.uint64_param() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return Status::InvalidArgument(fmt::format("model '{}': parameter \"{}\" of {} is {}, beyond the int64 range",
                                                     model_name, key, owner, value.uint64_param()));
        }
        parameters->insert_or_assign(key, static_cast<int64_t>(value.uint64_param()));
        break;
      case Choice::PARAMETER_CHOICE_NOT_SET:
        return Status::InvalidArgument(fmt::format(
            "model '{}': parameter \"{}\" of {} has no value (expected a bool, int64, uint64, double or string)",
            model_name, key, owner));
    }
  }
  return Status::Ok();
}

void WriteGrpcParameters(const Parameters& parameters, GrpcParameterMap* target) {
  for (const auto& [key, value] : parameters) {
    inference::InferParameter& parameter = (*target)[key];
    std::visit(
        [&parameter](const auto& held) {
          using T = std::decay_t<decltype(held)>;
          if constexpr (std::is_same_v<T, bool>) {
            parameter.set_bool_param(held);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            parameter.set_int64_param(held);
          } else if constexpr (std::is_same_v<T, double>) {
            parameter.set_double_param(held);
          } else {
            parameter.set_string_param(held);
          }
        },
        value);
  }
}

void FillServerMetadata(const std::string& name, const std::string& version,
                        const std::vector<std::string>& extensions, inference::ServerMetadataResponse* response) {
  response->set_name(name);
  response->set_version(version);
  response->mutable_extensions()->Add(extensions.begin(), extensions.end());
}

void FillModelMetadata(const ModelMetadata& metadata, inference::ModelMetadataResponse* response) {
  response->set_name(metadata.name);
  response->mutable_versions()->Add(metadata.versions.begin(), metadata.versions.end());
  response->set_platform(metadata.platform);
  FillTensorMetadata(metadata.inputs, response->mutable_inputs());
  FillTensorMetadata(metadata.outputs, response->mutable_outputs());
}

void FillRepositoryIndex(const std::vector<ModelIndexEntry>& entries, inference::RepositoryIndexResponse* response) {
  response->mutable_models()->Reserve(static_cast<int>(entries.size()));
  for (const ModelIndexEntry& entry : entries) {
    inference::RepositoryIndexResponse::ModelIndex* model = response->add_models();
    model->set_name(entry.name);
    model->set_version(entry.version);
    model->set_state(entry.state);
    model->set_reason(entry.reason);
  }
}

void FillModelStatistics(const std::vector<ModelStatisticsSnapshot>& stats,
                         inference::ModelStatisticsResponse* response) {
  response->mutable_model_stats()->Reserve(static_cast<int>(stats.size()));
  for (const ModelStatisticsSnapshot& stat : stats) {
    inference::ModelStatistics* model = response->add_model_stats();
    model->set_name(stat.name);
    model->set_version(std::to_string(stat.version));
    model->set_last_inference(stat.last_inference_ms);
    model->set_inference_count(stat.inference_count);
    model->set_execution_count(stat.execution_count);
    inference::InferStatistics* infer = model->mutable_inference_stats();
    FillDuration(stat.success, infer->mutable_success());
    FillDuration(stat.fail, infer->mutable_fail());
    FillDuration(stat.queue, infer->mutable_queue());
    FillDuration(stat.compute_input, infer->mutable_compute_input());
    FillDuration(stat.compute_infer, infer->mutable_compute_infer());
    FillDuration(stat.compute_output, infer->mutable_compute_output());
    FillDuration(stat.cache_hit, infer->mutable_cache_hit());
    FillDuration(stat.cache_miss, infer->mutable_cache_miss());
    for (const BatchStat& batch : stat.batch_stats) {
      inference::InferBatchStatistics* entry = model->add_batch_stats();
      entry->set_batch_size(batch.batch_size);
      FillDuration(batch.compute_input, entry->mutable_compute_input());
      FillDuration(batch.compute_infer, entry->mutable_compute_infer());
      FillDuration(batch.compute_output, entry->mutable_compute_output());
    }
  }
}

}  // namespace inferd::protocol
