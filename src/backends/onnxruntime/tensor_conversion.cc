#include "backends/onnxruntime/tensor_conversion.h"

#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "backends/onnxruntime/onnxruntime_types.h"

namespace inferd::ort {
namespace {

// ORT rejects a null data pointer even for a tensor with no elements.
alignas(16) char kEmptyTensorData[16];

Result<Ort::Value> StringInput(std::string_view subject, const Tensor& tensor, int64_t element_count) {
  Ort::AllocatorWithDefaultOptions allocator;
  Ort::Value value = Ort::Value::CreateTensor(allocator, tensor.shape.data(), tensor.shape.size(),
                                              ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING);
  size_t index = 0;
  // Element buffers are sized and filled directly, so strings holding '\0'
  // survive (FillStringTensor would stop at the first one).
  Status walked = ForEachBytesElement(tensor.bytes(), element_count, tensor.name, [&](std::string_view element) {
    char* destination = value.GetResizedStringTensorElementBuffer(index++, element.size());
    if (!element.empty()) std::memcpy(destination, element.data(), element.size());
  });
  if (!walked.ok()) return walked.WithPrefix(subject);
  return value;
}

Result<Ort::Value> NumericInput(std::string_view subject, const Tensor& tensor, ONNXTensorElementDataType element_type,
                                int64_t element_count, const Ort::MemoryInfo& cpu_memory, InputScratch* scratch) {
  const size_t element_size = DataTypeByteSize(tensor.datatype);
  const size_t expected_bytes = static_cast<size_t>(element_count) * element_size;
  if (tensor.byte_size != expected_bytes) {
    // The core's request validator refuses such requests; this guards the
    // memory ORT would read if a caller bypassed it.
    return Status::Internal(fmt::format("{}: input '{}' reached the backend with {} bytes for shape {} of {} ({})",
                                        subject, tensor.name, tensor.byte_size, ShapeToString(tensor.shape),
                                        DataTypeName(tensor.datatype), expected_bytes));
  }
  // ORT only reads inputs; CreateTensor merely takes a non-const pointer.
  void* data = const_cast<char*>(tensor.data);
  if (expected_bytes == 0) {
    data = kEmptyTensorData;
  } else if (reinterpret_cast<uintptr_t>(data) % element_size != 0) {
    // A binary tensor at an odd offset of an HTTP body: kernels may assume
    // natural alignment, so pay one copy rather than risk it.
    scratch->push_back(std::make_unique<char[]>(expected_bytes));
    std::memcpy(scratch->back().get(), tensor.data, expected_bytes);
    data = scratch->back().get();
  }
  return Ort::Value::CreateTensor(cpu_memory, data, expected_bytes, tensor.shape.data(), tensor.shape.size(),
                                  element_type);
}

Result<Tensor> StringOutput(const std::string& name, const Ort::Value& value, Shape shape, size_t element_count) {
  std::vector<char> characters(value.GetStringTensorDataLength());
  std::vector<size_t> offsets(element_count);
  if (element_count > 0) {
    value.GetStringTensorContent(characters.data(), characters.size(), offsets.data(), offsets.size());
  }
  std::string serialized;
  serialized.reserve(characters.size() + 4 * element_count);
  for (size_t i = 0; i < element_count; ++i) {
    const size_t end = i + 1 < element_count ? offsets[i + 1] : characters.size();
    AppendBytesElement(std::string_view(characters.data() + offsets[i], end - offsets[i]), &serialized);
  }
  return Tensor::FromBuffer(name, DataType::kBytes, std::move(shape), std::move(serialized));
}

}  // namespace

Result<Ort::Value> InputToOrtValue(std::string_view subject, const Tensor& tensor,
                                   ONNXTensorElementDataType element_type, const Ort::MemoryInfo& cpu_memory,
                                   InputScratch* scratch) {
  const int64_t element_count = ElementCount(tensor.shape);
  if (element_count < 0) {  // refused by the request validator; see NumericInput
    return Status::Internal(
        fmt::format("{}: input '{}' reached the backend with shape {}", subject, tensor.name, ShapeToString(tensor.shape)));
  }
  if (element_type == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) return StringInput(subject, tensor, element_count);
  return NumericInput(subject, tensor, element_type, element_count, cpu_memory, scratch);
}

Result<Tensor> OrtValueToTensor(std::string_view subject, const std::string& name, Ort::Value value) {
  if (!value.IsTensor()) {
    return Status::Unimplemented(
        fmt::format("{}: output '{}' is not a tensor (sequences and maps are not supported)", subject, name));
  }
  const auto info = value.GetTensorTypeAndShapeInfo();
  const ONNXTensorElementDataType element_type = info.GetElementType();
  const DataType datatype = FromOrtElementType(element_type);
  if (datatype == DataType::kInvalid) {
    return Status::Unimplemented(fmt::format("{}: output '{}' has element type {}, which KServe cannot carry",
                                             subject, name, OrtElementTypeName(element_type)));
  }
  Shape shape = info.GetShape();
  const size_t element_count = info.GetElementCount();
  if (datatype == DataType::kBytes) return StringOutput(name, value, std::move(shape), element_count);

  if (value.GetTensorMemoryInfo().GetDeviceType() != OrtMemoryInfoDeviceType_CPU) {
    return Status::Internal(fmt::format("{}: output '{}' was left in device memory", subject, name));
  }
  Tensor tensor;
  tensor.name = name;
  tensor.datatype = datatype;
  tensor.shape = std::move(shape);
  tensor.byte_size = element_count * DataTypeByteSize(datatype);
  auto owner = std::make_shared<Ort::Value>(std::move(value));
  tensor.data = static_cast<const char*>(owner->GetTensorRawData());
  tensor.owner = std::move(owner);
  return tensor;
}

}  // namespace inferd::ort
