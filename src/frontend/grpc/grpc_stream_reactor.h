// ModelStreamInfer: many inference requests on one bidirectional stream.
//
// Every request read goes to Server::Infer at once (the next read starts
// before the previous request is done), so requests run concurrently and
// responses are written in completion order, each carrying its request's id.
// gRPC allows one outstanding write per stream: responses that complete while
// a write is in flight wait in a queue. A request that fails is answered
// with ModelStreamInferResponse{error_message} and the stream goes on. The
// stream finishes OK once the client has half-closed and every response has
// been written (or, if the client went away, once every request is done).
// When the server stops, each stream ends as soon as its requests are
// answered, with UNAVAILABLE unless the client had already half-closed.
#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "common/status.h"
#include "grpc_service.grpc.pb.h"

namespace inferd {
class Server;
}

namespace inferd::grpc_frontend {

class StreamInferReactor;

// The open streams of one service, so that stopping the server can end them
// instead of waiting for their clients to half-close.
class StreamRegistry {
 public:
  // Returns false when the registry is stopping (the stream must then end as
  // soon as it is idle).
  bool Add(StreamInferReactor* stream);
  void Remove(StreamInferReactor* stream);
  // Ends every open stream once its requests are answered; streams opened
  // from now on end as soon as they are idle.
  void StopAll();

 private:
  std::mutex mutex_;
  std::set<StreamInferReactor*> streams_;
  bool stopping_ = false;
};

class StreamInferReactor final
    : public grpc::ServerBidiReactor<inference::ModelInferRequest, inference::ModelStreamInferResponse> {
 public:
  // Starts reading at once. Deletes itself when gRPC reports the call done.
  // `server` and `registry` must outlive the reactor.
  StreamInferReactor(Server* server, StreamRegistry* registry);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override;
  // The client cancelled or went away: its queued requests are dropped.
  void OnCancel() override;

 private:
  friend class StreamRegistry;

  using Response = inference::ModelStreamInferResponse;

  void StartNextRead();
  void Process(std::shared_ptr<inference::ModelInferRequest> message);
  // Queues one answer of a request (none: the request completed with
  // nothing to write) and, where nothing else is written, writes it. With
  // `last` (the request's final answer) it must be the last thing a caller
  // does with `this`: the reactor may be gone once it returns.
  void Respond(std::unique_ptr<Response> response, bool last = true);
  // Under mutex_: the status to finish with when the stream can finish now
  // (then marks it finished), nullopt otherwise.
  std::optional<grpc::Status> TakeFinishLocked();
  // What to do once mutex_ is released: write the next queued response, or
  // finish the stream, or nothing.
  struct NextStep {
    const Response* write = nullptr;
    std::optional<grpc::Status> finish;
  };
  // Under mutex_, with no write in progress: starts writing the front
  // response if there is one, else asks TakeFinishLocked.
  NextStep TakeNextStepLocked();
  // Outside the lock; must be the caller's last use of `this`.
  void Take(const NextStep& next);
  // For StreamRegistry::StopAll: marks the stream stopping; returns the
  // status to finish with when it is idle, for FinishNow outside the locks.
  std::optional<grpc::Status> BeginStop();

  Server* const server_;
  StreamRegistry* const registry_;
  std::shared_ptr<inference::ModelInferRequest> reading_;  // the message the pending read fills
  // Shared by every request of the stream; set by OnCancel.
  const std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);

  std::mutex mutex_;
  std::deque<std::unique_ptr<Response>> writes_;  // front() is being written when writing_
  bool writing_ = false;
  bool reads_done_ = false;     // the client half-closed or went away
  bool write_failed_ = false;   // the client went away: drop further responses
  bool stopping_ = false;       // the server stops: end once idle
  bool finished_ = false;       // Finish() was called or is about to be
  size_t in_flight_ = 0;        // requests read but not yet answered
};

}  // namespace inferd::grpc_frontend
