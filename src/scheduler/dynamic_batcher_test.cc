#include "scheduler/dynamic_batcher.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "common/fake_clock_for_test.h"
#include "common/gate_for_test.h"

namespace inferd {
namespace {

using namespace std::chrono_literals;
using SteadyTime = std::chrono::steady_clock;

// The tests run the batcher on a FakeClock: queue delays and timeouts pass
// when a test advances it, and clock.AwaitWaiterUntil(t) tells that the
// batcher has done everything it can before t. No test sleeps.

// What the fake instances saw, shared by all instances of one test.
struct Recorder {
  std::mutex mutex;
  std::vector<int64_t> batch_rows;       // rows of each execution, in execution order
  std::vector<int32_t> first_values;     // first input value of each execution
  // The "tag" request parameter of each request of each execution ("" if absent).
  std::vector<std::vector<std::string>> tags;
  std::atomic<int> active{0};
  std::atomic<int> max_active{0};
  std::atomic<int> started{0};
  std::condition_variable started_changed;  // with `mutex`
  Gate gate;
  std::function<void(int32_t first_value)> before_execute;  // optional; set before enqueuing

  std::vector<int64_t> Rows() {
    std::lock_guard lock(mutex);
    return batch_rows;
  }
  std::vector<int32_t> Firsts() {
    std::lock_guard lock(mutex);
    return first_values;
  }
  // Waits (at most 10 s) until `count` executions have started.
  bool AwaitStarted(int count) {
    std::unique_lock lock(mutex);
    return started_changed.wait_for(lock, std::chrono::seconds(10), [&] { return started.load() >= count; });
  }
};

// Echoes input "IN" (INT32 [rows, width]) doubled as "OUT", and the row
// index inside the batch as "ROW" (INT32 [rows, 1]). An input value of -1
// makes the execution fail.
class EchoInstance : public BackendInstance {
 public:
  explicit EchoInstance(Recorder* recorder) : recorder_(recorder) {}

  Result<std::vector<Tensor>> Execute(const std::vector<Tensor>& inputs, const std::vector<std::string>& names,
                                      ExecutionRequests parameters, ExecutionTimings*) override {
    const Tensor& in = inputs.at(0);
    const int64_t rows = in.shape.at(0);
    std::vector<int32_t> values(in.byte_size / 4);
    std::memcpy(values.data(), in.data, in.byte_size);
    {
      std::lock_guard lock(recorder_->mutex);
      std::vector<std::string>& tags = recorder_->tags.emplace_back();
      for (const ExecutionRequest& request : parameters) {
        auto tag = request.parameters->find("tag");
        tags.push_back(tag == request.parameters->end() ? "" : std::get<std::string>(tag->second));
      }
      recorder_->batch_rows.push_back(rows);
      recorder_->first_values.push_back(values.at(0));
    }
    {
      std::lock_guard lock(recorder_->mutex);
      ++recorder_->started;
    }
    recorder_->started_changed.notify_all();
    int now = ++recorder_->active;
    int seen = recorder_->max_active.load();
    while (now > seen && !recorder_->max_active.compare_exchange_weak(seen, now)) {
    }
    recorder_->gate.Pass();
    if (recorder_->before_execute) recorder_->before_execute(values.at(0));
    --recorder_->active;
    for (int32_t v : values) {
      if (v == -1) return Status::InvalidArgument("the fake model refuses -1");
    }

    std::string out(in.byte_size, '\0');
    for (size_t i = 0; i < values.size(); ++i) values[i] *= 2;
    std::memcpy(out.data(), values.data(), out.size());
    std::string row(rows * 4, '\0');
    for (int32_t r = 0; r < rows; ++r) std::memcpy(row.data() + r * 4, &r, 4);
    Tensor out_tensor = Tensor::FromBuffer("OUT", DataType::kInt32, in.shape, std::move(out));
    Tensor row_tensor = Tensor::FromBuffer("ROW", DataType::kInt32, {rows, 1}, std::move(row));
    if (names.empty()) return std::vector<Tensor>{out_tensor, row_tensor};
    std::vector<Tensor> selected;
    for (const auto& name : names) selected.push_back(name == "OUT" ? out_tensor : row_tensor);
    return selected;
  }

