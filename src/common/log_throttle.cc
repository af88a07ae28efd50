#include "common/log_throttle.h"

namespace inferd {

std::optional<uint64_t> LogThrottle::Admit(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++pending_;
  if (last_logged_ && now - *last_logged_ < interval_) return std::nullopt;
  last_logged_ = now;
  const uint64_t count = pending_;
  pending_ = 0;
  return count;
}

}  // namespace inferd
