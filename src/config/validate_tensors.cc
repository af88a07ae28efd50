#include "config/validate_tensors.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <fmt/ranges.h>
#include <google/protobuf/repeated_field.h>

#include "config/config_error.h"

namespace inferd::config {
namespace {

constexpr int64_t kVariableDim = -1;
using Dims = google::protobuf::RepeatedField<int64_t>;

std::string DimsToString(const Dims& dims) { return fmt::format("[{}]", fmt::join(dims, ",")); }

// Zero-sized dimensions are not allowed anywhere in a Triton config: a tensor
// that is always empty carries no data.
Status CheckDimValues(const inference::ModelConfig& config, std::string_view what, std::string_view name,
                      std::string_view field, const Dims& dims) {
  for (int i = 0; i < dims.size(); ++i) {
    if (dims[i] < 1 && dims[i] != kVariableDim) {
      return ConfigError(config, "{} '{}': {}[{}] is {}; each dimension must be >= 1, or -1 for a variable size",
                         what, name, field, i, dims[i]);
    }
  }
  return Status::Ok();
}

// Splits a shape at its variable dimensions and multiplies each run of fixed
// dimensions: [2,4,-1,6] -> {8, 6}. A reshape is consistent with dims when
// both give the same list, e.g. [2,4,-1,6] may become [8,-1,1,6].
bool FixedRunProducts(const Dims& dims, std::vector<int64_t>* products) {
  int64_t product = 1;
  for (int64_t dim : dims) {
    if (dim == kVariableDim) {
      products->push_back(product);
      product = 1;
    } else if (__builtin_mul_overflow(product, dim, &product)) {
      return false;
    }
  }
  products->push_back(product);
  return true;
}

bool AllOnes(const Dims& dims) {
  for (int64_t dim : dims) {
    if (dim != 1) return false;
  }
  return true;
}

template <typename Tensor>
Status CheckReshape(const inference::ModelConfig& config, std::string_view what, const Tensor& tensor) {
  const Dims& reshape = tensor.reshape().shape();
  RETURN_IF_ERROR(CheckDimValues(config, what, tensor.name(), "reshape.shape", reshape));

  if (reshape.empty()) {
    // An empty reshape makes the tensor a scalar per batch item, which only
    // works when there is a batch dimension and dims hold exactly one element.
    if (config.max_batch_size() == 0) {
      return ConfigError(config,
                         "{} '{}': an empty reshape is only allowed when max_batch_size > 0 "
                         "(scalar tensors are not supported)",
                         what, tensor.name());
    }
    if (!AllOnes(tensor.dims())) {
      return ConfigError(config, "{} '{}': an empty reshape needs dims with exactly one element, got dims {}", what,
                         tensor.name(), DimsToString(tensor.dims()));
    }
    return Status::Ok();
  }

  std::vector<int64_t> dims_products;
  std::vector<int64_t> reshape_products;
  if (!FixedRunProducts(tensor.dims(), &dims_products) || !FixedRunProducts(reshape, &reshape_products)) {
    return ConfigError(config, "{} '{}': dims {} or reshape {} has too many elements", what, tensor.name(),
                       DimsToString(tensor.dims()), DimsToString(reshape));
  }
  if (dims_products != reshape_products) {
    return ConfigError(config,
                       "{} '{}': reshape {} does not have the same number of elements as dims {} "
                       "(compared between variable-size dimensions)",
                       what, tensor.name(), DimsToString(reshape), DimsToString(tensor.dims()));
  }
  return Status::Ok();
}

template <typename Tensor>
Status CheckTensor(const inference::ModelConfig& config, std::string_view what, int index, const Tensor& tensor,
                   std::set<std::string>* seen_names) {
  if (tensor.name().empty()) {
    return ConfigError(config, "{} #{} has no name", what, index);
  }
  if (!seen_names->insert(tensor.name()).second) {
    return ConfigError(config, "{} '{}' is listed twice", what, tensor.name());
  }
  if (tensor.data_type() == inference::TYPE_INVALID || !inference::DataType_IsValid(tensor.data_type())) {
    return ConfigError(config, "{} '{}': expected a data_type such as TYPE_FP32, got {}", what, tensor.name(),
                       tensor.data_type() == inference::TYPE_INVALID ? std::string("none")
                                                                     : std::to_string(tensor.data_type()));
  }
  if (tensor.dims().empty()) {
    return ConfigError(config, "{} '{}': 'dims' is missing; use reshape {{ shape: [] }} with dims [1] for a scalar",
                       what, tensor.name());
  }
  RETURN_IF_ERROR(CheckDimValues(config, what, tensor.name(), "dims", tensor.dims()));
  if (tensor.has_reshape()) RETURN_IF_ERROR(CheckReshape(config, what, tensor));
  if (tensor.is_shape_tensor() && config.platform() != "tensorrt_plan") {
    return ConfigError(config, "{} '{}': is_shape_tensor is only supported for TensorRT models", what, tensor.name());
  }
  return Status::Ok();
}

}  // namespace

Status ValidateTensors(const inference::ModelConfig& config) {
  std::set<std::string> input_names;
  for (int i = 0; i < config.input_size(); ++i) {
    const inference::ModelInput& input = config.input(i);
    RETURN_IF_ERROR(CheckTensor(config, "input", i, input, &input_names));
    const bool image_format =
        input.format() == inference::ModelInput::FORMAT_NHWC || input.format() == inference::ModelInput::FORMAT_NCHW;
    if (image_format && input.dims_size() != 3) {
      return ConfigError(config, "input '{}': format {} needs 3 dims (without the batch dimension), got {}",
                         input.name(), inference::ModelInput::Format_Name(input.format()),
                         DimsToString(input.dims()));
    }
  }
  std::set<std::string> output_names;
  for (int i = 0; i < config.output_size(); ++i) {
    RETURN_IF_ERROR(CheckTensor(config, "output", i, config.output(i), &output_names));
  }
  return Status::Ok();
}

}  // namespace inferd::config
