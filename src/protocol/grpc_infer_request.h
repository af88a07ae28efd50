// Decodes a KServe v2 gRPC ModelInferRequest into the core InferenceRequest.
#pragma once

#include <cstdint>
#include <memory>

#include "common/status.h"
#include "grpc_service.pb.h"
#include "types/inference_request.h"

namespace inferd::protocol {

// `owner` keeps `message` alive: inputs sent in raw_input_contents point INTO
// the message (no copy) and share `owner`, so the message lives as long as
// any of those tensors (pass an aliasing shared_ptr when the message itself
// is owned by something larger, such as a gRPC call).
//
// Inputs take their bytes from typed `contents` (copied into a buffer of
// their own; see grpc_tensor_contents.h) or, when raw_input_contents is not
// empty, from raw_input_contents[i] for the i-th input; mixing both ways is an
// error, as in Triton.
// Request, input and output "parameters" become core Parameters (a uint64
// value must fit int64). Every error is INVALID_ARGUMENT (UNIMPLEMENTED for
// shared-memory tensors) and names the model and, where there is one, the
// tensor. Checks that need the model's config (shapes, datatypes, byte sizes)
// are the core's, done once for every protocol.
// `model_version` is the message's version string already parsed by the
// frontend (kLatestVersion for "").
Result<InferenceRequest> DecodeGrpcInferRequest(const inference::ModelInferRequest& message, int64_t model_version,
                                                std::shared_ptr<const void> owner);

}  // namespace inferd::protocol
