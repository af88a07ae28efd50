// Runs one job on one backend instance and completes it: the execute ->
// scatter outputs -> respond stages shared by every scheduler.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "backends/sdk/backend.h"
#include "common/clock.h"
#include "scheduler/scheduler.h"
#include "types/statistics.h"

namespace inferd {

// What a scheduler knows about the model it serves.
struct ScheduledModel {
  std::string name;
  int64_t version = 0;
  ModelStatistics* statistics = nullptr;  // owned by the model, outlives the scheduler
  Clock* clock = &Clock::Steady();        // what queue delays, timeouts and timings are measured on
};

// Executes `job` on `instance`, records statistics and calls job.done once.
void RunJob(const ScheduledModel& model, BackendInstance& instance, InferJob& job);

// Records the success of `job`, one of the requests of an execution that ran
// from `started` to `finished`, and answers it with its own `outputs`
// (`complete_only`: a decoupled model completed it without a last response).
void CompleteJob(const ScheduledModel& model, InferJob& job, std::vector<Tensor> outputs,
                 const ExecutionTimings& timings, std::chrono::steady_clock::time_point started,
                 std::chrono::steady_clock::time_point finished, bool complete_only = false);

// Completes a job with an error. `reason` is what /metrics reports it as
// (nv_inference_request_failure{reason=...}).
void FailJob(const ScheduledModel& model, InferJob& job, Status status, FailureReason reason);

}  // namespace inferd
