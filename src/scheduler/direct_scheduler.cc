#include "scheduler/direct_scheduler.h"

#include "scheduler/each_request_runner.h"

namespace inferd {

DirectScheduler::DirectScheduler(ScheduledModel model, std::vector<std::unique_ptr<BackendInstance>> instances)
    : model_(std::move(model)), instances_(std::move(instances)) {
  workers_.reserve(instances_.size());
  for (auto& instance : instances_) {
    workers_.emplace_back([this, raw = instance.get()] { WorkerLoop(raw); });
  }
}

DirectScheduler::~DirectScheduler() { Stop(); }

void DirectScheduler::Enqueue(std::unique_ptr<InferJob> job) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      job->enqueued = model_.clock->Now();
      queue_.push_back(std::move(job));
      // Under the lock: once it is released, a worker may run the job to its
      // end, the job's handle (the last one) may go, and the model with this
      // scheduler may be destroyed before a notify made after the unlock.
      work_available_.notify_one();
      return;
    }
  }
  FailJob(model_, *job, Status::Unavailable("the model is being unloaded"), FailureReason::kRejected);
}

void DirectScheduler::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  work_available_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
}

size_t DirectScheduler::InFlight() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + running_;
}

void DirectScheduler::WorkerLoop(BackendInstance* instance) {
  for (;;) {
    std::unique_ptr<InferJob> job;
    {
      std::unique_lock lock(mutex_);
      // Drain the queue before honouring a stop so no accepted job is dropped.
      work_available_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    if (instance->AnswersEachRequest()) {
      std::vector<std::unique_ptr<InferJob>> one;
      one.push_back(std::move(job));
      RunEachRequest(model_, *instance, std::move(one));
    } else {
      RunJob(model_, *instance, *job);
      job.reset();
    }
    std::lock_guard lock(mutex_);
    --running_;
  }
}

}  // namespace inferd
