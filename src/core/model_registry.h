// ModelRegistry: the lifecycle table of every model version the repositories
// hold — LOADING, READY, UNAVAILABLE (with the reason) or UNLOADING — and the
// lookup the request path uses. A failed load is a state, never an exit.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "backends/backend_registry.h"
#include "core/model.h"
#include "core/model_loader.h"
#include "core/server.h"

namespace inferd {

enum class ModelState { kLoading, kReady, kUnavailable, kUnloading };
const char* ModelStateName(ModelState state);

class ModelRegistry {
 public:
  explicit ModelRegistry(const ServerOptions& options);
  ~ModelRegistry();

  // Scans the repositories and loads every model version. Returns one line
  // per failure (model, version, reason); the registry serves the rest. Fails
  // only when a repository folder itself is missing.
  Result<std::vector<std::string>> LoadAll();
  // Stops every model (finishing queued requests) and marks it UNAVAILABLE.
  void UnloadAll();

  // The model serving `version` (kLatestVersion: the highest ready version).
  // NOT_FOUND for an unknown model or version, UNAVAILABLE when not ready.
  Result<std::shared_ptr<Model>> Find(const std::string& name, int64_t version) const;
  // Every ready version of `name` (all models when empty), ascending.
  Result<std::vector<std::shared_ptr<Model>>> ReadyModels(const std::string& name) const;
  std::vector<ModelIndexEntry> Index(bool ready_only) const;
  // True when every model version the repositories ask for is READY.
  bool AllReady() const;

 private:
  struct VersionEntry {
    ModelState state = ModelState::kLoading;
    std::string reason;
    std::shared_ptr<Model> model;  // set when READY
  };
  struct ModelEntry {
    ModelState state = ModelState::kLoading;  // model-level failures (config, scan)
    std::string reason;
    std::map<int64_t, VersionEntry> versions;
  };

  void LoadModel(ModelLoader& loader, const std::string& name, const std::string& path,
                 std::vector<std::string>* failures);
  void SetModelFailure(const std::string& name, const Status& status, std::vector<std::string>* failures);

  ServerOptions options_;
  BackendRegistry backends_;
  mutable std::shared_mutex mutex_;  // guards models_; held only for lookups and state changes
  std::map<std::string, ModelEntry, std::less<>> models_;
};

}  // namespace inferd
