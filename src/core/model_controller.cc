#include "core/model_controller.h"

#include <algorithm>
#include <latch>

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/bounded_text.h"
#include "common/logging.h"
#include "config/json.h"
#include "config/normalize.h"
#include "core/model_loader.h"
#include "repository/model_fingerprint.h"
#include "repository/repository_scanner.h"

namespace inferd {
namespace {

// Triton's words for load requests outside explicit mode; clients match on them.
constexpr const char* kControlDisabled = "explicit model load / unload is not allowed if polling is enabled";

// Triton reports every problem of finding and reading a model for a load
// request with this one message (INTERNAL); inferd adds the cause.
Status PollFailure(const std::string& name, const Status& cause) {
  return Status::Internal(
      fmt::format("failed to load '{}', failed to poll from model repository: {}", Abbreviate(name), cause.message()));
}

int LoadThreads(const ServerOptions& options) { return std::max(1, options.model_load_threads); }

Status StoppingStatus() { return Status::Unavailable("the server is stopping: models are no longer loaded or unloaded"); }

}  // namespace

ModelController::ModelController(const ServerOptions& options, ServerInferFunction infer,
                                 const ServerEnvironment& environment)
    : options_(options),
      infer_(std::move(infer)),
      filesystem_(environment.filesystem != nullptr ? environment.filesystem : &repository::LocalFileSystem()),
      backends_(options.backend_directory),
      load_threads_(static_cast<size_t>(LoadThreads(options))) {
  for (const auto& [name, backend] : environment.backends) backends_.AddInProcess(name, backend);
}

ModelController::~ModelController() { Stop(); }

void ModelController::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  poll_wakeup_.notify_all();
  if (poller_.joinable()) poller_.join();
  load_threads_.join();
  registry_.UnloadAll();
}

Result<std::vector<std::string>> ModelController::Start() {
  using Mode = ServerOptions::ModelControlMode;
  if (options_.model_control_mode != Mode::kExplicit) {
    ASSIGN_OR_RETURN(std::vector<std::string> failures, Synchronize());
    if (options_.model_control_mode == Mode::kPoll) poller_ = std::thread([this] { PollLoop(); });
    return failures;
  }
  // A missing repository fails the start in every mode.
  ASSIGN_OR_RETURN(repository::RepositoryScan scan,
                   repository::ScanRepositories(options_.model_repositories, *filesystem_));
  for (const auto& location : scan.models) registry_.List(location.name);
  for (const auto& problem : scan.problems) registry_.List(problem.name);
  std::vector<std::string> names = options_.startup_models;
  if (std::find(names.begin(), names.end(), "*") != names.end()) {
    names.clear();
    for (const auto& location : scan.models) names.push_back(location.name);
  }
  std::vector<std::string> failures;
  std::mutex failures_mutex;
  std::vector<std::function<void()>> tasks;
  for (const std::string& name : names) {
    tasks.push_back([this, name, &failures, &failures_mutex] {
      LoadContext context;
      Source source;
      source.requested = true;
      Status status = LoadNow(name, IfServing::kKeep, &source, context);
      if (status.ok()) return;
      std::lock_guard lock(failures_mutex);
      failures.push_back(status.message());
    });
  }
  RunAll(std::move(tasks));
  return failures;
}

void ModelController::RunAll(std::vector<std::function<void()>> tasks) {
  std::latch finished(static_cast<std::ptrdiff_t>(tasks.size()));
  for (auto& task : tasks) {
    boost::asio::post(load_threads_, [&finished, task = std::move(task)] {
      task();
      finished.count_down();
    });
  }
  finished.wait();
}

void ModelController::Submit(std::function<void()> task, const ModelControlCallback& done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      // Queued requests still waiting when the server stops are answered, not run.
      boost::asio::post(load_threads_, [this, task = std::move(task), done] {
        if (Stopping()) return done(StoppingStatus());
        task();
      });
      return;
    }
  }
  done(StoppingStatus());
}

