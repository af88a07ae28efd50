// Server: the one facade the frontends call. Frontends never include other
// core, scheduler, repository or backend headers.
//
// Create() scans the model repositories and loads the models the model
// control mode asks for (core/model_controller.h). A model that fails to
// load is recorded as UNAVAILABLE with a reason and the server serves the
// rest, unless options.exit_on_error asks for Triton's old behaviour (then
// Create fails).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "core/server_options.h"
#include "model_config.pb.h"
#include "types/inference_request.h"
#include "types/model_control.h"
#include "types/model_metadata.h"
#include "types/statistics.h"

namespace inferd {

class ModelController;

class Server {
 public:
  static Result<std::unique_ptr<Server>> Create(const ServerOptions& options, ServerEnvironment environment = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Stops accepting inference, finishes what is queued, unloads models.
  void Stop();

  bool IsLive() const;
  bool IsReady() const;
  // --id (default "inferd").
  const std::string& Name() const { return options_.server_id; }
  static std::string Version();
  static std::vector<std::string> Extensions();

  // OK when that version (or, for kLatestVersion, any version) is ready;
  // NOT_FOUND for an unknown model or version, UNAVAILABLE otherwise.
  Status ModelReady(const std::string& name, int64_t version) const;
  Result<ModelMetadata> GetModelMetadata(const std::string& name, int64_t version) const;
  Result<std::shared_ptr<const inference::ModelConfig>> GetModelConfig(const std::string& name,
                                                                       int64_t version) const;
  std::vector<ModelIndexEntry> RepositoryIndex(bool ready_only) const;
  // Empty name: every model. kLatestVersion: every version of the model.
  Result<std::vector<ModelStatisticsSnapshot>> GetStatistics(const std::string& name, int64_t version) const;

  // Validates the request against the model's config, queues it and calls
  // `done` exactly once with the response or an error. Never blocks on
  // execution. A decoupled model refuses it (UNSUPPORTED, Triton's words:
  // "<unary_api> doesn't support models with decoupled transaction policy").
  void Infer(InferenceRequest request, InferCallback done, std::string_view unary_api = "this API");
  // The same for callers that take many responses (gRPC streams, BLS with
  // decoupled=True): `partial` receives a decoupled model's responses before
  // its last, `done` the last one (complete_only when the model sent none).
  void InferStream(InferenceRequest request, InferPartialCallback partial, InferCallback done);

  // Model control (Triton's model-repository extension; explicit mode only,
  // else UNAVAILABLE). Load (re)loads the model on a load thread: the new
  // versions serve before the old ones stop, and a failed load leaves what
  // served serving. Unload stops the model taking requests at once; the
  // requests it accepted finish, then it is destroyed (UNLOADING until then,
  // then UNAVAILABLE "unloaded"). `done` runs once, on a load thread.
  void LoadModel(ModelLoadRequest request, ModelControlCallback done);
  void UnloadModel(std::string name, bool unload_dependents, ModelControlCallback done);

 private:
  Server(const ServerOptions& options, ServerEnvironment environment);
  void Submit(InferenceRequest request, InferPartialCallback partial, InferCallback done, std::string_view unary_api);

  ServerOptions options_;
  std::unique_ptr<ModelController> controller_;
};

// Parses a version string from a URL or message ("" -> kLatestVersion).
Result<int64_t> ParseModelVersion(const std::string& model_name, const std::string& text);

}  // namespace inferd
