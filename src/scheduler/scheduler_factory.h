// The one place that picks a scheduler from a model's config.
#pragma once

#include <memory>
#include <vector>

#include "backends/sdk/backend.h"
#include "common/status.h"
#include "model_config.pb.h"
#include "scheduler/job_runner.h"
#include "scheduler/scheduler.h"

namespace inferd {

Result<std::unique_ptr<Scheduler>> CreateScheduler(const inference::ModelConfig& config, ScheduledModel model,
                                                   std::vector<std::unique_ptr<BackendInstance>> instances);

}  // namespace inferd
