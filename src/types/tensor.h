// Tensor: a named, typed, shaped view of bytes plus whatever keeps them alive.
//
// Tensors do not own their memory directly: `owner` holds the buffer (an HTTP
// body, an ONNX Runtime value, a std::string) so inputs can point straight
// into the request body and outputs straight into the backend's result.
//
// BYTES tensors use the KServe binary layout everywhere inside the server:
// each element is a 4-byte little-endian length followed by that many bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "types/data_type.h"

namespace inferd {

using Shape = std::vector<int64_t>;

// Product of the dimensions (1 for a scalar shape); -1 if any dimension is
// negative or the product overflows int64.
int64_t ElementCount(const Shape& shape);
// "[1,3,224,224]" for messages.
std::string ShapeToString(const Shape& shape);

struct Tensor {
  std::string name;
  DataType datatype = DataType::kInvalid;
  Shape shape;
  const char* data = nullptr;
  size_t byte_size = 0;
  std::shared_ptr<const void> owner;

  std::string_view bytes() const { return {data, byte_size}; }

  // A tensor that owns `buffer`.
  static Tensor FromBuffer(std::string name, DataType datatype, Shape shape, std::string buffer);
};

// Walks the elements of a BYTES tensor in the KServe layout. Returns an error
// naming `tensor_name` when the buffer is truncated or holds a different
// number of elements than `expected_count` (pass -1 to skip that check).
Status ForEachBytesElement(std::string_view buffer, int64_t expected_count, std::string_view tensor_name,
                           const std::function<void(std::string_view)>& visit);
// Appends one element in the KServe BYTES layout.
void AppendBytesElement(std::string_view element, std::string* buffer);

}  // namespace inferd
