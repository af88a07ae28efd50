#include "scheduler/batch_planner.h"

#include <cstring>

#include <gtest/gtest.h>

namespace inferd {
namespace {

using std::chrono::microseconds;

// A job of `rows` rows whose input has `width` columns.
std::unique_ptr<InferJob> Job(int64_t rows, int64_t width = 2) {
  auto job = std::make_unique<InferJob>();
  job->batch_size = rows;
  job->request.inputs.push_back(
      Tensor::FromBuffer("X", DataType::kInt32, {rows, width}, std::string(rows * width * 4, '\0')));
  return job;
}

inference::ModelConfig Config(int max_batch, std::vector<int> preferred, uint64_t delay_us) {
  inference::ModelConfig config;
  config.set_max_batch_size(max_batch);
  auto* batching = config.mutable_dynamic_batching();
  for (int size : preferred) batching->add_preferred_batch_size(size);
  batching->set_max_queue_delay_microseconds(delay_us);
  return config;
}

class BatchPlannerTest : public ::testing::Test {
 protected:
  void Fill(std::initializer_list<int64_t> rows, Clock::TimePoint at) {
    for (int64_t r : rows) {
      auto job = Job(r);
      ASSERT_TRUE(queue_.Enqueue(job, at).ok());
    }
  }
  PriorityJobQueue queue_{inference::ModelDynamicBatching()};
  const Clock::TimePoint start_ = std::chrono::steady_clock::now();
};

TEST_F(BatchPlannerTest, EmptyQueuePlansNothing) {
  BatchPlan plan = PlanBatch(queue_, BatchingPolicy::FromConfig(Config(8, {}, 100)), start_, false);
  EXPECT_EQ(plan.jobs, 0u);
  EXPECT_EQ(plan.wait_until, Clock::kNever);
}

TEST_F(BatchPlannerTest, WithoutDelayRunsWhatIsQueuedAtOnce) {
  Fill({1, 1, 1}, start_);
  BatchPlan plan = PlanBatch(queue_, BatchingPolicy::FromConfig(Config(8, {8}, 0)), start_, false);
  EXPECT_EQ(plan.jobs, 3u);
  EXPECT_EQ(plan.rows, 3);
}

TEST_F(BatchPlannerTest, WaitsForTheOldestJobsDelayThenRunsTheLargestBatch) {
  Fill({1}, start_);
  Fill({2}, start_ + microseconds(300));
  const BatchingPolicy policy = BatchingPolicy::FromConfig(Config(8, {8}, 1000));
  BatchPlan early = PlanBatch(queue_, policy, start_ + microseconds(500), false);
  EXPECT_EQ(early.jobs, 0u);
  EXPECT_EQ(early.wait_until, start_ + microseconds(1000));
  BatchPlan late = PlanBatch(queue_, policy, start_ + microseconds(1000), false);
  EXPECT_EQ(late.jobs, 2u);
  EXPECT_EQ(late.rows, 3);
}

TEST_F(BatchPlannerTest, PreferredSizeRunsAsSoonAsItIsReached) {
  Fill({1, 1, 1}, start_);
  const BatchingPolicy policy = BatchingPolicy::FromConfig(Config(8, {2, 4}, 1'000'000));
  BatchPlan plan = PlanBatch(queue_, policy, start_, false);
  EXPECT_EQ(plan.jobs, 2u);
  EXPECT_EQ(plan.rows, 2);
  Fill({1}, start_);
  plan = PlanBatch(queue_, policy, start_, false);
  EXPECT_EQ(plan.rows, 4);  // the largest preferred size available
}

TEST_F(BatchPlannerTest, NeverExceedsMaxBatchSize) {
  Fill({3, 3, 3}, start_);
  BatchPlan plan = PlanBatch(queue_, BatchingPolicy::FromConfig(Config(8, {8}, 1'000'000)), start_, false);
  EXPECT_EQ(plan.jobs, 2u);  // 9 rows would not fit: run 6 now, the batch cannot grow
  EXPECT_EQ(plan.rows, 6);
}

TEST_F(BatchPlannerTest, DifferentRowShapesAreNotMerged) {
  Fill({1}, start_);
  auto wide = Job(1, 5);
  ASSERT_TRUE(queue_.Enqueue(wide, start_).ok());
  Fill({1}, start_);
  BatchPlan plan = PlanBatch(queue_, BatchingPolicy::FromConfig(Config(8, {8}, 1'000'000)), start_, false);
  EXPECT_EQ(plan.jobs, 1u);  // the batch stops before the job it cannot take
}

TEST_F(BatchPlannerTest, FlushRunsWithoutWaiting) {
  Fill({1}, start_);
  BatchPlan plan = PlanBatch(queue_, BatchingPolicy::FromConfig(Config(8, {8}, 1'000'000)), start_, true);
  EXPECT_EQ(plan.jobs, 1u);
}

TEST_F(BatchPlannerTest, ExpiredDelayIgnoresPreferredSizesAndTakesTheLargestBatch) {
  Fill({1, 1, 1}, start_);
  BatchPlan plan =
      PlanBatch(queue_, BatchingPolicy::FromConfig(Config(8, {2}, 100)), start_ + microseconds(200), false);
  EXPECT_EQ(plan.rows, 3);
}

}  // namespace
}  // namespace inferd
