#include "core/model_registry.h"

#include <fmt/format.h>

#include "common/bounded_text.h"
#include "common/logging.h"
#include "config/normalize.h"

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

namespace {

// The reason a READY version shows after a load of its model failed.
std::string KeptServingReason(const std::string& failure) {
  return "the last load failed, this version keeps serving: " + failure;
}

}  // namespace

ModelRegistry::ModelRegistry() : reaper_([this](const Model* model) { MarkDestroyed(model); }) {}

ModelRegistry::~ModelRegistry() { UnloadAll(); }

void ModelRegistry::List(const std::string& name) {
  std::unique_lock lock(mutex_);
  if (models_.contains(name)) return;
  ModelEntry& entry = models_[name];
  entry.listed_only = true;
  entry.state = ModelState::kUnavailable;
}

void ModelRegistry::SetModelFailure(const std::string& name, const std::string& reason) {
  std::unique_lock lock(mutex_);
  ModelEntry& entry = models_[name];
  entry.listed_only = false;
  entry.wanted = true;
  bool serving = false;
  for (auto& [version, version_entry] : entry.versions) {
    if (version_entry.state == ModelState::kReady) {
      serving = true;
      version_entry.reason = KeptServingReason(reason);
    } else if (version_entry.state == ModelState::kLoading) {
      version_entry = VersionEntry{ModelState::kUnavailable, reason, nullptr, true};
    }
  }
  if (serving) return;
  entry.state = ModelState::kUnavailable;
  entry.reason = reason;
}

void ModelRegistry::BeginLoad(const std::string& name, const std::vector<int64_t>& versions) {
  std::unique_lock lock(mutex_);
  ModelEntry& entry = models_[name];
  entry.listed_only = false;
  entry.wanted = true;
  for (int64_t version : versions) {
    VersionEntry& version_entry = entry.versions[version];
    if (version_entry.state != ModelState::kReady) version_entry = VersionEntry{ModelState::kLoading, "", nullptr, true};
  }
}

Status ModelRegistry::Publish(const std::string& name, LoadedVersions loaded) {
  std::vector<std::shared_ptr<Model>> released;  // old handles, released after the lock
  Status first_failure;
  std::unique_lock lock(mutex_);
  ModelEntry& entry = models_[name];
  entry.listed_only = false;
  entry.wanted = true;
  bool serving = false;
  for (const auto& [version, version_entry] : entry.versions) serving = serving || version_entry.state == ModelState::kReady;
  for (const auto& [version, result] : loaded.versions) {
    if (!result.ok() && first_failure.ok()) first_failure = result.status();
  }
  if (!first_failure.ok() && serving) {
    // Keep what serves: a broken update must not take a working model down.
    for (auto& [version, version_entry] : entry.versions) {
      if (version_entry.state == ModelState::kReady) {
        version_entry.reason = KeptServingReason(first_failure.message());
      }
    }
    for (auto& [version, result] : loaded.versions) {
      VersionEntry& version_entry = entry.versions[version];
      const std::string why = result.ok() ? first_failure.message() : result.status().message();
      if (version_entry.state == ModelState::kReady) {
        continue;
      } else if (!result.ok()) {
        version_entry = VersionEntry{ModelState::kUnavailable, why, nullptr, true};
      } else {
        version_entry = VersionEntry{ModelState::kUnavailable, "not served: another version of the load failed: " + why,
                                     nullptr, true};
      }
    }
    lock.unlock();
    return first_failure;  // the versions that did load are destroyed here, never published
  }
  // Swap: the new versions serve from this moment; the old ones drain.
  for (auto& [version, version_entry] : entry.versions) {
    if (version_entry.state != ModelState::kReady || loaded.versions.contains(version)) continue;
    released.push_back(TakeHandle(name, version, version_entry));
    version_entry.state = ModelState::kUnloading;
    version_entry.reason = "";
    version_entry.wanted = false;
  }
  for (auto& [version, result] : loaded.versions) {
    VersionEntry& version_entry = entry.versions[version];
    if (version_entry.model) released.push_back(TakeHandle(name, version, version_entry));
    if (result.ok()) {
      version_entry = VersionEntry{ModelState::kReady, loaded.notes, reaper_.Adopt(std::move(result).value()), true};
      LogInfo("successfully loaded '{}' version {}", name, version);
    } else {
      version_entry = VersionEntry{ModelState::kUnavailable, result.status().message(), nullptr, true};
      LogError("failed to load '{}' version {}: {}", name, version, result.status().message());
    }
  }
  entry.state = ModelState::kReady;
  entry.reason = "";
  lock.unlock();
  return first_failure;
}