bool ModelController::Stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

std::shared_ptr<std::mutex> ModelController::ModelLock(const std::string& name) {
  std::lock_guard lock(mutex_);
  std::shared_ptr<std::mutex>& model_lock = model_locks_[name];
  if (!model_lock) model_lock = std::make_shared<std::mutex>();
  return model_lock;
}

Result<std::string> ModelController::Locate(const std::string& name) const {
  ASSIGN_OR_RETURN(repository::RepositoryScan scan,
                   repository::ScanRepositories(options_.model_repositories, *filesystem_));
  for (const auto& location : scan.models) {
    if (location.name == name) return location.path;
  }
  for (const auto& problem : scan.problems) {
    if (problem.name == name) return Status::InvalidArgument(problem.reason);
  }
  return Status::NotFound(fmt::format("model '{}' is not found in any model repository", Abbreviate(name)));
}

Result<ModelController::Source> ModelController::SourceFromRequest(const ModelLoadRequest& request) const {
  Source source;
  if (request.config) {
    Result<inference::ModelConfig> config = config::ModelConfigFromJson(*request.config);
    if (!config.ok()) return PollFailure(request.name, config.status().WithPrefix("invalid config override"));
    source.config = std::move(config).value();
  }
  if (request.files.empty()) return source;
  if (!request.config) {
    return PollFailure(request.name,
                       Status::InvalidArgument("load parameter 'config' must be given with the 'file:' parameters"));
  }
  // Paths first, so a bad one is reported the same whether uploads are on.
  for (const auto& [path, contents] : request.files) {
    Status checked = CheckUploadPath(path);
    if (!checked.ok()) return PollFailure(request.name, checked);
  }
  if (!options_.allow_model_upload) {
    return Status::InvalidArgument(fmt::format(
        "failed to load '{}': model files in a load request ('file:' parameters) are refused: start inferd with "
        "--allow-model-upload=true to accept them, and restrict the model-repository API "
        "(--http-restricted-api, --grpc-restricted-protocol) so only trusted clients can send code the server will run",
        Abbreviate(request.name)));
  }
  Result<std::unique_ptr<UploadedModel>> upload = UploadedModel::Write(request.name, request.files);
  if (!upload.ok()) return PollFailure(request.name, upload.status());
  source.upload = std::move(upload).value();
  return source;
}

void ModelController::Load(ModelLoadRequest request, ModelControlCallback done) {
  if (options_.model_control_mode != ServerOptions::ModelControlMode::kExplicit) {
    return done(Status::Unavailable(kControlDisabled));
  }
  Submit(
      [this, request = std::move(request), done] {
        Result<Source> source = SourceFromRequest(request);
        if (!source.ok()) {
          LogError("{}", source.status().message());
          return done(source.status());
        }
        source->requested = true;
        LoadContext context;
        done(LoadNow(request.name, IfServing::kReload, &*source, context));
      },
      done);
}

void ModelController::Unload(std::string name, bool unload_dependents, ModelControlCallback done) {
  if (options_.model_control_mode != ServerOptions::ModelControlMode::kExplicit) {
    return done(Status::Unavailable(kControlDisabled));
  }
  Submit([this, name = std::move(name), unload_dependents, done] { done(UnloadNow(name, unload_dependents, "unloaded")); },
         done);
}

void ModelController::RefreshListing() {
  Result<repository::RepositoryScan> scan = repository::ScanRepositories(options_.model_repositories, *filesystem_);
  if (!scan.ok()) return;
  for (const auto& location : scan->models) registry_.List(location.name);
}

