// The shared shape of configuration error messages: "model '<name>': ...".
// Internal to src/config.
#pragma once

#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "common/status.h"
#include "model_config.pb.h"

namespace inferd::config {

// The model's name for messages; configs are checked before and after the
// name is filled in, so an empty name is shown as such rather than as ''.
inline std::string_view ModelNameForMessages(const inference::ModelConfig& config) {
  return config.name().empty() ? std::string_view("<unnamed>") : std::string_view(config.name());
}

template <typename... Args>
Status ConfigError(const inference::ModelConfig& config, fmt::format_string<Args...> format, Args&&... args) {
  return Status::InvalidArgument(fmt::format("model '{}': {}", ModelNameForMessages(config),
                                             fmt::format(format, std::forward<Args>(args)...)));
}

}  // namespace inferd::config
