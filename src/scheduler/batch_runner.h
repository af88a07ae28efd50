// Runs one dynamic batch on one instance: gather inputs -> execute ->
// scatter outputs -> respond to each job with exactly its own rows.
#pragma once

#include <memory>
#include <vector>

#include "backends/sdk/backend.h"
#include "scheduler/job_runner.h"
#include "scheduler/scheduler.h"

namespace inferd {

// Completes every job in `jobs` (their done callbacks are called once each).
// Statistics: one execution over the batch's rows, one success or failure per
// job with its own batch size and queue time. A batch of one job runs exactly
// as RunJob does (no copy of its inputs).
void RunBatch(const ScheduledModel& model, BackendInstance& instance, std::vector<std::unique_ptr<InferJob>> jobs);

}  // namespace inferd
