#include "types/data_type.h"

#include <array>
#include <utility>

namespace inferd {
namespace {

struct TypeInfo {
  DataType type;
  std::string_view name;
  size_t byte_size;
};

constexpr std::array<TypeInfo, 14> kTypes{{
    {DataType::kBool, "BOOL", 1},     {DataType::kUint8, "UINT8", 1},
    {DataType::kUint16, "UINT16", 2}, {DataType::kUint32, "UINT32", 4},
    {DataType::kUint64, "UINT64", 8}, {DataType::kInt8, "INT8", 1},
    {DataType::kInt16, "INT16", 2},   {DataType::kInt32, "INT32", 4},
    {DataType::kInt64, "INT64", 8},   {DataType::kFp16, "FP16", 2},
    {DataType::kBf16, "BF16", 2},     {DataType::kFp32, "FP32", 4},
    {DataType::kFp64, "FP64", 8},     {DataType::kBytes, "BYTES", 0},
}};

}  // namespace

std::string_view DataTypeName(DataType type) {
  for (const auto& info : kTypes) {
    if (info.type == type) return info.name;
  }
  return "INVALID";
}

std::optional<DataType> DataTypeFromName(std::string_view name) {
  for (const auto& info : kTypes) {
    if (info.name == name) return info.type;
  }
  return std::nullopt;
}

size_t DataTypeByteSize(DataType type) {
  for (const auto& info : kTypes) {
    if (info.type == type) return info.byte_size;
  }
  return 0;
}

std::string AllDataTypeNames() {
  std::string names;
  for (auto type = static_cast<int>(DataType::kBool); type <= static_cast<int>(DataType::kBytes); ++type) {
    if (!names.empty()) names += ", ";
    names += DataTypeName(static_cast<DataType>(type));
  }
  return names;
}

}  // namespace inferd
