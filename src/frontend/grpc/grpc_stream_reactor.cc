#include "frontend/grpc/grpc_stream_reactor.h"

#include <utility>
#include <vector>

#include "common/logging.h"
#include "core/server.h"
#include "frontend/grpc/grpc_infer_call.h"
#include "frontend/grpc/grpc_status.h"
#include "protocol/grpc_infer_response.h"

namespace inferd::grpc_frontend {
namespace {

// The stream's answer to a failed request (or to one failed response of a
// decoupled model, `final` false): the message, plus the request's id, model
// name and version so the client can tell which request failed, and
// triton_final_response as Triton sets it on every stream response.
std::unique_ptr<inference::ModelStreamInferResponse> ErrorResponse(const inference::ModelInferRequest& request,
                                                                   const Status& status, bool final = true) {
  auto response = std::make_unique<inference::ModelStreamInferResponse>();
  response->set_error_message(BoundGrpcMessage(status.message()));
  inference::ModelInferResponse* infer = response->mutable_infer_response();
  infer->set_model_name(request.model_name());
  infer->set_model_version(request.model_version());
  infer->set_id(request.id());
  (*infer->mutable_parameters())["triton_final_response"].set_bool_param(final);
  return response;
}

}  // namespace

bool StreamRegistry::Add(StreamInferReactor* stream) {
  std::lock_guard<std::mutex> lock(mutex_);
  streams_.insert(stream);
  return !stopping_;
}

void StreamRegistry::Remove(StreamInferReactor* stream) {
  std::lock_guard<std::mutex> lock(mutex_);
  streams_.erase(stream);
}

void StreamRegistry::StopAll() {
  std::vector<std::pair<StreamInferReactor*, grpc::Status>> idle;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    for (StreamInferReactor* stream : streams_) {
      if (std::optional<grpc::Status> status = stream->BeginStop()) idle.emplace_back(stream, *std::move(status));
    }
  }
  // Outside the lock: Finish may lead to OnDone, which unregisters. A stream
  // marked finished stays alive until its Finish is called here.
  for (auto& [stream, status] : idle) stream->Finish(status);
}

StreamInferReactor::StreamInferReactor(Server* server, StreamRegistry* registry)
    : server_(server), registry_(registry) {
  const bool stopping = !registry_->Add(this);
  StartNextRead();
  if (!stopping) return;
  std::optional<grpc::Status> finish = BeginStop();
  if (finish) Finish(*finish);
}

std::optional<grpc::Status> StreamInferReactor::BeginStop() {
  std::lock_guard<std::mutex> lock(mutex_);
  stopping_ = true;
  return TakeFinishLocked();
}

void StreamInferReactor::StartNextRead() {
  reading_ = std::make_shared<inference::ModelInferRequest>();
  StartRead(reading_.get());
}

void StreamInferReactor::OnReadDone(bool ok) {
  if (!ok) {
    // Half-close or a broken stream: no more requests will come.
    std::optional<grpc::Status> finish;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      reads_done_ = true;
      finish = TakeFinishLocked();
    }
    if (finish) Finish(*finish);
    return;
  }
  std::shared_ptr<inference::ModelInferRequest> message = std::move(reading_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // The server stopped the stream while this read was pending: nothing may
    // be written any more.
    if (finished_) return;
    // Counted before the next read starts, so a concurrent end of the stream
    // cannot finish it while this request is still being handled.
    ++in_flight_;
  }
  StartNextRead();
  Process(std::move(message));
}

void StreamInferReactor::Process(std::shared_ptr<inference::ModelInferRequest> message) {
  // Raw input tensors point into the message and keep it alive.
  Result<InferenceRequest> decoded = DecodeInferMessage(*message, message);
  if (!decoded.ok()) {
    LogVerbose("gRPC stream request for model '{}' rejected: {}", message->model_name(), decoded.status().ToString());
    return Respond(ErrorResponse(*message, decoded.status()));
  }
  decoded->cancelled = cancelled_;
  // A decoupled model's completion without a last response is written only
  // when the client asks for it (Triton's request parameter).
  auto empty_final = message->parameters().find("triton_enable_empty_final_response");
  const bool write_empty_final = empty_final != message->parameters().end() && empty_final->second.bool_param();
  auto encode = [message, write_empty_final](Result<InferenceResponse> result,
                                             bool last) -> std::unique_ptr<Response> {
    if (!result.ok()) {
      LogVerbose("inference for model '{}' failed: {}", message->model_name(), result.status().ToString());
      return ErrorResponse(*message, result.status(), last);
    }
    if (result->complete_only && !write_empty_final) return nullptr;
    auto response = std::make_unique<Response>();
    inference::ModelInferResponse* infer = response->mutable_infer_response();
    protocol::EncodeGrpcInferResponse(*result, message->id(), infer);
    (*infer->mutable_parameters())["triton_final_response"].set_bool_param(result->final);
    return response;
  };
  server_->InferStream(
      std::move(decoded).value(),
      [this, encode](Result<InferenceResponse> result) { Respond(encode(std::move(result), false), false); },
      [this, encode](Result<InferenceResponse> result) { Respond(encode(std::move(result), true), true); });
}

void StreamInferReactor::Respond(std::unique_ptr<Response> response, bool last) {
  NextStep next;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (last) --in_flight_;
    if (!write_failed_ && response) writes_.push_back(std::move(response));
    if (!writing_) next = TakeNextStepLocked();
  }
  Take(next);
}

void StreamInferReactor::OnWriteDone(bool ok) {
  NextStep next;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    writes_.pop_front();
    writing_ = false;
    if (!ok) {
      // The client is gone; its remaining answers have nowhere to go.
      write_failed_ = true;
      writes_.clear();
    }
    next = TakeNextStepLocked();
  }
  Take(next);
}

StreamInferReactor::NextStep StreamInferReactor::TakeNextStepLocked() {
  NextStep next;
  if (!writes_.empty()) {
    writing_ = true;
    next.write = writes_.front().get();
  } else {
    next.finish = TakeFinishLocked();
  }
  return next;
}

void StreamInferReactor::Take(const NextStep& next) {
  if (next.write != nullptr) {
    StartWrite(next.write);
  } else if (next.finish) {
    Finish(*next.finish);
  }
}

std::optional<grpc::Status> StreamInferReactor::TakeFinishLocked() {
  if (finished_ || !(reads_done_ || stopping_) || in_flight_ > 0 || writing_ || !writes_.empty()) return std::nullopt;
  finished_ = true;
  if (reads_done_) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, "inferd is shutting down; the stream was closed");
}

void StreamInferReactor::OnCancel() { cancelled_->store(true, std::memory_order_relaxed); }

void StreamInferReactor::OnDone() {
  registry_->Remove(this);
  delete this;
}

}  // namespace inferd::grpc_frontend
