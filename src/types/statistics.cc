#include "types/statistics.h"

#include <algorithm>
#include <chrono>

namespace inferd {
namespace {

uint64_t NowMsSinceEpoch() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

size_t LatencyBucketIndex(uint64_t ns) {
  // Prometheus buckets are "less than or equal": an observation equal to a
  // bound belongs to that bound's bucket.
  return static_cast<size_t>(std::lower_bound(kLatencyBucketBoundsNs.begin(), kLatencyBucketBoundsNs.end(), ns) -
                             kLatencyBucketBoundsNs.begin());
}

std::string_view FailureReasonName(FailureReason reason) {
  switch (reason) {
    case FailureReason::kRejected: return "REJECTED";
    case FailureReason::kCanceled: return "CANCELED";
    case FailureReason::kBackend: return "BACKEND";
    case FailureReason::kOther: return "OTHER";
  }
  return "OTHER";
}

FailureReason FailureReasonFromStatus(StatusCode code) {
  switch (code) {
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kResourceExhausted: return FailureReason::kRejected;
    case StatusCode::kCancelled: return FailureReason::kCanceled;
    case StatusCode::kInternal: return FailureReason::kBackend;
    default: return FailureReason::kOther;
  }
}

LatencyHistogramSnapshot ModelStatistics::Histogram::Load() const {
  LatencyHistogramSnapshot snapshot;
  uint64_t running = 0;
  for (size_t i = 0; i < kLatencyBucketCount; ++i) {
    running += buckets[i].load(std::memory_order_relaxed);
    snapshot.cumulative[i] = running;
  }
  snapshot.sum_ns = sum_ns.load(std::memory_order_relaxed);
  return snapshot;
}

void ModelStatistics::RecordSuccess(uint64_t batch_size, uint64_t request_ns, uint64_t queue_ns,
                                    const ExecutionTimings& timings) {
  inference_count_.fetch_add(batch_size, std::memory_order_relaxed);
  last_inference_ms_.store(NowMsSinceEpoch(), std::memory_order_relaxed);
  success_.Add(request_ns);
  queue_.Add(queue_ns);
  compute_input_.Add(timings.compute_input_ns);
  compute_infer_.Add(timings.compute_infer_ns);
  compute_output_.Add(timings.compute_output_ns);
  request_histogram_.Observe(request_ns);
  queue_histogram_.Observe(queue_ns);
}

void ModelStatistics::RecordFailure(uint64_t request_ns, FailureReason reason) {
  last_inference_ms_.store(NowMsSinceEpoch(), std::memory_order_relaxed);
  fail_.Add(request_ns);
  const auto index = static_cast<size_t>(reason);
  failures_by_reason_[index < kFailureReasonCount ? index : static_cast<size_t>(FailureReason::kOther)].fetch_add(
      1, std::memory_order_relaxed);
}

void ModelStatistics::RecordExecution(uint64_t batch_size, const ExecutionTimings& timings) {
  execution_count_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(batch_mutex_);
  BatchStat& stat = batch_stats_[batch_size];
  stat.batch_size = batch_size;
  stat.compute_input.count++;
  stat.compute_input.ns += timings.compute_input_ns;
  stat.compute_infer.count++;
  stat.compute_infer.ns += timings.compute_infer_ns;
  stat.compute_output.count++;
  stat.compute_output.ns += timings.compute_output_ns;
}

void ModelStatistics::Reset() {
  last_inference_ms_.store(0, std::memory_order_relaxed);
  inference_count_.store(0, std::memory_order_relaxed);
  execution_count_.store(0, std::memory_order_relaxed);
  for (Counter* counter : {&success_, &fail_, &queue_, &compute_input_, &compute_infer_, &compute_output_}) {
    counter->Reset();
  }
  for (auto& failures : failures_by_reason_) failures.store(0, std::memory_order_relaxed);
  request_histogram_.Reset();
  queue_histogram_.Reset();
  std::lock_guard lock(batch_mutex_);
  batch_stats_.clear();
}

ModelStatisticsSnapshot ModelStatistics::Snapshot() const {
  ModelStatisticsSnapshot snapshot;
  snapshot.name = name_;
  snapshot.version = version_;
  snapshot.last_inference_ms = last_inference_ms_.load(std::memory_order_relaxed);
  snapshot.inference_count = inference_count_.load(std::memory_order_relaxed);
  snapshot.execution_count = execution_count_.load(std::memory_order_relaxed);
  snapshot.success = success_.Load();
  snapshot.fail = fail_.Load();
  snapshot.queue = queue_.Load();
  snapshot.compute_input = compute_input_.Load();
  snapshot.compute_infer = compute_infer_.Load();
  snapshot.compute_output = compute_output_.Load();
  for (size_t i = 0; i < kFailureReasonCount; ++i) {
    snapshot.failures_by_reason[i] = failures_by_reason_[i].load(std::memory_order_relaxed);
  }
  snapshot.request_duration = request_histogram_.Load();
  snapshot.queue_duration = queue_histogram_.Load();
  if (pending_source_) {
    snapshot.pending_request_count =
        pending_source_() + answering_after_execution_.load(std::memory_order_relaxed);
  }
  std::lock_guard lock(batch_mutex_);
  snapshot.batch_stats.reserve(batch_stats_.size());
  for (const auto& [size, stat] : batch_stats_) snapshot.batch_stats.push_back(stat);
  return snapshot;
}

}  // namespace inferd
