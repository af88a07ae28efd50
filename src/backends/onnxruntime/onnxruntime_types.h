// Conversions between inferd's DataType (KServe names) and ONNX Runtime's
// tensor element types.
#pragma once

#include <onnxruntime_cxx_api.h>

#include <optional>
#include <string>

#include "types/data_type.h"

namespace inferd::ort {

// The ORT element type for `type`; nullopt for kInvalid.
std::optional<ONNXTensorElementDataType> ToOrtElementType(DataType type);

// The DataType for an ORT element type; kInvalid for types KServe cannot
// carry (complex numbers, 4-bit and 8-bit floats, ...).
DataType FromOrtElementType(ONNXTensorElementDataType type);

// "tensor(float)"-style name for messages about types inferd cannot map.
std::string OrtElementTypeName(ONNXTensorElementDataType type);

}  // namespace inferd::ort
