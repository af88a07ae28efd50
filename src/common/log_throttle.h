// Lets a repeating log line through at most once per interval and counts the
// ones held back, so that a flood (a failing accept() every few milliseconds
// while descriptors are exhausted) costs one line per interval that says how
// often it happened, instead of filling the disk.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace inferd {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogThrottle(Clock::duration interval) : interval_(interval) {}

  // Call once per event. When this event may be logged, returns how many
  // events there were since the last line that was let through (this one
  // included); otherwise counts it and returns nothing. Thread-safe.
  std::optional<uint64_t> Admit(Clock::time_point now = Clock::now());

 private:
  const Clock::duration interval_;
  std::mutex mutex_;
  std::optional<Clock::time_point> last_logged_;
  uint64_t pending_ = 0;
};

}  // namespace inferd
