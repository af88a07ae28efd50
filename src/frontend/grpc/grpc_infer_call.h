// ModelInfer over the callback API, and the request decoding it shares with
// ModelStreamInfer.
#pragma once

#include <grpcpp/support/server_callback.h>
#include <grpcpp/server_context.h>

#include <memory>

#include "common/status.h"
#include "grpc_service.grpc.pb.h"
#include "types/inference_request.h"

namespace inferd {
class Server;
}

namespace inferd::grpc_frontend {

// Parses the version string and decodes `message` into a core request whose
// raw input tensors point into `message` and share `owner`.
Result<InferenceRequest> DecodeInferMessage(const inference::ModelInferRequest& message,
                                            std::shared_ptr<const void> owner);

// Handles one ModelInfer call without blocking the calling gRPC thread: the
// request goes to Server::Infer and the call finishes from its callback.
// The call finishes only once the response is written into `response` AND
// every input tensor (which points into `request`, owned by gRPC until the
// call finishes) has been released by the server.
grpc::ServerUnaryReactor* StartModelInfer(Server* server, grpc::CallbackServerContext* context,
                                          const inference::ModelInferRequest* request,
                                          inference::ModelInferResponse* response);

}  // namespace inferd::grpc_frontend
