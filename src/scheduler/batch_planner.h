// When to run a batch and which queued jobs go in it — Triton's dynamic
// batching rules as one pure function over the queue, so they can be tested
// without threads or clocks.
//
// Jobs are considered in service order (PriorityJobQueue). A batch is a
// prefix of that order: it stops before the first job that cannot share the
// batch (different per-row shapes, see CanShareBatch) or that would push it
// past max_batch_size. Then:
//   1. if a preferred_batch_size was reached and the oldest job's
//      max_queue_delay has not expired: run the largest preferred size found;
//   2. if the batch cannot grow (next job does not fit, or max_batch_size or
//      the largest preferred size is reached): run it all;
//   3. if the oldest job has waited max_queue_delay (or the delay is 0): run
//      it all — the largest batch available;
//   4. otherwise wait until the oldest job's delay expires (or a new job
//      arrives) and look again.
// `flush` (the scheduler is stopping) runs whatever is there at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>

#include "model_config.pb.h"
#include "scheduler/priority_job_queue.h"

namespace inferd {

struct BatchingPolicy {
  int64_t max_batch_size = 1;
  std::set<int64_t> preferred_batch_sizes;
  int64_t max_preferred_batch_size = 1;
  std::chrono::microseconds max_queue_delay{0};

  static BatchingPolicy FromConfig(const inference::ModelConfig& config);
};

struct BatchPlan {
  size_t jobs = 0;    // take this many jobs from the front of the queue now; 0: wait
  int64_t rows = 0;   // their rows
  Clock::TimePoint wait_until = Clock::kNever;
};

BatchPlan PlanBatch(const PriorityJobQueue& queue, const BatchingPolicy& policy,
                    Clock::TimePoint now, bool flush);

}  // namespace inferd
