#include "frontend/metrics/prometheus_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace inferd::metrics {
namespace {

using ::testing::ElementsAre;

constexpr uint64_t kUs = 1'000;
constexpr uint64_t kMs = 1'000'000;

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string value;
};

struct Exposition {
  std::map<std::string, std::string> types;  // family -> TYPE
  std::map<std::string, std::string> helps;  // family -> HELP
  std::vector<Sample> samples;
  std::vector<std::string> errors;  // what broke the format rules

  // Samples named `name` whose labels include every one of `labels`.
  std::vector<Sample> Find(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    std::vector<Sample> found;
    for (const Sample& sample : samples) {
      if (sample.name != name) continue;
      bool match = true;
      for (const auto& [key, value] : labels) {
        auto it = sample.labels.find(key);
        match = match && it != sample.labels.end() && it->second == value;
      }
      if (match) found.push_back(sample);
    }
    return found;
  }
  std::string Value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    std::vector<Sample> found = Find(name, labels);
    if (found.size() != 1) return "<" + std::to_string(found.size()) + " samples>";
    return found[0].value;
  }
};

// The family a sample belongs to: histogram samples carry a suffix.
std::string FamilyOf(const std::string& sample_name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s(suffix);
    if (sample_name.size() > s.size() && sample_name.ends_with(s)) {
      std::string base = sample_name.substr(0, sample_name.size() - s.size());
      auto it = types.find(base);
      if (it != types.end() && it->second == "histogram") return base;
    }
  }
  return sample_name;
}

// A strict reader of the text format: every sample follows its family's
// HELP and TYPE, a family's samples are contiguous, label values are quoted
// with the escapes undone, the line ends with a value.
Exposition Parse(const std::string& text) {
  Exposition exposition;
  std::istringstream lines(text);
  std::string line;
  std::string current_family;
  std::set<std::string> finished_families;
  if (!text.empty() && text.back() != '\n') exposition.errors.push_back("the text does not end with a newline");
  while (std::getline(lines, line)) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      std::string rest = line.substr(7);
      std::string name = rest.substr(0, rest.find(' '));
      std::string detail = rest.substr(name.size() + 1);
      if (name != current_family) {
        if (!current_family.empty()) finished_families.insert(current_family);
        if (finished_families.count(name)) exposition.errors.push_back("family reopened: " + name);
        current_family = name;
      }
      (line[2] == 'H' ? exposition.helps : exposition.types)[name] = detail;
      continue;
    }
    Sample sample;
    size_t pos = line.find_first_of("{ ");
    sample.name = line.substr(0, pos);
    if (pos != std::string::npos && line[pos] == '{') {
      ++pos;
      while (pos < line.size() && line[pos] != '}') {
        size_t eq = line.find('=', pos);
        std::string key = line.substr(pos, eq - pos);
        if (eq == std::string::npos || line[eq + 1] != '"') {
          exposition.errors.push_back("bad label in: " + line);
          break;
        }
        std::string value;
        size_t i = eq + 2;
        for (; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\' && i + 1 < line.size()) {
            ++i;
            value += line[i] == 'n' ? '\n' : line[i];
          } else {
            value += line[i];
          }
        }
        sample.labels[key] = value;
        pos = i + 1;
        if (pos < line.size() && line[pos] == ',') ++pos;
      }
      pos = line.find(' ', pos);
    }
    if (pos == std::string::npos) {
      exposition.errors.push_back("no value in: " + line);
      continue;
    }
    sample.value = line.substr(pos + 1);
    const std::string family = FamilyOf(sample.name, exposition.types);
    if (family != current_family) exposition.errors.push_back("sample outside its family: " + line);
    if (!exposition.types.count(family) || !exposition.helps.count(family)) {
      exposition.errors.push_back("no HELP/TYPE before: " + line);
    }
    exposition.samples.push_back(std::move(sample));
  }
  return exposition;
}

