#include "core/model_loader.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/logging.h"
#include "common/model_file_path.h"
#include "config/autocomplete.h"
#include "config/json.h"
#include "config/normalize.h"
#include "config/parse.h"
#include "config/unimplemented.h"
#include "core/model_warmup.h"
#include "repository/label_file.h"
#include "repository/repository_scanner.h"
#include "repository/version_policy.h"

namespace inferd {
namespace {

constexpr const char* kConfigFileName = "config.pbtxt";

}  // namespace

Status ModelLoader::CheckUnimplementedFields(const inference::ModelConfig& config, std::string* notes) const {
  std::vector<std::string> refused;
  std::vector<std::string> ignored;
  for (const config::UnimplementedField& field : config::UnimplementedFields(config)) {
    std::string line = fmt::format("config field '{}' is not supported yet: {}", field.name, field.instead);
    if (field.changes_results && !options_.allow_unsupported_config_fields) {
      refused.push_back(std::move(line));
    } else {
      LogWarning("model '{}': {}", config.name(), line);
      ignored.push_back(std::move(line));
    }
  }
  if (!refused.empty()) {
    return Status::Unavailable(fmt::format(
        "model '{}': {} (start inferd with --allow-unsupported-config-fields=true to serve it anyway)", config.name(),
        fmt::join(refused, "; ")));
  }
  *notes = fmt::format("{}", fmt::join(ignored, "; "));
  return Status::Ok();
}

ModelLoader::ModelLoader(const ServerOptions& options, BackendRegistry* backends, repository::FileSystem* filesystem,
                         EnsembleServices ensembles)
    : options_(options), backends_(backends), filesystem_(filesystem), ensembles_(std::move(ensembles)) {}

Result<inference::ModelConfig> ModelLoader::ReadConfig(const std::string& name, const std::string& path,
                                                       const inference::ModelConfig* override) {
  if (override != nullptr) {
    inference::ModelConfig config = *override;
    if (config.name().empty()) config.set_name(name);
    if (config.name() != name) {
      return Status::InvalidArgument(fmt::format(
          "model '{}': the config given with the load request names model '{}'; leave 'name' out or use '{}'", name,
          config.name(), name));
    }
    return config;
  }
  std::string config_path = repository::JoinPath(path, kConfigFileName);
  if (!options_.model_config_name.empty()) {
    // Triton's custom model configuration: configs/<name>.pbtxt wins, the
    // default config.pbtxt is the fallback.
    const std::string custom = repository::JoinPath(repository::JoinPath(path, "configs"),
                                                    options_.model_config_name + ".pbtxt");
    if (filesystem_->FileExists(custom)) config_path = custom;
  }
  if (filesystem_->FileExists(config_path)) {
    ASSIGN_OR_RETURN(std::string text, filesystem_->ReadFile(config_path));
    return config::ParseModelConfigText(text, config_path);
  }
  if (options_.strict_model_config) {
    return Status::NotFound(fmt::format("model '{}': no {} in '{}' (required by --strict-model-config=true)", name,
                                        kConfigFileName, path));
  }
  // Without a config, the model file is enough (Triton's auto-complete): Plan
  // picks the backend and reads everything else from the file.
  inference::ModelConfig config;
  config.set_name(name);
  return config;
}

std::vector<std::string> ModelLoader::ComposingModels(const std::string& name, const std::string& path) {
  Result<inference::ModelConfig> config = ReadConfig(name, path, nullptr);
  std::vector<std::string> composing;
  if (!config.ok()) return composing;
  const bool ensemble =
      config->platform() == config::kEnsemblePlatform || config->backend() == config::kEnsemblePlatform;
  if (!ensemble) return composing;
  for (const auto& step : config->ensemble_scheduling().step()) composing.push_back(step.model_name());
  return composing;
}

std::string ModelLoader::BackendFromFiles(const std::string& path, const inference::ModelConfig& config) const {
  // Triton's rule (AutoCompleteBackendFields): default_model_filename, else
  // the files of the first version folder by name; model.onnx before model.py.
  const std::string& named = config.default_model_filename();
  if (named == "model.py") return std::string(config::kPythonBackend);
  if (named.empty()) {
    Result<std::vector<std::string>> folders = filesystem_->ListSubdirectories(path);
    if (folders.ok() && !folders->empty()) {
      const std::string first = repository::JoinPath(path, *std::min_element(folders->begin(), folders->end()));
      const std::string onnx = repository::JoinPath(first, "model.onnx");  // a file, or a folder for large models
      if (!filesystem_->FileExists(onnx) && !filesystem_->IsDirectory(onnx) &&
          filesystem_->FileExists(repository::JoinPath(first, "model.py"))) {
        return std::string(config::kPythonBackend);
      }
    }
  }
  return std::string(config::kOnnxRuntimeBackend);
}

Status ModelLoader::CompleteFromModelFile(const std::string& path, const std::vector<int64_t>& versions,
                                          Backend* backend, bool incomplete, inference::ModelConfig* config) {
  const bool by_model_code = backend->CompletesItsOwnConfig();
  if (versions.empty() || (!incomplete && !by_model_code)) return Status::Ok();
  // Describe the newest version: it is the one served by default.
  ASSIGN_OR_RETURN(std::string model_file, ResolveVersionFile(path, *config, backend, versions.back()));
  if (by_model_code) {
    ASSIGN_OR_RETURN(std::string completed, backend->CompleteConfigJson(model_file, *config));
    Result<inference::ModelConfig> parsed = config::ModelConfigFromJson(completed);
    if (!parsed.ok()) return parsed.status().WithPrefix("the config auto_complete_config returned");
    *config = std::move(parsed).value();
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(ModelFileInfo info, backend->DescribeModel(model_file));
  return config::AutoCompleteConfig(info, config);
}

ModelPlan ModelLoader::Plan(const std::string& name, const std::string& path,
                            const inference::ModelConfig* override) {
  ModelPlan plan;
  plan.name = name;
  plan.path = path;

  Result<inference::ModelConfig> parsed = ReadConfig(name, path, override);
  if (!parsed.ok()) {
    plan.status = parsed.status();
    return plan;
  }
  inference::ModelConfig config = std::move(parsed).value();
  if (!config::HasBackend(config)) config.set_backend(BackendFromFiles(path, config));

  // An ensemble runs no backend of its own ("backend: ensemble" is
  // normalized to the platform below).
  const bool ensemble = config.platform() == config::kEnsemblePlatform || config.backend() == config::kEnsemblePlatform;
  const std::string backend_name = ensemble ? "" : BackendRegistry::BackendNameForConfig(config);
  if (!backend_name.empty()) {
    Result<Backend*> backend = backends_->Get(backend_name);
    if (!backend.ok()) {
      plan.status = backend.status().WithPrefix(fmt::format("model '{}'", name));
      return plan;
    }
    plan.backend = *backend;
  }

  Result<std::vector<int64_t>> available = repository::ListVersions(path, *filesystem_);
  if (!available.ok()) {
    plan.status = available.status();
    return plan;
  }

  // Triton wants an (empty) version folder for an ensemble too; git cannot
  // hold an empty folder, so inferd serves an ensemble without one as version 1.
  if (ensemble && available->empty()) available.value().push_back(1);

  // The policy is applied before normalizing: auto-complete needs a version
  // to read, and an unset policy already means "latest 1".
  plan.versions = repository::SelectVersions(config.version_policy(), *available);
  for (int64_t missing : repository::MissingRequestedVersions(config.version_policy(), *available)) {
    plan.missing_versions.emplace_back(
        missing, fmt::format("model '{}': {}", name, repository::MissingVersionReason(missing)));
  }
  if (plan.versions.empty() && plan.missing_versions.empty()) {
    plan.status = Status::NotFound(fmt::format("model '{}': no version folders (numbered sub-folders) in '{}'",
                                               name, path));
    return plan;
  }
  // Only a config that leaves tensors out pays for opening the model file an
  // extra time (complete configs are checked by the backend when it loads),
  // unless the model's own code completes its config (Python models).
  bool incomplete = config.input_size() == 0 || config.output_size() == 0;
  auto lacks_type_or_dims = [](const auto& tensor) {
    return tensor.data_type() == inference::TYPE_INVALID || tensor.dims_size() == 0;
  };
  for (const auto& input : config.input()) incomplete = incomplete || lacks_type_or_dims(input);
  for (const auto& output : config.output()) incomplete = incomplete || lacks_type_or_dims(output);
  if (!options_.strict_model_config && plan.backend != nullptr) {
    Status completed = CompleteFromModelFile(path, plan.versions, plan.backend, incomplete, &config);
    if (!completed.ok()) {
      plan.status = completed.WithPrefix(fmt::format("model '{}'", name));
      return plan;
    }
  }
  Status normalized = config::NormalizeModelConfig(name, &config);
  if (!normalized.ok()) {
    plan.status = normalized;
    return plan;
  }

  Status supported = CheckUnimplementedFields(config, &plan.notes);
  if (!supported.ok()) {
    plan.status = supported;
    return plan;
  }

  for (const inference::ModelOutput& output : config.output()) {
    if (output.label_filename().empty()) continue;
    Result<std::string> label_path = ResolveInModelFolder(path, path, output.label_filename(), "label_filename");
    Result<std::vector<std::string>> labels =
        label_path.ok() ? repository::LoadLabelFile(*label_path, *filesystem_)
                        : Result<std::vector<std::string>>(label_path.status());
    if (!labels.ok()) {
      plan.status = labels.status().WithPrefix(fmt::format("model '{}': output '{}'", name, output.name()));
      return plan;
    }
    plan.labels[output.name()] = std::move(labels).value();
  }
  plan.config = std::make_shared<const inference::ModelConfig>(std::move(config));
  return plan;
}

Result<std::string> ModelLoader::ResolveVersionFile(const std::string& path, const inference::ModelConfig& config,
                                                    Backend* backend, int64_t version) const {
  const bool named = !config.default_model_filename().empty();
  const std::string chosen = named ? config.default_model_filename() : backend->DefaultModelFilename();
  // An empty name: the backend loads the version folder itself.
  const std::string filename = chosen.empty() ? std::string(".") : chosen;
  return ResolveInModelFolder(path, repository::JoinPath(path, std::to_string(version)), filename,
                              named ? "default_model_filename" : "model file");
}

Result<std::string> ModelLoader::ResolveInModelFolder(const std::string& model_dir, const std::string& base_dir,
                                                      const std::string& name, std::string_view field) const {
  return ResolveModelFile(model_dir, base_dir, name, field,
                          [this](const std::string& path) { return filesystem_->RealPath(path); });
}

int ModelLoader::IntraOpThreadsPerInstance(const inference::ModelConfig& config) const {
  // A model that sets its own thread count (Triton's onnxruntime parameter) keeps it.
  if (config.parameters().contains("intra_op_thread_count")) return 0;
  if (options_.default_intra_op_threads > 0) return options_.default_intra_op_threads;
  int instances = 0;
  for (const auto& group : config.instance_group()) {
    const bool gpu = group.kind() == inference::ModelInstanceGroup::KIND_GPU;
    instances += std::max(1, group.count()) * (gpu ? std::max(1, group.gpus_size()) : 1);
  }
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Split the cores between this model's instances so `count: 2` does not
  // oversubscribe the CPU; a model-level parameter still overrides this.
  return std::max(1, cores / std::max(1, instances));
}

Result<std::unique_ptr<Model>> ModelLoader::LoadEnsembleVersion(const ModelPlan& plan, int64_t version) {
  if (!ensembles_.find_config || !ensembles_.infer) {
    return Status::Unimplemented(fmt::format("model '{}': this loader cannot load ensembles", plan.name));
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const EnsembleGraph> graph,
                   BuildEnsembleGraph(*plan.config, ensembles_.find_config));
  return Model::CreateWithScheduler(
      plan.config, version, [&](const ScheduledModel& scheduled) -> Result<std::unique_ptr<Scheduler>> {
        // A step takes one response: it never streams (decoupled steps are refused above).
        InferFunction step = [infer = ensembles_.infer](InferenceRequest request, InferCallback done) {
          infer(std::move(request), {}, std::move(done));
        };
        return std::unique_ptr<Scheduler>(std::make_unique<EnsembleScheduler>(scheduled, graph, std::move(step)));
      });
}

Result<std::unique_ptr<Model>> ModelLoader::LoadVersion(const ModelPlan& plan, int64_t version) {
  if (config::IsEnsemble(*plan.config)) return LoadEnsembleVersion(plan, version);
  if (plan.backend == nullptr) {
    return Status::Unimplemented(
        fmt::format("model '{}': platform '{}' is not supported yet", plan.name, plan.config->platform()));
  }
  Result<std::string> model_file = ResolveVersionFile(plan.path, *plan.config, plan.backend, version);
  if (!model_file.ok()) return model_file.status().WithPrefix(fmt::format("model '{}' version {}", plan.name, version));
  ModelLoadSpec spec;
  spec.config = plan.config;
  spec.version = version;
  spec.model_path = *model_file;
  spec.backend = plan.backend;
  spec.intra_op_threads = IntraOpThreadsPerInstance(*plan.config);
  spec.labels = plan.labels;
  spec.infer = ensembles_.infer;
  Result<std::unique_ptr<Model>> model = Model::Load(std::move(spec));
  if (!model.ok()) return model.status().WithPrefix(fmt::format("model '{}' version {}", plan.name, version));
  if (plan.keep_alive) (*model)->KeepAlive(plan.keep_alive);
  if (plan.config->model_warmup_size() > 0) {
    // Before the version serves: its first requests do not pay for first use.
    const std::string warmup_dir = repository::JoinPath(plan.path, "warmup");
    Status warmed = WarmUp(**model, [&](const std::string& name) -> Result<std::string> {
      ASSIGN_OR_RETURN(std::string file, ResolveInModelFolder(plan.path, warmup_dir, name, "input_data_file"));
      return filesystem_->ReadFile(file);
    });
    if (!warmed.ok()) return warmed.WithPrefix(fmt::format("model '{}' version {}", plan.name, version));
  }
  return model;
}

}  // namespace inferd
