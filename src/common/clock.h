// Clock: where the schedulers read the time and wait for it, so that their
// tests move time forward (FakeClock, common/fake_clock_for_test.h) instead
// of sleeping. Production code uses Clock::Steady().
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace inferd {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr TimePoint kNever = TimePoint::max();

  virtual ~Clock() = default;

  virtual TimePoint Now() = 0;
  // Waits on `wake`, whose mutex `lock` holds, until it is notified or this
  // clock reaches `deadline` (kNever: no deadline). Like any wait on a
  // condition variable it may return early; the caller looks again.
  virtual void WaitUntil(std::condition_variable& wake, std::unique_lock<std::mutex>& lock, TimePoint deadline) = 0;

  // The process's steady clock.
  static Clock& Steady();
};

}  // namespace inferd
