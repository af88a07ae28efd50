#include "frontend/grpc/grpc_infer_call.h"

#include <atomic>
#include <utility>

#include "common/logging.h"
#include "core/server.h"
#include "frontend/grpc/grpc_status.h"
#include "protocol/grpc_infer_request.h"
#include "protocol/grpc_infer_response.h"

namespace inferd::grpc_frontend {
namespace {

// The reactor of one unary inference call: it tells the request when the
// client cancels or goes away, so a request still queued is dropped.
class InferReactor final : public grpc::ServerUnaryReactor {
 public:
  const std::shared_ptr<std::atomic<bool>>& cancelled() const { return cancelled_; }
  void OnCancel() override { cancelled_->store(true, std::memory_order_relaxed); }
  void OnDone() override { delete this; }

 private:
  const std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
};

// One unary inference call. The input tensors share ownership of this object
// (they point into the gRPC-owned request), so it is destroyed - and the call
// finished with `status` - when both the response is ready and the server has
// released every input.
class UnaryInferCall {
 public:
  explicit UnaryInferCall(grpc::ServerUnaryReactor* reactor) : reactor_(reactor) {}
  ~UnaryInferCall() { reactor_->Finish(status_); }
  UnaryInferCall(const UnaryInferCall&) = delete;
  UnaryInferCall& operator=(const UnaryInferCall&) = delete;

  void Fail(grpc::Status status) { status_ = std::move(status); }

 private:
  grpc::ServerUnaryReactor* const reactor_;
  grpc::Status status_;  // OK unless Fail() was called
};

}  // namespace

Result<InferenceRequest> DecodeInferMessage(const inference::ModelInferRequest& message,
                                            std::shared_ptr<const void> owner) {
  ASSIGN_OR_RETURN(int64_t version, ParseModelVersion(message.model_name(), message.model_version()));
  return protocol::DecodeGrpcInferRequest(message, version, std::move(owner));
}

grpc::ServerUnaryReactor* StartModelInfer(Server* server, grpc::CallbackServerContext* /*context*/,
                                          const inference::ModelInferRequest* request,
                                          inference::ModelInferResponse* response) {
  auto* reactor = new InferReactor();  // deletes itself in OnDone
  auto call = std::make_shared<UnaryInferCall>(reactor);
  Result<InferenceRequest> decoded = DecodeInferMessage(*request, std::shared_ptr<const void>(call, request));
  if (!decoded.ok()) {
    LogVerbose("gRPC inference request for model '{}' rejected: {}", request->model_name(),
               decoded.status().ToString());
    call->Fail(ToGrpcStatus(decoded.status()));
    return reactor;  // `call` (the last reference) finishes the call here
  }
  decoded->cancelled = reactor->cancelled();
  server->Infer(std::move(decoded).value(), [call, request, response](Result<InferenceResponse> result) {
    if (!result.ok()) {
      LogVerbose("inference for model '{}' failed: {}", request->model_name(), result.status().ToString());
      call->Fail(ToGrpcStatus(result.status()));
      return;
    }
    protocol::EncodeGrpcInferResponse(*result, request->id(), response);
  }, "ModelInfer RPC");
  return reactor;
}

}  // namespace inferd::grpc_frontend
