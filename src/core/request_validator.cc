#include "core/request_validator.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/bounded_text.h"
#include "config/data_type_conversion.h"

namespace inferd {
namespace {

using ConfigDims = google::protobuf::RepeatedField<int64_t>;

// How many of a request's tensor names a message lists.
constexpr size_t kShownNames = 16;

// The config entry named `name`, or nullptr. Configs have a handful of
// tensors, so a linear scan beats building an index per request.
template <typename ConfigTensor>
const ConfigTensor* FindByName(const google::protobuf::RepeatedPtrField<ConfigTensor>& tensors,
                               std::string_view name) {
  for (const ConfigTensor& tensor : tensors) {
    if (tensor.name() == name) return &tensor;
  }
  return nullptr;
}

template <typename ConfigTensor>
std::string QuotedNames(const google::protobuf::RepeatedPtrField<ConfigTensor>& tensors) {
  std::vector<std::string_view> names;
  names.reserve(tensors.size());
  for (const ConfigTensor& tensor : tensors) names.push_back(tensor.name());
  return names.empty() ? std::string("none") : fmt::format("'{}'", fmt::join(names, "', '"));
}

// The shape a client must send, for messages: dims with a leading -1 standing
// for the batch dimension of batched models ("[-1,16]").
std::string ExpectedShapeString(const ConfigDims& dims, bool batched) {
  return fmt::format("[{}{}]", batched ? (dims.empty() ? "-1" : "-1,") : "", fmt::join(dims, ","));
}

// Whether shape[offset..] matches dims, -1 in dims matching any size.
bool DimsMatch(const Shape& shape, size_t offset, const ConfigDims& dims) {
  if (shape.size() - offset != static_cast<size_t>(dims.size())) return false;
  for (int i = 0; i < dims.size(); ++i) {
    if (dims[i] != -1 && dims[i] != shape[offset + i]) return false;
  }
  return true;
}

// Messages follow Triton's core (infer_request.cc) word for word where
// Triton has one, since clients and scripts match on them; cheap to create,
// formats only when an error is actually returned.
struct InputErrors {
  const std::string& model;
  const std::string& input;

