// The KServe v2 GRPCInferenceService over the Server facade, on gRPC's
// callback API: no thread per request and no blocking in a handler.
//
// Answers follow tritonserver where clients can tell the difference:
// ServerLive/ServerReady/ModelReady answer a bool and OK (ModelReady of an
// unknown model is ready=false, not an error: tritonclient's is_model_ready
// returns the bool); facade errors map through ToGrpcStatus with the same
// messages as HTTP. Shared memory, trace and log settings are UNIMPLEMENTED
// with a message saying so. A restricted group answers UNAVAILABLE in
// Triton's words to a call without its metadata key.
#pragma once

#include <grpc/compression.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <cstddef>
#include <optional>

#include "frontend/grpc/grpc_message_pool.h"
#include "frontend/grpc/grpc_stream_reactor.h"
#include "frontend/restricted/restricted_api.h"
#include "grpc_service.grpc.pb.h"

namespace inferd {
class Server;
}

namespace inferd::grpc_frontend {

class GrpcInferenceService final : public inference::GRPCInferenceService::CallbackService {
 public:
  // `server` must outlive the gRPC server this service is registered with.
  // `response_compression` applies to ModelInfer and ModelStreamInfer
  // responses (tritonserver's --grpc-infer-response-compression-level);
  // up to `message_pool_size` ModelInfer message pairs are kept for reuse.
  // `restricted`: the RPC groups that need a metadata key (--grpc-restricted-protocol).
  GrpcInferenceService(Server* server, grpc_compression_level response_compression, size_t message_pool_size,
                       RestrictedApis restricted = {});

  // Ends every ModelStreamInfer stream once its requests are answered, and
  // streams opened later as soon as they are idle: a stream whose client
  // never half-closes must not hold up the server's shutdown.
  void StopStreams() { streams_.StopAll(); }

  grpc::ServerUnaryReactor* ServerLive(grpc::CallbackServerContext* context, const inference::ServerLiveRequest* request,
                                       inference::ServerLiveResponse* response) override;
  grpc::ServerUnaryReactor* ServerReady(grpc::CallbackServerContext* context,
                                        const inference::ServerReadyRequest* request,
                                        inference::ServerReadyResponse* response) override;
  grpc::ServerUnaryReactor* ModelReady(grpc::CallbackServerContext* context, const inference::ModelReadyRequest* request,
                                       inference::ModelReadyResponse* response) override;
  grpc::ServerUnaryReactor* ServerMetadata(grpc::CallbackServerContext* context,
                                           const inference::ServerMetadataRequest* request,
                                           inference::ServerMetadataResponse* response) override;
  grpc::ServerUnaryReactor* ModelMetadata(grpc::CallbackServerContext* context,
                                          const inference::ModelMetadataRequest* request,
                                          inference::ModelMetadataResponse* response) override;
  grpc::ServerUnaryReactor* ModelInfer(grpc::CallbackServerContext* context, const inference::ModelInferRequest* request,
                                       inference::ModelInferResponse* response) override;
  grpc::ServerBidiReactor<inference::ModelInferRequest, inference::ModelStreamInferResponse>* ModelStreamInfer(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* ModelConfig(grpc::CallbackServerContext* context,
                                        const inference::ModelConfigRequest* request,
                                        inference::ModelConfigResponse* response) override;
  grpc::ServerUnaryReactor* ModelStatistics(grpc::CallbackServerContext* context,
                                            const inference::ModelStatisticsRequest* request,
                                            inference::ModelStatisticsResponse* response) override;
  grpc::ServerUnaryReactor* RepositoryIndex(grpc::CallbackServerContext* context,
                                            const inference::RepositoryIndexRequest* request,
                                            inference::RepositoryIndexResponse* response) override;

  grpc::ServerUnaryReactor* RepositoryModelLoad(grpc::CallbackServerContext* context,
                                                const inference::RepositoryModelLoadRequest* request,
                                                inference::RepositoryModelLoadResponse* response) override;
  grpc::ServerUnaryReactor* RepositoryModelUnload(grpc::CallbackServerContext* context,
                                                  const inference::RepositoryModelUnloadRequest* request,
                                                  inference::RepositoryModelUnloadResponse* response) override;
  grpc::ServerUnaryReactor* SystemSharedMemoryStatus(grpc::CallbackServerContext* context,
                                                     const inference::SystemSharedMemoryStatusRequest* request,
                                                     inference::SystemSharedMemoryStatusResponse* response) override;
  grpc::ServerUnaryReactor* SystemSharedMemoryRegister(grpc::CallbackServerContext* context,
                                                       const inference::SystemSharedMemoryRegisterRequest* request,
                                                       inference::SystemSharedMemoryRegisterResponse* response) override;
  grpc::ServerUnaryReactor* SystemSharedMemoryUnregister(
      grpc::CallbackServerContext* context, const inference::SystemSharedMemoryUnregisterRequest* request,
      inference::SystemSharedMemoryUnregisterResponse* response) override;
  grpc::ServerUnaryReactor* CudaSharedMemoryStatus(grpc::CallbackServerContext* context,
                                                   const inference::CudaSharedMemoryStatusRequest* request,
                                                   inference::CudaSharedMemoryStatusResponse* response) override;
  grpc::ServerUnaryReactor* CudaSharedMemoryRegister(grpc::CallbackServerContext* context,
                                                     const inference::CudaSharedMemoryRegisterRequest* request,
                                                     inference::CudaSharedMemoryRegisterResponse* response) override;
  grpc::ServerUnaryReactor* CudaSharedMemoryUnregister(grpc::CallbackServerContext* context,
                                                       const inference::CudaSharedMemoryUnregisterRequest* request,
                                                       inference::CudaSharedMemoryUnregisterResponse* response) override;
  grpc::ServerUnaryReactor* TraceSetting(grpc::CallbackServerContext* context,
                                         const inference::TraceSettingRequest* request,
                                         inference::TraceSettingResponse* response) override;
  grpc::ServerUnaryReactor* LogSettings(grpc::CallbackServerContext* context,
                                        const inference::LogSettingsRequest* request,
                                        inference::LogSettingsResponse* response) override;

 private:
  // UNAVAILABLE in Triton's words when `category` is restricted and the
  // call lacks its metadata key; nullopt when the call may go on.
  std::optional<grpc::Status> Refused(grpc::CallbackServerContext* context, ApiCategory category) const;

  Server* const server_;
  const grpc_compression_level response_compression_;
  InferMessagePool message_pool_;  // outlives the calls: the grpc::Server goes first
  StreamRegistry streams_;
  const RestrictedApis restricted_;
};

}  // namespace inferd::grpc_frontend
