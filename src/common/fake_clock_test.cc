#include "common/fake_clock_for_test.h"

#include <future>
#include <thread>

#include <gtest/gtest.h>

namespace inferd {
namespace {

using namespace std::chrono_literals;

// One thread waiting on a FakeClock the way a scheduler does: until woken
// for good (`done`), or until its deadline by the clock.
struct Sleeper {
  std::mutex mutex;
  std::condition_variable wake;
  bool done = false;

  // Returns how far the fake clock had moved when the deadline woke it.
  std::future<Clock::TimePoint> SleepUntil(FakeClock& clock, Clock::TimePoint deadline) {
    return std::async(std::launch::async, [this, &clock, deadline] {
      std::unique_lock lock(mutex);
      while (!done && clock.Now() < deadline) clock.WaitUntil(wake, lock, deadline);
      return clock.Now();
    });
  }
};

TEST(FakeClockTest, TimeMovesOnlyWhenAdvanced) {
  FakeClock clock;
  const Clock::TimePoint start = clock.Now();
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(250ms);
  EXPECT_EQ(clock.Now() - start, 250ms);
}

TEST(FakeClockTest, AWaiterWakesWhenItsDeadlineComesAndNotBefore) {
  FakeClock clock;
  const Clock::TimePoint deadline = clock.Now() + 50ms;
  Sleeper sleeper;
  std::future<Clock::TimePoint> woke = sleeper.SleepUntil(clock, deadline);
  ASSERT_TRUE(clock.AwaitWaiterUntil(deadline));
  clock.Advance(49ms);
  // Still asleep: the same wait is registered, nothing woke it.
  EXPECT_TRUE(clock.AwaitWaiterUntil(deadline));
  EXPECT_EQ(woke.wait_for(0s), std::future_status::timeout);
  clock.Advance(1ms);
  ASSERT_EQ(woke.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(woke.get(), deadline);
}

TEST(FakeClockTest, AWaitWithoutDeadlineEndsOnlyByNotification) {
  FakeClock clock;
  Sleeper sleeper;
  std::future<Clock::TimePoint> woke = sleeper.SleepUntil(clock, Clock::kNever);
  ASSERT_TRUE(clock.AwaitWaiterUntil(Clock::kNever));
  clock.Advance(std::chrono::hours(24));
  EXPECT_TRUE(clock.AwaitWaiterUntil(Clock::kNever));
  {
    std::lock_guard lock(sleeper.mutex);
    sleeper.done = true;
  }
  sleeper.wake.notify_all();
  ASSERT_EQ(woke.wait_for(10s), std::future_status::ready);
}

TEST(FakeClockTest, AWaitWhoseDeadlineHasPassedReturnsAtOnce) {
  FakeClock clock;
  std::mutex mutex;
  std::condition_variable wake;
  std::unique_lock lock(mutex);
  clock.WaitUntil(wake, lock, clock.Now());  // would hang if it waited
  SUCCEED();
}

TEST(FakeClockTest, AwaitWaiterUntilGivesUpWhenNobodyWaits) {
  FakeClock clock;
  EXPECT_FALSE(clock.AwaitWaiterUntil(clock.Now() + 1s, std::chrono::seconds(0)));
}

}  // namespace
}  // namespace inferd
