#include "scheduler/ensemble_scheduler.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace inferd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

// The graphs are written out by hand (not parsed from a config) so this test
// needs no protobuf and runs under ThreadSanitizer.
//
// diamond: split(X = A, Y = B) -> S = X + Y as "SUM", D = X - Y as "diff";
// left(IN = SUM), right(IN = diff): OUT = IN * 2 as "l", "r";
// join(X = l, Y = r) -> S = X + Y as "OUT".
// So OUT = 2(A + B) + 2(A - B) = 4A, and SUM = A + B is returned too.
std::shared_ptr<const EnsembleGraph> DiamondGraph() {
  auto graph = std::make_shared<EnsembleGraph>();
  graph->name = "diamond";
  graph->tensors = {"A", "B", "SUM", "diff", "l", "r", "OUT"};
  graph->input_slots = {0, 1};
  graph->output_slots = {6, 2};
  graph->steps = {
      {"split", -1, {{"X", 0}, {"Y", 1}}, {{"D", 3}, {"S", 2}}},
      {"left", -1, {{"IN", 2}}, {{"OUT", 4}}},
      {"right", -1, {{"IN", 3}}, {{"OUT", 5}}},
      {"join", -1, {{"X", 4}, {"Y", 5}}, {{"S", 6}}},
  };
  graph->consumers = {{0}, {0}, {1}, {2}, {3}, {3}, {}};
  return graph;
}

// chain: passthrough(IN) -> "mid" -> passthrough(IN) -> "OUT".
std::shared_ptr<const EnsembleGraph> ChainGraph() {
  auto graph = std::make_shared<EnsembleGraph>();
  graph->name = "chain";
  graph->tensors = {"IN", "mid", "OUT"};
  graph->input_slots = {0};
  graph->output_slots = {2};
  graph->steps = {
      {"passthrough", -1, {{"IN", 0}}, {{"OUT", 1}}},
      {"passthrough", -1, {{"IN", 1}}, {{"OUT", 2}}},
  };
  graph->consumers = {{0}, {1}, {}};
  return graph;
}

Tensor Floats(const std::string& name, std::vector<float> values) {
  std::string bytes(values.size() * sizeof(float), '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return Tensor::FromBuffer(name, DataType::kFp32, {static_cast<int64_t>(values.size())}, std::move(bytes));
}

std::vector<float> ValuesOf(const Tensor& tensor) {
  std::vector<float> values(tensor.byte_size / sizeof(float));
  std::memcpy(values.data(), tensor.data, tensor.byte_size);
  return values;
}

const Tensor* Named(const std::vector<Tensor>& tensors, const std::string& name) {
  for (const auto& tensor : tensors) {
    if (tensor.name == name) return &tensor;
  }
  return nullptr;
}

// Plays the composing models: computes each step on its own thread (like a
// model's scheduler would), records what it saw, and can be told to hold a
// model's steps until released or to fail them.
class FakeServer {
 public:
  ~FakeServer() { JoinAll(); }

  // Waits for every step started so far, including steps those submit.
  void JoinAll() {
    for (;;) {
      std::vector<std::thread> threads;
      {
        std::lock_guard lock(mutex_);
        threads.swap(threads_);
      }
      if (threads.empty()) return;
      for (auto& thread : threads) thread.join();
    }
  }

  InferFunction Infer() {
    return [this](InferenceRequest request, InferCallback done) {
      std::lock_guard lock(mutex_);
      submitted_.push_back(request.model_name);
      requests_.push_back(request);
      threads_.emplace_back([this, request = std::move(request), done = std::move(done)]() mutable {
        done(Run(request));
      });
    };
  }

  Result<InferenceResponse> Run(const InferenceRequest& request) {
    {
      std::unique_lock lock(mutex_);
      ++running_[request.model_name];
      changed_.notify_all();
      changed_.wait(lock, [&] { return !held_.contains(request.model_name); });
    }
    if (failing_.contains(request.model_name)) return Status::InvalidArgument(failing_[request.model_name]);
    InferenceResponse response;
    response.model_name = request.model_name;
    const std::string& model = request.model_name;
    if (model == "split" || model == "join") {
      std::vector<float> x = ValuesOf(*Named(request.inputs, "X")), y = ValuesOf(*Named(request.inputs, "Y"));
      std::vector<float> sum(x.size()), diff(x.size());
      for (size_t i = 0; i < x.size(); ++i) sum[i] = x[i] + y[i], diff[i] = x[i] - y[i];
      response.outputs.push_back(Floats("S", sum));
      if (model == "split" && !drop_output_) response.outputs.push_back(Floats("D", diff));
    } else if (model == "passthrough") {
      Tensor same = request.inputs.at(0);  // shares the buffer, like a zero-copy backend
      same.name = "OUT";
      response.outputs.push_back(same);
    } else {
      std::vector<float> in = ValuesOf(*Named(request.inputs, "IN"));
      for (float& v : in) v *= 2;
      response.outputs.push_back(Floats("OUT", in));
    }
    return response;
  }

  void Hold(const std::string& model) {
    std::lock_guard lock(mutex_);
    held_.insert(model);
  }
  void Release(const std::string& model) {
    std::lock_guard lock(mutex_);
    held_.erase(model);
    changed_.notify_all();
  }
  // Waits until `model` has started `count` steps; false after a timeout.
  bool WaitRunning(const std::string& model, int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return running_[model] >= count; });
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::thread> threads_;
  std::vector<std::string> submitted_;
  std::vector<InferenceRequest> requests_;
  std::map<std::string, int> running_;
  std::set<std::string> held_;
  std::map<std::string, std::string> failing_;
  bool drop_output_ = false;
};

