#include "backends/ocr/ocr_tensors.h"

#include <cstdint>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace inferd::ocr {

Result<const Tensor*> FindInput(const std::vector<Tensor>& inputs, std::string_view name, DataType datatype,
                                int rank, std::string_view subject) {
  for (const Tensor& tensor : inputs) {
    if (tensor.name != name) continue;
    if (tensor.datatype != datatype) {
      return Status::InvalidArgument(fmt::format("{}: input '{}' has datatype {}, expected {}", subject, name,
                                                 DataTypeName(tensor.datatype), DataTypeName(datatype)));
    }
    if (rank >= 0 && static_cast<int>(tensor.shape.size()) != rank) {
      return Status::InvalidArgument(fmt::format("{}: input '{}' has shape {}, expected {} dimensions", subject,
                                                 name, ShapeToString(tensor.shape), rank));
    }
    return &tensor;
  }
  return Status::InvalidArgument(fmt::format("{}: missing input '{}'", subject, name));
}

Result<const float*> FloatData(const Tensor& tensor, std::vector<float>* scratch, std::string_view subject) {
  const int64_t count = ElementCount(tensor.shape);
  if (count < 0 || static_cast<uint64_t>(count) * sizeof(float) != tensor.byte_size) {
    return Status::InvalidArgument(fmt::format("{}: input '{}' has {} bytes, expected {} for FP32 shape {}", subject,
                                               tensor.name, tensor.byte_size, count < 0 ? 0 : count * 4,
                                               ShapeToString(tensor.shape)));
  }
  if (reinterpret_cast<uintptr_t>(tensor.data) % alignof(float) == 0) {
    return reinterpret_cast<const float*>(tensor.data);
  }
  // Binary request bodies place tensors at any offset; reading floats through
  // a misaligned pointer is undefined behaviour.
  scratch->resize(static_cast<size_t>(count));
  if (count > 0) std::memcpy(scratch->data(), tensor.data, tensor.byte_size);
  return static_cast<const float*>(scratch->data());
}

Tensor FloatTensor(std::string name, Shape shape, std::vector<float> values) {
  auto owned = std::make_shared<std::vector<float>>(std::move(values));
  Tensor tensor;
  tensor.name = std::move(name);
  tensor.datatype = DataType::kFp32;
  tensor.shape = std::move(shape);
  tensor.data = reinterpret_cast<const char*>(owned->data());
  tensor.byte_size = owned->size() * sizeof(float);
  tensor.owner = std::move(owned);
  return tensor;
}

Tensor Uint8Tensor(std::string name, Shape shape, std::string bytes) {
  return Tensor::FromBuffer(std::move(name), DataType::kUint8, std::move(shape), std::move(bytes));
}

Tensor BytesTensor(std::string name, const std::vector<std::string>& elements) {
  std::string buffer;
  size_t total = 0;
  for (const std::string& element : elements) total += 4 + element.size();
  buffer.reserve(total);
  for (const std::string& element : elements) AppendBytesElement(element, &buffer);
  return Tensor::FromBuffer(std::move(name), DataType::kBytes, Shape{static_cast<int64_t>(elements.size())},
                            std::move(buffer));
}

Result<std::vector<Tensor>> SelectOutputs(std::vector<Tensor> produced, const std::vector<std::string>& requested,
                                          std::string_view subject) {
  if (requested.empty()) return produced;
  std::vector<Tensor> selected;
  selected.reserve(requested.size());
  for (const std::string& name : requested) {
    const Tensor* found = nullptr;
    for (const Tensor& tensor : produced) {
      if (tensor.name == name) found = &tensor;
    }
    if (found == nullptr) {
      std::string names;
      for (const Tensor& tensor : produced) names += (names.empty() ? "" : ", ") + tensor.name;
      return Status::InvalidArgument(
          fmt::format("{}: unknown output '{}' (the model has: {})", subject, name, names));
    }
    selected.push_back(*found);
  }
  return selected;
}

}  // namespace inferd::ocr
