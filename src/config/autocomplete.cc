#include "config/autocomplete.h"

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/ranges.h>

#include "config/config_error.h"
#include "config/data_type_conversion.h"

namespace inferd::config {
namespace {

using Dims = google::protobuf::RepeatedField<int64_t>;

bool IsVariable(int64_t dim) { return dim < 0; }

std::string TensorNames(const std::vector<ModelTensorInfo>& tensors) {
  std::vector<std::string_view> names;
  for (const auto& tensor : tensors) names.push_back(tensor.name);
  return names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "));
}

const ModelTensorInfo* FindTensor(const std::vector<ModelTensorInfo>& tensors, const std::string& name) {
  for (const auto& tensor : tensors) {
    if (tensor.name == name) return &tensor;
  }
  return nullptr;
}

// Triton's rule: a model can batch when every input and output declares a
// variable first dimension.
const ModelTensorInfo* FirstTensorThatCannotBatch(const ModelFileInfo& info) {
  for (const auto* tensors : {&info.inputs, &info.outputs}) {
    for (const auto& tensor : *tensors) {
      if (tensor.shape.empty() || !IsVariable(tensor.shape[0])) return &tensor;
    }
  }
  return nullptr;
}

Status CompleteMaxBatchSize(const ModelFileInfo& info, int default_max_batch_size, inference::ModelConfig* config) {
  const ModelTensorInfo* blocker = FirstTensorThatCannotBatch(info);
  const bool file_has_tensors = !info.inputs.empty() || !info.outputs.empty();
  if (blocker != nullptr || !file_has_tensors) {
    if (config->max_batch_size() != 0 && blocker != nullptr) {
      return ConfigError(*config,
                         "max_batch_size is {} but the model file cannot batch: tensor '{}' has shape {} "
                         "(batching needs a variable first dimension)",
                         config->max_batch_size(), blocker->name, ShapeToString(blocker->shape));
    }
    return Status::Ok();
  }
  if (config->max_batch_size() == 0) config->set_max_batch_size(std::max(default_max_batch_size, 0));
  if (config->max_batch_size() > 1 &&
      config->scheduling_choice_case() == inference::ModelConfig::SCHEDULING_CHOICE_NOT_SET) {
    config->mutable_dynamic_batching();
  }
  return Status::Ok();
}

// The file's shape as the config sees it: without the batch dimension when
// the model batches.
Result<Shape> ShapeWithoutBatch(const inference::ModelConfig& config, std::string_view what,
                                const ModelTensorInfo& tensor) {
  if (config.max_batch_size() == 0) return tensor.shape;
  if (tensor.shape.empty() || !IsVariable(tensor.shape[0])) {
    return ConfigError(config,
                       "{} '{}': max_batch_size is {} but the model file declares shape {}, without a variable "
                       "first (batch) dimension",
                       what, tensor.name, config.max_batch_size(), ShapeToString(tensor.shape));
  }
  return Shape(tensor.shape.begin() + 1, tensor.shape.end());
}

template <typename ConfigTensor>
void FillDims(const inference::ModelConfig& config, const Shape& file_dims, ConfigTensor* tensor) {
  if (file_dims.empty()) {
    // Config dims cannot be empty; Triton writes a scalar as [1], reshaped to
    // [] for the backend when there is a batch dimension.
    tensor->add_dims(1);
    if (config.max_batch_size() > 0) tensor->mutable_reshape()->clear_shape();
    return;
  }
  for (int64_t dim : file_dims) tensor->add_dims(IsVariable(dim) ? -1 : dim);
}

bool AllOnes(const Dims& dims) {
  return std::all_of(dims.begin(), dims.end(), [](int64_t dim) { return dim == 1; });
}

// Compares the shape the backend sees (reshape if set, else dims) with the
// file's. A scalar in the file matches [1] in the config.
bool ShapesAgree(const Dims& config_dims, const Shape& file_dims) {
  if (file_dims.empty()) return config_dims.empty() || AllOnes(config_dims);
  if (config_dims.size() != static_cast<int>(file_dims.size())) return false;
  for (size_t i = 0; i < file_dims.size(); ++i) {
    const int64_t config_dim = config_dims[static_cast<int>(i)];
    if (IsVariable(file_dims[i]) || IsVariable(config_dim)) continue;
    if (config_dim != file_dims[i]) return false;
  }
  return true;
}

template <typename ConfigTensor>
Status CompleteTensor(const inference::ModelConfig& config, std::string_view what,
                      const std::vector<ModelTensorInfo>& file_tensors, ConfigTensor* tensor) {
  const ModelTensorInfo* file_tensor = FindTensor(file_tensors, tensor->name());
  if (file_tensor == nullptr) {
    return ConfigError(config, "{} '{}' is not in the model file; the file's {}s are: {}", what, tensor->name(),
                       what, TensorNames(file_tensors));
  }

  const inference::DataType file_type = DataTypeToConfig(file_tensor->datatype);
  if (tensor->data_type() == inference::TYPE_INVALID) {
    if (file_type == inference::TYPE_INVALID) {
      return ConfigError(config, "{} '{}': the model file's data type is not supported; set data_type explicitly",
                         what, tensor->name());
    }
    tensor->set_data_type(file_type);
  } else if (file_type != inference::TYPE_INVALID && tensor->data_type() != file_type) {
    return ConfigError(config, "{} '{}': config sets data_type {} but the model file has {}", what, tensor->name(),
                       inference::DataType_Name(tensor->data_type()), inference::DataType_Name(file_type));
  }

  ASSIGN_OR_RETURN(Shape file_dims, ShapeWithoutBatch(config, what, *file_tensor));
  if (tensor->dims().empty() && !tensor->has_reshape()) {
    FillDims(config, file_dims, tensor);
    return Status::Ok();
  }
  const Dims& backend_dims = tensor->has_reshape() ? tensor->reshape().shape() : tensor->dims();
  if (!ShapesAgree(backend_dims, file_dims)) {
    return ConfigError(config, "{} '{}': config {} [{}] does not match the model file's shape {}{}", what,
                       tensor->name(), tensor->has_reshape() ? "reshape" : "dims", fmt::join(backend_dims, ","),
                       ShapeToString(file_dims),
                       config.max_batch_size() > 0 ? " (batch dimension left out)" : "");
  }
  return Status::Ok();
}

}  // namespace

Status AutoCompleteConfig(const ModelFileInfo& info, inference::ModelConfig* config, int default_max_batch_size) {
  const bool fill_inputs = config->input().empty();
  const bool fill_outputs = config->output().empty();
  if (fill_inputs || fill_outputs) RETURN_IF_ERROR(CompleteMaxBatchSize(info, default_max_batch_size, config));

  // Missing sections start as bare names; the loops below fill them exactly
  // like entries the user left incomplete.
  if (fill_inputs) {
    for (const auto& tensor : info.inputs) config->add_input()->set_name(tensor.name);
  }
  if (fill_outputs) {
    for (const auto& tensor : info.outputs) config->add_output()->set_name(tensor.name);
  }
  for (auto& input : *config->mutable_input()) {
    RETURN_IF_ERROR(CompleteTensor(*config, "input", info.inputs, &input));
  }
  for (auto& output : *config->mutable_output()) {
    RETURN_IF_ERROR(CompleteTensor(*config, "output", info.outputs, &output));
  }
  return Status::Ok();
}

}  // namespace inferd::config
