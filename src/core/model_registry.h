// ModelRegistry: the lifecycle table of every model version the repositories
// hold — LOADING, READY, UNAVAILABLE (with the reason) or UNLOADING — and the
// lookup the request path uses. A failed load is a state, never an exit.
//
// Find hands out a handle (std::shared_ptr<Model>) that keeps the version
// alive while a request uses it. Unloading a version takes it out of the
// table at once (new requests no longer find it), lets the requests that
// hold a handle finish, and destroys it when the last handle goes
// (core/model_reaper.h); it is UNLOADING until then, then UNAVAILABLE.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "backends/backend_registry.h"
#include "core/model.h"
#include "core/model_loader.h"
#include "core/model_reaper.h"
#include "core/server_options.h"
#include "repository/filesystem.h"
#include "types/model_metadata.h"

namespace inferd {

enum class ModelState { kLoading, kReady, kUnavailable, kUnloading };
const char* ModelStateName(ModelState state);

class ModelRegistry {
 public:
  // `infer` is how ensembles submit their steps (Server::Infer); without it
  // ensembles fail to load.
  explicit ModelRegistry(const ServerOptions& options, InferFunction infer = {},
                         const ServerEnvironment& environment = {});
  ~ModelRegistry();

  // Scans the repositories and loads every model version. Returns one line
  // per failure (model, version, reason); the registry serves the rest. Fails
  // only when a repository folder itself is missing. Ensembles load last,
  // each after the ensembles it uses, so their graphs are checked against
  // composing models that are already READY (or have failed).
  Result<std::vector<std::string>> LoadAll();
  // Unloads every version and waits until each is destroyed: accepted
  // requests finish first. Ensembles go first, while the models they compose
  // still serve, so their running requests finish.
  void UnloadAll();
  // Unloads one READY version (see above) without waiting. NOT_FOUND for an
  // unknown model or version, UNAVAILABLE when that version is not READY.
  Status UnloadVersion(const std::string& name, int64_t version);

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
    std::shared_ptr<Model> model;     // the registry's handle, set when READY
    const Model* unloading = nullptr;  // while UNLOADING: the version waiting for its last handle
  };
  struct ModelEntry {
    ModelState state = ModelState::kLoading;  // model-level failures (config, scan)
    std::string reason;
    std::map<int64_t, VersionEntry> versions;
  };

  void LoadVersions(ModelLoader& loader, const ModelPlan& plan, std::vector<std::string>* failures);
  void LoadEnsembles(ModelLoader& loader, std::vector<ModelPlan> ensembles, std::vector<std::string>* failures);
  void SetModelFailure(const std::string& name, const Status& status, std::vector<std::string>* failures);
  // READY -> UNLOADING: takes the registry's handle out of `entry` (the caller
  // releases it outside the lock). Called with mutex_ held.
  static std::shared_ptr<Model> BeginUnload(VersionEntry& entry);
  // Takes the READY versions `select` picks out of the table (UNLOADING) and
  // drops the registry's handles; returns them to wait for.
  std::vector<const Model*> Unlist(const std::function<bool(const Model&)>& select);
  // Called by the reaper once `model` is destroyed: UNLOADING -> UNAVAILABLE.
  void MarkDestroyed(const Model* model);

  ServerOptions options_;
  InferFunction infer_;
  repository::FileSystem* filesystem_;
  BackendRegistry backends_;
  mutable std::shared_mutex mutex_;  // guards models_; held only for lookups and state changes
  std::map<std::string, ModelEntry, std::less<>> models_;
  // Declared last, so destroyed first: its thread, which calls MarkDestroyed,
  // ends before the table goes.
  ModelReaper reaper_;
};

}  // namespace inferd
