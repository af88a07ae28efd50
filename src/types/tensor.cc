#include "types/tensor.h"

#include <cstring>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace inferd {

int64_t ElementCount(const Shape& shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0) return -1;
    if (dim != 0 && count > std::numeric_limits<int64_t>::max() / dim) return -1;
    count *= dim;
  }
  return count;
}

std::string ShapeToString(const Shape& shape) {
  // Shapes come from requests and may have any number of dimensions; an
  // error message shows the first few and the count.
  constexpr size_t kShownDims = 16;
  if (shape.size() <= kShownDims) return fmt::format("[{}]", fmt::join(shape, ","));
  return fmt::format("[{},...] ({} dimensions)", fmt::join(shape.begin(), shape.begin() + kShownDims, ","),
                     shape.size());
}

Tensor Tensor::FromBuffer(std::string name, DataType datatype, Shape shape, std::string buffer) {
  auto owned = std::make_shared<std::string>(std::move(buffer));
  Tensor tensor;
  tensor.name = std::move(name);
  tensor.datatype = datatype;
  tensor.shape = std::move(shape);
  tensor.data = owned->data();
  tensor.byte_size = owned->size();
  tensor.owner = std::move(owned);
  return tensor;
}

Status ForEachBytesElement(std::string_view buffer, int64_t expected_count, std::string_view tensor_name,
                           const std::function<void(std::string_view)>& visit) {
  int64_t count = 0;
  size_t offset = 0;
  while (offset < buffer.size()) {
    if (buffer.size() - offset < 4) {
      return Status::InvalidArgument(fmt::format(
          "tensor '{}': BYTES element {} is truncated: a 4-byte length prefix needs {} more bytes", tensor_name,
          count, 4 - (buffer.size() - offset)));
    }
    uint32_t length = 0;
    std::memcpy(&length, buffer.data() + offset, 4);  // little-endian hosts only (x86-64, arm64)
    offset += 4;
    if (length > buffer.size() - offset) {
      return Status::InvalidArgument(
          fmt::format("tensor '{}': BYTES element {} declares {} bytes but only {} remain", tensor_name, count,
                      length, buffer.size() - offset));
    }
    visit(buffer.substr(offset, length));
    offset += length;
    ++count;
  }
  if (expected_count >= 0 && count != expected_count) {
    return Status::InvalidArgument(fmt::format("tensor '{}': expected {} BYTES elements for its shape, got {}",
                                               tensor_name, expected_count, count));
  }
  return Status::Ok();
}

void AppendBytesElement(std::string_view element, std::string* buffer) {
  const auto length = static_cast<uint32_t>(element.size());
  char prefix[4];
  std::memcpy(prefix, &length, 4);
  buffer->append(prefix, 4);
  buffer->append(element);
}

}  // namespace inferd
