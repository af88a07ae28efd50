// What a client asks of model management (Triton's model-repository
// extension), as the frontends decode it for Server::LoadModel.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace inferd {

struct ModelLoadRequest {
  std::string name;
  // The "config" parameter: a model config in JSON, used instead of the
  // folder's config.pbtxt.
  std::optional<std::string> config;
  // The "file:<path>" parameters: each path (relative to the model folder,
  // "file:" taken off) with its decoded bytes.
  std::vector<std::pair<std::string, std::string>> files;
};

// Load and unload answer once the table has changed: OK, or why not.
using ModelControlCallback = std::function<void(Status)>;

}  // namespace inferd
