// Renders model statistics and process figures as the Prometheus text
// exposition format 0.0.4, with Triton's metric names, types, help and labels
// so existing dashboards and alerts keep working, plus latency histograms
// Triton does not have.
//
// Families (labels model and version on every per-model sample):
//   counters  nv_inference_request_success, nv_inference_request_failure
//             (+ reason: REJECTED, CANCELED, BACKEND, OTHER, as Triton 2.4x),
//             nv_inference_count, nv_inference_exec_count,
//             nv_inference_{request,queue,compute_input,compute_infer,
//             compute_output}_duration_us (cumulative microseconds)
//   gauge     nv_inference_pending_request_count (models that report one)
//   histogram inferd_request_duration_seconds, inferd_queue_duration_seconds
//             (successful requests; buckets kLatencyBucketBoundsNs)
//   gauges    nv_cpu_utilization, nv_cpu_memory_total_bytes,
//             nv_cpu_memory_used_bytes (system-wide, as Triton)
//   standard  process_cpu_seconds_total, process_resident_memory_bytes,
//             process_virtual_memory_bytes, process_start_time_seconds,
//             process_open_fds
// A process figure that is missing (nullopt) leaves its family out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "frontend/metrics/process_metrics.h"
#include "types/statistics.h"

namespace inferd::metrics {

// The Content-Type of what RenderPrometheus returns.
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string RenderPrometheus(const std::vector<ModelStatisticsSnapshot>& models, const ProcessMetrics& process);

// A label value with backslash, double quote and newline escaped.
std::string EscapeLabelValue(std::string_view value);
// A sample value or `le` bound as Prometheus parses it: shortest round-trip
// form ("0.0001", "2.5", "10"), "+Inf" / "-Inf" / "NaN" for the specials.
std::string FormatPrometheusDouble(double value);

}  // namespace inferd::metrics
