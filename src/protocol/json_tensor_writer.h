// Writes one response tensor as a flat JSON "data" array.
// Internal to src/protocol (it takes the RapidJSON writer).
#pragma once

#include <cstddef>

#include "protocol/json_writer.h"
#include "types/tensor.h"

namespace inferd::protocol {

// Whether `tensor` can be written as valid JSON. False for NaN or infinity in
// a floating-point tensor (JSON has no such numbers), for BYTES elements that
// are not valid UTF-8 (JSON strings are UTF-8), for a BYTES buffer that is
// not well-formed and for a fixed-size tensor whose byte size is not a whole
// number of elements. The response encoder sends such tensors as binary data.
bool CanWriteAsJson(const Tensor& tensor);

// Writes the elements of `tensor` as one flat JSON array: numbers (FP16 and
// BF16 converted to the shortest decimal that reads back the same), true/false
// for BOOL, strings for BYTES. Requires CanWriteAsJson(tensor).
void WriteJsonTensorData(JsonWriter& writer, const Tensor& tensor);

// About how many characters WriteJsonTensorData will write (to reserve once).
size_t EstimateJsonTensorSize(const Tensor& tensor);

}  // namespace inferd::protocol
