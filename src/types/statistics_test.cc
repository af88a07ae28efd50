#include "types/statistics.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace inferd {
namespace {

constexpr uint64_t kUs = 1'000;
constexpr uint64_t kMs = 1'000'000;

TEST(LatencyBucketIndexTest, BoundsAreInclusiveAndOverflowGoesToInf) {
  EXPECT_EQ(LatencyBucketIndex(0), 0u);
  EXPECT_EQ(LatencyBucketIndex(100 * kUs), 0u);      // exactly le="0.0001"
  EXPECT_EQ(LatencyBucketIndex(100 * kUs + 1), 1u);  // just above it
  EXPECT_EQ(LatencyBucketIndex(250 * kUs), 1u);
  EXPECT_EQ(LatencyBucketIndex(3 * kMs), 5u);  // (2.5 ms, 5 ms]
  EXPECT_EQ(LatencyBucketIndex(10'000 * kMs), kLatencyBucketBoundsNs.size() - 1);
  EXPECT_EQ(LatencyBucketIndex(10'000 * kMs + 1), kLatencyBucketCount - 1);
  EXPECT_EQ(LatencyBucketIndex(UINT64_MAX), kLatencyBucketCount - 1);
}

TEST(LatencyBucketIndexTest, BoundsAscendFromMicrosecondsToSeconds) {
  EXPECT_EQ(kLatencyBucketBoundsNs.front(), 100 * kUs);
  EXPECT_EQ(kLatencyBucketBoundsNs.back(), 10'000 * kMs);
  for (size_t i = 1; i < kLatencyBucketBoundsNs.size(); ++i) {
    EXPECT_LT(kLatencyBucketBoundsNs[i - 1], kLatencyBucketBoundsNs[i]);
    // Steps of at most 2.5x keep any quantile within one step.
    EXPECT_LE(kLatencyBucketBoundsNs[i] * 2, kLatencyBucketBoundsNs[i - 1] * 5);
  }
}

TEST(ModelStatisticsTest, SuccessFillsCountersAndCumulativeHistograms) {
  ModelStatistics stats("simple", 3);
  ExecutionTimings timings{1 * kUs, 2 * kUs, 3 * kUs};
  stats.RecordSuccess(4, 200 * kUs, 50 * kUs, timings);  // request bucket 1, queue bucket 0
  stats.RecordSuccess(1, 3 * kMs, 1 * kMs, timings);     // request bucket 5, queue bucket 3
  stats.RecordSuccess(1, 20'000 * kMs, 0, timings);      // request +Inf, queue bucket 0

  ModelStatisticsSnapshot snapshot = stats.Snapshot();
  EXPECT_EQ(snapshot.name, "simple");
  EXPECT_EQ(snapshot.version, 3);
  EXPECT_EQ(snapshot.success.count, 3u);
  EXPECT_EQ(snapshot.inference_count, 6u);
  EXPECT_GT(snapshot.last_inference_ms, 0u);

  const LatencyHistogramSnapshot& request = snapshot.request_duration;
  EXPECT_EQ(request.count(), 3u);
  EXPECT_EQ(request.sum_ns, 200 * kUs + 3 * kMs + 20'000 * kMs);
  EXPECT_EQ(request.cumulative[0], 0u);
  EXPECT_EQ(request.cumulative[1], 1u);
  EXPECT_EQ(request.cumulative[4], 1u);
  EXPECT_EQ(request.cumulative[5], 2u);
  EXPECT_EQ(request.cumulative[kLatencyBucketCount - 2], 2u);  // le=10 s
  EXPECT_EQ(request.cumulative[kLatencyBucketCount - 1], 3u);  // +Inf

  const LatencyHistogramSnapshot& queue = snapshot.queue_duration;
  EXPECT_EQ(queue.count(), 3u);
  EXPECT_EQ(queue.sum_ns, 51 * kUs + 1 * kMs - 1 * kUs);
  EXPECT_EQ(queue.cumulative[0], 2u);
  EXPECT_EQ(queue.cumulative[2], 2u);
  EXPECT_EQ(queue.cumulative[3], 3u);
  EXPECT_EQ(snapshot.queue.ns, queue.sum_ns);  // counter and histogram agree
}

TEST(ModelStatisticsTest, FailuresAreCountedByReasonAndStayOutOfTheHistograms) {
  ModelStatistics stats("simple", 1);
  stats.RecordFailure(10 * kUs);  // default: OTHER
  stats.RecordFailure(20 * kUs, FailureReason::kBackend);
  stats.RecordFailure(30 * kUs, FailureReason::kBackend);
  stats.RecordFailure(40 * kUs, FailureReason::kRejected);

  ModelStatisticsSnapshot snapshot = stats.Snapshot();
  EXPECT_EQ(snapshot.fail.count, 4u);
  EXPECT_EQ(snapshot.fail.ns, 100 * kUs);
  EXPECT_EQ(snapshot.failures_by_reason[static_cast<size_t>(FailureReason::kOther)], 1u);
  EXPECT_EQ(snapshot.failures_by_reason[static_cast<size_t>(FailureReason::kBackend)], 2u);
  EXPECT_EQ(snapshot.failures_by_reason[static_cast<size_t>(FailureReason::kRejected)], 1u);
  EXPECT_EQ(snapshot.failures_by_reason[static_cast<size_t>(FailureReason::kCanceled)], 0u);
  EXPECT_EQ(snapshot.success.count, 0u);
  EXPECT_EQ(snapshot.request_duration.count(), 0u);
  EXPECT_EQ(snapshot.queue_duration.count(), 0u);
}

TEST(ModelStatisticsTest, FailureReasonNamesAndStatusMapping) {
  EXPECT_EQ(FailureReasonName(FailureReason::kRejected), "REJECTED");
  EXPECT_EQ(FailureReasonName(FailureReason::kCanceled), "CANCELED");
  EXPECT_EQ(FailureReasonName(FailureReason::kBackend), "BACKEND");
  EXPECT_EQ(FailureReasonName(FailureReason::kOther), "OTHER");
  EXPECT_EQ(FailureReasonFromStatus(StatusCode::kDeadlineExceeded), FailureReason::kRejected);
  EXPECT_EQ(FailureReasonFromStatus(StatusCode::kResourceExhausted), FailureReason::kRejected);
  EXPECT_EQ(FailureReasonFromStatus(StatusCode::kCancelled), FailureReason::kCanceled);
  EXPECT_EQ(FailureReasonFromStatus(StatusCode::kInternal), FailureReason::kBackend);
  EXPECT_EQ(FailureReasonFromStatus(StatusCode::kInvalidArgument), FailureReason::kOther);
  EXPECT_EQ(FailureReasonFromStatus(StatusCode::kUnavailable), FailureReason::kOther);
}

TEST(ModelStatisticsTest, PendingCountComesFromTheSourceWhenThereIsOne) {
  ModelStatistics stats("simple", 1);
  EXPECT_FALSE(stats.Snapshot().pending_request_count.has_value());
  std::atomic<uint64_t> pending{7};
  stats.SetPendingRequestCountSource([&pending] { return pending.load(); });
  EXPECT_EQ(stats.Snapshot().pending_request_count, 7u);
  pending = 0;
  EXPECT_EQ(stats.Snapshot().pending_request_count, 0u);
}

TEST(ModelStatisticsTest, ExecutionsAreGroupedByBatchSize) {
  ModelStatistics stats("simple", 1);
  stats.RecordExecution(2, {1, 2, 3});
  stats.RecordExecution(2, {1, 2, 3});
  stats.RecordExecution(1, {10, 20, 30});
  ModelStatisticsSnapshot snapshot = stats.Snapshot();
  EXPECT_EQ(snapshot.execution_count, 3u);
  ASSERT_EQ(snapshot.batch_stats.size(), 2u);
  EXPECT_EQ(snapshot.batch_stats[0].batch_size, 1u);
  EXPECT_EQ(snapshot.batch_stats[0].compute_infer.ns, 20u);
  EXPECT_EQ(snapshot.batch_stats[1].batch_size, 2u);
  EXPECT_EQ(snapshot.batch_stats[1].compute_infer.count, 2u);
  EXPECT_EQ(snapshot.batch_stats[1].compute_output.ns, 6u);
}

// Writers on several threads while a reader takes snapshots: nothing is
// lost, and every snapshot is internally sane (cumulative buckets never
// decrease) and never goes backwards. Also run under ThreadSanitizer.
TEST(ModelStatisticsTest, ConcurrentWritersLoseNothingAndSnapshotsStayMonotonic) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  ModelStatistics stats("simple", 1);
  std::atomic<bool> writers_done{false};
  std::atomic<int> bad_snapshots{0};

  std::thread reader([&] {
    uint64_t last_count = 0;
    while (!writers_done.load()) {
      ModelStatisticsSnapshot snapshot = stats.Snapshot();
      const auto& cumulative = snapshot.request_duration.cumulative;
      for (size_t i = 1; i < cumulative.size(); ++i) {
        if (cumulative[i] < cumulative[i - 1]) bad_snapshots.fetch_add(1);
      }
      if (snapshot.request_duration.count() < last_count) bad_snapshots.fetch_add(1);
      last_count = snapshot.request_duration.count();
    }
  });

  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&stats, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Spread over several buckets: 50 us, 1 ms, 30 ms, 20 s by thread.
        const uint64_t durations[] = {50 * kUs, 1 * kMs, 30 * kMs, 20'000 * kMs};
        stats.RecordSuccess(1, durations[t % 4], 10 * kUs, ExecutionTimings{});
        stats.RecordExecution(1, ExecutionTimings{});
        if (i % 10 == 0) stats.RecordFailure(1 * kMs, FailureReason::kBackend);
      }
    });
  }
  for (auto& writer : writers) writer.join();
  writers_done = true;
  reader.join();

  ModelStatisticsSnapshot snapshot = stats.Snapshot();
  constexpr uint64_t kTotal = uint64_t{kThreads} * kPerThread;
  EXPECT_EQ(bad_snapshots.load(), 0);
  EXPECT_EQ(snapshot.success.count, kTotal);
  EXPECT_EQ(snapshot.execution_count, kTotal);
  EXPECT_EQ(snapshot.request_duration.count(), kTotal);
  EXPECT_EQ(snapshot.queue_duration.count(), kTotal);
  EXPECT_EQ(snapshot.queue_duration.cumulative[0], kTotal);  // 10 us each
  EXPECT_EQ(snapshot.request_duration.cumulative[0], uint64_t{kPerThread});                  // the 50 us thread
  EXPECT_EQ(snapshot.request_duration.cumulative[kLatencyBucketCount - 2], 3u * kPerThread);  // all but 20 s
  EXPECT_EQ(snapshot.request_duration.sum_ns, uint64_t{kPerThread} * (50 * kUs + 1 * kMs + 30 * kMs + 20'000 * kMs));
  EXPECT_EQ(snapshot.fail.count, kTotal / 10);
  EXPECT_EQ(snapshot.failures_by_reason[static_cast<size_t>(FailureReason::kBackend)], kTotal / 10);
  ASSERT_EQ(snapshot.batch_stats.size(), 1u);
  EXPECT_EQ(snapshot.batch_stats[0].compute_infer.count, kTotal);
}

}  // namespace
}  // namespace inferd
