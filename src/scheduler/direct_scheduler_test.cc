#include "scheduler/direct_scheduler.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <future>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "common/gate_for_test.h"

namespace inferd {
namespace {

// An instance that doubles one INT32 input, optionally after a delay, and
// records how many executions overlap.
class DoublingInstance : public BackendInstance {
 public:
  DoublingInstance(std::atomic<int>* active, std::atomic<int>* max_active, Gate* gate)
      : active_(active), max_active_(max_active), gate_(gate) {}

  Result<std::vector<Tensor>> Execute(const std::vector<Tensor>& inputs, const std::vector<std::string>&,
                                      ExecutionRequests, ExecutionTimings*) override {
    int now = ++*active_;
    int seen = max_active_->load();
    while (now > seen && !max_active_->compare_exchange_weak(seen, now)) {
    }
    gate_->Pass();
    --*active_;
    if (inputs.empty()) return Status::InvalidArgument("no input");
    int32_t value = 0;
    std::memcpy(&value, inputs[0].data, 4);
    value *= 2;
    std::string out(4, '\0');
    std::memcpy(out.data(), &value, 4);
    return std::vector<Tensor>{Tensor::FromBuffer("OUT", DataType::kInt32, {1}, out)};
  }

 private:
  std::atomic<int>* active_;
  std::atomic<int>* max_active_;
  Gate* gate_;
};

std::unique_ptr<InferJob> MakeJob(int32_t value, std::promise<Result<InferenceResponse>>* promise) {
  auto job = std::make_unique<InferJob>();
  std::string buffer(4, '\0');
  std::memcpy(buffer.data(), &value, 4);
  job->request.model_name = "m";
  job->request.id = std::to_string(value);
  job->request.inputs.push_back(Tensor::FromBuffer("IN", DataType::kInt32, {1}, buffer));
  job->done = [promise](Result<InferenceResponse> result) { promise->set_value(std::move(result)); };
  return job;
}

int32_t FirstValue(const InferenceResponse& response) {
  int32_t value = 0;
  std::memcpy(&value, response.outputs.at(0).data, 4);
  return value;
}

class DirectSchedulerTest : public ::testing::Test {
 protected:
  std::unique_ptr<DirectScheduler> Make(int instances) {
    std::vector<std::unique_ptr<BackendInstance>> list;
    for (int i = 0; i < instances; ++i) list.push_back(std::make_unique<DoublingInstance>(&active_, &max_active_, &gate_));
    return std::make_unique<DirectScheduler>(ScheduledModel{"m", 1, &stats_}, std::move(list));
  }
  Gate gate_;  // open unless a test closes it
  std::atomic<int> active_{0};
  std::atomic<int> max_active_{0};
  ModelStatistics stats_{"m", 1};
};

TEST_F(DirectSchedulerTest, EveryJobGetsItsOwnAnswerAndIsCounted) {
  auto scheduler = Make(2);
  constexpr int kJobs = 64;
  std::vector<std::promise<Result<InferenceResponse>>> promises(kJobs);
  for (int i = 0; i < kJobs; ++i) scheduler->Enqueue(MakeJob(i, &promises[i]));
  for (int i = 0; i < kJobs; ++i) {
    Result<InferenceResponse> result = promises[i].get_future().get();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(FirstValue(*result), 2 * i);
    EXPECT_EQ(result->id, std::to_string(i));
    EXPECT_EQ(result->model_version, 1);
  }
  ModelStatisticsSnapshot snapshot = stats_.Snapshot();
  EXPECT_EQ(snapshot.success.count, static_cast<uint64_t>(kJobs));
  EXPECT_EQ(snapshot.inference_count, static_cast<uint64_t>(kJobs));
  EXPECT_EQ(snapshot.execution_count, static_cast<uint64_t>(kJobs));
  EXPECT_EQ(snapshot.fail.count, 0u);
}

TEST_F(DirectSchedulerTest, TwoInstancesRunConcurrently) {
  gate_.Close();
  auto scheduler = Make(2);
  std::vector<std::promise<Result<InferenceResponse>>> promises(4);
  for (int i = 0; i < 4; ++i) scheduler->Enqueue(MakeJob(i, &promises[i]));
  ASSERT_TRUE(gate_.AwaitHeld(2));  // two executions at once
  gate_.Open();
  for (auto& promise : promises) ASSERT_TRUE(promise.get_future().get().ok());
  EXPECT_EQ(max_active_.load(), 2);
}

TEST_F(DirectSchedulerTest, BackendErrorFailsOnlyThatJob) {
  auto scheduler = Make(1);
  std::promise<Result<InferenceResponse>> bad_promise;
  auto bad = MakeJob(1, &bad_promise);
  bad->request.inputs.clear();
  scheduler->Enqueue(std::move(bad));
  std::promise<Result<InferenceResponse>> good_promise;
  scheduler->Enqueue(MakeJob(5, &good_promise));
  Result<InferenceResponse> bad_result = bad_promise.get_future().get();
  ASSERT_FALSE(bad_result.ok());
  EXPECT_EQ(bad_result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_result.status().message().find("model 'm'"), std::string::npos);
  Result<InferenceResponse> good_result = good_promise.get_future().get();
  ASSERT_TRUE(good_result.ok());
  EXPECT_EQ(FirstValue(*good_result), 10);
  EXPECT_EQ(stats_.Snapshot().fail.count, 1u);
}

TEST_F(DirectSchedulerTest, StopDrainsQueuedJobsThenRejectsNewOnes) {
  gate_.Close();
  auto scheduler = Make(1);
  constexpr int kJobs = 10;
  std::deque<std::promise<Result<InferenceResponse>>> promises;
  std::vector<std::future<Result<InferenceResponse>>> queued;
  for (int i = 0; i < kJobs; ++i) {
    queued.push_back(promises.emplace_back().get_future());
    scheduler->Enqueue(MakeJob(i, &promises.back()));
  }
  ASSERT_TRUE(gate_.AwaitHeld(1));
  std::thread stopper([&] { scheduler->Stop(); });
  // Stop has begun once a job is refused at once; jobs offered before that
  // queue behind the others, and everything queued is still held.
  std::optional<Result<InferenceResponse>> refused;
  for (int attempt = 0; attempt < 1'000'000 && !refused; ++attempt) {
    std::future<Result<InferenceResponse>> answer = promises.emplace_back().get_future();
    scheduler->Enqueue(MakeJob(100, &promises.back()));
    if (answer.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      refused = answer.get();
    } else {
      queued.push_back(std::move(answer));
    }
  }
  ASSERT_TRUE(refused.has_value());
  ASSERT_FALSE(refused->ok());
  EXPECT_EQ(refused->status().code(), StatusCode::kUnavailable);
  for (auto& answer : queued) EXPECT_EQ(answer.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  gate_.Open();
  stopper.join();
  for (auto& answer : queued) EXPECT_TRUE(answer.get().ok());
  EXPECT_EQ(scheduler->InFlight(), 0u);
}

}  // namespace
}  // namespace inferd
