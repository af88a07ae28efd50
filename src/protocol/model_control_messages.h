// The bodies of Triton's model-control requests (model-repository
// extension), HTTP JSON and gRPC, decoded into what Server::LoadModel and
// Server::UnloadModel take.
//
// Load parameters: "config" (a model config as JSON text) and
// "file:<path>" (a model file: base64 text over HTTP, bytes over gRPC).
// Unload parameters: "unload_dependents" (bool). Any other parameter is an
// error, as in Triton.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "grpc_service.pb.h"
#include "types/model_control.h"

namespace inferd::protocol {

// {"parameters": {"config": "...", "file:1/model.onnx": "<base64>"}}; an
// empty body loads with no parameters. INVALID_ARGUMENT naming the problem.
Result<ModelLoadRequest> ParseHttpLoadRequest(std::string model_name, std::string_view body);
// {"parameters": {"unload_dependents": true}}; empty: false.
Result<bool> ParseHttpUnloadDependents(std::string_view body);

Result<ModelLoadRequest> ReadGrpcLoadRequest(const inference::RepositoryModelLoadRequest& request);
Result<bool> ReadGrpcUnloadDependents(const inference::RepositoryModelUnloadRequest& request);

}  // namespace inferd::protocol
