// ModelController: decides what the registry serves — Triton's model control
// modes, the load/unload requests of the model-repository API, polling, and
// the models an ensemble depends on.
//
// Every load runs on the controller's own threads (--model-load-thread-count),
// never on a frontend thread, and operations on one model run one at a time
// (a per-model lock). A load builds the new versions while the old ones
// serve and swaps them in one step (ModelRegistry::Publish); a load that
// fails leaves what served serving. An ensemble follows its composing
// models: unloading one takes the ensembles that use it down with a reason,
// and loading it again brings them back.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "backends/backend_registry.h"
#include "core/model_registry.h"
#include "core/server_options.h"
#include "core/uploaded_model.h"
#include "model_config.pb.h"
#include "repository/filesystem.h"
#include "scheduler/ensemble_scheduler.h"
#include "types/model_control.h"

namespace inferd {

class ModelController {
 public:
  // `infer` is how ensembles submit their steps (Server::Infer); without it
  // ensembles fail to load.
  ModelController(const ServerOptions& options, ServerInferFunction infer, const ServerEnvironment& environment);
  ~ModelController();
  ModelController(const ModelController&) = delete;
  ModelController& operator=(const ModelController&) = delete;

  // Loads what the mode asks for at start (none, poll: every model; explicit:
  // options.startup_models) and, in poll mode, starts polling. Returns one
  // line per failure; fails only when a repository folder is missing.
  Result<std::vector<std::string>> Start();
  // Stops polling, answers queued requests "server is stopping", waits for
  // running loads, then unloads every model (accepted requests finish).
  void Stop();

  // Triton's repository load: (re)loads `request.name` from the repositories,
  // or from the request's config and files. `done` runs on a load thread.
  void Load(ModelLoadRequest request, ModelControlCallback done);
  // Triton's repository unload; with `unload_dependents`, the models an
  // ensemble uses are unloaded too.
  void Unload(std::string name, bool unload_dependents, ModelControlCallback done);
  // Explicit mode: lists models added to the repositories since the last
  // look (Triton's index shows them before they are loaded).
  void RefreshListing();

  const ModelRegistry& registry() const { return registry_; }

 private:
  // How a model was last asked to load; reloads (of dependents, by the
  // poller) reuse it. A model with a Source is wanted: it should serve.
  struct Source {
    std::optional<inference::ModelConfig> config;
    // Also held by each version loaded from it (ModelPlan::keep_alive), so
    // its folder outlives the versions that may still read it.
    std::shared_ptr<UploadedModel> upload;
    // Asked for by name (a load request, --load-model), not only loaded for
    // an ensemble: unload_dependents leaves it loaded.
    bool requested = false;
  };
  enum class IfServing { kReload, kKeep };
  // What a load carries down its nested loads (an ensemble's composing
  // models): the ensembles being loaded around it (a cycle is an error), and
  // the models loaded inside, whose dependents are reloaded by the outermost
  // load once it holds no model's lock (reloading them from inside would
  // take ensemble locks in whatever order two loads meet them).
  struct LoadContext {
    std::vector<std::string> chain;
    std::vector<std::string> loaded;
  };

  // Loads `name` under its lock. `request_source`: the source of a load
  // request (it becomes the model's source unless the load fails while an
  // older load serves); null: the source on record.
  Status LoadNow(const std::string& name, IfServing if_serving, const Source* request_source, LoadContext& context);
  Status LoadFrom(const std::string& name, const std::string& path, const Source& source, LoadContext& context);
  // Loads (kKeep) the ensembles that are wanted and use `name`. Called with
  // no model lock held.
  void ReloadDependents(const std::string& name);
  Status UnloadNow(const std::string& name, bool unload_dependents, const std::string& reason);
  Result<Source> SourceFromRequest(const ModelLoadRequest& request) const;
  // The model folder of `name` in the repositories.
  Result<std::string> Locate(const std::string& name) const;
  std::shared_ptr<std::mutex> ModelLock(const std::string& name);
  bool Stopping();
  // Runs `task` on a load thread, or answers `done` "server is stopping".
  void Submit(std::function<void()> task, const ModelControlCallback& done);
  // Runs every task on the load threads and waits for all of them.
  void RunAll(std::vector<std::function<void()>> tasks);
  // None and poll modes: loads every model the scan finds that is new or
  // changed since the last look and unloads those that are gone.
  Result<std::vector<std::string>> Synchronize();
  void PollLoop();

  const ServerOptions options_;
  const ServerInferFunction infer_;
  repository::FileSystem* const filesystem_;
  BackendRegistry backends_;
  // After backends_, so models are destroyed before their backend libraries.
  ModelRegistry registry_;

  std::mutex mutex_;  // guards the maps below and stopping_'s transitions
  std::map<std::string, std::shared_ptr<std::mutex>> model_locks_;
  std::map<std::string, Source> sources_;
  std::map<std::string, std::vector<std::string>> composing_;  // ensemble -> the models its steps name
  std::map<std::string, uint64_t> fingerprints_;  // poll: folder digest when last loaded (or tried)
  std::set<std::string> scan_problems_;           // poll: names already reported
  bool stopping_ = false;

  std::condition_variable poll_wakeup_;
  boost::asio::thread_pool load_threads_;
  std::thread poller_;
};

}  // namespace inferd
