#include "core/classification.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include <fmt/format.h>

namespace inferd {
namespace {

// Reads element `index` of a numeric buffer as double.
double ElementAsDouble(DataType type, const char* data, size_t index) {
  auto read = [&]<typename T>(T) {
    T value;
    std::memcpy(&value, data + index * sizeof(T), sizeof(T));
    return static_cast<double>(value);
  };
  switch (type) {
    case DataType::kBool: return read(uint8_t{});
    case DataType::kUint8: return read(uint8_t{});
    case DataType::kUint16: return read(uint16_t{});
    case DataType::kUint32: return read(uint32_t{});
    case DataType::kUint64: return read(uint64_t{});
    case DataType::kInt8: return read(int8_t{});
    case DataType::kInt16: return read(int16_t{});
    case DataType::kInt32: return read(int32_t{});
    case DataType::kInt64: return read(int64_t{});
    case DataType::kFp32: return read(float{});
    case DataType::kFp64: return read(double{});
    default: return 0.0;
  }
}

}  // namespace

Result<int64_t> ClassificationCount(const RequestedOutput& output) {
  auto it = output.parameters.find("classification");
  if (it == output.parameters.end()) return int64_t{0};
  const int64_t* count = std::get_if<int64_t>(&it->second);
  if (count == nullptr || *count < 1) {
    return Status::InvalidArgument(
        fmt::format("output '{}': parameter 'classification' must be a positive integer", output.name));
  }
  return *count;
}

Status ClassifyTensor(int64_t count, bool batched, const std::vector<std::string>* labels, Tensor* tensor) {
  const DataType type = tensor->datatype;
  if (type == DataType::kBytes || type == DataType::kFp16 || type == DataType::kBf16) {
    return Status::InvalidArgument(fmt::format("output '{}': classification needs a numeric output, got {}",
                                               tensor->name, DataTypeName(type)));
  }
  const int64_t total = ElementCount(tensor->shape);
  const int64_t rows = batched && !tensor->shape.empty() ? tensor->shape[0] : 1;
  const int64_t per_row = rows > 0 ? total / rows : 0;
  const int64_t k = std::min(count, per_row);

  std::string buffer;
  std::vector<int64_t> order(static_cast<size_t>(per_row));
  for (int64_t row = 0; row < rows; ++row) {
    const size_t base = static_cast<size_t>(row * per_row);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
      return ElementAsDouble(type, tensor->data, base + a) > ElementAsDouble(type, tensor->data, base + b);
    });
    for (int64_t i = 0; i < k; ++i) {
      const int64_t index = order[static_cast<size_t>(i)];
      std::string entry = fmt::format("{:f}:{}", ElementAsDouble(type, tensor->data, base + index), index);
      if (labels != nullptr && index < static_cast<int64_t>(labels->size())) {
        entry += ":" + (*labels)[static_cast<size_t>(index)];
      }
      AppendBytesElement(entry, &buffer);
    }
  }
  Shape shape = batched ? Shape{rows, k} : Shape{k};
  *tensor = Tensor::FromBuffer(tensor->name, DataType::kBytes, std::move(shape), std::move(buffer));
  return Status::Ok();
}

}  // namespace inferd
