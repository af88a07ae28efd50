// Server: the one facade the frontends call. Frontends never include other
// core, scheduler, repository or backend headers.
//
// Create() scans the model repositories and loads every model it finds. A
// model that fails to load is recorded as UNAVAILABLE with a reason and the
// server serves the rest, unless options.exit_on_error asks for Triton's old
// behaviour (then Create fails).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/inference_request.h"
#include "core/statistics.h"
#include "model_config.pb.h"

namespace inferd {

struct ServerOptions {
  std::vector<std::string> model_repositories;
  bool exit_on_error = false;
  bool strict_readiness = true;      // ready only when every model loaded
  bool strict_model_config = false;  // false: complete missing config fields from the model file
  std::string backend_directory;     // where backend libraries live; empty: next to the binary
  int default_intra_op_threads = 0;  // 0: the backend picks (from the machine's cores)
  // Serve models whose config sets fields inferd does not implement and that
  // change results (sequence_batching, decoupled, ...) instead of refusing them.
  bool allow_unsupported_config_fields = false;
  std::string server_id = "inferd";  // --id: the name in server metadata
  // --model-config-name: read <model>/configs/<name>.pbtxt where it exists.
  std::string model_config_name;
};

struct TensorMetadata {
  std::string name;
  std::string datatype;  // KServe name, "FP32"
  Shape shape;           // full shape, -1 for the batch and variable dimensions
};

struct ModelMetadata {
  std::string name;
  std::vector<std::string> versions;  // ready versions, ascending
  std::string platform;
  std::vector<TensorMetadata> inputs;
  std::vector<TensorMetadata> outputs;
};

// One row of the repository index: a model version and its state.
struct ModelIndexEntry {
  std::string name;
  std::string version;  // empty when the model failed before any version was known
  std::string state;    // "READY", "LOADING", "UNLOADING", "UNAVAILABLE"
  std::string reason;   // why it is not READY
};

class ModelRegistry;

class Server {
 public:
  static Result<std::unique_ptr<Server>> Create(const ServerOptions& options);
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
  // execution.
  void Infer(InferenceRequest request, InferCallback done);

 private:
  explicit Server(const ServerOptions& options);

  ServerOptions options_;
  std::unique_ptr<ModelRegistry> registry_;
};

// Parses a version string from a URL or message ("" -> kLatestVersion).
Result<int64_t> ParseModelVersion(const std::string& model_name, const std::string& text);

}  // namespace inferd
