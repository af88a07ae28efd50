// Encodes a core InferenceResponse as a KServe v2 gRPC ModelInferResponse.
#pragma once

#include <string>

#include "grpc_service.pb.h"
#include "types/inference_request.h"

namespace inferd::protocol {

// Fills `message` (expected empty): model name and version, the id (the
// response's, else `request_id`), parameters, and every output's name,
// datatype and shape with its bytes in raw_output_contents, in output order.
// Like tritonserver, outputs are always sent raw, never as typed contents:
// tritonclient's as_numpy() reads raw_output_contents, and raw is one copy.
void EncodeGrpcInferResponse(const InferenceResponse& response, const std::string& request_id,
                             inference::ModelInferResponse* message);

}  // namespace inferd::protocol
