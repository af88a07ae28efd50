// Reads the JSON "data" of one request input into tensor bytes.
// Internal to src/protocol (it takes RapidJSON values).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "common/status.h"
#include "types/data_type.h"
#include "types/tensor.h"

namespace inferd::protocol {

// `data` is the input's "data" array, flat or nested (row-major; nesting is
// flattened, only the element count must match the shape). Returns the
// tensor bytes: fixed-size elements little-endian and packed, BYTES in the
// KServe layout (4-byte length + bytes per element). Errors name the model
// and the input and say which element was wrong and what was expected:
// integers must fit the type (no fractions), BOOL takes true/false, BYTES
// takes strings, FP16/BF16 round to nearest even and reject values beyond
// the format's range.
// `shape` must already be valid (no negative dimension, no overflow).
Result<std::string> ReadJsonTensorData(const rapidjson::Value& data, DataType datatype, const Shape& shape,
                                       std::string_view model_name, std::string_view input_name);

}  // namespace inferd::protocol
