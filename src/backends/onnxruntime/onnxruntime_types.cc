#include "backends/onnxruntime/onnxruntime_types.h"

#include <array>
#include <utility>

#include <fmt/format.h>

namespace inferd::ort {
namespace {

// One table both directions read, so the two can never disagree.
constexpr std::array<std::pair<DataType, ONNXTensorElementDataType>, 14> kTypePairs = {{
    {DataType::kBool, ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL},
    {DataType::kUint8, ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8},
    {DataType::kUint16, ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16},
    {DataType::kUint32, ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32},
    {DataType::kUint64, ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64},
    {DataType::kInt8, ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8},
    {DataType::kInt16, ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16},
    {DataType::kInt32, ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32},
    {DataType::kInt64, ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64},
    {DataType::kFp16, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16},
    {DataType::kBf16, ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16},
    {DataType::kFp32, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT},
    {DataType::kFp64, ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE},
    {DataType::kBytes, ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING},
}};

}  // namespace

std::optional<ONNXTensorElementDataType> ToOrtElementType(DataType type) {
  for (const auto& [ours, theirs] : kTypePairs) {
    if (ours == type) return theirs;
  }
  return std::nullopt;
}

DataType FromOrtElementType(ONNXTensorElementDataType type) {
  for (const auto& [ours, theirs] : kTypePairs) {
    if (theirs == type) return ours;
  }
  return DataType::kInvalid;
}

std::string OrtElementTypeName(ONNXTensorElementDataType type) {
  switch (type) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX64: return "tensor(complex64)";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX128: return "tensor(complex128)";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED: return "tensor(undefined)";
    default: break;
  }
  const DataType ours = FromOrtElementType(type);
  if (ours != DataType::kInvalid) return std::string(DataTypeName(ours));
  return fmt::format("ONNX element type {}", static_cast<int>(type));
}

}  // namespace inferd::ort
