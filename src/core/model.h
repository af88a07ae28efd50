// Model: one loaded, servable model version — its config, its instances
// behind a scheduler, its statistics and its output labels.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backends/sdk/backend.h"
#include "common/status.h"
#include "model_config.pb.h"
#include "scheduler/job_runner.h"
#include "scheduler/scheduler.h"
#include "types/statistics.h"

namespace inferd {

struct ModelLoadSpec {
  std::shared_ptr<const inference::ModelConfig> config;  // normalized
  int64_t version = 0;
  std::string model_path;  // the file (or folder) the backend loads
  Backend* backend = nullptr;
  int intra_op_threads = 0;  // per instance; 0: backend default
  std::map<std::string, std::vector<std::string>> labels;  // output name -> labels
  ServerInferFunction infer;  // handed to every instance (backends that call models)
};

// Shared as std::shared_ptr<Model> handles (see core/model_reaper.h): the
// registry holds one while the version is listed, each accepted request one
// until its response is delivered. The destructor stops the scheduler, which
// by then has nothing left to run.
class Model {
 public:
  // Creates every instance of every instance_group and the scheduler.
  static Result<std::unique_ptr<Model>> Load(ModelLoadSpec spec);
  // A model with no backend instances of its own (an ensemble): its requests
  // go to the scheduler `make_scheduler` builds from the model's name,
  // version and statistics.
  using SchedulerMaker = std::function<Result<std::unique_ptr<Scheduler>>(const ScheduledModel&)>;
  static Result<std::unique_ptr<Model>> CreateWithScheduler(std::shared_ptr<const inference::ModelConfig> config,
                                                            int64_t version, const SchedulerMaker& make_scheduler);
  ~Model();

  const std::string& name() const { return config_->name(); }
  int64_t version() const { return version_; }
  const inference::ModelConfig& config() const { return *config_; }
  const std::shared_ptr<const inference::ModelConfig>& shared_config() const { return config_; }
  ModelStatistics& statistics() { return statistics_; }
  const ModelStatistics& statistics() const { return statistics_; }
  // Labels for an output with label_filename; nullptr when it has none.
  const std::vector<std::string>* LabelsFor(const std::string& output_name) const;

  void Enqueue(std::unique_ptr<InferJob> job) { scheduler_->Enqueue(std::move(job)); }

  // Keeps `resource` (the folder an uploaded model was written to) until
  // this version is destroyed, after its instances.
  void KeepAlive(std::shared_ptr<const void> resource) { kept_alive_ = std::move(resource); }

 private:
  Model(std::shared_ptr<const inference::ModelConfig> config, int64_t version,
        std::map<std::string, std::vector<std::string>> labels);
  // Installs the scheduler and makes it the source of the pending count.
  void SetScheduler(std::unique_ptr<Scheduler> scheduler);

  std::shared_ptr<const void> kept_alive_;  // first member: destroyed last
  std::shared_ptr<const inference::ModelConfig> config_;
  int64_t version_;
  std::map<std::string, std::vector<std::string>> labels_;
  ModelStatistics statistics_;
  std::unique_ptr<Scheduler> scheduler_;
};

}  // namespace inferd
