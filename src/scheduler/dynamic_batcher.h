// DynamicBatcher: Triton's dynamic_batching for one model version.
//
// Threads: one batcher thread owns every queue decision (timeouts, batch
// formation, dispatch); one worker thread per instance executes the batches
// it is handed. The batcher forms a batch only when an instance is idle, so
// requests arriving while all instances are busy wait together and leave as
// one batch. It sleeps until the next event: a new job, an instance becoming
// idle, the oldest job's max_queue_delay, or the earliest queue timeout — so
// a timed-out job is answered at its deadline, not when a running batch ends.
//
// The rules for which jobs form a batch are in batch_planner.h, the queue
// policies in priority_job_queue.h, gather/scatter in batch_tensors.h.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "backends/sdk/backend.h"
#include "common/status.h"
#include "model_config.pb.h"
#include "scheduler/batch_planner.h"
#include "scheduler/in_order_delivery.h"
#include "scheduler/job_runner.h"
#include "scheduler/priority_job_queue.h"
#include "scheduler/scheduler.h"

namespace inferd {

class DynamicBatcher : public Scheduler {
 public:
  // `config` must have dynamic_batching and max_batch_size > 0 (normalized).
  static Result<std::unique_ptr<DynamicBatcher>> Create(const inference::ModelConfig& config, ScheduledModel model,
                                                        std::vector<std::unique_ptr<BackendInstance>> instances);
  ~DynamicBatcher() override;

  void Enqueue(std::unique_ptr<InferJob> job) override;
  // Rejects new jobs, runs every queued job without waiting for batch delays
  // (queue timeouts still apply), then joins the threads.
  void Stop() override;
  size_t InFlight() const override;

 private:
  struct Worker {
    BackendInstance* instance = nullptr;
    std::vector<std::unique_ptr<InferJob>> batch;  // handed over by the batcher; empty when idle
    bool busy = false;
    std::condition_variable batch_ready;
    std::thread thread;
  };

  DynamicBatcher(const inference::ModelConfig& config, ScheduledModel model,
                 std::vector<std::unique_ptr<BackendInstance>> instances);
  void BatcherLoop();
  void WorkerLoop(Worker* worker);
  // Hands the jobs of `plan` to `worker`. Called with mutex_ held.
  void Dispatch(const BatchPlan& plan, Worker* worker);
  void FailDropped(std::vector<DroppedJob> dropped);
  Worker* IdleWorker();

  const ScheduledModel model_;
  const BatchingPolicy policy_;
  const bool preserve_ordering_;
  std::vector<std::unique_ptr<BackendInstance>> instances_;
  InOrderDelivery delivery_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable batcher_wake_;
  PriorityJobQueue queue_;
  std::vector<std::unique_ptr<Worker>> workers_;
  size_t idle_workers_ = 0;
  size_t running_jobs_ = 0;  // dispatched or being dropped, not yet completed
  Clock::TimePoint batcher_sleeps_until_ = Clock::kNever;
  bool stopping_ = false;
  bool batcher_done_ = false;
  bool joined_ = false;
  std::thread batcher_;
};

}  // namespace inferd
