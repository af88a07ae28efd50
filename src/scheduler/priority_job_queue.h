// PriorityJobQueue: the dynamic batcher's queue, with Triton's queue policies.
//
// One FIFO per priority level; level 1 is served first (a model without
// priority_levels has one level). Each level follows its ModelQueuePolicy
// (priority_queue_policy for that level, else default_queue_policy):
//   max_queue_size        a full level refuses new jobs (UNAVAILABLE, as Triton);
//   default_timeout_us    a job still queued after this long has expired;
//   allow_timeout_override a request's own "timeout" may shorten the policy's
//                         timeout, never lengthen it (a policy without a
//                         timeout counts as unlimited, so any request timeout
//                         applies — Triton ignores it there, which surprises);
//   timeout_action        REJECT: the expired job leaves the queue with an
//                         error; DELAY: it moves behind the level's unexpired
//                         jobs and waits without a deadline.
// Service order: levels ascending; in a level, unexpired jobs in arrival
// order, then delayed ones in the order they expired.
//
// Not thread-safe: the dynamic batcher guards it with its mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "model_config.pb.h"
#include "scheduler/scheduler.h"

namespace inferd {

// A job that left the queue without being served.
struct DroppedJob {
  enum class Reason { kTimedOut, kCancelled };
  std::unique_ptr<InferJob> job;
  Reason reason = Reason::kTimedOut;
  uint64_t timeout_us = 0;  // the timeout that expired (kTimedOut)
};

class PriorityJobQueue {
 public:

  explicit PriorityJobQueue(const inference::ModelDynamicBatching& config);

  // Triton's rule: priority 0 or above priority_levels means the default level.
  uint64_t LevelFor(uint64_t priority) const;

  // Queues `job` at the level of its priority, stamping job->enqueued = now.
  // When that level is full, returns UNAVAILABLE (message without the model
  // name; the caller prefixes it) and leaves `job` with the caller.
  Status Enqueue(std::unique_ptr<InferJob>& job, Clock::TimePoint now);

  // Removes cancelled jobs and REJECT jobs whose deadline is <= now into
  // `dropped`; moves expired DELAY jobs behind their level's unexpired ones.
  void Expire(Clock::TimePoint now, std::vector<DroppedJob>* dropped);

  // The earliest deadline of a queued job; Clock::kNever if none.
  Clock::TimePoint NextDeadline() const;

  // Visits queued jobs in service order while `visit` returns true.
  void ForEach(const std::function<bool(const InferJob&)>& visit) const;
  // Removes and returns the first `count` jobs in service order.
  std::vector<std::unique_ptr<InferJob>> TakeFront(size_t count);

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  struct Entry {
    std::unique_ptr<InferJob> job;
    Clock::TimePoint deadline;  // Clock::kNever: none
    uint64_t timeout_us = 0;
  };
  struct Level {
    const inference::ModelQueuePolicy* policy = nullptr;
    std::deque<Entry> waiting;  // arrival order
    std::deque<Entry> delayed;  // expired under DELAY, in expiry order
    size_t size() const { return waiting.size() + delayed.size(); }
  };

  Level& LevelAt(uint64_t level);
  uint64_t TimeoutFor(const inference::ModelQueuePolicy& policy, uint64_t requested_us) const;

  const inference::ModelDynamicBatching config_;  // owns the policies the levels point to
  std::map<uint64_t, Level> levels_;
  size_t size_ = 0;
};

}  // namespace inferd
