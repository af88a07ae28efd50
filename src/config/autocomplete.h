// Completing a model configuration from what the model file declares, as
// Triton's ONNX Runtime backend does (its "auto-complete"):
//
//  - Only when the config lists no inputs or no outputs: if max_batch_size is
//    0 and every tensor in the file has a variable first dimension, set
//    max_batch_size to `default_max_batch_size` (Triton's
//    --backend-config=default-max-batch-size, 4) and, when that is > 1 and no
//    scheduler is chosen, enable dynamic_batching; if max_batch_size > 0 but
//    the file cannot batch, fail.
//  - An empty input (output) list is filled with every input (output) of the
//    file; with max_batch_size > 0 the batch dimension is left out of dims,
//    and a per-item scalar becomes dims [1] with reshape { shape: [] }.
//  - Entries the config already has are kept: a missing data_type or dims is
//    taken from the file, and a name, data type or shape that disagrees with
//    the file is an error naming the tensor. A -1 in the file matches any
//    size; a -1 in the config accepts the file's fixed size.
//
// Run before NormalizeModelConfig (see normalize.h for the whole order).
#pragma once

#include "common/status.h"
#include "model_config.pb.h"
#include "types/model_file_info.h"

namespace inferd::config {

inline constexpr int kDefaultMaxBatchSize = 4;

Status AutoCompleteConfig(const ModelFileInfo& info, inference::ModelConfig* config,
                          int default_max_batch_size = kDefaultMaxBatchSize);

}  // namespace inferd::config
