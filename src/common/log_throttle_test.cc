#include "common/log_throttle.h"

#include <gtest/gtest.h>

namespace inferd {
namespace {

using namespace std::chrono_literals;

TEST(LogThrottleTest, FirstEventIsLoggedAlone) {
  LogThrottle throttle(10s);
  EXPECT_EQ(throttle.Admit(LogThrottle::Clock::time_point{}), 1u);
}

TEST(LogThrottleTest, EventsWithinTheIntervalAreCountedIntoTheNextLine) {
  LogThrottle throttle(10s);
  const LogThrottle::Clock::time_point start{};
  ASSERT_EQ(throttle.Admit(start), 1u);
  EXPECT_EQ(throttle.Admit(start + 1s), std::nullopt);
  EXPECT_EQ(throttle.Admit(start + 5s), std::nullopt);
  EXPECT_EQ(throttle.Admit(start + 9999ms), std::nullopt);
  // The line let through at 10 s reports the three held back and itself.
  EXPECT_EQ(throttle.Admit(start + 10s), 4u);
  EXPECT_EQ(throttle.Admit(start + 11s), std::nullopt);
}

TEST(LogThrottleTest, QuietPeriodsStartAFreshCount) {
  LogThrottle throttle(1s);
  const LogThrottle::Clock::time_point start{};
  ASSERT_EQ(throttle.Admit(start), 1u);
  EXPECT_EQ(throttle.Admit(start + 1h), 1u);
}

}  // namespace
}  // namespace inferd
