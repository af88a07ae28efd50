#include "config/data_type_conversion.h"

#include <array>
#include <utility>

namespace inferd::config {
namespace {

// One row per element type; TYPE_INVALID <-> kInvalid is handled by the
// callers' "not found" paths.
constexpr std::array<std::pair<inference::DataType, DataType>, 14> kPairs{{
    {inference::TYPE_BOOL, DataType::kBool},
    {inference::TYPE_UINT8, DataType::kUint8},
    {inference::TYPE_UINT16, DataType::kUint16},
    {inference::TYPE_UINT32, DataType::kUint32},
    {inference::TYPE_UINT64, DataType::kUint64},
    {inference::TYPE_INT8, DataType::kInt8},
    {inference::TYPE_INT16, DataType::kInt16},
    {inference::TYPE_INT32, DataType::kInt32},
    {inference::TYPE_INT64, DataType::kInt64},
    {inference::TYPE_FP16, DataType::kFp16},
    {inference::TYPE_BF16, DataType::kBf16},
    {inference::TYPE_FP32, DataType::kFp32},
    {inference::TYPE_FP64, DataType::kFp64},
    {inference::TYPE_STRING, DataType::kBytes},
}};

}  // namespace

std::optional<DataType> DataTypeFromConfig(inference::DataType type) {
  for (const auto& [config_type, server_type] : kPairs) {
    if (config_type == type) return server_type;
  }
  return std::nullopt;
}

inference::DataType DataTypeToConfig(DataType type) {
  for (const auto& [config_type, server_type] : kPairs) {
    if (server_type == type) return config_type;
  }
  return inference::TYPE_INVALID;
}

}  // namespace inferd::config
