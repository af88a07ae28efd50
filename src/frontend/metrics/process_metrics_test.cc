#include "frontend/metrics/process_metrics.h"

#include <gtest/gtest.h>

#include <ctime>
#include <vector>

namespace inferd::metrics {
namespace {

TEST(ProcessMetricsTest, SelfStatFieldsAreCountedFromTheLastParenthesis) {
  // A command name with spaces and a ')' inside must not shift the fields.
  const char* line =
      "4242 (weird) name) S 1 4242 4242 0 -1 4194560 1000 0 0 0 "
      "250 150 0 0 20 0 3 0 98765 123456789 2500 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  std::optional<SelfStat> stat = ParseSelfStat(line);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->utime_ticks, 250u);
  EXPECT_EQ(stat->stime_ticks, 150u);
  EXPECT_EQ(stat->start_ticks_after_boot, 98765u);
  EXPECT_EQ(stat->virtual_bytes, 123456789u);
  EXPECT_EQ(stat->resident_pages, 2500u);
}

TEST(ProcessMetricsTest, TruncatedSelfStatIsRejected) {
  EXPECT_FALSE(ParseSelfStat("4242 (inferd) S 1 2 3").has_value());
  EXPECT_FALSE(ParseSelfStat("no parenthesis here").has_value());
  EXPECT_FALSE(ParseSelfStat("").has_value());
}

constexpr const char* kProcStat =
    "cpu  100 20 30 400 50 6 7 8 9 10\n"
    "cpu0 50 10 15 200 25 3 3 4 4 5\n"
    "intr 12345 0 0\n"
    "btime 1700000000\n"
    "processes 4000\n";

TEST(ProcessMetricsTest, CpuTimesSumBusyAndIdleWithoutGuestTime) {
  std::optional<CpuTimes> times = ParseCpuTimes(kProcStat);
  ASSERT_TRUE(times.has_value());
  EXPECT_EQ(times->busy, 100u + 20 + 30 + 6 + 7 + 8);  // guest 9 and 10 are inside user/nice already
  EXPECT_EQ(times->idle, 400u + 50);
  EXPECT_EQ(ParseBootTime(kProcStat), 1700000000u);
  EXPECT_FALSE(ParseCpuTimes("cpu0 1 2 3\n").has_value());  // no aggregate line
  EXPECT_FALSE(ParseBootTime("cpu  1 2 3 4 5 6 7 8\n").has_value());
}

TEST(ProcessMetricsTest, UtilizationIsTheBusyShareBetweenSamples) {
  EXPECT_DOUBLE_EQ(*CpuUtilization({100, 100}, {130, 170}), 0.3);
  EXPECT_DOUBLE_EQ(*CpuUtilization({0, 0}, {50, 0}), 1.0);
  EXPECT_FALSE(CpuUtilization({100, 100}, {100, 100}).has_value());  // no tick passed
  EXPECT_FALSE(CpuUtilization({100, 100}, {90, 200}).has_value());   // counters went back
}

TEST(ProcessMetricsTest, MemInfoReadsTotalAndAvailableInBytes) {
  std::optional<MemInfo> memory = ParseMemInfo(
      "MemTotal:       16384000 kB\n"
      "MemFree:         1000000 kB\n"
      "MemAvailable:    4096000 kB\n"
      "Buffers:          100000 kB\n");
  ASSERT_TRUE(memory.has_value());
  EXPECT_EQ(memory->total_bytes, 16384000ull * 1024);
  EXPECT_EQ(memory->available_bytes, 4096000ull * 1024);
  EXPECT_FALSE(ParseMemInfo("MemTotal: 100 kB\n").has_value());
}

TEST(ProcessMetricsTest, ReaderSeesThisProcessOnLinux) {
  ProcessMetricsReader reader;
  // Burn a little CPU so the process has some time on the clock.
  volatile uint64_t sink = 0;
  const std::clock_t start = std::clock();
  while (std::clock() - start < CLOCKS_PER_SEC / 20) sink = sink + 1;
  std::vector<char> touched(8 << 20, 1);  // 8 MiB resident at least

  ProcessMetrics metrics = reader.Read();
  ASSERT_TRUE(metrics.resident_memory_bytes.has_value());
  EXPECT_GE(*metrics.resident_memory_bytes, touched.size());
  ASSERT_TRUE(metrics.virtual_memory_bytes.has_value());
  EXPECT_GE(*metrics.virtual_memory_bytes, *metrics.resident_memory_bytes);
  ASSERT_TRUE(metrics.cpu_seconds_total.has_value());
  EXPECT_GT(*metrics.cpu_seconds_total, 0.0);
  ASSERT_TRUE(metrics.start_time_seconds.has_value());
  EXPECT_LE(*metrics.start_time_seconds, static_cast<double>(std::time(nullptr)) + 1);
  EXPECT_GT(*metrics.start_time_seconds, static_cast<double>(std::time(nullptr)) - 3600);
  ASSERT_TRUE(metrics.open_fds.has_value());
  EXPECT_GE(*metrics.open_fds, 3u);  // stdin, stdout, stderr
  ASSERT_TRUE(metrics.memory_total_bytes.has_value());
  ASSERT_TRUE(metrics.memory_used_bytes.has_value());
  EXPECT_LE(*metrics.memory_used_bytes, *metrics.memory_total_bytes);
  // 50 ms of busy loop is several clock ticks on any kernel.
  ASSERT_TRUE(metrics.cpu_utilization.has_value());
  EXPECT_GT(*metrics.cpu_utilization, 0.0);
  EXPECT_LE(*metrics.cpu_utilization, 1.0);
}

}  // namespace
}  // namespace inferd::metrics
