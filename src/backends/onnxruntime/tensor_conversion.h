// Moving tensors across the ONNX Runtime boundary without copying numbers.
//
// Inputs: fixed-size tensors are wrapped in place (Ort::Value::CreateTensor on
// the request's own bytes); BYTES tensors (KServe layout, see types/tensor.h)
// become ORT string tensors. Outputs: numeric values are handed out as a
// Tensor pointing into the Ort::Value, which the Tensor's owner keeps alive;
// string outputs are serialized into the KServe BYTES layout.
//
// These functions may throw Ort::Exception; callers run them inside
// GuardOrtCall (ort_errors.h).
#pragma once

#include <onnxruntime_cxx_api.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "types/tensor.h"

namespace inferd::ort {

// Buffers an input needed that must live until the session has run.
using InputScratch = std::vector<std::unique_ptr<char[]>>;

// `tensor` as an ORT value of element type `element_type` (which must be
// the tensor's own datatype). Checks that the byte size matches the shape.
// Numeric data is not copied unless it is misaligned for its element type,
// in which case an aligned copy is kept in `scratch`.
Result<Ort::Value> InputToOrtValue(std::string_view subject, const Tensor& tensor,
                                   ONNXTensorElementDataType element_type, const Ort::MemoryInfo& cpu_memory,
                                   InputScratch* scratch);

// A model output as a Tensor named `name`.
Result<Tensor> OrtValueToTensor(std::string_view subject, const std::string& name, Ort::Value value);

}  // namespace inferd::ort
