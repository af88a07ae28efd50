#include "protocol/http_raw_request.h"

#include <utility>

#include <fmt/format.h>

namespace inferd::protocol {

Result<HttpInferRequest> DecodeRawBinaryRequest(const std::string& model_name, int64_t model_version,
                                                const RawInputSpec& input, std::shared_ptr<const std::string> body) {
  if (input.config_input_count != 1) {
    return Status::InvalidArgument(fmt::format(
        "Raw request must only have 1 input (found 1) to be deduced but got {} inputs in '{}' model configuration",
        input.config_input_count, model_name));
  }
  Shape shape;
  if (input.batched) shape.push_back(1);  // no header to say otherwise: a batch of one
  int variable_dims = 0;
  int64_t fixed_elements = 1;
  for (int64_t dim : input.dims) {
    if (dim < 0) {
      ++variable_dims;
    } else if (__builtin_mul_overflow(fixed_elements, dim, &fixed_elements)) {
      return Status::InvalidArgument(fmt::format("input '{}' of model '{}': the config dims hold more elements "
                                                 "than can be addressed",
                                                 input.name, model_name));
    }
  }
  if (variable_dims > 1) {
    return Status::InvalidArgument(fmt::format("The shape of the raw input '{}' can not be deduced because there are "
                                               "more than one variable-sized dimension (model '{}')",
                                               input.name, model_name));
  }

  HttpInferRequest decoded;
  decoded.request.model_name = model_name;
  decoded.request.model_version = model_version;
  decoded.binary_outputs_by_default = true;
  Tensor tensor;
  tensor.name = input.name;
  tensor.datatype = input.datatype;

  if (input.datatype == DataType::kBytes) {
    if (variable_dims != 0 || fixed_elements != 1) {
      return Status::InvalidArgument(fmt::format(
          "For BYTE datatype raw input '{}', the model must have input shape [1] (model '{}')", input.name,
          model_name));
    }
    // The whole body is one string element.
    std::string element;
    AppendBytesElement(*body, &element);
    shape.insert(shape.end(), input.dims.begin(), input.dims.end());
    tensor = Tensor::FromBuffer(input.name, DataType::kBytes, std::move(shape), std::move(element));
  } else {
    const size_t element_size = DataTypeByteSize(input.datatype);
    for (int64_t dim : input.dims) {
      // Integer division, as Triton: a body that does not fill whole rows
      // then fails the byte-size check with both sizes named.
      const bool sized_from_body = dim < 0 && element_size > 0 && fixed_elements > 0;
      shape.push_back(sized_from_body ? static_cast<int64_t>(body->size() / element_size) / fixed_elements : dim);
    }
    tensor.shape = std::move(shape);
    tensor.data = body->data();
    tensor.byte_size = body->size();
    tensor.owner = std::move(body);
  }
  decoded.request.inputs.push_back(std::move(tensor));
  return decoded;
}

}  // namespace inferd::protocol
