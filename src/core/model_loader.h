// ModelLoader: turns one model folder into loaded model versions.
//
// Planning (config, backend, versions, labels) is separate from loading each
// version, so a folder whose config is broken is still listed with a reason,
// and one failing version does not stop the others.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backends/backend_registry.h"
#include "common/status.h"
#include "core/model.h"
#include "core/server_options.h"
#include "model_config.pb.h"
#include "repository/filesystem.h"
#include "scheduler/ensemble_graph.h"
#include "scheduler/ensemble_scheduler.h"

namespace inferd {

struct ModelPlan {
  std::string name;
  std::string path;
  Status status;  // not OK: the whole model is unavailable for this reason
  std::shared_ptr<const inference::ModelConfig> config;
  Backend* backend = nullptr;
  std::vector<int64_t> versions;  // to load, ascending
  std::vector<std::pair<int64_t, std::string>> missing_versions;  // asked for by the policy, absent
  std::map<std::string, std::vector<std::string>> labels;
  // Config fields served without their effect (tuning knobs inferd does not
  // implement, or any field under --allow-unsupported-config-fields); shown
  // as the reason of READY versions in the repository index.
  std::string notes;
  // Kept alive by every version loaded from this plan (an uploaded model's
  // folder), so a version still draining can read its files.
  std::shared_ptr<const void> keep_alive;
};

// What loading an ensemble needs from the server: the configs of the models
// it composes (its graph is checked against them at load time, so they must
// be loaded first) and the way requests are submitted to the server, by an
// ensemble's steps and by backend instances that call models (the Python
// backend's BLS).
struct EnsembleServices {
  ComposingConfigLookup find_config;
  ServerInferFunction infer;
};

class ModelLoader {
 public:
  ModelLoader(const ServerOptions& options, BackendRegistry* backends, repository::FileSystem* filesystem,
              EnsembleServices ensembles = {});

  // Never fails: problems are recorded in the plan's status. `override`, when
  // given, is the config to use instead of the folder's config.pbtxt (a load
  // request's "config" parameter); it is completed and checked the same way.
  ModelPlan Plan(const std::string& name, const std::string& path,
                 const inference::ModelConfig* override = nullptr);
  Result<std::unique_ptr<Model>> LoadVersion(const ModelPlan& plan, int64_t version);
  // The models an ensemble's steps name, read from its config alone (no
  // model file is opened); empty for a model that is not an ensemble or
  // whose config cannot be read (Plan reports that).
  std::vector<std::string> ComposingModels(const std::string& name, const std::string& path);

 private:
  // UNAVAILABLE naming each field that would change results; otherwise logs
  // the ignored fields and writes them to `notes`.
  Status CheckUnimplementedFields(const inference::ModelConfig& config, std::string* notes) const;
  Result<inference::ModelConfig> ReadConfig(const std::string& name, const std::string& path,
                                            const inference::ModelConfig* override);
  // The backend for a config that names neither platform nor backend.
  std::string BackendFromFiles(const std::string& path, const inference::ModelConfig& config) const;
  // Fills in what `config` leaves out (only when `incomplete`) from the
  // newest version's model file, or lets the model's own code complete it
  // (Backend::CompletesItsOwnConfig, always).
  Status CompleteFromModelFile(const std::string& path, const std::vector<int64_t>& versions, Backend* backend,
                               bool incomplete, inference::ModelConfig* config);
  // The real path of what `backend` loads for `version` (default_model_filename
  // or the backend's default), confined to the model folder `path`.
  Result<std::string> ResolveVersionFile(const std::string& path, const inference::ModelConfig& config,
                                         Backend* backend, int64_t version) const;
  // ResolveModelFile on this loader's filesystem.
  Result<std::string> ResolveInModelFolder(const std::string& model_dir, const std::string& base_dir,
                                           const std::string& name, std::string_view field) const;
  int IntraOpThreadsPerInstance(const inference::ModelConfig& config) const;
  Result<std::unique_ptr<Model>> LoadEnsembleVersion(const ModelPlan& plan, int64_t version);

  const ServerOptions& options_;
  BackendRegistry* backends_;
  repository::FileSystem* filesystem_;
  EnsembleServices ensembles_;
};

}  // namespace inferd
