// The gather and scatter stages of a dynamic batch: many requests' inputs
// become one tensor per input (rows concatenated along dimension 0), and the
// model's outputs are split back into each request's own rows.
//
// Tensors use the server's layouts (types/tensor.h): fixed-size types are
// dense row-major, so rows are contiguous byte ranges; BYTES tensors are a
// sequence of length-prefixed elements, so concatenating buffers concatenates
// elements and a row boundary is found by walking the elements.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "types/inference_request.h"

namespace inferd {

// Whether two validated requests can run in one batch: the same input names,
// and for each input the same datatype and the same shape after dimension 0.
// Requested outputs may differ (the batch computes their union).
bool CanShareBatch(const InferenceRequest& a, const InferenceRequest& b);

// One tensor per input of requests[0] (in its order), each request's rows
// appended in request order with one copy into one buffer per input. The
// requests must pass CanShareBatch with requests[0]; their first dimensions
// add up to the batch's rows.
Result<std::vector<Tensor>> GatherInputs(const std::vector<const InferenceRequest*>& requests);

// Splits every batch output along dimension 0 into consecutive slices of
// rows[0], rows[1], ... rows. Slices share the output's buffer (no copy).
// Fails, naming the output, when an output's first dimension is not the sum
// of `rows` or its bytes do not divide into rows.
Result<std::vector<std::vector<Tensor>>> ScatterOutputs(const std::vector<Tensor>& outputs,
                                                        const std::vector<int64_t>& rows);

}  // namespace inferd
