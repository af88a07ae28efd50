// DirectScheduler: each request runs alone on the next free instance.
// One worker thread per instance takes jobs from one shared FIFO queue, so
// `count: 2` instances execute two requests at the same time.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "backends/sdk/backend.h"
#include "scheduler/job_runner.h"
#include "scheduler/scheduler.h"

namespace inferd {

class DirectScheduler : public Scheduler {
 public:
  DirectScheduler(ScheduledModel model, std::vector<std::unique_ptr<BackendInstance>> instances);
  ~DirectScheduler() override;

  void Enqueue(std::unique_ptr<InferJob> job) override;
  void Stop() override;
  size_t InFlight() const override;

 private:
  void WorkerLoop(BackendInstance* instance);

  const ScheduledModel model_;
  std::vector<std::unique_ptr<BackendInstance>> instances_;
  std::vector<std::thread> workers_;

  mutable std::mutex mutex_;
  std::condition_variable work_available_;
  std::deque<std::unique_ptr<InferJob>> queue_;
  size_t running_ = 0;
  bool stopping_ = false;
};

}  // namespace inferd
