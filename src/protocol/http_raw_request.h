// Triton's raw binary request (binary tensor data extension): a request with
// "Inference-Header-Content-Length: 0" has no JSON header, and its whole body
// is the data of the model's one input. The input's name, datatype and shape
// come from the model config (batched models get a batch of 1; one variable
// dimension is sized from the body length), and every output is returned in
// binary form.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/status.h"
#include "protocol/http_infer_request.h"
#include "types/tensor.h"

namespace inferd::protocol {

// What the model config says about the input a raw body fills.
struct RawInputSpec {
  size_t config_input_count = 0;  // must be 1
  std::string name;
  DataType datatype = DataType::kInvalid;
  Shape dims;            // config dims without the batch dimension; -1 is variable
  bool batched = false;  // max_batch_size > 0
};

// The input tensor points into `body` (no copy) except for BYTES, whose one
// element gets its length prefix in a buffer of its own. INVALID_ARGUMENT in
// Triton's words when the model has more than one input, more than one
// variable dimension, or a BYTES input whose shape is not [1]; a body whose
// size does not fit the shape is left to the request validator.
Result<HttpInferRequest> DecodeRawBinaryRequest(const std::string& model_name, int64_t model_version,
                                                const RawInputSpec& input, std::shared_ptr<const std::string> body);

}  // namespace inferd::protocol
