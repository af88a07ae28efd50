// Applies the config's `reshape` fields around a backend instance, as Triton
// does: an input's reshape turns the shape the client sends (config dims,
// batch dimension in front when max_batch_size > 0) into the shape the model
// receives, and an output's reshape is the shape the model produces, turned
// back into the config dims before the response is built.
//
// Only shapes change; the bytes are the same row-major buffer, so nothing is
// copied. Because it sits between the scheduler and the backend, it works
// the same for single requests, merged dynamic batches and ensemble steps.
#pragma once

#include <memory>

#include "backends/sdk/backend.h"
#include "model_config.pb.h"

namespace inferd {

// `instance` itself when no input or output of `config` has a reshape,
// otherwise `instance` wrapped so that every Execute sees reshaped inputs and
// returns outputs in config dims. `config` must have passed config
// validation (a reshape holds as many elements as its dims).
std::unique_ptr<BackendInstance> WrapWithReshape(const inference::ModelConfig& config,
                                                 std::unique_ptr<BackendInstance> instance);

// Maps `shape` (its first `batch_dims` entries kept as they are) from the
// pattern `from` to the pattern `to`, two patterns of one tensor with equal
// element counts between their variable (-1) dimensions: the k-th variable
// dimension of `to` takes the size of the k-th variable dimension of `from`.
// INVALID_ARGUMENT when `shape` does not follow `from`.
Result<Shape> MapReshape(const Shape& shape, size_t batch_dims, const google::protobuf::RepeatedField<int64_t>& from,
                         const google::protobuf::RepeatedField<int64_t>& to);

}  // namespace inferd