 private:
  Recorder* recorder_;
};

// One pending request and its answer.
struct Call {
  std::promise<Result<InferenceResponse>> promise;
  std::future<Result<InferenceResponse>> future = promise.get_future();
  SteadyTime::time_point answered;
};

std::unique_ptr<InferJob> MakeJob(std::vector<int32_t> values, int64_t rows, Call* call, uint64_t priority = 0,
                                  uint64_t timeout_us = 0) {
  auto job = std::make_unique<InferJob>();
  std::string buffer(values.size() * 4, '\0');
  std::memcpy(buffer.data(), values.data(), buffer.size());
  const int64_t width = static_cast<int64_t>(values.size()) / rows;
  job->request.model_name = "m";
  job->request.id = std::to_string(values.at(0));
  job->request.inputs.push_back(Tensor::FromBuffer("IN", DataType::kInt32, {rows, width}, std::move(buffer)));
  job->batch_size = rows;
  job->priority = priority;
  job->timeout_us = timeout_us;
  job->done = [call](Result<InferenceResponse> result) {
    call->answered = SteadyTime::now();
    call->promise.set_value(std::move(result));
  };
  return job;
}

std::vector<int32_t> Values(const Tensor& tensor) {
  std::vector<int32_t> values(tensor.byte_size / 4);
  std::memcpy(values.data(), tensor.data, tensor.byte_size);
  return values;
}

class DynamicBatcherTest : public ::testing::Test {
 protected:
  std::unique_ptr<DynamicBatcher> Make(int instances = 1, Clock* clock = nullptr) {
    config_.set_name("m");
    std::vector<std::unique_ptr<BackendInstance>> list;
    for (int i = 0; i < instances; ++i) list.push_back(std::make_unique<EchoInstance>(&recorder_));
    Result<std::unique_ptr<DynamicBatcher>> batcher =
        DynamicBatcher::Create(config_, ScheduledModel{"m", 1, &stats_, clock != nullptr ? clock : &clock_},
                               std::move(list));
    EXPECT_TRUE(batcher.ok()) << batcher.status().ToString();
    return std::move(batcher).value();
  }
  inference::ModelDynamicBatching& Batching() { return *config_.mutable_dynamic_batching(); }
  // Occupies the (single) instance with one job until recorder_.gate opens.
  void Block(DynamicBatcher& batcher, Call* call) {
    recorder_.gate.Close();
    batcher.Enqueue(MakeJob({1000}, 1, call));
    ASSERT_TRUE(recorder_.AwaitStarted(1));
  }
  // Waits (at most 10 s) until the batcher holds no job.
  static bool AwaitIdle(const DynamicBatcher& batcher) {
    const auto deadline = SteadyTime::now() + 10s;
    while (batcher.InFlight() != 0 && SteadyTime::now() < deadline) std::this_thread::yield();
    return batcher.InFlight() == 0;
  }

