#include "frontend/metrics/process_metrics.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace inferd::metrics {
namespace {

std::optional<uint64_t> ToUint(std::string_view text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// Splits on runs of spaces and tabs.
std::vector<std::string_view> Fields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    size_t end = pos;
    while (end < text.size() && text[end] != ' ' && text[end] != '\t' && text[end] != '\n') ++end;
    if (end > pos) fields.push_back(text.substr(pos, end - pos));
    if (end < text.size() && text[end] == '\n') break;
    pos = end;
  }
  return fields;
}

// The line of `text` starting with `prefix`, without the prefix.
std::optional<std::string_view> LineAfter(std::string_view text, std::string_view prefix) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (line.substr(0, prefix.size()) == prefix) return line.substr(prefix.size());
    pos = end + 1;
  }
  return std::nullopt;
}

std::optional<std::string> ReadFile(const char* path) {
  std::ifstream file(path);
  if (!file) return std::nullopt;
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

std::optional<uint64_t> CountOpenFds() {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/self/fd", ec);
  if (ec) return std::nullopt;
  uint64_t count = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return std::nullopt;
    ++count;
  }
  // The iterator's own descriptor is listed too.
  return count > 0 ? count - 1 : 0;
}

}  // namespace

std::optional<SelfStat> ParseSelfStat(std::string_view text) {
  // "pid (comm) state ppid ...": comm may hold anything, so fields are
  // counted from the LAST ')'. After it, field 3 (state) comes first.
  const size_t close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::vector<std::string_view> fields = Fields(text.substr(close + 1));
  // Field numbers as in proc(5): utime 14, stime 15, starttime 22, vsize 23, rss 24.
  auto field = [&fields](size_t number) -> std::optional<uint64_t> {
    const size_t index = number - 3;
    if (index >= fields.size()) return std::nullopt;
    return ToUint(fields[index]);
  };
  std::optional<uint64_t> utime = field(14), stime = field(15), start = field(22), vsize = field(23), rss = field(24);
  if (!utime || !stime || !start || !vsize || !rss) return std::nullopt;
  return SelfStat{*utime, *stime, *start, *vsize, *rss};
}

std::optional<CpuTimes> ParseCpuTimes(std::string_view proc_stat) {
  std::optional<std::string_view> line = LineAfter(proc_stat, "cpu ");
  if (!line) return std::nullopt;
  std::vector<std::string_view> fields = Fields(*line);
  // user nice system idle iowait irq softirq steal [guest guest_nice]; guest
  // time is already inside user and nice, so it is not added again.
  if (fields.size() < 8) return std::nullopt;
  uint64_t values[8];
  for (size_t i = 0; i < 8; ++i) {
    std::optional<uint64_t> value = ToUint(fields[i]);
    if (!value) return std::nullopt;
    values[i] = *value;
  }
  CpuTimes times;
  times.busy = values[0] + values[1] + values[2] + values[5] + values[6] + values[7];
  times.idle = values[3] + values[4];
  return times;
}

std::optional<uint64_t> ParseBootTime(std::string_view proc_stat) {
  std::optional<std::string_view> line = LineAfter(proc_stat, "btime ");
  if (!line) return std::nullopt;
  std::vector<std::string_view> fields = Fields(*line);
  if (fields.empty()) return std::nullopt;
  return ToUint(fields[0]);
}

std::optional<double> CpuUtilization(const CpuTimes& before, const CpuTimes& after) {
  if (after.busy < before.busy || after.idle < before.idle) return std::nullopt;  // counters reset
  const uint64_t busy = after.busy - before.busy;
  const uint64_t total = busy + (after.idle - before.idle);
  if (total == 0) return std::nullopt;
  return static_cast<double>(busy) / static_cast<double>(total);
}

std::optional<MemInfo> ParseMemInfo(std::string_view meminfo) {
  auto kilobytes = [&meminfo](std::string_view key) -> std::optional<uint64_t> {
    std::optional<std::string_view> line = LineAfter(meminfo, key);
    if (!line) return std::nullopt;
    std::vector<std::string_view> fields = Fields(*line);
    if (fields.empty()) return std::nullopt;
    return ToUint(fields[0]);
  };
  std::optional<uint64_t> total = kilobytes("MemTotal:"), available = kilobytes("MemAvailable:");
  if (!total || !available) return std::nullopt;
  return MemInfo{*total * 1024, *available * 1024};
}

ProcessMetricsReader::ProcessMetricsReader()
    : ticks_per_second_(sysconf(_SC_CLK_TCK)), page_size_(sysconf(_SC_PAGESIZE)) {
  if (std::optional<std::string> proc_stat = ReadFile("/proc/stat")) previous_cpu_ = ParseCpuTimes(*proc_stat);
}

ProcessMetrics ProcessMetricsReader::Read() {
  ProcessMetrics metrics;
  std::optional<std::string> proc_stat = ReadFile("/proc/stat");
  std::optional<uint64_t> boot_time = proc_stat ? ParseBootTime(*proc_stat) : std::nullopt;

  if (std::optional<std::string> self = ReadFile("/proc/self/stat"); self && ticks_per_second_ > 0) {
    if (std::optional<SelfStat> stat = ParseSelfStat(*self)) {
      const auto ticks = static_cast<double>(ticks_per_second_);
      metrics.cpu_seconds_total = static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks;
      metrics.virtual_memory_bytes = stat->virtual_bytes;
      if (page_size_ > 0) metrics.resident_memory_bytes = stat->resident_pages * static_cast<uint64_t>(page_size_);
      if (boot_time) {
        metrics.start_time_seconds = static_cast<double>(*boot_time) +
                                     static_cast<double>(stat->start_ticks_after_boot) / ticks;
      }
    }
  }
  metrics.open_fds = CountOpenFds();

  if (std::optional<CpuTimes> now = proc_stat ? ParseCpuTimes(*proc_stat) : std::nullopt) {
    std::lock_guard lock(mutex_);
    if (previous_cpu_) {
      metrics.cpu_utilization = CpuUtilization(*previous_cpu_, *now);
      // Scrapes closer together than one clock tick keep the older sample,
      // so they report the utilisation over a real interval, not nothing.
      const bool counters_reset = now->busy < previous_cpu_->busy || now->idle < previous_cpu_->idle;
      if (metrics.cpu_utilization || counters_reset) previous_cpu_ = now;
    } else {
      previous_cpu_ = now;
    }
  }
  if (std::optional<std::string> meminfo = ReadFile("/proc/meminfo")) {
    if (std::optional<MemInfo> memory = ParseMemInfo(*meminfo)) {
      metrics.memory_total_bytes = memory->total_bytes;
      metrics.memory_used_bytes = memory->total_bytes - std::min(memory->available_bytes, memory->total_bytes);
    }
  }
  return metrics;
}

}  // namespace inferd::metrics
