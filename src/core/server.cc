#include "core/server.h"

#include <charconv>

#include <fmt/format.h>

#include "common/logging.h"
#include "config/data_type_conversion.h"
#include "core/classification.h"
#include "core/model_controller.h"
#include "core/model_registry.h"
#include "core/request_validator.h"

namespace inferd {
namespace {

std::vector<TensorMetadata> DescribeTensors(const auto& tensors, bool batched) {
  std::vector<TensorMetadata> described;
  described.reserve(tensors.size());
  for (const auto& tensor : tensors) {
    TensorMetadata metadata;
    metadata.name = tensor.name();
    std::optional<DataType> type = config::DataTypeFromConfig(tensor.data_type());
    metadata.datatype = std::string(DataTypeName(type.value_or(DataType::kInvalid)));
    if (batched) metadata.shape.push_back(-1);
    metadata.shape.insert(metadata.shape.end(), tensor.dims().begin(), tensor.dims().end());
    described.push_back(std::move(metadata));
  }
  return described;
}

// Converts the outputs requested with "classification" (name, top count).
Status ClassifyOutputs(const std::vector<std::pair<std::string, int64_t>>& classified, const Model& model,
                       std::vector<Tensor>* outputs) {
  const bool batched = model.config().max_batch_size() > 0;
  for (Tensor& tensor : *outputs) {
    for (const auto& [name, count] : classified) {
      if (tensor.name != name) continue;
      Status status = ClassifyTensor(count, batched, model.LabelsFor(name), &tensor);
      if (!status.ok()) return status.WithPrefix(fmt::format("model '{}'", model.name()));
    }
  }
  return Status::Ok();
}

// The callback a queued request completes with: it holds the model's handle
// until the response has been delivered (so an unloaded version lives until
// then), and converts outputs requested with "classification".
InferCallback DeliverWithHandle(const InferenceRequest& request, std::shared_ptr<Model> model, InferCallback done) {
  std::vector<std::pair<std::string, int64_t>> classified;
  for (const auto& output : request.outputs) {
    Result<int64_t> count = ClassificationCount(output);
    if (count.ok() && *count > 0) classified.emplace_back(output.name, *count);
  }
  return [classified = std::move(classified), model = std::move(model), done = std::move(done)](
             Result<InferenceResponse> result) mutable {
    if (result.ok() && !classified.empty()) {
      Status status = ClassifyOutputs(classified, *model, &result->outputs);
      if (!status.ok()) result = std::move(status);
    }
    done(std::move(result));
    model.reset();  // delivered: this request no longer keeps the version alive
  };
}

Status CheckClassificationParameters(const InferenceRequest& request) {
  for (const auto& output : request.outputs) {
    Result<int64_t> count = ClassificationCount(output);
    if (!count.ok()) return count.status().WithPrefix(fmt::format("model '{}'", request.model_name));
  }
  return Status::Ok();
}

}  // namespace

Result<int64_t> ParseModelVersion(const std::string& model_name, const std::string& text) {
  if (text.empty()) return kLatestVersion;
  int64_t version = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
  const bool integral = error == std::errc() && end == text.data() + text.size();
  if (!integral || version < 1) {
    // Triton's wording (server src/common.cc); its example clients match on it.
    return Status::InvalidArgument(
        fmt::format("failed to get model version from specified version string '{}' (details: {}), version should "
                    "be an integral value > 0 (model '{}')",
                    text, integral ? "not > 0" : "not an integer", model_name));
  }
  return version;
}

Server::Server(const ServerOptions& options, ServerEnvironment environment)
    : options_(options),
      // Ensemble steps are ordinary requests to their composing models: the
      // registry's models live no longer than the server.
      controller_(std::make_unique<ModelController>(
          options_,
          [this](InferenceRequest request, InferPartialCallback partial, InferCallback done) {
            Submit(std::move(request), std::move(partial), std::move(done),
                   "an ensemble step or a BLS exec() without decoupled=True");
          },
          environment)) {}

Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Create(const ServerOptions& options, ServerEnvironment environment) {
  std::unique_ptr<Server> server(new Server(options, std::move(environment)));
  ASSIGN_OR_RETURN(const std::vector<std::string> failures, server->controller_->Start());
  if (!failures.empty() && options.exit_on_error) {
    server->Stop();
    return Status::Unavailable(fmt::format("{} model(s) failed to load and --exit-on-error is set; first: {}",
                                           failures.size(), failures.front()));
  }
  if (!failures.empty()) {
    LogWarning("{} model load failure(s); serving the models that loaded (--exit-on-error=false)", failures.size());
  }
  return server;
}

void Server::Stop() {
  if (controller_) controller_->Stop();
}

bool Server::IsLive() const { return true; }

bool Server::IsReady() const { return !options_.strict_readiness || controller_->registry().AllReady(); }

std::string Server::Version() { return INFERD_VERSION; }
std::vector<std::string> Server::Extensions() {
  // Exactly what answers, in Triton's order.
  return {"classification",  "model_repository",   "model_repository(unload_dependents)",
          "schedule_policy", "model_configuration", "binary_tensor_data",
          "parameters",      "statistics"};
}

Status Server::ModelReady(const std::string& name, int64_t version) const {
  Result<std::shared_ptr<Model>> model = controller_->registry().Find(name, version);
  return model.ok() ? Status::Ok() : model.status();
}

Result<ModelMetadata> Server::GetModelMetadata(const std::string& name, int64_t version) const {
  ASSIGN_OR_RETURN(std::shared_ptr<Model> model, controller_->registry().Find(name, version));
  ASSIGN_OR_RETURN(std::vector<std::shared_ptr<Model>> ready, controller_->registry().ReadyModels(name));
  const inference::ModelConfig& config = model->config();
  ModelMetadata metadata;
  metadata.name = name;
  for (const auto& ready_model : ready) metadata.versions.push_back(std::to_string(ready_model->version()));
  metadata.platform = config.platform().empty() ? config.backend() : config.platform();
  const bool batched = config.max_batch_size() > 0;
  metadata.inputs = DescribeTensors(config.input(), batched);
  metadata.outputs = DescribeTensors(config.output(), batched);
  return metadata;
}

Result<std::shared_ptr<const inference::ModelConfig>> Server::GetModelConfig(const std::string& name,
                                                                             int64_t version) const {
  ASSIGN_OR_RETURN(std::shared_ptr<Model> model, controller_->registry().Find(name, version));
  return model->shared_config();
}

std::vector<ModelIndexEntry> Server::RepositoryIndex(bool ready_only) const {
  // Explicit mode: models added to the repository since are listed (not loaded).
  if (options_.model_control_mode == ServerOptions::ModelControlMode::kExplicit) controller_->RefreshListing();
  return controller_->registry().Index(ready_only);
}

Result<std::vector<ModelStatisticsSnapshot>> Server::GetStatistics(const std::string& name, int64_t version) const {
  std::vector<ModelStatisticsSnapshot> snapshots;
  if (version != kLatestVersion) {
    ASSIGN_OR_RETURN(std::shared_ptr<Model> model, controller_->registry().Find(name, version));
    snapshots.push_back(model->statistics().Snapshot());
    return snapshots;
  }
  ASSIGN_OR_RETURN(std::vector<std::shared_ptr<Model>> models, controller_->registry().ReadyModels(name));
  for (const auto& model : models) snapshots.push_back(model->statistics().Snapshot());
  return snapshots;
}

void Server::LoadModel(ModelLoadRequest request, ModelControlCallback done) {
  controller_->Load(std::move(request), std::move(done));
}

void Server::UnloadModel(std::string name, bool unload_dependents, ModelControlCallback done) {
  controller_->Unload(std::move(name), unload_dependents, std::move(done));
}

void Server::Infer(InferenceRequest request, InferCallback done, std::string_view unary_api) {
  Submit(std::move(request), {}, std::move(done), unary_api);
}

void Server::InferStream(InferenceRequest request, InferPartialCallback partial, InferCallback done) {
  Submit(std::move(request), std::move(partial), std::move(done), {});
}

void Server::Submit(InferenceRequest request, InferPartialCallback partial, InferCallback done,
                    std::string_view unary_api) {
  // Stage 1: resolve the model version.
  Result<std::shared_ptr<Model>> found = controller_->registry().Find(request.model_name, request.model_version);
  if (!found.ok()) {
    done(found.status());
    return;
  }
  // The request's handle on the version, from here until its response is delivered.
  std::shared_ptr<Model> handle = std::move(found).value();
  Model& model = *handle;
  const bool decoupled = model.config().model_transaction_policy().decoupled();
  if (decoupled && !partial) {
    done(Status::Unsupported(fmt::format("{} doesn't support models with decoupled transaction policy", unary_api)));
    return;
  }

  // Stage 2: validate against the config before anything is queued.
  Result<int64_t> batch_size = ValidateInferenceRequest(request, model.config());
  Status parameters = batch_size.ok() ? CheckClassificationParameters(request) : batch_size.status();
  Result<SchedulingParameters> scheduling = ReadSchedulingParameters(request);
  if (parameters.ok() && !scheduling.ok()) parameters = scheduling.status();
  if (!parameters.ok()) {
    model.statistics().RecordFailure(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                               std::chrono::steady_clock::now() - request.received)
                                                               .count()));
    done(parameters);
    return;
  }

  // Stage 3: queue; the scheduler executes, scatters outputs and responds.
  auto job = std::make_unique<InferJob>();
  job->batch_size = *batch_size;
  job->priority = scheduling->priority;
  job->timeout_us = scheduling->timeout_us;
  job->cancelled = request.cancelled;
  if (decoupled) job->partial = std::move(partial);
  job->done = DeliverWithHandle(request, std::move(handle), std::move(done));
  job->request = std::move(request);
  model.Enqueue(std::move(job));
}

}  // namespace inferd
