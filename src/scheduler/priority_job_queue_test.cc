#include "scheduler/priority_job_queue.h"

#include <gtest/gtest.h>

namespace inferd {
namespace {

using std::chrono::microseconds;

std::unique_ptr<InferJob> Job(const std::string& id, uint64_t priority = 0, uint64_t timeout_us = 0) {
  auto job = std::make_unique<InferJob>();
  job->request.id = id;
  job->priority = priority;
  job->timeout_us = timeout_us;
  job->done = [](Result<InferenceResponse>) {};
  return job;
}

std::vector<std::string> Order(const PriorityJobQueue& queue) {
  std::vector<std::string> ids;
  queue.ForEach([&](const InferJob& job) {
    ids.push_back(job.request.id);
    return true;
  });
  return ids;
}

void Add(PriorityJobQueue& queue, std::unique_ptr<InferJob> job, Clock::TimePoint now = std::chrono::steady_clock::now()) {
  ASSERT_TRUE(queue.Enqueue(job, now).ok());
}

TEST(PriorityJobQueueTest, OneLevelIsFifo) {
  PriorityJobQueue queue{inference::ModelDynamicBatching()};
  for (const char* id : {"a", "b", "c"}) Add(queue, Job(id));
  EXPECT_EQ(Order(queue), (std::vector<std::string>{"a", "b", "c"}));
  auto taken = queue.TakeFront(2);
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0]->request.id, "a");
  EXPECT_EQ(taken[1]->request.id, "b");
  EXPECT_EQ(queue.size(), 1u);
}

TEST(PriorityJobQueueTest, LevelOneIsServedFirstAndOutOfRangePrioritiesUseTheDefault) {
  inference::ModelDynamicBatching config;
  config.set_priority_levels(3);
  config.set_default_priority_level(2);
  PriorityJobQueue queue(config);
  EXPECT_EQ(queue.LevelFor(0), 2u);
  EXPECT_EQ(queue.LevelFor(4), 2u);
  EXPECT_EQ(queue.LevelFor(1), 1u);
  Add(queue, Job("low", 3));
  Add(queue, Job("default", 0));
  Add(queue, Job("high", 1));
  Add(queue, Job("too-big", 99));
  EXPECT_EQ(Order(queue), (std::vector<std::string>{"high", "default", "too-big", "low"}));
}

TEST(PriorityJobQueueTest, FullLevelRefusesWithTritonsMessageAndKeepsTheJob) {
  inference::ModelDynamicBatching config;
  config.mutable_default_queue_policy()->set_max_queue_size(2);
  PriorityJobQueue queue(config);
  Add(queue, Job("a"));
  Add(queue, Job("b"));
  auto third = Job("c");
  Status refused = queue.Enqueue(third, std::chrono::steady_clock::now());
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.message().find("Exceeds maximum queue size"), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find("max_queue_size 2"), std::string::npos) << refused.message();
  ASSERT_NE(third, nullptr);
  EXPECT_EQ(queue.size(), 2u);
}

TEST(PriorityJobQueueTest, MaxQueueSizeIsPerLevel) {
  inference::ModelDynamicBatching config;
  config.set_priority_levels(2);
  config.set_default_priority_level(2);
  (*config.mutable_priority_queue_policy())[1].set_max_queue_size(1);
  PriorityJobQueue queue(config);
  Add(queue, Job("high", 1));
  auto second_high = Job("high2", 1);
  EXPECT_FALSE(queue.Enqueue(second_high, std::chrono::steady_clock::now()).ok());
  // Level 2 uses the default policy, which has no limit.
  for (int i = 0; i < 5; ++i) Add(queue, Job("low", 2));
  EXPECT_EQ(queue.size(), 6u);
}

