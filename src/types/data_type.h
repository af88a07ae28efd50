// Tensor element types, named as in the KServe v2 protocol ("FP32", "BYTES").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace inferd {

enum class DataType : uint8_t {
  kInvalid = 0,
  kBool,
  kUint8,
  kUint16,
  kUint32,
  kUint64,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kFp16,
  kBf16,
  kFp32,
  kFp64,
  kBytes,  // variable-length strings; see tensor.h for the in-memory layout
};

// "FP32" etc.; "INVALID" for kInvalid.
std::string_view DataTypeName(DataType type);
// Parses a KServe datatype name; nullopt when unknown.
std::optional<DataType> DataTypeFromName(std::string_view name);
// Every valid name, comma-separated ("BOOL, UINT8, ..., BYTES"), for the
// message that rejects an unknown datatype.
std::string AllDataTypeNames();
// Bytes per element; 0 for kBytes (variable) and kInvalid.
size_t DataTypeByteSize(DataType type);

}  // namespace inferd
