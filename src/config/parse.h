// Reading config.pbtxt: protobuf text format into inference::ModelConfig.
//
// Parsing only checks syntax and field names; defaults and semantic checks
// live in normalize.h. Errors read "<file>:<line>:<column>: <message>" with
// 1-based positions, so an editor can jump straight to the mistake.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "model_config.pb.h"

namespace inferd::config {

// Parses `text` as a ModelConfig. `file_name` only labels error messages.
// Unknown fields are errors, as in Triton.
Result<inference::ModelConfig> ParseModelConfigText(std::string_view text, std::string_view file_name);

// Reads and parses the file at `path`: NOT_FOUND when it does not exist,
// INVALID_ARGUMENT when it cannot be read or does not parse.
Result<inference::ModelConfig> LoadModelConfigFile(const std::string& path);

}  // namespace inferd::config