ModelStatisticsSnapshot SimpleModelStats() {
  ModelStatistics stats("simple", 1);
  const ExecutionTimings timings{1500, 2500, 3500};  // ns
  stats.RecordSuccess(1, 200 * kUs, 50 * kUs, timings);
  stats.RecordSuccess(2, 3 * kMs, 1 * kMs, timings);
  stats.RecordSuccess(1, 20'000 * kMs, 0, timings);
  stats.RecordExecution(1, timings);
  stats.RecordExecution(2, timings);
  stats.RecordFailure(10 * kUs);
  stats.RecordFailure(10 * kUs, FailureReason::kBackend);
  stats.RecordFailure(10 * kUs, FailureReason::kBackend);
  stats.SetPendingRequestCountSource([] { return uint64_t{5}; });
  return stats.Snapshot();
}

TEST(PrometheusTextTest, TritonCountersCarryModelAndVersionLabels) {
  Exposition metrics = Parse(RenderPrometheus({SimpleModelStats()}, {}));
  ASSERT_THAT(metrics.errors, ElementsAre());
  const std::map<std::string, std::string> simple = {{"model", "simple"}, {"version", "1"}};
  EXPECT_EQ(metrics.types["nv_inference_request_success"], "counter");
  EXPECT_EQ(metrics.Value("nv_inference_request_success", simple), "3");
  EXPECT_EQ(metrics.Value("nv_inference_count", simple), "4");
  EXPECT_EQ(metrics.Value("nv_inference_exec_count", simple), "2");
  EXPECT_EQ(metrics.types["nv_inference_pending_request_count"], "gauge");
  EXPECT_EQ(metrics.Value("nv_inference_pending_request_count", simple), "5");
  // Whole microseconds, as Triton: 200 us + 3 ms + 20 s.
  EXPECT_EQ(metrics.Value("nv_inference_request_duration_us", simple), "20003200");
  EXPECT_EQ(metrics.Value("nv_inference_queue_duration_us", simple), "1050");
  EXPECT_EQ(metrics.Value("nv_inference_compute_input_duration_us", simple), "4");  // 3 x 1.5 us
  EXPECT_EQ(metrics.Value("nv_inference_compute_infer_duration_us", simple), "7");
  EXPECT_EQ(metrics.Value("nv_inference_compute_output_duration_us", simple), "10");
  for (const char* name : {"nv_inference_request_success", "nv_inference_count", "nv_inference_exec_count",
                           "nv_inference_request_duration_us", "nv_inference_queue_duration_us",
                           "nv_inference_compute_input_duration_us", "nv_inference_compute_infer_duration_us",
                           "nv_inference_compute_output_duration_us"}) {
    EXPECT_EQ(metrics.types[name], "counter") << name;
    EXPECT_FALSE(metrics.helps[name].empty()) << name;
  }
}

TEST(PrometheusTextTest, FailuresAreSplitByReasonAsInRecentTriton) {
  Exposition metrics = Parse(RenderPrometheus({SimpleModelStats()}, {}));
  ASSERT_THAT(metrics.errors, ElementsAre());
  EXPECT_EQ(metrics.Find("nv_inference_request_failure").size(), 4u);
  auto failures = [&metrics](const char* reason) {
    return metrics.Value("nv_inference_request_failure", {{"model", "simple"}, {"version", "1"}, {"reason", reason}});
  };
  EXPECT_EQ(failures("OTHER"), "1");
  EXPECT_EQ(failures("BACKEND"), "2");
  EXPECT_EQ(failures("REJECTED"), "0");
  EXPECT_EQ(failures("CANCELED"), "0");
  // Labels in name order, exactly as Triton writes them.
  EXPECT_NE(RenderPrometheus({SimpleModelStats()}, {})
                .find("nv_inference_request_failure{model=\"simple\",reason=\"BACKEND\",version=\"1\"} 2\n"),
            std::string::npos);
}

TEST(PrometheusTextTest, HistogramsAreCumulativeWithInfSumAndCount) {
  Exposition metrics = Parse(RenderPrometheus({SimpleModelStats()}, {}));
  ASSERT_THAT(metrics.errors, ElementsAre());
  EXPECT_EQ(metrics.types["inferd_request_duration_seconds"], "histogram");
  std::vector<Sample> buckets = metrics.Find("inferd_request_duration_seconds_bucket", {{"model", "simple"}});
  ASSERT_EQ(buckets.size(), kLatencyBucketCount);
  std::vector<std::string> bounds;
  for (const Sample& bucket : buckets) bounds.push_back(bucket.labels.at("le"));
  EXPECT_THAT(bounds, ElementsAre("0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
                                  "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"));
  uint64_t previous = 0;
  for (const Sample& bucket : buckets) {
    const uint64_t count = std::stoull(bucket.value);
    EXPECT_GE(count, previous) << "not cumulative at le=" << bucket.labels.at("le");
    previous = count;
  }
  EXPECT_EQ(metrics.Value("inferd_request_duration_seconds_bucket", {{"le", "0.0001"}}), "0");
  EXPECT_EQ(metrics.Value("inferd_request_duration_seconds_bucket", {{"le", "0.00025"}}), "1");  // 200 us
  EXPECT_EQ(metrics.Value("inferd_request_duration_seconds_bucket", {{"le", "0.005"}}), "2");    // 3 ms
  EXPECT_EQ(metrics.Value("inferd_request_duration_seconds_bucket", {{"le", "10"}}), "2");
  EXPECT_EQ(metrics.Value("inferd_request_duration_seconds_bucket", {{"le", "+Inf"}}), "3");  // 20 s
  EXPECT_EQ(metrics.Value("inferd_request_duration_seconds_count", {{"model", "simple"}}), "3");
  EXPECT_DOUBLE_EQ(std::stod(metrics.Value("inferd_request_duration_seconds_sum", {{"model", "simple"}})), 20.0032);

  EXPECT_EQ(metrics.types["inferd_queue_duration_seconds"], "histogram");
  EXPECT_EQ(metrics.Value("inferd_queue_duration_seconds_bucket", {{"le", "0.0001"}}), "2");  // 50 us, 0
  EXPECT_EQ(metrics.Value("inferd_queue_duration_seconds_bucket", {{"le", "0.001"}}), "3");   // 1 ms, inclusive
  EXPECT_EQ(metrics.Value("inferd_queue_duration_seconds_count", {{"version", "1"}}), "3");
}

TEST(PrometheusTextTest, EveryModelVersionGetsItsOwnSamples) {
  ModelStatistics v1("simple_versioned", 1), v2("simple_versioned", 2), other("simple_string", 1);
  v2.RecordSuccess(1, 1 * kMs, 0, {});
  v2.RecordSuccess(1, 1 * kMs, 0, {});
  other.RecordSuccess(1, 1 * kMs, 0, {});
  Exposition metrics = Parse(RenderPrometheus({v1.Snapshot(), v2.Snapshot(), other.Snapshot()}, {}));
  ASSERT_THAT(metrics.errors, ElementsAre());
  EXPECT_EQ(metrics.Value("nv_inference_request_success", {{"model", "simple_versioned"}, {"version", "1"}}), "0");
  EXPECT_EQ(metrics.Value("nv_inference_request_success", {{"model", "simple_versioned"}, {"version", "2"}}), "2");
  EXPECT_EQ(metrics.Value("nv_inference_request_success", {{"model", "simple_string"}}), "1");
  EXPECT_EQ(metrics.Find("inferd_request_duration_seconds_count").size(), 3u);
  // No source of pending counts: no sample rather than a made-up zero.
  EXPECT_TRUE(metrics.Find("nv_inference_pending_request_count").empty());
}

TEST(PrometheusTextTest, LabelValuesAreEscaped) {
  ModelStatistics odd("we\"ird\\na\nme", 1);
  const std::string text = RenderPrometheus({odd.Snapshot()}, {});
  EXPECT_NE(text.find("nv_inference_request_success{model=\"we\\\"ird\\\\na\\nme\",version=\"1\"} 0\n"),
            std::string::npos);
  Exposition metrics = Parse(text);
  ASSERT_THAT(metrics.errors, ElementsAre());
  EXPECT_EQ(metrics.Value("nv_inference_request_success", {{"model", "we\"ird\\na\nme"}}), "0");
}

TEST(PrometheusTextTest, NoModelsStillRendersAValidExposition) {
  Exposition metrics = Parse(RenderPrometheus({}, {}));
  ASSERT_THAT(metrics.errors, ElementsAre());
  EXPECT_TRUE(metrics.samples.empty());
  EXPECT_EQ(metrics.types["nv_inference_request_success"], "counter");
}

TEST(PrometheusTextTest, ProcessAndCpuFiguresAppearOnlyWhenKnown) {
  ProcessMetrics process;
  process.cpu_seconds_total = 1.25;
  process.resident_memory_bytes = 123456789;
  process.start_time_seconds = 1700000000.5;
  process.cpu_utilization = 0.5;
  process.memory_total_bytes = 8ull << 30;
  process.memory_used_bytes = 3ull << 30;
  Exposition metrics = Parse(RenderPrometheus({}, process));
  ASSERT_THAT(metrics.errors, ElementsAre());
  EXPECT_EQ(metrics.types["process_cpu_seconds_total"], "counter");
  EXPECT_EQ(metrics.Value("process_cpu_seconds_total"), "1.25");
  EXPECT_EQ(metrics.types["process_resident_memory_bytes"], "gauge");
  EXPECT_EQ(metrics.Value("process_resident_memory_bytes"), "123456789");
  EXPECT_EQ(metrics.Value("process_start_time_seconds"), "1700000000.5");
  EXPECT_EQ(metrics.types["nv_cpu_utilization"], "gauge");
  EXPECT_EQ(metrics.Value("nv_cpu_utilization"), "0.5");
  EXPECT_EQ(metrics.Value("nv_cpu_memory_total_bytes"), "8589934592");
  EXPECT_EQ(metrics.Value("nv_cpu_memory_used_bytes"), "3221225472");
  // Unknown figures leave their families out altogether.
  EXPECT_EQ(metrics.types.count("process_virtual_memory_bytes"), 0u);
  EXPECT_EQ(metrics.types.count("process_open_fds"), 0u);
}

TEST(PrometheusTextTest, DoublesUseTheShortestExactForm) {
  EXPECT_EQ(FormatPrometheusDouble(1.0), "1");
  EXPECT_EQ(FormatPrometheusDouble(0.00025), "0.00025");
  EXPECT_EQ(FormatPrometheusDouble(2.5), "2.5");
  EXPECT_EQ(FormatPrometheusDouble(1e300 * 1e300), "+Inf");
  EXPECT_EQ(FormatPrometheusDouble(-1e300 * 1e300), "-Inf");
  EXPECT_EQ(FormatPrometheusDouble(std::nan("")), "NaN");
}

}  // namespace
}  // namespace inferd::metrics