class EnsembleSchedulerTest : public ::testing::Test {
 protected:
  EnsembleSchedulerTest() : statistics_("diamond", 1) {}

  std::unique_ptr<EnsembleScheduler> MakeScheduler(std::shared_ptr<const EnsembleGraph> graph = DiamondGraph()) {
    return std::make_unique<EnsembleScheduler>(ScheduledModel{"diamond", 1, &statistics_}, std::move(graph),
                                               fake_.Infer());
  }

  // Enqueues A, B; the future gets the response.
  std::future<Result<InferenceResponse>> Submit(EnsembleScheduler& scheduler, std::vector<std::string> outputs = {}) {
    auto promise = std::make_shared<std::promise<Result<InferenceResponse>>>();
    auto job = std::make_unique<InferJob>();
    job->request.model_name = "diamond";
    job->request.id = "req-7";
    job->request.inputs = {Floats("A", {1, 2}), Floats("B", {10, 20})};
    for (auto& name : outputs) job->request.outputs.push_back({name, {}});
    job->done = [promise, calls = std::make_shared<int>(0)](Result<InferenceResponse> result) {
      ASSERT_EQ(++*calls, 1) << "done called twice";
      promise->set_value(std::move(result));
    };
    auto future = promise->get_future();
    scheduler.Enqueue(std::move(job));
    return future;
  }

  ModelStatistics statistics_;
  FakeServer fake_;
};

TEST_F(EnsembleSchedulerTest, RunsTheDiamondAndReturnsEveryOutput) {
  auto scheduler = MakeScheduler();
  Result<InferenceResponse> result = Submit(*scheduler).get();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->model_name, "diamond");
  EXPECT_EQ(result->model_version, 1);
  EXPECT_EQ(result->id, "req-7");
  ASSERT_EQ(result->outputs.size(), 2u);
  EXPECT_EQ(result->outputs[0].name, "OUT");
  EXPECT_THAT(ValuesOf(result->outputs[0]), ElementsAre(4, 8));
  EXPECT_EQ(result->outputs[1].name, "SUM");
  EXPECT_THAT(ValuesOf(result->outputs[1]), ElementsAre(11, 22));
  EXPECT_EQ(fake_.submitted_.front(), "split");
  EXPECT_EQ(fake_.submitted_.back(), "join");
  // Inner requests use the composing model's tensor names and carry the id.
  for (const InferenceRequest& request : fake_.requests_) {
    EXPECT_EQ(request.id, "req-7");
    if (request.model_name == "join") {
      ASSERT_EQ(request.inputs.size(), 2u);
      EXPECT_EQ(request.inputs[0].name, "X");
      EXPECT_EQ(request.inputs[1].name, "Y");
      ASSERT_EQ(request.outputs.size(), 1u);
      EXPECT_EQ(request.outputs[0].name, "S");
    }
  }
  const ModelStatisticsSnapshot stats = statistics_.Snapshot();
  EXPECT_EQ(stats.success.count, 1u);
  EXPECT_EQ(stats.inference_count, 1u);
  EXPECT_EQ(stats.fail.count, 0u);
  scheduler->Stop();  // the request leaves the in-flight count just after answering
  EXPECT_EQ(scheduler->InFlight(), 0u);
}

TEST_F(EnsembleSchedulerTest, IndependentBranchesRunAtTheSameTime) {
  // Both branches are held once started: the request can only finish if
  // the second branch was submitted while the first was still running.
  fake_.Hold("left");
  fake_.Hold("right");
  auto scheduler = MakeScheduler();
  auto future = Submit(*scheduler);
  EXPECT_TRUE(fake_.WaitRunning("left", 1));
  EXPECT_TRUE(fake_.WaitRunning("right", 1));
  EXPECT_EQ(scheduler->InFlight(), 1u);
  EXPECT_EQ(future.wait_for(0s), std::future_status::timeout);
  fake_.Release("left");
  fake_.Release("right");
  ASSERT_TRUE(future.get().ok());
}

TEST_F(EnsembleSchedulerTest, OnlyRequestedOutputsAreReturned) {
  auto scheduler = MakeScheduler();
  Result<InferenceResponse> result = Submit(*scheduler, {"SUM"}).get();
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->outputs.size(), 1u);
  EXPECT_EQ(result->outputs[0].name, "SUM");
}

