// EnsembleScheduler: runs an ensemble request as a dataflow graph.
//
// A step is submitted as soon as every tensor it reads exists, so steps that
// do not depend on each other run at the same time. Each step is an inner
// request submitted through `infer` (the server's own Infer), so it is
// validated against its composing model's config and goes through that
// model's scheduler: a dynamically batched composing model merges steps of
// concurrent ensemble requests, and the composing model counts the step in
// its own statistics. Tensors pass from step to step by sharing their
// buffers (Tensor::owner), never copied.
//
// The first failing step fails the whole request, once, with the step named:
// "ensemble 'ocr' step 2 (model 'text_detection'): <error>"; results of steps
// still running are then dropped. The response carries the outputs the
// client asked for (all of the ensemble's when it named none).
//
// Threads: none of its own. A request starts on the caller's thread and moves
// on on whichever thread completes each step; no lock is held while a step is
// submitted or the client's callback runs.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <vector>
#include <functional>
#include <memory>
#include <mutex>

#include "scheduler/ensemble_graph.h"
#include "scheduler/job_runner.h"
#include "scheduler/scheduler.h"
#include "types/inference_request.h"

namespace inferd {

// Submits an inner request; calls the callback exactly once (possibly before
// returning, e.g. for an unknown model).
using InferFunction = std::function<void(InferenceRequest, InferCallback)>;

class EnsembleScheduler : public Scheduler {
 public:
  EnsembleScheduler(ScheduledModel model, std::shared_ptr<const EnsembleGraph> graph, InferFunction infer);
  ~EnsembleScheduler() override;

  void Enqueue(std::unique_ptr<InferJob> job) override;
  // Rejects new requests and waits until the running ones have answered.
  void Stop() override;
  size_t InFlight() const override;

  // What every request of this ensemble shares; outlives the scheduler while
  // a request still holds it.
  struct Shared {
    ScheduledModel model;
    std::shared_ptr<const EnsembleGraph> graph;
    InferFunction infer;

    std::mutex mutex;  // guards the two fields below
    std::condition_variable idle;
    size_t in_flight = 0;
    bool stopping = false;

    // max_inflight_requests: per step, the step requests submitted and not
    // answered, and those waiting for one of them to finish. Guarded by
    // step_mutex (never held while a step is submitted).
    std::mutex step_mutex;
    std::vector<size_t> step_in_flight;
    std::vector<std::deque<std::function<void()>>> step_waiting;
  };

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace inferd