Status ModelController::LoadNow(const std::string& name, IfServing if_serving, const Source* request_source,
                                LoadContext& context) {
  std::vector<std::string>& chain = context.chain;
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    return Status::InvalidArgument(fmt::format(
        "invalid model name '{}', model name must not contain path traversal characters", Abbreviate(name)));
  }
  if (std::find(chain.begin(), chain.end(), name) != chain.end()) {
    return Status::InvalidArgument(fmt::format("circular dependency between ensembles: {} -> {}",
                                               fmt::join(chain, " -> "), name));
  }
  std::shared_ptr<std::mutex> model_lock = ModelLock(name);
  std::unique_lock model_guard(*model_lock);
  if (if_serving == IfServing::kKeep && registry_.IsServing(name)) return Status::Ok();
  Source source;
  if (request_source != nullptr) {
    source = *request_source;
  } else {
    std::lock_guard lock(mutex_);
    auto it = sources_.find(name);
    if (it != sources_.end()) source = it->second;
  }
  Result<std::string> path = source.upload ? Result<std::string>(source.upload->path()) : Locate(name);
  if (!path.ok()) {
    Status failure = PollFailure(name, path.status());
    LogError("{}", failure.message());
    if (!registry_.IsServing(name) && path.status().code() != StatusCode::kNotFound) {
      registry_.SetModelFailure(name, path.status().message());
    }
    return failure;
  }
  const bool was_serving = registry_.IsServing(name);
  chain.push_back(name);
  Status status = LoadFrom(name, *path, source, context);
  chain.pop_back();
  {
    // A failed update keeps the older load serving, and its source with it.
    std::lock_guard lock(mutex_);
    if (status.ok() || !was_serving || !sources_.contains(name)) sources_[name] = std::move(source);
  }
  model_guard.unlock();
  if (status.ok()) context.loaded.push_back(name);
  if (!chain.empty()) return status;  // nested: the outermost load reloads the dependents
  std::vector<std::string> loaded = std::move(context.loaded);
  context.loaded.clear();
  for (const std::string& model : loaded) ReloadDependents(model);
  return status;
}

Status ModelController::LoadFrom(const std::string& name, const std::string& path, const Source& source,
                                 LoadContext& context) {
  EnsembleServices ensembles;
  if (infer_) {
    ensembles.infer = infer_;
    ensembles.find_config = [this](const std::string& model_name,
                                   int64_t version) -> Result<std::shared_ptr<const inference::ModelConfig>> {
      ASSIGN_OR_RETURN(std::shared_ptr<Model> model, registry_.Find(model_name, version));
      return model->shared_config();
    };
  }
  ModelLoader loader(options_, &backends_, filesystem_, std::move(ensembles));
  ModelPlan plan = loader.Plan(name, path, source.config ? &*source.config : nullptr);
  plan.keep_alive = source.upload;
  if (!plan.status.ok()) {
    LogError("failed to load model '{}': {}", name, plan.status.message());
    registry_.SetModelFailure(name, plan.status.message());
    return Status::InvalidArgument(fmt::format("load failed for model '{}': {}", Abbreviate(name), plan.status.message()));
  }
  if (config::IsEnsemble(*plan.config)) {
    std::vector<std::string> composing;
    for (const auto& step : plan.config->ensemble_scheduling().step()) composing.push_back(step.model_name());
    {
      std::lock_guard lock(mutex_);
      composing_[name] = composing;
    }
    // Explicit mode loads what an ensemble uses (Triton's PollModels); the
    // other modes load every model anyway. A failure is left to the graph
    // check, which names the step.
    if (options_.model_control_mode == ServerOptions::ModelControlMode::kExplicit) {
      for (const std::string& model : composing) {
        if (model == name) continue;
        Status dependency = LoadNow(model, IfServing::kKeep, nullptr, context);
        if (!dependency.ok()) LogError("{}", dependency.message());
      }
    }
  }
  std::vector<int64_t> versions = plan.versions;
  for (const auto& [version, reason] : plan.missing_versions) versions.push_back(version);
  registry_.BeginLoad(name, versions);
  LoadedVersions loaded;
  loaded.notes = plan.notes;
  for (const auto& [version, reason] : plan.missing_versions) {
    loaded.versions.emplace(version, Status::NotFound(reason));
  }
  for (int64_t version : plan.versions) loaded.versions.emplace(version, loader.LoadVersion(plan, version));
  Status published = registry_.Publish(name, std::move(loaded));
  if (published.ok()) return published;
  LogError("failed to load model '{}': {}", name, published.message());
  return Status::InvalidArgument(fmt::format("load failed for model '{}': {}", Abbreviate(name), published.message()));
}

