// FakeClock: a Clock for tests whose time moves only when the test says so.
//
//   FakeClock clock;
//   ... start a scheduler on &clock, enqueue a job with a 50 ms timeout ...
//   ASSERT_TRUE(clock.AwaitWaiterUntil(clock.Now() + 50ms));  // it sleeps until then
//   clock.Advance(50ms);                                       // and wakes now
//
// Advance wakes each waiter whose deadline has come by locking the mutex it
// waits with before notifying, so a waiter between its check and its wait
// cannot miss the wake-up.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "common/clock.h"

namespace inferd {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = std::chrono::steady_clock::now()) : now_(start) {}

  TimePoint Now() override {
    std::lock_guard guard(mutex_);
    return now_;
  }

  void WaitUntil(std::condition_variable& wake, std::unique_lock<std::mutex>& lock, TimePoint deadline) override {
    const Waiter self{&wake, lock.mutex(), deadline};
    {
      std::lock_guard guard(mutex_);
      if (deadline <= now_) return;
      waiters_.push_back(self);
    }
    waiters_changed_.notify_all();
    wake.wait(lock);
    {
      std::lock_guard guard(mutex_);
      auto it = std::find(waiters_.begin(), waiters_.end(), self);
      if (it != waiters_.end()) waiters_.erase(it);
    }
    waiters_changed_.notify_all();
  }

  // Moves time forward by `step` and wakes the waiters whose deadline came.
  void Advance(std::chrono::nanoseconds step) {
    std::vector<Waiter> due;
    {
      std::lock_guard guard(mutex_);
      now_ += step;
      for (const Waiter& waiter : waiters_) {
        if (waiter.deadline <= now_) due.push_back(waiter);
      }
    }
    for (const Waiter& waiter : due) {
      std::lock_guard waiter_guard(*waiter.mutex);
      waiter.wake->notify_all();
    }
  }

  // Blocks (in real time, at most `patience`) until some thread waits on
  // this clock with exactly `deadline` (kNever: a wait without one). True
  // when one does: the waiter has done all it can before that time.
  bool AwaitWaiterUntil(TimePoint deadline, std::chrono::seconds patience = std::chrono::seconds(10)) {
    std::unique_lock guard(mutex_);
    return waiters_changed_.wait_for(guard, patience, [&] {
      return std::any_of(waiters_.begin(), waiters_.end(),
                         [&](const Waiter& waiter) { return waiter.deadline == deadline; });
    });
  }

 private:
  struct Waiter {
    std::condition_variable* wake;
    std::mutex* mutex;
    TimePoint deadline;
    bool operator==(const Waiter&) const = default;
  };

  std::mutex mutex_;
  std::condition_variable waiters_changed_;
  TimePoint now_;
  std::vector<Waiter> waiters_;
};

}  // namespace inferd