Status ModelRegistry::Unload(const std::string& name, const std::string& reason) {
  std::vector<std::shared_ptr<Model>> released;  // released after the lock: the reaper may take them at once
  std::unique_lock lock(mutex_);
  auto it = models_.find(name);
  if (it == models_.end()) {
    return Status::NotFound(fmt::format("failed to unload '{}': the model is not found", Abbreviate(name)));
  }
  ModelEntry& entry = it->second;
  entry.wanted = false;
  for (auto& [version, version_entry] : entry.versions) {
    version_entry.wanted = false;
    if (version_entry.state == ModelState::kReady) {
      released.push_back(TakeHandle(name, version, version_entry));
      version_entry.state = ModelState::kUnloading;
      version_entry.reason = reason;
      LogInfo("unloading '{}' version {}", name, version);
    } else if (version_entry.state != ModelState::kUnloading) {
      version_entry.state = ModelState::kUnavailable;
      version_entry.reason = reason;
    }
  }
  if (entry.state == ModelState::kUnavailable) entry.reason = reason;
  // A model with no versions left shows the reason at model level.
  if (entry.versions.empty() && !entry.listed_only) {
    entry.state = ModelState::kUnavailable;
    entry.reason = reason;
  }
  lock.unlock();
  return Status::Ok();
}

std::shared_ptr<Model> ModelRegistry::TakeHandle(const std::string& name, int64_t version, VersionEntry& entry) {
  draining_[entry.model.get()] = Draining{name, version};
  return std::move(entry.model);
}

void ModelRegistry::UnloadAll() {
  reaper_.AwaitDestroyed(Unlist([](const Model& model) { return config::IsEnsemble(model.config()); }));
  reaper_.AwaitDestroyed(Unlist([](const Model&) { return true; }));
}

std::vector<const Model*> ModelRegistry::Unlist(const std::function<bool(const Model&)>& select) {
  std::vector<std::shared_ptr<Model>> handles;  // released after the lock
  std::vector<const Model*> unlisted;
  std::unique_lock lock(mutex_);
  for (auto& [name, entry] : models_) {
    for (auto& [version, version_entry] : entry.versions) {
      if (!version_entry.model || !select(*version_entry.model)) continue;
      handles.push_back(TakeHandle(name, version, version_entry));
      version_entry.state = ModelState::kUnloading;
      version_entry.reason = "";
      version_entry.wanted = false;
    }
  }
  for (const auto& [model, draining] : draining_) unlisted.push_back(model);
  lock.unlock();
  return unlisted;
}

void ModelRegistry::MarkDestroyed(const Model* model) {
  std::unique_lock lock(mutex_);
  auto it = draining_.find(model);
  if (it == draining_.end()) return;
  const Draining draining = std::move(it->second);
  draining_.erase(it);
  for (const auto& [other, other_draining] : draining_) {
    if (other_draining.name == draining.name && other_draining.version == draining.version) return;
  }
  auto entry = models_.find(draining.name);
  if (entry == models_.end()) return;
  auto version_entry = entry->second.versions.find(draining.version);
  if (version_entry == entry->second.versions.end()) return;
  if (version_entry->second.state != ModelState::kUnloading) return;  // replaced: its successor serves
  version_entry->second.state = ModelState::kUnavailable;
  if (version_entry->second.reason.empty()) version_entry->second.reason = "unloaded";
  LogInfo("successfully unloaded '{}' version {}", draining.name, draining.version);
}

Result<std::shared_ptr<Model>> ModelRegistry::Find(const std::string& name, int64_t version) const {
  std::shared_lock lock(mutex_);
  auto it = models_.find(name);
  // Triton's words (model_repository_manager.cc, model_lifecycle.cc):
  // clients and Triton's own examples match on "Request for unknown model".
  if (it == models_.end() || it->second.listed_only) {
    return Status::NotFound(fmt::format("Request for unknown model: '{}' is not found", Abbreviate(name)));
  }
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
          "Request for unknown model: '{}' has no available versions (version {} is {}: {})", Abbreviate(name),
          newest->first, ModelStateName(newest->second.state), newest->second.reason));
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
  if (it == models_.end() || it->second.listed_only) {
    return Status::NotFound(fmt::format("Request for unknown model: '{}' is not found", Abbreviate(name)));
  }
  collect(it->second);
  return ready;
}

std::vector<ModelIndexEntry> ModelRegistry::Index(bool ready_only) const {
  std::shared_lock lock(mutex_);
  std::vector<ModelIndexEntry> index;
  for (const auto& [name, entry] : models_) {
    if (entry.listed_only) {
      // Triton lists a model it has never loaded by name alone.
      if (!ready_only) index.push_back({name, "", "", ""});
      continue;
    }
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

bool ModelRegistry::IsServing(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = models_.find(name);
  if (it == models_.end()) return false;
  for (const auto& [version, version_entry] : it->second.versions) {
    if (version_entry.state == ModelState::kReady) return true;
  }
  return false;
}

bool ModelRegistry::AllReady() const {
  std::shared_lock lock(mutex_);
  for (const auto& [name, entry] : models_) {
    if (entry.listed_only || !entry.wanted) continue;
    if (entry.state == ModelState::kUnavailable) return false;  // failed before any version loaded
    for (const auto& [version, version_entry] : entry.versions) {
      if (version_entry.wanted && version_entry.state != ModelState::kReady) return false;
    }
  }
  return true;
}

}  // namespace inferd
