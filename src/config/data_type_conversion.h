// Conversion between the config schema's DataType (TYPE_FP32, TYPE_STRING)
// and the server's inferd::DataType (kFp32, kBytes).
//
// The two enums differ only in spelling, except that Triton's TYPE_STRING is
// the KServe "BYTES" type everywhere else in the server.
#pragma once

#include <optional>

#include "model_config.pb.h"
#include "types/data_type.h"

namespace inferd::config {

// nullopt for TYPE_INVALID and for values outside the enum.
std::optional<DataType> DataTypeFromConfig(inference::DataType type);
// TYPE_INVALID for DataType::kInvalid.
inference::DataType DataTypeToConfig(DataType type);

}  // namespace inferd::config
