#include "common/logging.h"

namespace inferd {

void InitLogging(int verbose_level) {
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%L%$ %t] %v");
  spdlog::set_level(verbose_level > 0 ? spdlog::level::debug : spdlog::level::info);
}

}  // namespace inferd
