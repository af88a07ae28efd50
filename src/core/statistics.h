// Per model-version counters for the KServe statistics extension (and later
// Prometheus). Writers are lock-free on the hot path; Snapshot() copies.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace inferd {

struct DurationStat {
  uint64_t count = 0;
  uint64_t ns = 0;
};

struct BatchStat {
  uint64_t batch_size = 0;
  DurationStat compute_input;
  DurationStat compute_infer;
  DurationStat compute_output;
};

struct ModelStatisticsSnapshot {
  std::string name;
  int64_t version = 0;
  uint64_t last_inference_ms = 0;  // milliseconds since the Unix epoch, 0 if never
  uint64_t inference_count = 0;    // requests x batch size, successful only
  uint64_t execution_count = 0;    // backend executions
  DurationStat success;            // whole request, received to response
  DurationStat fail;
  DurationStat queue;
  DurationStat compute_input;
  DurationStat compute_infer;
  DurationStat compute_output;
  DurationStat cache_hit;
  DurationStat cache_miss;
  std::vector<BatchStat> batch_stats;  // ordered by batch size
};

// Durations of one backend execution.
struct ExecutionTimings {
  uint64_t compute_input_ns = 0;
  uint64_t compute_infer_ns = 0;
  uint64_t compute_output_ns = 0;
};

class ModelStatistics {
 public:
  ModelStatistics(std::string name, int64_t version) : name_(std::move(name)), version_(version) {}

  // One request finished successfully. `batch_size` is the request's own
  // batch size (1 for models without batching).
  void RecordSuccess(uint64_t batch_size, uint64_t request_ns, uint64_t queue_ns, const ExecutionTimings& timings);
  void RecordFailure(uint64_t request_ns);
  // One backend execution over `batch_size` rows (possibly several requests).
  void RecordExecution(uint64_t batch_size, const ExecutionTimings& timings);

  ModelStatisticsSnapshot Snapshot() const;

 private:
  struct Counter {
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> ns{0};
    void Add(uint64_t duration_ns) {
      count.fetch_add(1, std::memory_order_relaxed);
      ns.fetch_add(duration_ns, std::memory_order_relaxed);
    }
    DurationStat Load() const { return {count.load(std::memory_order_relaxed), ns.load(std::memory_order_relaxed)}; }
  };

  const std::string name_;
  const int64_t version_;
  std::atomic<uint64_t> last_inference_ms_{0};
  std::atomic<uint64_t> inference_count_{0};
  std::atomic<uint64_t> execution_count_{0};
  Counter success_, fail_, queue_, compute_input_, compute_infer_, compute_output_;

  mutable std::mutex batch_mutex_;  // guards batch_stats_ (one short lock per execution)
  std::map<uint64_t, BatchStat> batch_stats_;
};

}  // namespace inferd
