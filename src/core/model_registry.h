// ModelRegistry: the lifecycle table of every model the repositories hold —
// each version LOADING, READY, UNAVAILABLE (with the reason) or UNLOADING —
// and the lookup the request path uses. A failed load is a state, never an
// exit. What to load and when is decided above it (core/model_controller.h);
// the table only changes state, one model at a time.
//
// Find hands out a handle (std::shared_ptr<Model>) that keeps the version
// alive while a request uses it. Replacing or unloading a version takes the
// old one out of the table at once (new requests no longer find it), lets
// the requests that hold a handle finish, and destroys it when the last
// handle goes (core/model_reaper.h). A version that was unloaded is
// UNLOADING until then, then UNAVAILABLE "unloaded"; a version that was
// replaced stays READY (with its successor) throughout.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/model.h"
#include "core/model_reaper.h"
#include "types/model_metadata.h"

namespace inferd {

enum class ModelState { kLoading, kReady, kUnavailable, kUnloading };
const char* ModelStateName(ModelState state);

// The versions one load produced: each loaded, or the reason it did not.
struct LoadedVersions {
  std::map<int64_t, Result<std::unique_ptr<Model>>> versions;
  std::string notes;  // the reason READY versions show (ignored config fields)
};

class ModelRegistry {
 public:
  ModelRegistry();
  ~ModelRegistry();

  // A model folder the repositories hold that is not loaded (explicit mode):
  // listed in the index by name only. No effect on a model already listed.
  void List(const std::string& name);
  // The whole model failed before any version loaded (config, scan). When
  // versions still serve they keep serving, and the failure is the reason
  // they show; otherwise the model is UNAVAILABLE with `reason`.
  void SetModelFailure(const std::string& name, const std::string& reason);
  // `versions` start loading: those not serving show LOADING.
  void BeginLoad(const std::string& name, const std::vector<int64_t>& versions);
  // Publishes one load. When every version loaded, they replace what served
  // (a version serving before and absent from `loaded` is unloaded) and OK
  // comes back. When one failed and the model was serving, nothing changes
  // but the reasons (the old versions keep serving, the failed ones show
  // why) and the first failure comes back; when it was not serving, the
  // versions that loaded serve.
  Status Publish(const std::string& name, LoadedVersions loaded);
  // Unloads every version of `name` (see above) without waiting; `reason`
  // is what the versions show once destroyed ("unloaded", or why).
  // NOT_FOUND for an unknown model.
  Status Unload(const std::string& name, const std::string& reason);
  // Unloads every version and waits until each is destroyed: accepted
  // requests finish first. Ensembles go first, while the models they compose
  // still serve, so their running requests finish.
  void UnloadAll();

  // The model serving `version` (kLatestVersion: the highest ready version).
  // NOT_FOUND for an unknown model or version, UNAVAILABLE when not ready.
  Result<std::shared_ptr<Model>> Find(const std::string& name, int64_t version) const;
  // Every ready version of `name` (all models when empty), ascending.
  Result<std::vector<std::shared_ptr<Model>>> ReadyModels(const std::string& name) const;
  std::vector<ModelIndexEntry> Index(bool ready_only) const;
  // True when some version of `name` is READY.
  bool IsServing(const std::string& name) const;
  // True when every version that should serve is READY: versions unloaded on
  // purpose, and models never loaded, do not count.
  bool AllReady() const;

 private:
  struct VersionEntry {
    ModelState state = ModelState::kLoading;
    std::string reason;
    std::shared_ptr<Model> model;  // the registry's handle, set when READY
    bool wanted = true;            // false once unloaded on purpose
  };
  struct ModelEntry {
    ModelState state = ModelState::kLoading;  // model-level failures (config, scan)
    std::string reason;
    bool listed_only = false;  // in the repository, never asked to load
    bool wanted = true;        // false once unloaded on purpose
    std::map<int64_t, VersionEntry> versions;
  };
  // A version out of the table whose last handle has not gone yet.
  struct Draining {
    std::string name;
    int64_t version;
  };

  // Takes the registry's handle out of `entry` and records it as draining;
  // the caller releases the handle outside the lock. Called with mutex_ held.
  std::shared_ptr<Model> TakeHandle(const std::string& name, int64_t version, VersionEntry& entry);
  // Takes the READY versions `select` picks out of the table (UNLOADING) and
  // returns every draining version to wait for.
  std::vector<const Model*> Unlist(const std::function<bool(const Model&)>& select);
  // Called by the reaper once `model` is destroyed.
  void MarkDestroyed(const Model* model);

  mutable std::shared_mutex mutex_;  // guards the maps; held only for lookups and state changes
  std::map<std::string, ModelEntry, std::less<>> models_;
  std::map<const Model*, Draining> draining_;
  // Declared last, so destroyed first: its thread, which calls MarkDestroyed,
  // ends before the table goes.
  ModelReaper reaper_;
};

}  // namespace inferd
