#include "scheduler/batch_planner.h"

#include <algorithm>

#include "scheduler/batch_tensors.h"

namespace inferd {

BatchingPolicy BatchingPolicy::FromConfig(const inference::ModelConfig& config) {
  BatchingPolicy policy;
  policy.max_batch_size = std::max(1, config.max_batch_size());
  const inference::ModelDynamicBatching& batching = config.dynamic_batching();
  for (int32_t size : batching.preferred_batch_size()) {
    if (size > 0 && size <= policy.max_batch_size) policy.preferred_batch_sizes.insert(size);
  }
  // Normalisation fills preferred_batch_size with max_batch_size when the
  // config has none; a hand-built config without any aims for full batches too.
  policy.max_preferred_batch_size =
      policy.preferred_batch_sizes.empty() ? policy.max_batch_size : *policy.preferred_batch_sizes.rbegin();
  policy.max_queue_delay = std::chrono::microseconds(batching.max_queue_delay_microseconds());
  return policy;
}

BatchPlan PlanBatch(const PriorityJobQueue& queue, const BatchingPolicy& policy,
                    Clock::TimePoint now, bool flush) {
  size_t count = 0;
  int64_t rows = 0;
  size_t preferred_count = 0;
  int64_t preferred_rows = 0;
  bool cannot_grow = false;
  Clock::TimePoint oldest = Clock::kNever;
  const InferJob* first = nullptr;

  queue.ForEach([&](const InferJob& job) {
    if (first != nullptr && !CanShareBatch(first->request, job.request)) {
      cannot_grow = true;
      return false;
    }
    if (rows + job.batch_size > policy.max_batch_size) {
      cannot_grow = true;
      return false;
    }
    if (first == nullptr) first = &job;
    rows += job.batch_size;
    ++count;
    oldest = std::min(oldest, job.enqueued);
    if (policy.preferred_batch_sizes.contains(rows)) {
      preferred_count = count;
      preferred_rows = rows;
    }
    return rows < policy.max_batch_size;
  });

  BatchPlan plan;
  if (count == 0) return plan;
  const bool has_delay = policy.max_queue_delay.count() > 0;
  const bool delay_expired = has_delay && now - oldest >= policy.max_queue_delay;
  if (flush) {
    plan.jobs = count;
    plan.rows = rows;
  } else if (preferred_count > 0 && !delay_expired) {
    plan.jobs = preferred_count;
    plan.rows = preferred_rows;
  } else if (cannot_grow || rows >= policy.max_batch_size || rows >= policy.max_preferred_batch_size ||
             delay_expired || !has_delay) {
    plan.jobs = count;
    plan.rows = rows;
  } else {
    plan.wait_until = oldest + policy.max_queue_delay;
  }
  return plan;
}

}  // namespace inferd
