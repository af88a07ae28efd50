#include "core/model_registry.h"

#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/bounded_text.h"
#include "common/logging.h"
#include "config/normalize.h"
#include "repository/repository_scanner.h"

namespace inferd {

const char* ModelStateName(ModelState state) {
  switch (state) {
    case ModelState::kLoading: return "LOADING";
    case ModelState::kReady: return "READY";
    case ModelState::kUnavailable: return "UNAVAILABLE";
    case ModelState::kUnloading: return "UNLOADING";
  }
  return "UNKNOWN";
}

ModelRegistry::ModelRegistry(const ServerOptions& options, InferFunction infer, const ServerEnvironment& environment)
    : options_(options),
      infer_(std::move(infer)),
      filesystem_(environment.filesystem != nullptr ? environment.filesystem : &repository::LocalFileSystem()),
      backends_(options.backend_directory),
      reaper_([this](const Model* model) { MarkDestroyed(model); }) {
  for (const auto& [name, backend] : environment.backends) backends_.AddInProcess(name, backend);
}

ModelRegistry::~ModelRegistry() { UnloadAll(); }

void ModelRegistry::SetModelFailure(const std::string& name, const Status& status,
                                    std::vector<std::string>* failures) {
  LogError("failed to load model '{}': {}", name, status.message());
  failures->push_back(fmt::format("model '{}': {}", name, status.message()));
  std::unique_lock lock(mutex_);
  ModelEntry& entry = models_[name];
  entry.state = ModelState::kUnavailable;
  entry.reason = status.message();
}

Result<std::vector<std::string>> ModelRegistry::LoadAll() {
  ASSIGN_OR_RETURN(repository::RepositoryScan scan,
                   repository::ScanRepositories(options_.model_repositories, *filesystem_));
  std::vector<std::string> failures;
  for (const auto& problem : scan.problems) {
    SetModelFailure(problem.name, Status::InvalidArgument(problem.reason), &failures);
  }
  {
    std::unique_lock lock(mutex_);
    for (const auto& location : scan.models) models_[location.name].state = ModelState::kLoading;
  }
  EnsembleServices ensembles;
  if (infer_) {
    ensembles.infer = infer_;
    ensembles.find_config = [this](const std::string& name,
                                   int64_t version) -> Result<std::shared_ptr<const inference::ModelConfig>> {
      ASSIGN_OR_RETURN(std::shared_ptr<Model> model, Find(name, version));
      return model->shared_config();
    };
  }
  ModelLoader loader(options_, &backends_, filesystem_, std::move(ensembles));
  std::vector<ModelPlan> ensemble_plans;
  for (const auto& location : scan.models) {
    ModelPlan plan = loader.Plan(location.name, location.path);
    if (!plan.status.ok()) {
      SetModelFailure(location.name, plan.status, &failures);
    } else if (config::IsEnsemble(*plan.config)) {
      ensemble_plans.push_back(std::move(plan));
    } else {
      LoadVersions(loader, plan, &failures);
    }
  }
  LoadEnsembles(loader, std::move(ensemble_plans), &failures);
  return failures;
}

void ModelRegistry::LoadEnsembles(ModelLoader& loader, std::vector<ModelPlan> pending,
                                  std::vector<std::string>* failures) {
  // Rounds: each loads the ensembles that use no ensemble still waiting, so
  // an ensemble of ensembles finds its parts loaded. A step naming its own
  // ensemble is left to the graph check, which explains it better.
  while (!pending.empty()) {
    std::set<std::string, std::less<>> waiting;
    for (const ModelPlan& plan : pending) waiting.insert(plan.name);
    auto uses_waiting = [&waiting](const ModelPlan& plan) {
      for (const auto& step : plan.config->ensemble_scheduling().step()) {
        if (step.model_name() != plan.name && waiting.contains(step.model_name())) return true;
      }
      return false;
    };
    std::vector<ModelPlan> later;
    for (ModelPlan& plan : pending) {
      if (uses_waiting(plan)) {
        later.push_back(std::move(plan));
      } else {
        LoadVersions(loader, plan, failures);
      }
    }
    if (later.size() == pending.size()) {
      std::vector<std::string> names;
      for (const ModelPlan& plan : later) names.push_back("'" + plan.name + "'");
      for (const ModelPlan& plan : later) {
        SetModelFailure(plan.name,
                        Status::InvalidArgument(fmt::format(
                            "ensemble '{}' cannot load: these ensembles use each other in a cycle (or use one "
                            "that is in a cycle): {}",
                            plan.name, fmt::join(names, ", "))),
                        failures);
      }
      return;
    }
    pending = std::move(later);
  }
}

void ModelRegistry::LoadVersions(ModelLoader& loader, const ModelPlan& plan, std::vector<std::string>* failures) {
  const std::string& name = plan.name;
  for (const auto& [version, reason] : plan.missing_versions) {
    LogError("{}", reason);
    failures->push_back(reason);
    std::unique_lock lock(mutex_);
    models_[name].versions[version] = VersionEntry{ModelState::kUnavailable, reason, nullptr, nullptr};
  }
  for (int64_t version : plan.versions) {
    {
      std::unique_lock lock(mutex_);
      models_[name].versions[version] = VersionEntry{ModelState::kLoading, "", nullptr, nullptr};
    }
    Result<std::unique_ptr<Model>> model = loader.LoadVersion(plan, version);
    std::unique_lock lock(mutex_);
    VersionEntry& entry = models_[name].versions[version];
    if (model.ok()) {
      entry = VersionEntry{ModelState::kReady, plan.notes, reaper_.Adopt(std::move(model).value()), nullptr};
      LogInfo("successfully loaded '{}' version {}", name, version);
    } else {
      entry = VersionEntry{ModelState::kUnavailable, model.status().message(), nullptr, nullptr};
      LogError("failed to load '{}' version {}: {}", name, version, model.status().message());
      failures->push_back(model.status().message());
    }
  }
  std::unique_lock lock(mutex_);
  models_[name].state = ModelState::kReady;
}

void ModelRegistry::UnloadAll() {
  reaper_.AwaitDestroyed(Unlist([](const Model& model) { return config::IsEnsemble(model.config()); }));
  reaper_.AwaitDestroyed(Unlist([](const Model&) { return true; }));
}

Status ModelRegistry::UnloadVersion(const std::string& name, int64_t version) {
  std::shared_ptr<Model> handle;  // released after the lock: the reaper may take it at once
  std::unique_lock lock(mutex_);
  auto it = models_.find(name);
  if (it == models_.end()) {
    return Status::NotFound(fmt::format("failed to unload '{}': the model is not found", Abbreviate(name)));
  }
  auto v = it->second.versions.find(version);
  if (v == it->second.versions.end()) {
    return Status::NotFound(
        fmt::format("failed to unload '{}' version {}: the version is not found", Abbreviate(name), version));
  }
  VersionEntry& entry = v->second;
  if (entry.state != ModelState::kReady) {
    return Status::Unavailable(fmt::format("failed to unload '{}' version {}: it is {}", Abbreviate(name), version,
                                           ModelStateName(entry.state)));
  }
  handle = BeginUnload(entry);
  lock.unlock();
  LogInfo("unloading '{}' version {}", name, version);
  return Status::Ok();
}

std::shared_ptr<Model> ModelRegistry::BeginUnload(VersionEntry& entry) {
  entry.state = ModelState::kUnloading;
  entry.reason = "";
  entry.unloading = entry.model.get();
  return std::move(entry.model);
}

std::vector<const Model*> ModelRegistry::Unlist(const std::function<bool(const Model&)>& select) {
  std::vector<std::shared_ptr<Model>> handles;  // released after the lock
  std::vector<const Model*> unlisted;
  std::unique_lock lock(mutex_);
  for (auto& [name, entry] : models_) {
    for (auto& [version, version_entry] : entry.versions) {
      if (version_entry.unloading != nullptr) unlisted.push_back(version_entry.unloading);
      if (!version_entry.model || !select(*version_entry.model)) continue;
      unlisted.push_back(version_entry.model.get());
      handles.push_back(BeginUnload(version_entry));
    }
  }
  lock.unlock();
  return unlisted;
}

void ModelRegistry::MarkDestroyed(const Model* model) {
  std::unique_lock lock(mutex_);
  for (auto& [name, entry] : models_) {
    for (auto& [version, version_entry] : entry.versions) {
      if (version_entry.unloading != model) continue;
      version_entry.unloading = nullptr;
      version_entry.state = ModelState::kUnavailable;
      version_entry.reason = "unloaded";
      LogInfo("successfully unloaded '{}' version {}", name, version);
      return;
    }
  }
}

Result<std::shared_ptr<Model>> ModelRegistry::Find(const std::string& name, int64_t version) const {
  std::shared_lock lock(mutex_);
  auto it = models_.find(name);
  // Triton's words (model_repository_manager.cc, model_lifecycle.cc):
  // clients and Triton's own examples match on "Request for unknown model".
  if (it == models_.end()) return Status::NotFound(fmt::format("Request for unknown model: '{}' is not found", Abbreviate(name)));
  const ModelEntry& entry = it->second;
  if (entry.state == ModelState::kUnavailable) {
    return Status::Unavailable(
        fmt::format("Request for unknown model: '{}' has no available versions: {}", Abbreviate(name), entry.reason));
  }
  if (version == kLatestVersion) {
    for (auto v = entry.versions.rbegin(); v != entry.versions.rend(); ++v) {
      if (v->second.state == ModelState::kReady) return v->second.model;
    }
    // Say why, from the newest version: an ensemble's load error quotes this.
    auto newest = entry.versions.rbegin();
    if (newest != entry.versions.rend() && !newest->second.reason.empty()) {
      return Status::Unavailable(fmt::format(
          "Request for unknown model: '{}' has no available versions (version {} is {}: {})", Abbreviate(name), newest->first,
          ModelStateName(newest->second.state), newest->second.reason));
    }
    return Status::Unavailable(fmt::format("Request for unknown model: '{}' has no available versions", Abbreviate(name)));
  }
  auto v = entry.versions.find(version);
  if (v == entry.versions.end()) {
    return Status::NotFound(fmt::format("Request for unknown model: '{}' version {} is not found", Abbreviate(name), version));
  }
  if (v->second.state != ModelState::kReady) {
    return Status::Unavailable(fmt::format("Request for unknown model: '{}' version {} is not at ready state ({}){}",
                                           Abbreviate(name), version, ModelStateName(v->second.state),
                                           v->second.reason.empty() ? "" : ": " + v->second.reason));
  }
  return v->second.model;
}

Result<std::vector<std::shared_ptr<Model>>> ModelRegistry::ReadyModels(const std::string& name) const {
  std::shared_lock lock(mutex_);
  std::vector<std::shared_ptr<Model>> ready;
  auto collect = [&ready](const ModelEntry& entry) {
    for (const auto& [version, version_entry] : entry.versions) {
      if (version_entry.state == ModelState::kReady) ready.push_back(version_entry.model);
    }
  };
  if (name.empty()) {
    for (const auto& [model_name, entry] : models_) collect(entry);
    return ready;
  }
  auto it = models_.find(name);
  if (it == models_.end()) return Status::NotFound(fmt::format("Request for unknown model: '{}' is not found", Abbreviate(name)));
  collect(it->second);
  return ready;
}

std::vector<ModelIndexEntry> ModelRegistry::Index(bool ready_only) const {
  std::shared_lock lock(mutex_);
  std::vector<ModelIndexEntry> index;
  for (const auto& [name, entry] : models_) {
    if (entry.state == ModelState::kUnavailable || entry.versions.empty()) {
      if (!ready_only) index.push_back({name, "", ModelStateName(entry.state), entry.reason});
      continue;
    }
    for (const auto& [version, version_entry] : entry.versions) {
      if (ready_only && version_entry.state != ModelState::kReady) continue;
      index.push_back({name, std::to_string(version), ModelStateName(version_entry.state), version_entry.reason});
    }
  }
  return index;
}

bool ModelRegistry::AllReady() const {
  std::shared_lock lock(mutex_);
  for (const auto& [name, entry] : models_) {
    if (entry.state != ModelState::kReady) return false;
    for (const auto& [version, version_entry] : entry.versions) {
      if (version_entry.state != ModelState::kReady) return false;
    }
  }
  return true;
}

}  // namespace inferd
