#include "scheduler/scheduler_factory.h"

#include "scheduler/direct_scheduler.h"

namespace inferd {

Result<std::unique_ptr<Scheduler>> CreateScheduler(const inference::ModelConfig& config, ScheduledModel model,
                                                   std::vector<std::unique_ptr<BackendInstance>> instances) {
  if (instances.empty()) {
    return Status::Internal("model '" + model.name + "': no instances to schedule on");
  }
  // dynamic_batching is parsed but not implemented yet (logged as such at
  // load time); such models are served one request at a time.
  std::unique_ptr<Scheduler> scheduler = std::make_unique<DirectScheduler>(std::move(model), std::move(instances));
  return scheduler;
}

}  // namespace inferd
