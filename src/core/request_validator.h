// Request validation: the first named request stage (validate -> queue ->
// gather -> execute -> scatter -> respond). Everything a request can get wrong
// about a model is caught here, before it reaches a queue or a backend, with
// one message naming the model, the tensor and what was expected vs. received.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "model_config.pb.h"
#include "types/inference_request.h"

namespace inferd {

// Checks `request` against `config` and returns its batch size: the shared
// first dimension when config.max_batch_size() > 0, otherwise 1.
//
// Rules (all INVALID_ARGUMENT):
//   inputs   every input is declared in the config, none appears twice, and
//            every non-`optional` config input is present;
//   datatype equals the config's data_type (TYPE_STRING is BYTES);
//   shape    batched models: [batch, dims...] with 1 <= batch <=
//            max_batch_size and the same batch for every input; unbatched
//            models: exactly dims. A dims entry of -1 matches any size. The
//            request follows `dims`, never `reshape` (that is the backend's
//            view of the same tensor);
//   bytes    fixed-size types: byte_size == elements x element size; BYTES:
//            the buffer holds exactly `elements` well-formed strings;
//   outputs  every requested output is declared in the config, none twice.
//
// Hot path: lookups are linear scans over the (small) config; nothing is
// allocated unless the request is rejected.
Result<int64_t> ValidateInferenceRequest(const InferenceRequest& request, const inference::ModelConfig& config);

// A request's scheduling parameters, named as in Triton's KServe extension:
// "priority" (0: the model's default level) and "timeout" in microseconds
// (0: the queue policy's). Only the dynamic batcher acts on them.
struct SchedulingParameters {
  uint64_t priority = 0;
  uint64_t timeout_us = 0;
};

// INVALID_ARGUMENT, naming the model and the parameter, when "priority" or
// "timeout" is present but not a non-negative integer.
Result<SchedulingParameters> ReadSchedulingParameters(const InferenceRequest& request);

}  // namespace inferd
