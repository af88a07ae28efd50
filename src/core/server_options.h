// What a Server is started with: the options (tritonserver's flags, parsed in
// app/) and the environment it reads models from. Plain data, shared by the
// facade and the registry below it.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace inferd {

class Backend;
namespace repository {
class FileSystem;
}

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

  // Triton's model control modes: kNone loads every model at start and
  // refuses load/unload calls; kPoll does the same and then rescans the
  // repositories every `repository_poll_interval`, reloading what changed;
  // kExplicit loads only `startup_models` ("*": all) and then what clients ask for.
  enum class ModelControlMode { kNone, kPoll, kExplicit };
  ModelControlMode model_control_mode = ModelControlMode::kNone;
  std::chrono::milliseconds repository_poll_interval{15'000};
  std::vector<std::string> startup_models;  // --load-model
  int model_load_threads = 4;               // --model-load-thread-count
  // Whether a load request may carry "file:" parameters (model files written
  // into a temporary model folder and loaded): off by default, as an upload
  // is code the server will run (see docs/model_management.md).
  bool allow_model_upload = false;
};

// Where models come from. The defaults are the real ones; tests pass fakes.
struct ServerEnvironment {
  repository::FileSystem* filesystem = nullptr;  // null: the local disk
  // Backends that live in this process, found by name before any library
  // in backend_directory. Not owned; they outlive the server.
  std::map<std::string, Backend*> backends;
};

}  // namespace inferd
