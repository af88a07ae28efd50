// Logging: spdlog with one process-wide logger. Use the LOG_* functions below
// (thin wrappers so the rest of the code does not depend on spdlog's API).
#pragma once

#include <spdlog/spdlog.h>

namespace inferd {

// verbose_level > 0 enables debug logging (tritonserver's --log-verbose).
void InitLogging(int verbose_level);

template <typename... Args>
void LogInfo(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::info(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void LogWarning(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::warn(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void LogError(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::error(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void LogVerbose(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::debug(fmt, std::forward<Args>(args)...);
}

}  // namespace inferd
