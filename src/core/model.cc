#include "core/model.h"

#include <fmt/format.h>

#include "scheduler/reshaping_instance.h"
#include "scheduler/scheduler_factory.h"

namespace inferd {

Model::Model(std::shared_ptr<const inference::ModelConfig> config, int64_t version,
             std::map<std::string, std::vector<std::string>> labels)
    : config_(std::move(config)),
      version_(version),
      labels_(std::move(labels)),
      statistics_(config_->name(), version) {}

Model::~Model() {
  if (scheduler_) scheduler_->Stop();
}

Result<std::unique_ptr<Model>> Model::Load(ModelLoadSpec spec) {
  const inference::ModelConfig& config = *spec.config;
  std::unique_ptr<Model> model(new Model(spec.config, spec.version, std::move(spec.labels)));

  std::vector<std::unique_ptr<BackendInstance>> instances;
  for (const inference::ModelInstanceGroup& group : config.instance_group()) {
    const int count = group.count() > 0 ? group.count() : 1;
    const bool gpu = group.kind() == inference::ModelInstanceGroup::KIND_GPU;
    // As in Triton, a KIND_GPU group has `count` instances on each listed GPU
    // (device 0 when it lists none); names run on across devices.
    std::vector<int> devices(group.gpus().begin(), group.gpus().end());
    if (devices.empty()) devices.push_back(0);
    if (!gpu) devices.resize(1);
    const std::string& group_name = group.name().empty() ? config.name() : group.name();
    int index = 0;
    for (int device_id : devices) {
      for (int i = 0; i < count; ++i, ++index) {
        InstanceSettings settings;
        settings.name = fmt::format("{}_{}", group_name, index);
        settings.gpu = gpu;
        settings.device_id = gpu ? device_id : 0;
        settings.intra_op_threads = spec.intra_op_threads;
        settings.infer = spec.infer;
        Result<std::unique_ptr<BackendInstance>> instance =
            spec.backend->CreateInstance(spec.model_path, config, settings);
        if (!instance.ok()) {
          return instance.status().WithPrefix(fmt::format("instance '{}'", settings.name));
        }
        instances.push_back(WrapWithReshape(config, std::move(instance).value()));
      }
    }
  }
  ScheduledModel scheduled{config.name(), spec.version, &model->statistics_};
  ASSIGN_OR_RETURN(std::unique_ptr<Scheduler> scheduler, CreateScheduler(config, scheduled, std::move(instances)));
  model->SetScheduler(std::move(scheduler));
  return model;
}

Result<std::unique_ptr<Model>> Model::CreateWithScheduler(std::shared_ptr<const inference::ModelConfig> config,
                                                          int64_t version, const SchedulerMaker& make_scheduler) {
  std::unique_ptr<Model> model(new Model(std::move(config), version, {}));
  ScheduledModel scheduled{model->name(), version, &model->statistics_};
  ASSIGN_OR_RETURN(std::unique_ptr<Scheduler> scheduler, make_scheduler(scheduled));
  model->SetScheduler(std::move(scheduler));
  return model;
}

void Model::SetScheduler(std::unique_ptr<Scheduler> scheduler) {
  scheduler_ = std::move(scheduler);
  // nv_inference_pending_request_count: the scheduler outlives the
  // statistics' readers (both belong to the model).
  statistics_.SetPendingRequestCountSource(
      [scheduler = scheduler_.get()] { return static_cast<uint64_t>(scheduler->InFlight()); });
}

const std::vector<std::string>* Model::LabelsFor(const std::string& output_name) const {
  auto it = labels_.find(output_name);
  return it == labels_.end() ? nullptr : &it->second;
}

}  // namespace inferd
