// Scheduler: how requests for one model version reach its instances.
// Chosen from the config in one place (scheduler_factory.h): direct when the
// config has no dynamic_batching, the dynamic batcher when it has.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "types/inference_request.h"

namespace inferd {

// A validated request on its way through a scheduler.
struct InferJob {
  InferenceRequest request;
  InferCallback done;  // called exactly once
  // A decoupled model's responses before its last (empty: the caller wants
  // exactly one response, as unary APIs do).
  InferPartialCallback partial;
  int64_t batch_size = 1;  // rows this request contributes (1 without batching)
  // The request's "priority" and "timeout" parameters (0: not given). Only
  // the dynamic batcher reads them; its config decides what they mean.
  uint64_t priority = 0;
  uint64_t timeout_us = 0;
  // Set by whoever notices the client went away; a queued job whose flag is
  // set is dropped (CANCELLED) instead of executed. May be null.
  std::shared_ptr<const std::atomic<bool>> cancelled;
  std::chrono::steady_clock::time_point enqueued = std::chrono::steady_clock::now();

  bool IsCancelled() const { return cancelled && cancelled->load(std::memory_order_relaxed); }
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Takes the job; completes it later on a scheduler thread. Never blocks on execution.
  virtual void Enqueue(std::unique_ptr<InferJob> job) = 0;
  // Rejects new jobs with UNAVAILABLE, lets queued and running jobs finish, joins threads.
  virtual void Stop() = 0;
  // Jobs accepted and not yet completed.
  virtual size_t InFlight() const = 0;
};

}  // namespace inferd