TEST_F(EnsembleSchedulerTest, AFailingStepFailsTheRequestOnceWithTheStepNamed) {
  fake_.failing_["right"] = "model 'right': input 'IN' is negative";
  fake_.Hold("left");  // finishes after the failure; its result must be dropped
  auto scheduler = MakeScheduler();
  auto future = Submit(*scheduler);
  ASSERT_TRUE(fake_.WaitRunning("right", 1));
  Result<InferenceResponse> result = future.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "ensemble 'diamond' step 3 (model 'right'): model 'right': input 'IN' is negative");
  fake_.Release("left");
  scheduler->Stop();  // waits for nothing: the request has answered
  fake_.JoinAll();
  EXPECT_THAT(fake_.submitted_, ::testing::Not(::testing::Contains("join")));
  EXPECT_EQ(statistics_.Snapshot().fail.count, 1u);
  EXPECT_EQ(statistics_.Snapshot().success.count, 0u);
}

TEST_F(EnsembleSchedulerTest, AStepMissingAMappedOutputIsAnInternalError) {
  fake_.drop_output_ = true;
  auto scheduler = MakeScheduler();
  Result<InferenceResponse> result = Submit(*scheduler).get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInternal);
  EXPECT_THAT(result.status().message(), HasSubstr("ensemble 'diamond' step 1 (model 'split'): the model returned "
                                                   "no output 'D' (needed as ensemble tensor 'diff')"));
}

TEST_F(EnsembleSchedulerTest, TensorsPassBetweenStepsWithoutCopies) {
  auto scheduler = MakeScheduler(ChainGraph());
  Tensor input = Floats("IN", {3, 4});
  std::promise<Result<InferenceResponse>> promise;
  auto job = std::make_unique<InferJob>();
  job->request.inputs = {input};
  job->done = [&promise](Result<InferenceResponse> result) { promise.set_value(std::move(result)); };
  scheduler->Enqueue(std::move(job));
  Result<InferenceResponse> result = promise.get_future().get();
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->outputs.size(), 1u);
  EXPECT_EQ(result->outputs[0].name, "OUT");
  EXPECT_EQ(result->outputs[0].data, input.data);  // the client's own buffer, twice forwarded
  EXPECT_EQ(fake_.requests_.at(1).inputs.at(0).data, input.data);
}

TEST_F(EnsembleSchedulerTest, MaxInflightRequestsHoldsFurtherStepRequestsUntilOneIsAnswered) {
  auto graph = std::make_shared<EnsembleGraph>(*DiamondGraph());
  graph->max_inflight_requests = 2;
  fake_.Hold("split");
  auto scheduler = MakeScheduler(graph);
  std::vector<std::future<Result<InferenceResponse>>> futures;
  for (int i = 0; i < 5; ++i) futures.push_back(Submit(*scheduler));
  ASSERT_TRUE(fake_.WaitRunning("split", 2));
  {
    std::lock_guard lock(fake_.mutex_);
    // Five requests accepted, two at the first step, three waiting for it.
    EXPECT_EQ(fake_.running_["split"], 2);
    EXPECT_EQ(std::count(fake_.submitted_.begin(), fake_.submitted_.end(), "split"), 2);
  }
  EXPECT_EQ(scheduler->InFlight(), 5u);
  fake_.Release("split");
  for (auto& future : futures) {
    Result<InferenceResponse> result = future.get();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_THAT(ValuesOf(result->outputs[0]), ElementsAre(4, 8));
  }
  fake_.JoinAll();
  EXPECT_EQ(std::count(fake_.submitted_.begin(), fake_.submitted_.end(), "join"), 5);
}

TEST_F(EnsembleSchedulerTest, StopWaitsForRunningRequestsAndRejectsNewOnes) {
  fake_.Hold("join");
  auto scheduler = MakeScheduler();
  auto first = Submit(*scheduler);
  ASSERT_TRUE(fake_.WaitRunning("join", 1));
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    scheduler->Stop();
    stopped = true;
  });
  // Stop has begun once a request is refused at once; those offered before
  // that run too and are held like the first.
  std::vector<std::future<Result<InferenceResponse>>> accepted;
  std::optional<Result<InferenceResponse>> refused_early;
  for (int attempt = 0; attempt < 1'000'000 && !refused_early; ++attempt) {
    auto answer = Submit(*scheduler);
    if (answer.wait_for(0s) == std::future_status::ready) {
      refused_early = answer.get();
    } else {
      accepted.push_back(std::move(answer));
    }
  }
  ASSERT_TRUE(refused_early.has_value());
  EXPECT_FALSE(refused_early->ok());
  EXPECT_FALSE(stopped);  // the first request still runs
  EXPECT_EQ(first.wait_for(0s), std::future_status::timeout);
  fake_.Release("join");
  stopper.join();
  EXPECT_TRUE(first.get().ok());
  for (auto& answer : accepted) EXPECT_TRUE(answer.get().ok());

  Result<InferenceResponse> refused = Submit(*scheduler).get();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr("being unloaded"));
  EXPECT_EQ(statistics_.Snapshot().failures_by_reason[static_cast<size_t>(FailureReason::kRejected)], 2u);  // the probe that saw Stop begin, and this one
}

}  // namespace
}  // namespace inferd
