#include "scheduler/scheduler_factory.h"

#include "scheduler/direct_scheduler.h"
#include "scheduler/dynamic_batcher.h"

namespace inferd {

Result<std::unique_ptr<Scheduler>> CreateScheduler(const inference::ModelConfig& config, ScheduledModel model,
                                                   std::vector<std::unique_ptr<BackendInstance>> instances) {
  if (instances.empty()) {
    return Status::Internal("model '" + model.name + "': no instances to schedule on");
  }
  // Config validation refuses dynamic_batching without max_batch_size > 0.
  if (config.has_dynamic_batching() && config.max_batch_size() > 0) {
    ASSIGN_OR_RETURN(std::unique_ptr<DynamicBatcher> batcher,
                     DynamicBatcher::Create(config, std::move(model), std::move(instances)));
    return std::unique_ptr<Scheduler>(std::move(batcher));
  }
  return std::unique_ptr<Scheduler>(std::make_unique<DirectScheduler>(std::move(model), std::move(instances)));
}

}  // namespace inferd
