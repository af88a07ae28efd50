#include "frontend/grpc/grpc_service.h"

#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/server.h"
#include "frontend/grpc/grpc_infer_call.h"
#include "frontend/grpc/grpc_status.h"
#include "frontend/grpc/grpc_stream_reactor.h"
#include "protocol/grpc_messages.h"
#include "protocol/model_control_messages.h"

namespace inferd::grpc_frontend {
namespace {

// Finishes a unary call at once: every handler here but ModelInfer answers
// from memory without waiting on anything.
grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context, const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context, const Status& status) {
  return FinishNow(context, ToGrpcStatus(status));
}

grpc::ServerUnaryReactor* Unimplemented(grpc::CallbackServerContext* context, std::string_view what) {
  return FinishNow(context, grpc::Status(grpc::StatusCode::UNIMPLEMENTED, std::string(what)));
}

// Triton's answer to naming one of several repositories.
constexpr std::string_view kRepositoryName = "'repository_name' specification is not supported";
constexpr std::string_view kSharedMemory =
    "shared-memory tensors are not supported yet; send tensor data in the request";

// A stream refused before it starts: finishes at once, deletes itself when done.
class RefusedStream final
    : public grpc::ServerBidiReactor<inference::ModelInferRequest, inference::ModelStreamInferResponse> {
 public:
  explicit RefusedStream(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

std::optional<grpc::Status> GrpcInferenceService::Refused(grpc::CallbackServerContext* context,
                                                          ApiCategory category) const {
  const ApiRestriction* restriction = restricted_.For(category);
  if (restriction == nullptr) return std::nullopt;
  const std::string key = GrpcRestrictionKey(restriction->key);
  auto [first, last] = context->client_metadata().equal_range(key);
  for (auto it = first; it != last; ++it) {
    if (std::string_view(it->second.data(), it->second.size()) == restriction->value) return std::nullopt;
  }
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, fmt::format("This protocol is restricted, expecting header '{}'", key));
}

GrpcInferenceService::GrpcInferenceService(Server* server, grpc_compression_level response_compression,
                                           size_t message_pool_size, RestrictedApis restricted)
    : server_(server),
      response_compression_(response_compression),
      message_pool_(message_pool_size),
      restricted_(std::move(restricted)) {
  SetMessageAllocatorFor_ModelInfer(&message_pool_);
}

grpc::ServerUnaryReactor* GrpcInferenceService::ServerLive(grpc::CallbackServerContext* context,
                                                           const inference::ServerLiveRequest*,
                                                           inference::ServerLiveResponse* response) {
  if (auto refused = Refused(context, ApiCategory::kHealth)) return FinishNow(context, *refused);
  response->set_live(server_->IsLive());
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* GrpcInferenceService::ServerReady(grpc::CallbackServerContext* context,
                                                            const inference::ServerReadyRequest*,
                                                            inference::ServerReadyResponse* response) {
  if (auto refused = Refused(context, ApiCategory::kHealth)) return FinishNow(context, *refused);
  response->set_ready(server_->IsReady());
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* GrpcInferenceService::ModelReady(grpc::CallbackServerContext* context,
                                                           const inference::ModelReadyRequest* request,
                                                           inference::ModelReadyResponse* response) {
  if (auto refused = Refused(context, ApiCategory::kHealth)) return FinishNow(context, *refused);
  Result<int64_t> version = ParseModelVersion(request->name(), request->version());
  if (!version.ok()) return FinishNow(context, version.status());
  // Like tritonserver: any model that is not ready, known or not, is just
  // ready=false.
  response->set_ready(server_->ModelReady(request->name(), *version).ok());
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* GrpcInferenceService::ServerMetadata(grpc::CallbackServerContext* context,
                                                               const inference::ServerMetadataRequest*,
                                                               inference::ServerMetadataResponse* response) {
  if (auto refused = Refused(context, ApiCategory::kMetadata)) return FinishNow(context, *refused);
  protocol::FillServerMetadata(server_->Name(), Server::Version(), Server::Extensions(), response);
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* GrpcInferenceService::ModelMetadata(grpc::CallbackServerContext* context,
                                                              const inference::ModelMetadataRequest* request,
                                                              inference::ModelMetadataResponse* response) {
  if (auto refused = Refused(context, ApiCategory::kMetadata)) return FinishNow(context, *refused);
  Result<int64_t> version = ParseModelVersion(request->name(), request->version());
  if (!version.ok()) return FinishNow(context, version.status());
  Result<inferd::ModelMetadata> metadata = server_->GetModelMetadata(request->name(), *version);
  if (!metadata.ok()) return FinishNow(context, metadata.status());
  protocol::FillModelMetadata(*metadata, response);
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* GrpcInferenceService::ModelInfer(grpc::CallbackServerContext* context,
                                                           const inference::ModelInferRequest* request,
                                                           inference::ModelInferResponse* response) {
  if (auto refused = Refused(context, ApiCategory::kInference)) return FinishNow(context, *refused);
  if (response_compression_ != GRPC_COMPRESS_LEVEL_NONE) context->set_compression_level(response_compression_);
  return StartModelInfer(server_, context, request, response);
}

grpc::ServerBidiReactor<inference::ModelInferRequest, inference::ModelStreamInferResponse>*
GrpcInferenceService::ModelStreamInfer(grpc::CallbackServerContext* context) {
  if (auto refused = Refused(context, ApiCategory::kInference)) return new RefusedStream(*refused);  // deletes itself
  if (response_compression_ != GRPC_COMPRESS_LEVEL_NONE) context->set_compression_level(response_compression_);
  return new StreamInferReactor(server_, &streams_);  // deletes itself in OnDone
}

grpc::ServerUnaryReactor* GrpcInferenceService::ModelConfig(grpc::CallbackServerContext* context,
                                                            const inference::ModelConfigRequest* request,
                                                            inference::ModelConfigResponse* response) {
  if (auto refused = Refused(context, ApiCategory::kModelConfig)) return FinishNow(context, *refused);
  Result<int64_t> version = ParseModelVersion(request->name(), request->version());
  if (!version.ok()) return FinishNow(context, version.status());
  auto config = server_->GetModelConfig(request->name(), *version);
  if (!config.ok()) return FinishNow(context, config.status());
  *response->mutable_config() = **config;
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* GrpcInferenceService::ModelStatistics(grpc::CallbackServerContext* context,
                                                                const inference::ModelStatisticsRequest* request,
                                                                inference::ModelStatisticsResponse* response) {
  if (auto refused = Refused(context, ApiCategory::kStatistics)) return FinishNow(context, *refused);
  Result<int64_t> version = ParseModelVersion(request->name(), request->version());
  if (!version.ok()) return FinishNow(context, version.status());
  Result<std::vector<ModelStatisticsSnapshot>> stats = server_->GetStatistics(request->name(), *version);
  if (!stats.ok()) return FinishNow(context, stats.status());
  protocol::FillModelStatistics(*stats, response);
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* GrpcInferenceService::RepositoryIndex(grpc::CallbackServerContext* context,
                                                                const inference::RepositoryIndexRequest* request,
                                                                inference::RepositoryIndexResponse* response) {
  if (auto refused = Refused(context, ApiCategory::kModelRepository)) return FinishNow(context, *refused);
  // repository_name selects one of several repositories in Triton; inferd
  // lists every model of every repository it serves, as Triton does for "".
  protocol::FillRepositoryIndex(server_->RepositoryIndex(request->ready()), response);
  return FinishNow(context, grpc::Status::OK);
}

// Load and unload finish the call from the controller's load thread, once
// the model's state has changed.
grpc::ServerUnaryReactor* GrpcInferenceService::RepositoryModelLoad(grpc::CallbackServerContext* context,
                                                                    const inference::RepositoryModelLoadRequest* request,
                                                                    inference::RepositoryModelLoadResponse*) {
  if (auto refused = Refused(context, ApiCategory::kModelRepository)) return FinishNow(context, *refused);
  if (!request->repository_name().empty()) return Unimplemented(context, kRepositoryName);
  Result<ModelLoadRequest> load = protocol::ReadGrpcLoadRequest(*request);
  if (!load.ok()) return FinishNow(context, load.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  server_->LoadModel(std::move(load).value(), [reactor](Status status) { reactor->Finish(ToGrpcStatus(status)); });
  return reactor;
}

grpc::ServerUnaryReactor* GrpcInferenceService::RepositoryModelUnload(
    grpc::CallbackServerContext* context, const inference::RepositoryModelUnloadRequest* request,
    inference::RepositoryModelUnloadResponse*) {
  if (auto refused = Refused(context, ApiCategory::kModelRepository)) return FinishNow(context, *refused);
  if (!request->repository_name().empty()) return Unimplemented(context, kRepositoryName);
  Result<bool> unload_dependents = protocol::ReadGrpcUnloadDependents(*request);
  if (!unload_dependents.ok()) return FinishNow(context, unload_dependents.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  server_->UnloadModel(request->model_name(), *unload_dependents,
                       [reactor](Status status) { reactor->Finish(ToGrpcStatus(status)); });
  return reactor;
}

grpc::ServerUnaryReactor* GrpcInferenceService::SystemSharedMemoryStatus(
    grpc::CallbackServerContext* context, const inference::SystemSharedMemoryStatusRequest*,
    inference::SystemSharedMemoryStatusResponse*) {
  if (auto refused = Refused(context, ApiCategory::kSharedMemory)) return FinishNow(context, *refused);
  return Unimplemented(context, fmt::format("system {}", kSharedMemory));
}

grpc::ServerUnaryReactor* GrpcInferenceService::SystemSharedMemoryRegister(
    grpc::CallbackServerContext* context, const inference::SystemSharedMemoryRegisterRequest*,
    inference::SystemSharedMemoryRegisterResponse*) {
  if (auto refused = Refused(context, ApiCategory::kSharedMemory)) return FinishNow(context, *refused);
  return Unimplemented(context, fmt::format("system {}", kSharedMemory));
}

grpc::ServerUnaryReactor* GrpcInferenceService::SystemSharedMemoryUnregister(
    grpc::CallbackServerContext* context, const inference::SystemSharedMemoryUnregisterRequest*,
    inference::SystemSharedMemoryUnregisterResponse*) {
  if (auto refused = Refused(context, ApiCategory::kSharedMemory)) return FinishNow(context, *refused);
  return Unimplemented(context, fmt::format("system {}", kSharedMemory));
}

grpc::ServerUnaryReactor* GrpcInferenceService::CudaSharedMemoryStatus(
    grpc::CallbackServerContext* context, const inference::CudaSharedMemoryStatusRequest*,
    inference::CudaSharedMemoryStatusResponse*) {
  if (auto refused = Refused(context, ApiCategory::kSharedMemory)) return FinishNow(context, *refused);
  return Unimplemented(context, fmt::format("CUDA {}", kSharedMemory));
}

grpc::ServerUnaryReactor* GrpcInferenceService::CudaSharedMemoryRegister(
    grpc::CallbackServerContext* context, const inference::CudaSharedMemoryRegisterRequest*,
    inference::CudaSharedMemoryRegisterResponse*) {
  if (auto refused = Refused(context, ApiCategory::kSharedMemory)) return FinishNow(context, *refused);
  return Unimplemented(context, fmt::format("CUDA {}", kSharedMemory));
}

grpc::ServerUnaryReactor* GrpcInferenceService::CudaSharedMemoryUnregister(
    grpc::CallbackServerContext* context, const inference::CudaSharedMemoryUnregisterRequest*,
    inference::CudaSharedMemoryUnregisterResponse*) {
  if (auto refused = Refused(context, ApiCategory::kSharedMemory)) return FinishNow(context, *refused);
  return Unimplemented(context, fmt::format("CUDA {}", kSharedMemory));
}

grpc::ServerUnaryReactor* GrpcInferenceService::TraceSetting(grpc::CallbackServerContext* context,
                                                             const inference::TraceSettingRequest*,
                                                             inference::TraceSettingResponse*) {
  if (auto refused = Refused(context, ApiCategory::kTrace)) return FinishNow(context, *refused);
  return Unimplemented(context, "tracing is not supported yet: trace settings cannot be read or changed");
}

grpc::ServerUnaryReactor* GrpcInferenceService::LogSettings(grpc::CallbackServerContext* context,
                                                            const inference::LogSettingsRequest*,
                                                            inference::LogSettingsResponse*) {
  if (auto refused = Refused(context, ApiCategory::kLogging)) return FinishNow(context, *refused);
  return Unimplemented(context,
                       "log settings cannot be read or changed at run time yet; use --log-verbose at start");
}

}  // namespace inferd::grpc_frontend
