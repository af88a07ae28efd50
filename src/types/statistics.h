// Per model-version counters: the ONE source of numbers for the KServe
// statistics extension (HTTP and gRPC) and for Prometheus /metrics, so a
// request is counted once, the same way, whatever protocol carried it.
//
// Writers are lock-free on the hot path (relaxed atomic adds, including the
// latency histograms); only RecordExecution takes a short lock for the
// per-batch-size table. Snapshot() copies; values read by one snapshot may
// straddle a concurrent request (a count may already include a request whose
// duration is not added yet), which monitoring tolerates.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

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

// Upper bounds (inclusive, Prometheus `le`) of the latency histogram buckets,
// in nanoseconds: 100 us to 10 s in 1-2.5-5 steps, so a p99 is never more
// than one 2.5x step off. Observations above the last bound land in +Inf.
inline constexpr std::array<uint64_t, 16> kLatencyBucketBoundsNs = {
    100'000,       250'000,       500'000,                          // 100 us .. 500 us
    1'000'000,     2'500'000,     5'000'000,                        // 1 ms .. 5 ms
    10'000'000,    25'000'000,    50'000'000,                       // 10 ms .. 50 ms
    100'000'000,   250'000'000,   500'000'000,                      // 100 ms .. 500 ms
    1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};  // 1 s .. 10 s
inline constexpr size_t kLatencyBucketCount = kLatencyBucketBoundsNs.size() + 1;  // + the +Inf bucket

// The index of the bucket an observation of `ns` belongs to (the first bound
// >= ns; kLatencyBucketCount - 1 for +Inf).
size_t LatencyBucketIndex(uint64_t ns);

struct LatencyHistogramSnapshot {
  // cumulative[i]: observations <= kLatencyBucketBoundsNs[i]; the last entry
  // (+Inf) counts every observation, so it is also the histogram's count.
  std::array<uint64_t, kLatencyBucketCount> cumulative{};
  uint64_t sum_ns = 0;
  uint64_t count() const { return cumulative.back(); }
};

// Why a request failed, as Triton's nv_inference_request_failure `reason`
// label reports it.
enum class FailureReason : uint8_t {
  kRejected = 0,  // timed out or refused by the scheduler's queue
  kCanceled,      // the client or the server cancelled it
  kBackend,       // the backend failed executing it
  kOther,         // anything else (validation, unknown model version, ...)
};
inline constexpr size_t kFailureReasonCount = 4;
// "REJECTED", "CANCELED", "BACKEND", "OTHER".
std::string_view FailureReasonName(FailureReason reason);
// The reason a failed request's Status stands for: DEADLINE_EXCEEDED and
// RESOURCE_EXHAUSTED (queue timeout / full queue) are REJECTED, CANCELLED is
// CANCELED, INTERNAL (what backends report) is BACKEND, the rest OTHER.
FailureReason FailureReasonFromStatus(StatusCode code);

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
  // fail.count split by reason, indexed by FailureReason.
  std::array<uint64_t, kFailureReasonCount> failures_by_reason{};
  LatencyHistogramSnapshot request_duration;  // successful requests, received to response
  LatencyHistogramSnapshot queue_duration;    // successful requests, time in the scheduler queue
  // Requests accepted by the scheduler and not finished; nullopt when the
  // model gave no source (see SetPendingRequestCountSource).
  std::optional<uint64_t> pending_request_count;
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
  void RecordFailure(uint64_t request_ns, FailureReason reason = FailureReason::kOther);
  // One backend execution over `batch_size` rows (possibly several requests).
  void RecordExecution(uint64_t batch_size, const ExecutionTimings& timings);

  // Where snapshots read the pending request count from (the model's
  // scheduler). Set once, before the model is reachable by requests or
  // snapshots; the source must outlive every later Snapshot() call.
  void SetPendingRequestCountSource(std::function<uint64_t()> source) { pending_source_ = std::move(source); }
  // Requests still being answered after their execution returned (a
  // decoupled model that streams from its own threads): pending too, though
  // the scheduler is done with them. +1 when one is left open, -1 when it ends.
  void AddAnsweringAfterExecution(int64_t delta) {
    answering_after_execution_.fetch_add(static_cast<uint64_t>(delta), std::memory_order_relaxed);
  }

  ModelStatisticsSnapshot Snapshot() const;
  // Back to zero: a version's warm-up runs are not its traffic. Call before
  // the version serves (concurrent records may survive it).
  void Reset();

 private:
  struct Counter {
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> ns{0};
    void Add(uint64_t duration_ns) {
      count.fetch_add(1, std::memory_order_relaxed);
      ns.fetch_add(duration_ns, std::memory_order_relaxed);
    }
    DurationStat Load() const { return {count.load(std::memory_order_relaxed), ns.load(std::memory_order_relaxed)}; }
    void Reset() {
      count.store(0, std::memory_order_relaxed);
      ns.store(0, std::memory_order_relaxed);
    }
  };

  // One atomic per bucket (not cumulative: an observation touches one
  // bucket and the sum); Load() accumulates.
  struct Histogram {
    std::array<std::atomic<uint64_t>, kLatencyBucketCount> buckets{};
    std::atomic<uint64_t> sum_ns{0};
    void Observe(uint64_t ns) {
      buckets[LatencyBucketIndex(ns)].fetch_add(1, std::memory_order_relaxed);
      sum_ns.fetch_add(ns, std::memory_order_relaxed);
    }
    LatencyHistogramSnapshot Load() const;
    void Reset() {
      for (auto& bucket : buckets) bucket.store(0, std::memory_order_relaxed);
      sum_ns.store(0, std::memory_order_relaxed);
    }
  };

  const std::string name_;
  const int64_t version_;
  std::atomic<uint64_t> last_inference_ms_{0};
  std::atomic<uint64_t> inference_count_{0};
  std::atomic<uint64_t> execution_count_{0};
  Counter success_, fail_, queue_, compute_input_, compute_infer_, compute_output_;
  std::array<std::atomic<uint64_t>, kFailureReasonCount> failures_by_reason_{};
  Histogram request_histogram_, queue_histogram_;
  std::function<uint64_t()> pending_source_;
  std::atomic<uint64_t> answering_after_execution_{0};

  mutable std::mutex batch_mutex_;  // guards batch_stats_ (one short lock per execution)
  std::map<uint64_t, BatchStat> batch_stats_;
};

}  // namespace inferd