TEST(PriorityJobQueueTest, RejectTimeoutDropsOnlyExpiredJobs) {
  inference::ModelDynamicBatching config;
  config.mutable_default_queue_policy()->set_default_timeout_microseconds(1000);
  PriorityJobQueue queue(config);
  const Clock::TimePoint start = std::chrono::steady_clock::now();
  Add(queue, Job("old"), start);
  Add(queue, Job("new"), start + microseconds(800));
  EXPECT_EQ(queue.NextDeadline(), start + microseconds(1000));

  std::vector<DroppedJob> dropped;
  queue.Expire(start + microseconds(999), &dropped);
  EXPECT_TRUE(dropped.empty());
  queue.Expire(start + microseconds(1000), &dropped);
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].job->request.id, "old");
  EXPECT_EQ(dropped[0].reason, DroppedJob::Reason::kTimedOut);
  EXPECT_EQ(dropped[0].timeout_us, 1000u);
  EXPECT_EQ(Order(queue), (std::vector<std::string>{"new"}));
  EXPECT_EQ(queue.size(), 1u);
}

TEST(PriorityJobQueueTest, DelayTimeoutMovesTheJobBehindUnexpiredOnes) {
  inference::ModelDynamicBatching config;
  config.mutable_default_queue_policy()->set_default_timeout_microseconds(1000);
  config.mutable_default_queue_policy()->set_timeout_action(inference::ModelQueuePolicy::DELAY);
  PriorityJobQueue queue(config);
  const Clock::TimePoint start = std::chrono::steady_clock::now();
  Add(queue, Job("first"), start);
  Add(queue, Job("second"), start + microseconds(500));
  std::vector<DroppedJob> dropped;
  queue.Expire(start + microseconds(1200), &dropped);
  EXPECT_TRUE(dropped.empty());
  EXPECT_EQ(Order(queue), (std::vector<std::string>{"second", "first"}));
  // A delayed job has no deadline any more; "second" still does.
  EXPECT_EQ(queue.NextDeadline(), start + microseconds(1500));
  queue.Expire(start + microseconds(1600), &dropped);
  EXPECT_EQ(Order(queue), (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(queue.NextDeadline(), Clock::kNever);
}

TEST(PriorityJobQueueTest, RequestTimeoutOnlyShortensWhenOverrideIsAllowed) {
  inference::ModelDynamicBatching config;
  config.mutable_default_queue_policy()->set_default_timeout_microseconds(1000);
  const Clock::TimePoint start = std::chrono::steady_clock::now();
  {
    PriorityJobQueue queue(config);  // override not allowed: the request's timeout is ignored
    Add(queue, Job("a", 0, 10), start);
    EXPECT_EQ(queue.NextDeadline(), start + microseconds(1000));
  }
  config.mutable_default_queue_policy()->set_allow_timeout_override(true);
  {
    PriorityJobQueue queue(config);
    Add(queue, Job("shorter", 0, 10), start);
    EXPECT_EQ(queue.NextDeadline(), start + microseconds(10));
  }
  {
    PriorityJobQueue queue(config);
    Add(queue, Job("longer", 0, 5000), start);
    EXPECT_EQ(queue.NextDeadline(), start + microseconds(1000));
  }
  config.mutable_default_queue_policy()->set_default_timeout_microseconds(0);
  {
    PriorityJobQueue queue(config);  // no policy timeout: the request's own applies
    Add(queue, Job("own", 0, 5000), start);
    EXPECT_EQ(queue.NextDeadline(), start + microseconds(5000));
  }
}

TEST(PriorityJobQueueTest, CancelledJobsAreDropped) {
  PriorityJobQueue queue{inference::ModelDynamicBatching()};
  auto flag = std::make_shared<std::atomic<bool>>(false);
  auto job = Job("gone");
  job->cancelled = flag;
  Add(queue, std::move(job));
  Add(queue, Job("stays"));
  std::vector<DroppedJob> dropped;
  queue.Expire(std::chrono::steady_clock::now(), &dropped);
  EXPECT_TRUE(dropped.empty());
  flag->store(true);
  queue.Expire(std::chrono::steady_clock::now(), &dropped);
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].reason, DroppedJob::Reason::kCancelled);
  EXPECT_EQ(Order(queue), (std::vector<std::string>{"stays"}));
}

}  // namespace
}  // namespace inferd