  inference::ModelConfig config_;
  FakeClock clock_;
  Recorder recorder_;
  ModelStatistics stats_{"m", 1};
};

TEST_F(DynamicBatcherTest, TheBackendSeesEachRequestsParametersInRowOrder) {
  config_.set_max_batch_size(16);
  Batching();
  auto batcher = Make();
  Call blocker;
  Block(*batcher, &blocker);
  std::vector<Call> calls(3);
  for (int i = 0; i < 3; ++i) {
    auto job = MakeJob({i}, 1, &calls[i]);
    job->request.parameters["tag"] = std::string("request-") + std::to_string(i);
    batcher->Enqueue(std::move(job));
  }
  recorder_.gate.Open();
  ASSERT_TRUE(blocker.future.get().ok());
  for (Call& call : calls) ASSERT_TRUE(call.future.get().ok());
  std::lock_guard lock(recorder_.mutex);
  // The blocker ran alone (through the single-request path), the rest as one batch.
  EXPECT_EQ(recorder_.tags,
            (std::vector<std::vector<std::string>>{{""}, {"request-0", "request-1", "request-2"}}));
}

TEST_F(DynamicBatcherTest, RequestsQueuedBehindABusyInstanceRunAsOneBatchAndGetTheirOwnRows) {
  config_.set_max_batch_size(16);
  Batching();
  auto batcher = Make();
  Call blocker;
  Block(*batcher, &blocker);
  std::vector<Call> calls(5);
  for (int i = 0; i < 5; ++i) {
    // Request i has i+1 rows of width 2: values 100*i, 100*i+1, ...
    std::vector<int32_t> values;
    for (int v = 0; v < (i + 1) * 2; ++v) values.push_back(100 * i + v);
    batcher->Enqueue(MakeJob(values, i + 1, &calls[i]));
  }
  recorder_.gate.Open();
  ASSERT_TRUE(blocker.future.get().ok());
  for (int i = 0; i < 5; ++i) {
    Result<InferenceResponse> result = calls[i].future.get();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_EQ(result->outputs.size(), 2u);
    const Tensor& out = result->outputs[0];
    EXPECT_EQ(out.shape, (Shape{i + 1, 2}));
    std::vector<int32_t> expected;
    for (int v = 0; v < (i + 1) * 2; ++v) expected.push_back(2 * (100 * i + v));
    EXPECT_EQ(Values(out), expected);
    EXPECT_EQ(result->id, std::to_string(100 * i));
  }
  EXPECT_EQ(recorder_.Rows(), (std::vector<int64_t>{1, 15}));
  ModelStatisticsSnapshot snapshot = stats_.Snapshot();
  EXPECT_EQ(snapshot.execution_count, 2u);
  EXPECT_EQ(snapshot.inference_count, 16u);
  EXPECT_EQ(snapshot.success.count, 6u);
  ASSERT_EQ(snapshot.batch_stats.size(), 2u);
  EXPECT_EQ(snapshot.batch_stats[1].batch_size, 15u);
  // The worker counts its batch done just after the last answer went out.
  EXPECT_TRUE(AwaitIdle(*batcher));
}

TEST_F(DynamicBatcherTest, BatchesNeverExceedMaxBatchSize) {
  config_.set_max_batch_size(4);
  Batching();
  auto batcher = Make();
  Call blocker;
  Block(*batcher, &blocker);
  std::vector<Call> calls(10);
  for (int i = 0; i < 10; ++i) batcher->Enqueue(MakeJob({i, i}, i % 3 == 0 ? 2 : 1, &calls[i]));
  recorder_.gate.Open();
  for (int i = 0; i < 10; ++i) {
    Result<InferenceResponse> result = calls[i].future.get();
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(Values(result->outputs[0])[0], 2 * i);
  }
  int64_t total = 0;
  for (int64_t rows : recorder_.Rows()) {
    EXPECT_LE(rows, 4);
    total += rows;
  }
  EXPECT_EQ(total, 1 + 14);  // the blocker, then 4 jobs of 2 rows and 6 of 1
}

TEST_F(DynamicBatcherTest, PreferredSizeRunsWithoutWaitingForTheDelay) {
  config_.set_max_batch_size(8);
  Batching().add_preferred_batch_size(2);
  Batching().set_max_queue_delay_microseconds(10'000'000);
  auto batcher = Make();
  std::vector<Call> calls(2);
  batcher->Enqueue(MakeJob({1}, 1, &calls[0]));
  batcher->Enqueue(MakeJob({2}, 1, &calls[1]));
  // The clock never moves: only the preferred size can have released them.
  for (auto& call : calls) {
    ASSERT_EQ(call.future.wait_for(10s), std::future_status::ready);
    ASSERT_TRUE(call.future.get().ok());
  }
  EXPECT_EQ(recorder_.Rows(), (std::vector<int64_t>{2}));
}

TEST_F(DynamicBatcherTest, QueueDelayGathersABatchThenRunsIt) {
  config_.set_max_batch_size(8);
  Batching().add_preferred_batch_size(8);
  Batching().set_max_queue_delay_microseconds(200'000);
  auto batcher = Make();
  const Clock::TimePoint start = clock_.Now();
  std::vector<Call> calls(3);
  for (int i = 0; i < 3; ++i) batcher->Enqueue(MakeJob({i}, 1, &calls[i]));
  // The batcher sleeps until the oldest job's delay is over, and only then runs them.
  ASSERT_TRUE(clock_.AwaitWaiterUntil(start + 200ms));
  clock_.Advance(199ms);
  ASSERT_TRUE(clock_.AwaitWaiterUntil(start + 200ms));
  EXPECT_EQ(recorder_.started.load(), 0);
  clock_.Advance(1ms);
  for (auto& call : calls) ASSERT_TRUE(call.future.get().ok());
  EXPECT_EQ(recorder_.Rows(), (std::vector<int64_t>{3}));
}

TEST_F(DynamicBatcherTest, PreserveOrderingHoldsAFastResponseUntilTheSlowerEarlierOne) {
  config_.set_max_batch_size(1);
  Batching().set_preserve_ordering(true);
  Gate slow;  // holds the execution of job 0
  slow.Close();
  recorder_.before_execute = [&slow](int32_t value) {
    if (value == 0) slow.Pass();
  };
  auto batcher = Make(2);
  std::vector<Call> calls(2);
  batcher->Enqueue(MakeJob({0}, 1, &calls[0]));
  batcher->Enqueue(MakeJob({1}, 1, &calls[1]));
  // Job 1 ran on the other instance and its worker is done with it (one job
  // left in flight), but its answer waits for job 0's.
  ASSERT_TRUE(recorder_.AwaitStarted(2));
  const auto deadline = SteadyTime::now() + 10s;
  while (batcher->InFlight() != 1 && SteadyTime::now() < deadline) std::this_thread::yield();
  ASSERT_EQ(batcher->InFlight(), 1u);
  EXPECT_EQ(calls[1].future.wait_for(0s), std::future_status::timeout);
  slow.Open();
  ASSERT_TRUE(calls[1].future.get().ok());
  ASSERT_TRUE(calls[0].future.get().ok());
  EXPECT_LE(calls[0].answered, calls[1].answered);
}

TEST_F(DynamicBatcherTest, WithoutPreserveOrderingAFastResponseIsNotHeld) {
  config_.set_max_batch_size(1);
  Batching();
  Gate slow;  // holds the execution of job 0
  slow.Close();
  recorder_.before_execute = [&slow](int32_t value) {
    if (value == 0) slow.Pass();
  };
  auto batcher = Make(2);
  std::vector<Call> calls(2);
  batcher->Enqueue(MakeJob({0}, 1, &calls[0]));
  batcher->Enqueue(MakeJob({1}, 1, &calls[1]));
  // Job 1's answer arrives while job 0 is still held.
  ASSERT_EQ(calls[1].future.wait_for(10s), std::future_status::ready);
  ASSERT_TRUE(calls[1].future.get().ok());
  EXPECT_EQ(calls[0].future.wait_for(0s), std::future_status::timeout);
  slow.Open();
  ASSERT_TRUE(calls[0].future.get().ok());
}

TEST_F(DynamicBatcherTest, HigherPriorityIsServedFirst) {
  config_.set_max_batch_size(1);
  Batching().set_priority_levels(2);
  Batching().set_default_priority_level(2);
  auto batcher = Make();
  Call blocker;
  Block(*batcher, &blocker);
  std::vector<Call> calls(4);
  batcher->Enqueue(MakeJob({1}, 1, &calls[0], 2));
  batcher->Enqueue(MakeJob({2}, 1, &calls[1], 0));  // default level 2
  batcher->Enqueue(MakeJob({3}, 1, &calls[2], 1));
  batcher->Enqueue(MakeJob({4}, 1, &calls[3], 1));
  recorder_.gate.Open();
  for (auto& call : calls) ASSERT_TRUE(call.future.get().ok());
  EXPECT_EQ(recorder_.Firsts(), (std::vector<int32_t>{1000, 3, 4, 1, 2}));
}

TEST_F(DynamicBatcherTest, FullQueueRejectsAtOnceWithUnavailable) {
  config_.set_max_batch_size(1);
  Batching().mutable_default_queue_policy()->set_max_queue_size(2);
  auto batcher = Make();
  Call blocker;
  Block(*batcher, &blocker);
  std::vector<Call> calls(3);
  for (int i = 0; i < 3; ++i) batcher->Enqueue(MakeJob({i}, 1, &calls[i]));
  ASSERT_EQ(calls[2].future.wait_for(1s), std::future_status::ready);
  Result<InferenceResponse> refused = calls[2].future.get();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("model 'm' version 1"), std::string::npos);
  EXPECT_NE(refused.status().message().find("Exceeds maximum queue size"), std::string::npos);
  recorder_.gate.Open();
  EXPECT_TRUE(calls[0].future.get().ok());
  EXPECT_TRUE(calls[1].future.get().ok());
  EXPECT_EQ(stats_.Snapshot().fail.count, 1u);
}

TEST_F(DynamicBatcherTest, RejectTimeoutFiresWhileTheInstanceIsStillBusy) {
  config_.set_max_batch_size(4);
  Batching().mutable_default_queue_policy()->set_default_timeout_microseconds(50'000);
  auto batcher = Make();
  Call blocker;
  Block(*batcher, &blocker);
  Call call;
  const Clock::TimePoint start = clock_.Now();
  batcher->Enqueue(MakeJob({7}, 1, &call));
  // The instance stays blocked: the answer must come from the batcher's timer.
  ASSERT_TRUE(clock_.AwaitWaiterUntil(start + 50ms));
  clock_.Advance(49ms);
  ASSERT_TRUE(clock_.AwaitWaiterUntil(start + 50ms));
  EXPECT_EQ(call.future.wait_for(0s), std::future_status::timeout);
  clock_.Advance(1ms);
  ASSERT_EQ(call.future.wait_for(10s), std::future_status::ready);
  Result<InferenceResponse> result = call.future.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(result.status().message().find("Request timeout expired: the request waited 50.0 ms in the queue, "
                                           "longer than its timeout of 50000 us"),
            std::string::npos)
      << result.status().message();
  EXPECT_EQ(recorder_.started.load(), 1);  // it never reached the instance
  recorder_.gate.Open();
  EXPECT_TRUE(blocker.future.get().ok());
}

TEST_F(DynamicBatcherTest, RequestTimeoutOverridesAShorterOneOnly) {
  config_.set_max_batch_size(4);
  Batching().mutable_default_queue_policy()->set_allow_timeout_override(true);
  auto batcher = Make();
  Call blocker;
  Block(*batcher, &blocker);
  Call timed, untimed;
  const Clock::TimePoint start = clock_.Now();
  batcher->Enqueue(MakeJob({1}, 1, &timed, 0, 30'000));
  batcher->Enqueue(MakeJob({2}, 1, &untimed));
  ASSERT_TRUE(clock_.AwaitWaiterUntil(start + 30ms));
  clock_.Advance(30ms);
  ASSERT_EQ(timed.future.wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(timed.future.get().ok());
  // The untimed job has no deadline: the batcher sleeps without one.
  ASSERT_TRUE(clock_.AwaitWaiterUntil(Clock::kNever));
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(untimed.future.wait_for(0s), std::future_status::timeout);
  recorder_.gate.Open();
  EXPECT_TRUE(untimed.future.get().ok());
}

TEST_F(DynamicBatcherTest, DelayTimeoutMovesTheRequestBehindLaterOnes) {
  config_.set_max_batch_size(1);
  auto* policy = Batching().mutable_default_queue_policy();
  policy->set_timeout_action(inference::ModelQueuePolicy::DELAY);
  policy->set_allow_timeout_override(true);
  auto batcher = Make();
  Call blocker;
  Block(*batcher, &blocker);
  std::vector<Call> calls(3);
  const Clock::TimePoint start = clock_.Now();
  batcher->Enqueue(MakeJob({1}, 1, &calls[0], 0, 20'000));  // expires while blocked
  batcher->Enqueue(MakeJob({2}, 1, &calls[1]));
  batcher->Enqueue(MakeJob({3}, 1, &calls[2]));
  ASSERT_TRUE(clock_.AwaitWaiterUntil(start + 20ms));
  clock_.Advance(20ms);
  // Moved behind the others, without a deadline now.
  ASSERT_TRUE(clock_.AwaitWaiterUntil(Clock::kNever));
  recorder_.gate.Open();
  for (auto& call : calls) ASSERT_TRUE(call.future.get().ok());  // delayed, not rejected
  EXPECT_EQ(recorder_.Firsts(), (std::vector<int32_t>{1000, 2, 3, 1}));
}

TEST_F(DynamicBatcherTest, RequestsWithDifferentRowShapesAreNotMerged) {
  config_.set_max_batch_size(8);
  Batching();
  auto batcher = Make();
  Call blocker;
  Block(*batcher, &blocker);
  std::vector<Call> calls(4);
  batcher->Enqueue(MakeJob({1, 1}, 1, &calls[0]));
  batcher->Enqueue(MakeJob({2, 2}, 1, &calls[1]));
  batcher->Enqueue(MakeJob({3, 3, 3}, 1, &calls[2]));
  batcher->Enqueue(MakeJob({4, 4}, 1, &calls[3]));
  recorder_.gate.Open();
  for (int i = 0; i < 4; ++i) {
    Result<InferenceResponse> result = calls[i].future.get();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(Values(result->outputs[0])[0], 2 * (i + 1));
    EXPECT_EQ(result->outputs[0].shape[1], i == 2 ? 3 : 2);
  }
  EXPECT_EQ(recorder_.Rows(), (std::vector<int64_t>{1, 2, 1, 1}));
}

TEST_F(DynamicBatcherTest, JobsAskingForDifferentOutputsShareABatch) {
  config_.set_max_batch_size(8);
  Batching();
  auto batcher = Make();
  Call blocker;
  Block(*batcher, &blocker);
  std::vector<Call> calls(3);
  auto row_only = MakeJob({5}, 1, &calls[0]);
  row_only->request.outputs.push_back({"ROW", {}});
  auto out_only = MakeJob({6}, 1, &calls[1]);
  out_only->request.outputs.push_back({"OUT", {}});
  batcher->Enqueue(std::move(row_only));
  batcher->Enqueue(std::move(out_only));
  batcher->Enqueue(MakeJob({7}, 1, &calls[2]));
  recorder_.gate.Open();
  Result<InferenceResponse> row = calls[0].future.get();
  Result<InferenceResponse> out = calls[1].future.get();
  Result<InferenceResponse> all = calls[2].future.get();
  ASSERT_TRUE(row.ok() && out.ok() && all.ok());
  ASSERT_EQ(row->outputs.size(), 1u);
  EXPECT_EQ(row->outputs[0].name, "ROW");
  EXPECT_EQ(Values(row->outputs[0]), (std::vector<int32_t>{0}));
  ASSERT_EQ(out->outputs.size(), 1u);
  EXPECT_EQ(Values(out->outputs[0]), (std::vector<int32_t>{12}));
  ASSERT_EQ(all->outputs.size(), 2u);
  EXPECT_EQ(Values(all->outputs[1]), (std::vector<int32_t>{2}));  // third row of the batch
  EXPECT_EQ(recorder_.Rows(), (std::vector<int64_t>{1, 3}));
}

TEST_F(DynamicBatcherTest, BackendErrorFailsEveryJobOfThatBatchOnly) {
  config_.set_max_batch_size(2);
  Batching();
  auto batcher = Make();
  Call blocker;
  Block(*batcher, &blocker);
  std::vector<Call> calls(3);
  batcher->Enqueue(MakeJob({-1}, 1, &calls[0]));
  batcher->Enqueue(MakeJob({2}, 1, &calls[1]));
  batcher->Enqueue(MakeJob({3}, 1, &calls[2]));
  recorder_.gate.Open();
  for (int i = 0; i < 2; ++i) {
    Result<InferenceResponse> failed = calls[i].future.get();
    ASSERT_FALSE(failed.ok());
    EXPECT_NE(failed.status().message().find("model 'm' version 1"), std::string::npos);
  }
  EXPECT_TRUE(calls[2].future.get().ok());
  EXPECT_EQ(stats_.Snapshot().fail.count, 2u);
}

TEST_F(DynamicBatcherTest, CancelledJobIsDroppedBeforeExecution) {
  config_.set_max_batch_size(4);
  Batching();
  auto batcher = Make();
  Call blocker;
  Block(*batcher, &blocker);
  Call call;
  auto flag = std::make_shared<std::atomic<bool>>(false);
  auto job = MakeJob({9}, 1, &call);
  job->cancelled = flag;
  batcher->Enqueue(std::move(job));
  flag->store(true);
  recorder_.gate.Open();
  Result<InferenceResponse> result = call.future.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(recorder_.started.load(), 1);
}

TEST_F(DynamicBatcherTest, TwoInstancesRunBatchesConcurrently) {
  config_.set_max_batch_size(1);
  Batching();
  recorder_.gate.Close();
  auto batcher = Make(2);
  std::vector<Call> calls(4);
  for (int i = 0; i < 4; ++i) batcher->Enqueue(MakeJob({i}, 1, &calls[i]));
  // Both instances are inside an execution at once.
  ASSERT_TRUE(recorder_.gate.AwaitHeld(2));
  recorder_.gate.Open();
  for (auto& call : calls) ASSERT_TRUE(call.future.get().ok());
  EXPECT_EQ(recorder_.max_active.load(), 2);
}

TEST_F(DynamicBatcherTest, StopRunsQueuedJobsWithoutWaitingForTheDelayThenRefusesNewOnes) {
  config_.set_max_batch_size(8);
  Batching().set_max_queue_delay_microseconds(60'000'000);
  auto batcher = Make();
  std::vector<Call> calls(3);
  for (int i = 0; i < 3; ++i) batcher->Enqueue(MakeJob({i}, 1, &calls[i]));
  batcher->Stop();  // the fake clock never reaches the delay
  for (auto& call : calls) EXPECT_TRUE(call.future.get().ok());
  EXPECT_EQ(batcher->InFlight(), 0u);
  Call late;
  batcher->Enqueue(MakeJob({1}, 1, &late));
  Result<InferenceResponse> refused = late.future.get();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  batcher->Stop();  // a second Stop is harmless
}

TEST_F(DynamicBatcherTest, ManyConcurrentClientsEachGetTheirOwnRows) {
  config_.set_max_batch_size(8);
  Batching().set_max_queue_delay_microseconds(500);
  auto batcher = Make(2, &Clock::Steady());  // real delays, so that lone jobs leave
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::thread> clients;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int32_t base = t * 10000 + i * 10;
        const int64_t rows = 1 + (i % 3);
        std::vector<int32_t> values;
        for (int r = 0; r < rows; ++r) values.push_back(base + r);
        Call call;
        batcher->Enqueue(MakeJob(values, rows, &call));
        Result<InferenceResponse> result = call.future.get();
        if (!result.ok()) {
          ++wrong;
          continue;
        }
        std::vector<int32_t> expected;
        for (int32_t v : values) expected.push_back(2 * v);
        if (Values(result->outputs[0]) != expected) ++wrong;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(wrong.load(), 0);
  ModelStatisticsSnapshot snapshot = stats_.Snapshot();
  EXPECT_EQ(snapshot.success.count, static_cast<uint64_t>(kThreads * kPerThread));
  for (const BatchStat& stat : snapshot.batch_stats) EXPECT_LE(stat.batch_size, 8u);
  for (int64_t rows : recorder_.Rows()) EXPECT_LE(rows, 8);
}

}  // namespace
}  // namespace inferd
