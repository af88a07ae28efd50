// Process and machine figures for /metrics, read from /proc on each scrape
// (Linux only; elsewhere every field stays empty and is not reported).
//
// Two sets, as the two audiences expect them:
// - the standard Prometheus process_* metrics of this process (CPU seconds,
//   resident and virtual memory, start time, open file descriptors);
// - Triton's nv_cpu_* gauges, which are system-wide: CPU utilisation across
//   all cores since the previous scrape (/proc/stat), total and used RAM
//   (/proc/meminfo, used = MemTotal - MemAvailable).
// The parsers are pure functions over file contents so tests feed them text.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>

namespace inferd::metrics {

struct ProcessMetrics {
  // This process.
  std::optional<double> cpu_seconds_total;  // user + system
  std::optional<uint64_t> resident_memory_bytes;
  std::optional<uint64_t> virtual_memory_bytes;
  std::optional<double> start_time_seconds;  // since the Unix epoch
  std::optional<uint64_t> open_fds;
  // The machine (Triton's CPU metrics).
  std::optional<double> cpu_utilization;  // 0.0 - 1.0, all cores, since the previous sample
  std::optional<uint64_t> memory_total_bytes;
  std::optional<uint64_t> memory_used_bytes;
};

// What /proc/self/stat says about the process.
struct SelfStat {
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint64_t start_ticks_after_boot = 0;
  uint64_t virtual_bytes = 0;
  uint64_t resident_pages = 0;
};
// nullopt when the text is not a /proc/<pid>/stat line (the command name in
// parentheses may itself hold spaces and parentheses).
std::optional<SelfStat> ParseSelfStat(std::string_view text);

// The aggregate "cpu" line of /proc/stat, in clock ticks.
struct CpuTimes {
  uint64_t busy = 0;  // user + nice + system + irq + softirq + steal
  uint64_t idle = 0;  // idle + iowait
};
std::optional<CpuTimes> ParseCpuTimes(std::string_view proc_stat);
// The "btime" line of /proc/stat: boot time in seconds since the Unix epoch.
std::optional<uint64_t> ParseBootTime(std::string_view proc_stat);
// Busy share of the ticks between two samples; nullopt when no tick passed.
std::optional<double> CpuUtilization(const CpuTimes& before, const CpuTimes& after);

struct MemInfo {
  uint64_t total_bytes = 0;
  uint64_t available_bytes = 0;
};
// MemTotal and MemAvailable (kB in the file) from /proc/meminfo.
std::optional<MemInfo> ParseMemInfo(std::string_view meminfo);

// Reads ProcessMetrics from /proc. Keeps the previous /proc/stat sample so
// utilisation covers the time between scrapes (the first read covers the time
// since the reader was made). Thread-safe.
class ProcessMetricsReader {
 public:
  ProcessMetricsReader();
  ProcessMetrics Read();

 private:
  std::mutex mutex_;  // guards previous_cpu_
  std::optional<CpuTimes> previous_cpu_;
  const long ticks_per_second_;
  const long page_size_;
};

}  // namespace inferd::metrics
