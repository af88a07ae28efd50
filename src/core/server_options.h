// What a Server is started with: the options (tritonserver's flags, parsed in
// app/) and the environment it reads models from. Plain data, shared by the
// facade and the registry below it.
#pragma once

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
};

// Where models come from. The defaults are the real ones; tests pass fakes.
struct ServerEnvironment {
  repository::FileSystem* filesystem = nullptr;  // null: the local disk
  // Backends that live in this process, found by name before any library
  // in backend_directory. Not owned; they outlive the server.
  std::map<std::string, Backend*> backends;
};

}  // namespace inferd
