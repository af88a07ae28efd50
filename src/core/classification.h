// The KServe classification extension: an output requested with parameter
// "classification": K comes back as BYTES "value:index[:label]" strings for
// the K largest values (per batch row when the model batches).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "types/inference_request.h"

namespace inferd {

// The K asked for on `output`, or 0 when it is not a classification request.
Result<int64_t> ClassificationCount(const RequestedOutput& output);

// Replaces `tensor` (numeric) with its top-`count` classification strings.
// `batched` says whether the first dimension is the batch.
Status ClassifyTensor(int64_t count, bool batched, const std::vector<std::string>* labels, Tensor* tensor);

}  // namespace inferd
