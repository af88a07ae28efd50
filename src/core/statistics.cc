#include "core/statistics.h"

#include <chrono>

namespace inferd {
namespace {

uint64_t NowMsSinceEpoch() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

void ModelStatistics::RecordSuccess(uint64_t batch_size, uint64_t request_ns, uint64_t queue_ns,
                                    const ExecutionTimings& timings) {
  inference_count_.fetch_add(batch_size, std::memory_order_relaxed);
  last_inference_ms_.store(NowMsSinceEpoch(), std::memory_order_relaxed);
  success_.Add(request_ns);
  queue_.Add(queue_ns);
  compute_input_.Add(timings.compute_input_ns);
  compute_infer_.Add(timings.compute_infer_ns);
  compute_output_.Add(timings.compute_output_ns);
}

void ModelStatistics::RecordFailure(uint64_t request_ns) {
  last_inference_ms_.store(NowMsSinceEpoch(), std::memory_order_relaxed);
  fail_.Add(request_ns);
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
  std::lock_guard lock(batch_mutex_);
  snapshot.batch_stats.reserve(batch_stats_.size());
  for (const auto& [size, stat] : batch_stats_) snapshot.batch_stats.push_back(stat);
  return snapshot;
}

}  // namespace inferd