void ModelController::ReloadDependents(const std::string& name) {
  std::vector<std::string> dependents;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [ensemble, composing] : composing_) {
      if (ensemble == name || !sources_.contains(ensemble)) continue;
      if (std::find(composing.begin(), composing.end(), name) != composing.end()) dependents.push_back(ensemble);
    }
  }
  for (const std::string& ensemble : dependents) {
    LoadContext context;
    Status status = LoadNow(ensemble, IfServing::kKeep, nullptr, context);
    if (!status.ok()) LogError("{}", status.message());
  }
}

Status ModelController::UnloadNow(const std::string& name, bool unload_dependents, const std::string& reason) {
  std::vector<std::string> composing;
  {
    std::shared_ptr<std::mutex> model_lock = ModelLock(name);
    std::lock_guard model_guard(*model_lock);
    Status status = registry_.Unload(name, reason);
    // Triton answers OK for a model it does not know: there is nothing to unload.
    if (!status.ok() && status.code() != StatusCode::kNotFound) return status;
    std::lock_guard lock(mutex_);
    sources_.erase(name);  // no longer wanted; an upload's folder goes with it
    if (unload_dependents && composing_.contains(name)) composing = composing_[name];
  }
  // The ensembles that use it, directly or through other ensembles, cannot
  // run without it. They stay wanted, so loading it again brings them back.
  std::vector<std::string> gone = {name};
  std::set<std::string> visited = {name};
  while (!gone.empty()) {
    const std::string missing = std::move(gone.back());
    gone.pop_back();
    std::vector<std::string> users;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [ensemble, steps] : composing_) {
        if (!visited.contains(ensemble) && std::find(steps.begin(), steps.end(), missing) != steps.end()) {
          users.push_back(ensemble);
        }
      }
    }
    for (const std::string& ensemble : users) {
      visited.insert(ensemble);
      std::shared_ptr<std::mutex> model_lock = ModelLock(ensemble);
      std::lock_guard model_guard(*model_lock);
      if (!registry_.IsServing(ensemble)) continue;
      LogWarning("unloading ensemble '{}': its composing model '{}' is unloaded", ensemble, missing);
      (void)registry_.Unload(ensemble, fmt::format("composing model '{}' was unloaded", missing));
      gone.push_back(ensemble);
    }
  }
  // unload_dependents: the models the ensemble used go too, unless another
  // wanted ensemble still uses them.
  for (const std::string& model : composing) {
    bool used_elsewhere = false;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [ensemble, steps] : composing_) {
        if (ensemble == name || !sources_.contains(ensemble)) continue;
        used_elsewhere = used_elsewhere || std::find(steps.begin(), steps.end(), model) != steps.end();
      }
    }
    bool requested = false;
    {
      std::lock_guard lock(mutex_);
      auto it = sources_.find(model);
      requested = it != sources_.end() && it->second.requested;
    }
    if (!used_elsewhere && !requested && model != name) (void)UnloadNow(model, true, reason);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ModelController::Synchronize() {
  ASSIGN_OR_RETURN(repository::RepositoryScan scan,
                   repository::ScanRepositories(options_.model_repositories, *filesystem_));
  std::vector<std::string> failures;
  std::mutex failures_mutex;
  auto record = [&failures, &failures_mutex](const Status& status) {
    if (status.ok()) return;
    std::lock_guard lock(failures_mutex);
    failures.push_back(status.message());
  };
  std::set<std::string> present;
  for (const auto& problem : scan.problems) {
    present.insert(problem.name);
    std::lock_guard lock(mutex_);
    if (!scan_problems_.insert(problem.name).second) continue;  // reported already
    registry_.SetModelFailure(problem.name, problem.reason);
    LogError("failed to load model '{}': {}", problem.name, problem.reason);
    record(Status::InvalidArgument(fmt::format("failed to load model '{}': {}", problem.name, problem.reason)));
  }
  // What changed since the last look: new folders and new contents.
  std::vector<repository::ModelLocation> changed;
  for (const auto& location : scan.models) {
    present.insert(location.name);
    Result<uint64_t> digest = repository::FingerprintModelFolder(location.path, *filesystem_);
    std::lock_guard lock(mutex_);
    scan_problems_.erase(location.name);
    auto known = fingerprints_.find(location.name);
    const uint64_t value = digest.ok() ? *digest : 0;
    if (known != fingerprints_.end() && digest.ok() && known->second == value) continue;
    fingerprints_[location.name] = value;
    sources_.try_emplace(location.name);  // wanted: every model in the repository
    changed.push_back(location);
  }
  // Gone from the repositories: unloaded (the ensembles using them go down).
  std::vector<std::string> removed;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, digest] : fingerprints_) {
      if (!present.contains(name)) removed.push_back(name);
    }
    for (const std::string& name : removed) fingerprints_.erase(name);
  }
  for (const std::string& name : removed) {
    LogInfo("model '{}' is no longer in the model repository: unloading it", name);
    (void)UnloadNow(name, false, "removed from the model repository");
  }
  // Models first, in parallel; then ensembles, in rounds, each after the
  // ensembles it uses, so graphs are checked against loaded models.
  ModelLoader reader(options_, &backends_, filesystem_);
  std::vector<std::function<void()>> models;
  std::map<std::string, std::vector<std::string>> ensembles;
  for (const auto& location : changed) {
    std::vector<std::string> composing = reader.ComposingModels(location.name, location.path);
    if (!composing.empty()) {
      ensembles[location.name] = std::move(composing);
      continue;
    }
    models.push_back([this, name = location.name, &record] {
      LoadContext context;
      record(LoadNow(name, IfServing::kReload, nullptr, context));
    });
  }
  RunAll(std::move(models));
  while (!ensembles.empty()) {
    std::vector<std::function<void()>> round;
    std::vector<std::string> started;
    for (const auto& [name, composing] : ensembles) {
      // (clang 14 cannot capture a structured binding in a lambda.)
      const std::string& ensemble = name;
      const bool waits = std::any_of(composing.begin(), composing.end(),
                                     [&ensemble, &ensembles](const std::string& step) {
                                       return step != ensemble && ensembles.contains(step);
                                     });
      if (waits) continue;
      started.push_back(name);
      round.push_back([this, name = name, &record] {
        LoadContext context;
        record(LoadNow(name, IfServing::kReload, nullptr, context));
      });
    }
    if (round.empty()) {
      std::vector<std::string> names;
      for (const auto& [name, composing] : ensembles) names.push_back("'" + name + "'");
      for (const auto& [name, composing] : ensembles) {
        const std::string reason = fmt::format(
            "ensemble '{}' cannot load: these ensembles use each other in a cycle (or use one that is in a cycle): {}",
            name, fmt::join(names, ", "));
        registry_.SetModelFailure(name, reason);
        LogError("failed to load model '{}': {}", name, reason);
        record(Status::InvalidArgument(fmt::format("failed to load model '{}': {}", name, reason)));
      }
      break;
    }
    RunAll(std::move(round));
    for (const std::string& name : started) ensembles.erase(name);
  }
  return failures;
}

void ModelController::PollLoop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    poll_wakeup_.wait_for(lock, options_.repository_poll_interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    Result<std::vector<std::string>> failures = Synchronize();
    if (!failures.ok()) LogError("failed to poll model repository: {}", failures.status().message());
    lock.lock();
  }
}

}  // namespace inferd
