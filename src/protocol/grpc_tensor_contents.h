// Typed gRPC tensor contents (InferTensorContents) -> tensor bytes.
//
// The gRPC counterpart of json_tensor_reader.h: the same rules and message
// style (integers must fit the type, the element count must match the
// shape), read from the typed repeated fields instead of a JSON array.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "grpc_service.pb.h"
#include "types/data_type.h"
#include "types/tensor.h"

namespace inferd::protocol {

// The InferTensorContents field that carries `datatype` ("int_contents"), or
// an empty view for FP16/BF16, which travel as raw bytes only (as in Triton).
std::string_view TensorContentsFieldName(DataType datatype);

// Returns the tensor bytes in the server's layout: fixed-size elements
// little-endian and packed, BYTES as 4-byte length + bytes per element.
// INVALID_ARGUMENT naming the model and the input when the datatype has no
// typed field, when another field than the datatype's is filled, when the
// element count differs from `shape`, or when a value does not fit the type
// (e.g. 300 for INT8, which shares int_contents with INT32).
// `shape` must already be valid (no negative dimension, no overflow).
Result<std::string> ReadTensorContents(const inference::InferTensorContents& contents, DataType datatype,
                                       const Shape& shape, std::string_view model_name, std::string_view input_name);

}  // namespace inferd::protocol
