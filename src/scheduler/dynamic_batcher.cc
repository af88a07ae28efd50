#include "scheduler/dynamic_batcher.h"

#include <fmt/format.h>

#include "common/logging.h"
#include "scheduler/batch_runner.h"

namespace inferd {
namespace {


Status DroppedStatus(const DroppedJob& dropped, Clock::TimePoint now) {
  if (dropped.reason == DroppedJob::Reason::kCancelled) {
    return Status::Cancelled("request cancelled while queued: the client went away");
  }
  const double waited_ms =
      std::chrono::duration<double, std::milli>(now - dropped.job->enqueued).count();
  // UNAVAILABLE and "Request timeout expired", as Triton answers.
  return Status::Unavailable(fmt::format(
      "Request timeout expired: the request waited {:.1f} ms in the queue, longer than its timeout of {} us "
      "(queue policy timeout_action REJECT)",
      waited_ms, dropped.timeout_us));
}

}  // namespace

Result<std::unique_ptr<DynamicBatcher>> DynamicBatcher::Create(const inference::ModelConfig& config,
                                                               ScheduledModel model,
                                                               std::vector<std::unique_ptr<BackendInstance>> instances) {
  if (!config.has_dynamic_batching() || config.max_batch_size() <= 0) {
    return Status::Internal(fmt::format("model '{}': the dynamic batcher needs dynamic_batching and "
                                        "max_batch_size > 0",
                                        model.name));
  }
  if (instances.empty()) return Status::Internal(fmt::format("model '{}': no instances to batch for", model.name));
  return std::unique_ptr<DynamicBatcher>(new DynamicBatcher(config, std::move(model), std::move(instances)));
}

DynamicBatcher::DynamicBatcher(const inference::ModelConfig& config, ScheduledModel model,
                               std::vector<std::unique_ptr<BackendInstance>> instances)
    : model_(std::move(model)),
      policy_(BatchingPolicy::FromConfig(config)),
      preserve_ordering_(config.dynamic_batching().preserve_ordering()),
      instances_(std::move(instances)),
      queue_(config.dynamic_batching()) {
  std::lock_guard lock(mutex_);
  for (auto& instance : instances_) {
    auto worker = std::make_unique<Worker>();
    worker->instance = instance.get();
    worker->thread = std::thread([this, raw = worker.get()] { WorkerLoop(raw); });
    workers_.push_back(std::move(worker));
  }
  idle_workers_ = workers_.size();
  batcher_ = std::thread([this] { BatcherLoop(); });
}

DynamicBatcher::~DynamicBatcher() { Stop(); }

void DynamicBatcher::Enqueue(std::unique_ptr<InferJob> job) {
  Status refused;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      refused = Status::Unavailable("the model is being unloaded");
    } else {
      const Clock::TimePoint now = model_.clock->Now();
      refused = queue_.Enqueue(job, now);
      if (refused.ok()) {
        // Wake the batcher only when it has something to do: an idle
        // instance may take the job, or the job's deadline comes before
        // the batcher's next planned wake-up.
        if (idle_workers_ > 0 || queue_.NextDeadline() < batcher_sleeps_until_) batcher_wake_.notify_one();
        return;
      }
    }
  }
  FailJob(model_, *job, std::move(refused), FailureReason::kRejected);
}

void DynamicBatcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (joined_) return;
    joined_ = true;
    stopping_ = true;
  }
  batcher_wake_.notify_all();
  if (batcher_.joinable()) batcher_.join();
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
  }
}

size_t DynamicBatcher::InFlight() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + running_jobs_;
}

DynamicBatcher::Worker* DynamicBatcher::IdleWorker() {
  if (idle_workers_ == 0) return nullptr;
  for (auto& worker : workers_) {
    if (!worker->busy) return worker.get();
  }
  return nullptr;
}

void DynamicBatcher::Dispatch(const BatchPlan& plan, Worker* worker) {
  worker->batch = queue_.TakeFront(plan.jobs);
  if (preserve_ordering_) {
    for (auto& job : worker->batch) {
      const uint64_t ticket = delivery_.TakeTicket();
      job->done = [this, ticket, done = std::move(job->done)](Result<InferenceResponse> result) mutable {
        delivery_.Deliver(ticket, [done = std::move(done), result = std::move(result)]() mutable {
          done(std::move(result));
        });
      };
    }
  }
  running_jobs_ += worker->batch.size();
  worker->busy = true;
  --idle_workers_;
  worker->batch_ready.notify_one();
}

void DynamicBatcher::FailDropped(std::vector<DroppedJob> dropped) {
  const Clock::TimePoint now = model_.clock->Now();
  for (DroppedJob& entry : dropped) {
    const FailureReason reason =
        entry.reason == DroppedJob::Reason::kCancelled ? FailureReason::kCanceled : FailureReason::kRejected;
    FailJob(model_, *entry.job, DroppedStatus(entry, now), reason);
  }
}

void DynamicBatcher::BatcherLoop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    const Clock::TimePoint now = model_.clock->Now();
    std::vector<DroppedJob> dropped;
    queue_.Expire(now, &dropped);
    if (!dropped.empty()) {
      // Answer expired and cancelled jobs now, outside the lock, then look again.
      running_jobs_ += dropped.size();
      const size_t count = dropped.size();
      lock.unlock();
      FailDropped(std::move(dropped));
      lock.lock();
      running_jobs_ -= count;
      continue;
    }

    Clock::TimePoint wake_at = queue_.NextDeadline();
    for (Worker* idle = IdleWorker(); idle != nullptr && !queue_.empty(); idle = IdleWorker()) {
      const BatchPlan plan = PlanBatch(queue_, policy_, now, stopping_);
      if (plan.jobs == 0) {
        wake_at = std::min(wake_at, plan.wait_until);
        break;
      }
      Dispatch(plan, idle);
    }

    if (stopping_ && queue_.empty()) break;
    batcher_sleeps_until_ = wake_at;
    model_.clock->WaitUntil(batcher_wake_, lock, wake_at);
    batcher_sleeps_until_ = Clock::TimePoint::min();  // awake: Enqueue need not wake it for deadlines
  }
  batcher_done_ = true;
  for (auto& worker : workers_) worker->batch_ready.notify_one();
}

void DynamicBatcher::WorkerLoop(Worker* worker) {
  std::unique_lock lock(mutex_);
  for (;;) {
    worker->batch_ready.wait(lock, [&] { return !worker->batch.empty() || batcher_done_; });
    if (worker->batch.empty()) return;
    std::vector<std::unique_ptr<InferJob>> batch = std::move(worker->batch);
    worker->batch.clear();
    const size_t count = batch.size();
    lock.unlock();
    RunBatch(model_, *worker->instance, std::move(batch));
    lock.lock();
    running_jobs_ -= count;
    worker->busy = false;
    ++idle_workers_;
    batcher_wake_.notify_one();
  }
}

}  // namespace inferd
