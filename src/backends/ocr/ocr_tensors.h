// Moving data between inferd Tensors and the OCR operations: finding and
// checking inputs, making outputs that own their memory, and returning the
// outputs a caller asked for.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "types/tensor.h"

namespace inferd::ocr {

// The input called `name`; INVALID_ARGUMENT naming it when it is missing,
// has another datatype, or a rank other than `rank` (-1: any).
Result<const Tensor*> FindInput(const std::vector<Tensor>& inputs, std::string_view name, DataType datatype,
                                int rank, std::string_view subject);

// FP32 elements of `tensor`, as an aligned pointer: the tensor's own memory
// when it is 4-byte aligned and the byte size matches the shape, else a copy
// in `scratch`. INVALID_ARGUMENT when byte size and shape disagree.
Result<const float*> FloatData(const Tensor& tensor, std::vector<float>* scratch, std::string_view subject);

// Tensors owning their buffers.
Tensor FloatTensor(std::string name, Shape shape, std::vector<float> values);
Tensor Uint8Tensor(std::string name, Shape shape, std::string bytes);
Tensor BytesTensor(std::string name, const std::vector<std::string>& elements);

// `produced` reordered to `requested` (all of them, in order, when empty);
// INVALID_ARGUMENT for a name the operation does not produce.
Result<std::vector<Tensor>> SelectOutputs(std::vector<Tensor> produced, const std::vector<std::string>& requested,
                                          std::string_view subject);

}  // namespace inferd::ocr
