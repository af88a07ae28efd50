#include "common/clock.h"

namespace inferd {
namespace {

class SteadyClock final : public Clock {
 public:
  TimePoint Now() override { return std::chrono::steady_clock::now(); }
  void WaitUntil(std::condition_variable& wake, std::unique_lock<std::mutex>& lock, TimePoint deadline) override {
    if (deadline == kNever) {
      wake.wait(lock);
    } else {
      wake.wait_until(lock, deadline);
    }
  }
};

}  // namespace

Clock& Clock::Steady() {
  static SteadyClock clock;
  return clock;
}

}  // namespace inferd