  Status Invalid(std::string_view detail) const {
    return Status::InvalidArgument(fmt::format("input '{}' for model '{}': {}", input, model, detail));
  }
};

constexpr std::string_view kImplicitBatchNote =
    " NOTE: Setting a non-zero max_batch_size in the model config requires a batch dimension to be prepended to "
    "each input shape. If you want to specify the full shape including the batch dim in your input dims config, "
    "try setting max_batch_size to zero. See the model configuration docs for more info on max_batch_size.";

Status ValidateShape(const Tensor& input, const inference::ModelInput& config_input, int32_t max_batch_size,
                     const std::string& model) {
  const bool batched = max_batch_size > 0;
  for (int64_t dim : input.shape) {
    if (dim < 0) {
      return Status::InvalidArgument(fmt::format("All input dimensions should be specified for input '{}' for model "
                                                 "'{}', got {}",
                                                 input.name, model, ShapeToString(input.shape)));
    }
  }
  if (batched && input.shape.empty()) {
    return Status::InvalidArgument(fmt::format("input '{}' has no shape but model requires batch dimension for '{}'",
                                               input.name, model));
  }
  const ConfigDims& dims = config_input.dims();
  const size_t expected_rank = static_cast<size_t>(dims.size()) + (batched ? 1 : 0);
  if (input.shape.size() != expected_rank || !DimsMatch(input.shape, batched ? 1 : 0, dims)) {
    return Status::InvalidArgument(fmt::format("unexpected shape for input '{}' for model '{}'. Expected {}, got {}.{}",
                                               input.name, model, ExpectedShapeString(dims, batched),
                                               ShapeToString(input.shape), batched ? kImplicitBatchNote : ""));
  }
  return Status::Ok();
}

// byte_size must agree with the shape: exactly, for fixed-size types; for
// BYTES, the buffer must walk into exactly as many strings as the shape holds.
Status ValidateByteSize(const Tensor& input, const std::string& model, const InputErrors& errors) {
  const int64_t elements = ElementCount(input.shape);
  if (elements < 0) {
    return errors.Invalid(fmt::format("shape {} holds more elements than can be addressed",
                                      ShapeToString(input.shape)));
  }
  if (input.datatype == DataType::kBytes) {
    Status walked = ForEachBytesElement(input.bytes(), elements, input.name, [](std::string_view) {});
    if (!walked.ok()) return walked.WithPrefix(fmt::format("model '{}'", model));
    return Status::Ok();
  }
  const size_t element_size = DataTypeByteSize(input.datatype);
  if (static_cast<uint64_t>(elements) > std::numeric_limits<size_t>::max() / element_size) {
    return errors.Invalid(fmt::format("shape {} of {} is too large to address", ShapeToString(input.shape),
                                      DataTypeName(input.datatype)));
  }
  const size_t expected_bytes = static_cast<size_t>(elements) * element_size;
  if (input.byte_size != expected_bytes) {
    return Status::InvalidArgument(fmt::format(
        "input byte size mismatch for input '{}' for model '{}'. Expected {}, got {} (shape {} of {})", input.name,
        model, expected_bytes, input.byte_size, ShapeToString(input.shape), DataTypeName(input.datatype)));
  }
  return Status::Ok();
}

Status ValidateMissingInputs(const InferenceRequest& request, const inference::ModelConfig& config) {
  auto is_present = [&request](const std::string& name) {
    for (const Tensor& input : request.inputs) {
      if (input.name == name) return true;
    }
    return false;
  };
  bool any_missing = false;
  for (const inference::ModelInput& config_input : config.input()) {
    if (!config_input.optional() && !is_present(config_input.name())) any_missing = true;
  }
  if (!any_missing) return Status::Ok();

  std::vector<std::string> missing;
  size_t required = 0;
  for (const inference::ModelInput& config_input : config.input()) {
    if (config_input.optional()) continue;
    ++required;
    if (!is_present(config_input.name())) missing.push_back(fmt::format("'{}'", config_input.name()));
  }
  std::vector<std::string> given;
  given.reserve(request.inputs.size());
  for (const Tensor& input : request.inputs) {
    // A request may name any number of inputs of any length; show a few.
    if (given.size() == kShownNames) {
      given.push_back(fmt::format("... ({} in all)", request.inputs.size()));
      break;
    }
    given.push_back(fmt::format("'{}'", Abbreviate(input.name)));
  }
  const std::string expected = required == static_cast<size_t>(config.input_size())
                                   ? fmt::format("expected {} inputs", required)
                                   : fmt::format("expected number of inputs between {} and {}", required,
                                                 config.input_size());
  return Status::InvalidArgument(fmt::format(
      "{} but got {} inputs for model '{}'. Got input(s) [{}], but missing required input(s) [{}]. Please provide "
      "all required input(s).",
      expected, request.inputs.size(), config.name(), fmt::join(given, ","), fmt::join(missing, ",")));
}

Status ValidateRequestedOutputs(const InferenceRequest& request, const inference::ModelConfig& config) {
  for (size_t i = 0; i < request.outputs.size(); ++i) {
    const std::string& name = request.outputs[i].name;
    if (FindByName(config.output(), name) == nullptr) {
      return Status::InvalidArgument(
          fmt::format("unexpected inference output '{}' for model '{}'; the model's outputs are {}", Abbreviate(name),
                      config.name(), QuotedNames(config.output())));
    }
    for (size_t j = 0; j < i; ++j) {
      if (request.outputs[j].name == name) {
        return Status::InvalidArgument(
            fmt::format("output '{}' for model '{}' is requested more than once", name, config.name()));
      }
    }
  }
  return Status::Ok();
}

// The value of an optional non-negative integer parameter; 0 when absent.
Result<uint64_t> ReadCount(const InferenceRequest& request, std::string_view name) {
  auto it = request.parameters.find(name);
  if (it == request.parameters.end()) return uint64_t{0};
  if (const int64_t* value = std::get_if<int64_t>(&it->second); value != nullptr && *value >= 0) {
    return static_cast<uint64_t>(*value);
  }
  // JSON clients may send 5.0 for 5.
  if (const double* value = std::get_if<double>(&it->second);
      value != nullptr && *value >= 0 && *value < 0x1p63 && std::floor(*value) == *value) {
    return static_cast<uint64_t>(*value);
  }
  return Status::InvalidArgument(fmt::format(
      "model '{}': request parameter '{}' must be a non-negative integer", request.model_name, name));
}

}  // namespace

Result<SchedulingParameters> ReadSchedulingParameters(const InferenceRequest& request) {
  SchedulingParameters parameters;
  ASSIGN_OR_RETURN(uint64_t priority, ReadCount(request, "priority"));
  ASSIGN_OR_RETURN(uint64_t timeout, ReadCount(request, "timeout"));
  parameters.priority = priority;
  parameters.timeout_us = timeout;
  return parameters;
}

Result<int64_t> ValidateInferenceRequest(const InferenceRequest& request, const inference::ModelConfig& config) {
  const std::string& model = config.name();
  const int32_t max_batch_size = config.max_batch_size();
  std::optional<int64_t> batch_size;  // set by the first input of a batched model
  const Tensor* batch_source = nullptr;

  for (size_t i = 0; i < request.inputs.size(); ++i) {
    const Tensor& input = request.inputs[i];
    const InputErrors errors{model, input.name};
    const inference::ModelInput* config_input = FindByName(config.input(), input.name);
    if (config_input == nullptr) {
      return Status::InvalidArgument(fmt::format("unexpected inference input '{}' for model '{}'; the model's inputs "
                                                 "are {}",
                                                 Abbreviate(input.name), model, QuotedNames(config.input())));
    }
    for (size_t j = 0; j < i; ++j) {
      if (request.inputs[j].name == input.name) return errors.Invalid("appears more than once in the request");
    }

    const std::optional<DataType> expected_type = config::DataTypeFromConfig(config_input->data_type());
    if (!expected_type) {
      // Config validation should have refused this config; not the caller's fault.
      return Status::Internal(
          fmt::format("model '{}': input '{}': the config's data_type {} has no tensor datatype", model,
                      input.name, inference::DataType_Name(config_input->data_type())));
    }
    if (input.datatype != *expected_type) {
      return Status::InvalidArgument(fmt::format("inference input '{}' data-type is '{}', but model '{}' expects '{}'",
                                                 input.name, DataTypeName(input.datatype), model,
                                                 DataTypeName(*expected_type)));
    }

    RETURN_IF_ERROR(ValidateShape(input, *config_input, max_batch_size, model));
    if (max_batch_size > 0) {
      const int64_t batch = input.shape.front();  // ValidateShape checked rank >= 1
      if (batch > max_batch_size) {
        return Status::InvalidArgument(fmt::format("inference request batch-size must be <= {} for '{}' (input '{}' "
                                                   "has shape {})",
                                                   max_batch_size, model, input.name, ShapeToString(input.shape)));
      }
      if (batch < 1) {
        return errors.Invalid(fmt::format("batch size {} (first dimension of {}) must be at least 1", batch,
                                          ShapeToString(input.shape)));
      }
      if (!batch_size) {
        batch_size = batch;
        batch_source = &input;
      } else if (batch != *batch_size) {
        return Status::InvalidArgument(fmt::format(
            "input '{}' batch size does not match other inputs for '{}' ({} rows, input '{}' has {})", input.name,
            model, batch, batch_source->name, *batch_size));
      }
    }
    RETURN_IF_ERROR(ValidateByteSize(input, model, errors));
  }

  RETURN_IF_ERROR(ValidateMissingInputs(request, config));
  RETURN_IF_ERROR(ValidateRequestedOutputs(request, config));
  return batch_size.value_or(1);
}

}  // namespace inferd
