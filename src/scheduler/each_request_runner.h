// Runs jobs on an instance that answers each request itself
// (BackendInstance::AnswersEachRequest, the Python backend): no inputs are
// merged, and every job gets a sink that turns the backend's answers into
// its responses: one for ordinary requests, any number for a decoupled
// model's, possibly after the execution has returned.
#pragma once

#include <memory>
#include <vector>

#include "backends/sdk/backend.h"
#include "scheduler/job_runner.h"
#include "scheduler/scheduler.h"

namespace inferd {

// Statistics: one execution over the jobs' rows when the backend returns;
// one success or failure per job when its final answer arrives.
void RunEachRequest(const ScheduledModel& model, BackendInstance& instance,
                    std::vector<std::unique_ptr<InferJob>> jobs);

}  // namespace inferd
