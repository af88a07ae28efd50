#include "frontend/metrics/prometheus_text.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <iterator>

namespace inferd::metrics {
namespace {

constexpr double kNanosPerSecond = 1e9;

// Appends families to one string. Every family's samples follow its HELP and
// TYPE lines without interruption, as the format requires.
class Writer {
 public:
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }

  // name{model="m"[,reason="r"],version="v"[,le="b"]} value. Labels in
  // name order, as Triton's prometheus-cpp writes them.
  template <typename Value>
  void ModelSample(std::string_view name, const ModelStatisticsSnapshot& model, Value value,
                   std::string_view reason = {}, std::string_view le = {}) {
    auto out = std::back_inserter(out_);
    fmt::format_to(out, "{}{{model=\"{}\",", name, EscapeLabelValue(model.name));
    if (!reason.empty()) fmt::format_to(out, "reason=\"{}\",", reason);
    fmt::format_to(out, "version=\"{}\"", model.version);
    if (!le.empty()) fmt::format_to(out, ",le=\"{}\"", le);
    fmt::format_to(out, "}} {}\n", FormatValue(value));
  }

  template <typename Value>
  void Sample(std::string_view name, Value value) {
    fmt::format_to(std::back_inserter(out_), "{} {}\n", name, FormatValue(value));
  }

  std::string Take() { return std::move(out_); }

 private:
  static std::string FormatValue(uint64_t value) { return fmt::format("{}", value); }
  static std::string FormatValue(double value) { return FormatPrometheusDouble(value); }

  std::string out_;
};

using Models = std::vector<ModelStatisticsSnapshot>;

void CounterFamily(Writer& writer, const Models& models, std::string_view name, std::string_view help,
                   const std::function<uint64_t(const ModelStatisticsSnapshot&)>& value) {
  writer.Family(name, "counter", help);
  for (const ModelStatisticsSnapshot& model : models) writer.ModelSample(name, model, value(model));
}

// Triton reports durations as whole microseconds.
uint64_t Micros(uint64_t ns) { return ns / 1000; }

void FailureFamily(Writer& writer, const Models& models) {
  constexpr std::string_view kName = "nv_inference_request_failure";
  writer.Family(kName, "counter", "Number of failed inference requests, all batch sizes");
  for (const ModelStatisticsSnapshot& model : models) {
    for (size_t reason = 0; reason < kFailureReasonCount; ++reason) {
      writer.ModelSample(kName, model, model.failures_by_reason[reason],
                         FailureReasonName(static_cast<FailureReason>(reason)));
    }
  }
}

void PendingFamily(Writer& writer, const Models& models) {
  constexpr std::string_view kName = "nv_inference_pending_request_count";
  writer.Family(kName, "gauge", "Instantaneous number of pending requests awaiting execution per-model");
  for (const ModelStatisticsSnapshot& model : models) {
    if (model.pending_request_count) writer.ModelSample(kName, model, *model.pending_request_count);
  }
}

void HistogramFamily(Writer& writer, const Models& models, std::string_view name, std::string_view help,
                     const std::function<const LatencyHistogramSnapshot&(const ModelStatisticsSnapshot&)>& get) {
  writer.Family(name, "histogram", help);
  const std::string bucket = fmt::format("{}_bucket", name);
  const std::string sum = fmt::format("{}_sum", name);
  const std::string count = fmt::format("{}_count", name);
  for (const ModelStatisticsSnapshot& model : models) {
    const LatencyHistogramSnapshot& histogram = get(model);
    for (size_t i = 0; i < kLatencyBucketBoundsNs.size(); ++i) {
      const double bound = static_cast<double>(kLatencyBucketBoundsNs[i]) / kNanosPerSecond;
      writer.ModelSample(bucket, model, histogram.cumulative[i], {}, FormatPrometheusDouble(bound));
    }
    writer.ModelSample(bucket, model, histogram.count(), {}, "+Inf");
    writer.ModelSample(sum, model, static_cast<double>(histogram.sum_ns) / kNanosPerSecond);
    writer.ModelSample(count, model, histogram.count());
  }
}

template <typename Value>
void SingleSample(Writer& writer, std::string_view name, std::string_view type, std::string_view help,
                  const std::optional<Value>& value) {
  if (!value) return;
  writer.Family(name, type, help);
  writer.Sample(name, *value);
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': escaped += "\\\\"; break;
      case '"': escaped += "\\\""; break;
      case '\n': escaped += "\\n"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

std::string FormatPrometheusDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

std::string RenderPrometheus(const Models& models, const ProcessMetrics& process) {
  Writer writer;
  CounterFamily(writer, models, "nv_inference_request_success",
                "Number of successful inference requests, all batch sizes",
                [](const auto& m) { return m.success.count; });
  FailureFamily(writer, models);
  CounterFamily(writer, models, "nv_inference_count",
                "Number of inferences performed (a batch of n counts n; does not include cached requests)",
                [](const auto& m) { return m.inference_count; });
  CounterFamily(writer, models, "nv_inference_exec_count",
                "Number of model executions performed (does not include cached requests)",
                [](const auto& m) { return m.execution_count; });
  PendingFamily(writer, models);
  CounterFamily(writer, models, "nv_inference_request_duration_us",
                "Cumulative inference request duration in microseconds (includes cached requests)",
                [](const auto& m) { return Micros(m.success.ns); });
  CounterFamily(writer, models, "nv_inference_queue_duration_us",
                "Cumulative inference queuing duration in microseconds (includes cached requests)",
                [](const auto& m) { return Micros(m.queue.ns); });
  CounterFamily(writer, models, "nv_inference_compute_input_duration_us",
                "Cumulative compute input duration in microseconds (does not include cached requests)",
                [](const auto& m) { return Micros(m.compute_input.ns); });
  CounterFamily(writer, models, "nv_inference_compute_infer_duration_us",
                "Cumulative compute inference duration in microseconds (does not include cached requests)",
                [](const auto& m) { return Micros(m.compute_infer.ns); });
  CounterFamily(writer, models, "nv_inference_compute_output_duration_us",
                "Cumulative inference compute output duration in microseconds (does not include cached requests)",
                [](const auto& m) { return Micros(m.compute_output.ns); });
  HistogramFamily(writer, models, "inferd_request_duration_seconds",
                  "Duration of successful inference requests, received to response, in seconds",
                  [](const auto& m) -> const LatencyHistogramSnapshot& { return m.request_duration; });
  HistogramFamily(writer, models, "inferd_queue_duration_seconds",
                  "Time successful inference requests waited in the scheduler queue, in seconds",
                  [](const auto& m) -> const LatencyHistogramSnapshot& { return m.queue_duration; });

  SingleSample(writer, "nv_cpu_utilization", "gauge", "CPU utilization rate [0.0 - 1.0]", process.cpu_utilization);
  SingleSample(writer, "nv_cpu_memory_total_bytes", "gauge", "CPU total memory (RAM), in bytes",
               process.memory_total_bytes);
  SingleSample(writer, "nv_cpu_memory_used_bytes", "gauge", "CPU used memory (RAM), in bytes",
               process.memory_used_bytes);
  SingleSample(writer, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds",
               process.cpu_seconds_total);
  SingleSample(writer, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes",
               process.resident_memory_bytes);
  SingleSample(writer, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes",
               process.virtual_memory_bytes);
  SingleSample(writer, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds",
               process.start_time_seconds);
  SingleSample(writer, "process_open_fds", "gauge", "Number of open file descriptors", process.open_fds);
  return writer.Take();
}

}  // namespace inferd::metrics
