#include "scheduler/each_request_runner.h"

#include <cstring>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace inferd {
namespace {

int32_t ValueOf(const Tensor& tensor) {
  int32_t value = 0;
  std::memcpy(&value, tensor.data, 4);
  return value;
}

Tensor Int32Tensor(std::string name, int32_t value, std::vector<std::string>* keep) {
  keep->emplace_back(4, '\0');
  std::memcpy(keep->back().data(), &value, 4);
  return Tensor::FromBuffer(std::move(name), DataType::kInt32, {1}, keep->back());
}

// A backend instance that answers each request by itself, the way a
// decoupled model does: for IN = n >= 0 it sends n responses (OUT = 0..n-1)
// and then the final flag alone; IN < 0 fails that request. With `later`,
// the answers come from a thread after ExecuteEach has returned.
class StreamingInstance : public BackendInstance {
 public:
  explicit StreamingInstance(bool later) : later_(later) {}
  ~StreamingInstance() override {
    for (auto& thread : threads_) thread.join();
  }

  bool AnswersEachRequest() const override { return true; }

  Result<std::vector<Tensor>> Execute(const std::vector<Tensor>&, const std::vector<std::string>&, ExecutionRequests,
                                      ExecutionTimings*) override {
    return Status::Internal("Execute must not be called on an instance that answers each request");
  }

  void ExecuteEach(ExecutionRequests requests, ExecutionTimings*) override {
    ++executions;
    requests_seen += requests.size();
    for (const ExecutionRequest& request : requests) {
      const int32_t count = ValueOf(request.inputs->at(0));
      ResponseSink* sink = request.sink;
      if (later_) {
        threads_.emplace_back([this, count, sink] { Answer(count, sink); });
      } else {
        Answer(count, sink);
      }
    }
  }

  int executions = 0;
  size_t requests_seen = 0;

 private:
  void Answer(int32_t count, ResponseSink* sink) {
    if (count < 0) {
      sink->Send(Status::InvalidArgument("a negative count"), true);
      return;
    }
    for (int32_t index = 0; index < count; ++index) {
      std::vector<Tensor> outputs;
      {
        std::lock_guard lock(keep_mutex_);
        outputs.push_back(Int32Tensor("OUT", index, &keep_));
      }
      sink->Send(std::move(outputs), false);
    }
    sink->Send(std::nullopt, true);
  }

  const bool later_;
  std::vector<std::thread> threads_;
  std::mutex keep_mutex_;
  std::vector<std::string> keep_;  // output bytes; they outlive every response
};

// What one job received.
struct Answers {
  std::mutex mutex;
  std::vector<InferenceResponse> partials;
  std::vector<Status> partial_errors;
  std::promise<Result<InferenceResponse>> done;
};

std::unique_ptr<InferJob> MakeJob(int32_t count, Answers* answers, bool streaming, std::vector<std::string>* keep) {
  auto job = std::make_unique<InferJob>();
  job->request.model_name = "m";
  job->request.id = "job" + std::to_string(count);
  job->request.inputs.push_back(Int32Tensor("IN", count, keep));
  job->done = [answers](Result<InferenceResponse> result) { answers->done.set_value(std::move(result)); };
  if (streaming) {
    job->partial = [answers](Result<InferenceResponse> result) {
      std::lock_guard lock(answers->mutex);
      if (result.ok()) {
        answers->partials.push_back(std::move(result).value());
      } else {
        answers->partial_errors.push_back(result.status());
      }
    };
  }
  return job;
}

class EachRequestRunnerTest : public ::testing::TestWithParam<bool> {
 protected:
  void Run(std::vector<std::unique_ptr<InferJob>> jobs) {
    RunEachRequest(ScheduledModel{"m", 1, &stats_}, instance_, std::move(jobs));
  }
  std::vector<std::string> keep_;
  ModelStatistics stats_{"m", 1};
  StreamingInstance instance_{GetParam()};
};

TEST_P(EachRequestRunnerTest, AStreamingCallerGetsEveryResponseThenTheCompletion) {
  Answers answers;
  std::vector<std::unique_ptr<InferJob>> jobs;
  jobs.push_back(MakeJob(3, &answers, /*streaming=*/true, &keep_));
  Run(std::move(jobs));
  Result<InferenceResponse> done = answers.done.get_future().get();
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_TRUE(done->final);
  EXPECT_TRUE(done->complete_only);  // the final flag came without a response
  std::lock_guard lock(answers.mutex);
  ASSERT_EQ(answers.partials.size(), 3u);
  for (int32_t index = 0; index < 3; ++index) {
    const InferenceResponse& partial = answers.partials[static_cast<size_t>(index)];
    EXPECT_FALSE(partial.final);
    EXPECT_EQ(partial.id, "job3");
    EXPECT_EQ(partial.model_version, 1);
    EXPECT_EQ(ValueOf(partial.outputs.at(0)), index);
  }
  ModelStatisticsSnapshot snapshot = stats_.Snapshot();
  EXPECT_EQ(snapshot.success.count, 1u);
  EXPECT_EQ(snapshot.execution_count, 1u);
}

TEST_P(EachRequestRunnerTest, AUnaryCallerGetsTheLastResponseWithTheCompletion) {
  Answers answers;
  std::vector<std::unique_ptr<InferJob>> jobs;
  jobs.push_back(MakeJob(2, &answers, /*streaming=*/false, &keep_));
  Run(std::move(jobs));
  Result<InferenceResponse> done = answers.done.get_future().get();
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_FALSE(done->complete_only);
  ASSERT_EQ(done->outputs.size(), 1u);
  EXPECT_EQ(ValueOf(done->outputs[0]), 1);
}

TEST_P(EachRequestRunnerTest, AUnaryCallerWithNoResponseGetsAnError) {
  Answers answers;
  std::vector<std::unique_ptr<InferJob>> jobs;
  jobs.push_back(MakeJob(0, &answers, /*streaming=*/false, &keep_));
  Run(std::move(jobs));
  Result<InferenceResponse> done = answers.done.get_future().get();
  ASSERT_FALSE(done.ok());
  EXPECT_NE(done.status().message().find("without sending a response"), std::string::npos)
      << done.status().ToString();
  EXPECT_EQ(stats_.Snapshot().fail.count, 1u);
}

TEST_P(EachRequestRunnerTest, OneRequestOfAnExecutionFailsAlone) {
  Answers good_one, bad, good_two;
  std::vector<std::unique_ptr<InferJob>> jobs;
  jobs.push_back(MakeJob(1, &good_one, /*streaming=*/false, &keep_));
  jobs.push_back(MakeJob(-1, &bad, /*streaming=*/false, &keep_));
  jobs.push_back(MakeJob(2, &good_two, /*streaming=*/false, &keep_));
  Run(std::move(jobs));
  EXPECT_TRUE(good_one.done.get_future().get().ok());
  Result<InferenceResponse> failed = bad.done.get_future().get();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(failed.status().message().find("model 'm'"), std::string::npos) << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("a negative count"), std::string::npos);
  EXPECT_TRUE(good_two.done.get_future().get().ok());
  // One execution over all three requests; each counted on its own.
  EXPECT_EQ(instance_.executions, 1);
  EXPECT_EQ(instance_.requests_seen, 3u);
  ModelStatisticsSnapshot snapshot = stats_.Snapshot();
  EXPECT_EQ(snapshot.execution_count, 1u);
  EXPECT_EQ(snapshot.inference_count, 2u);  // successful inferences, as in Triton
  EXPECT_EQ(snapshot.success.count, 2u);
  EXPECT_EQ(snapshot.fail.count, 1u);
}

// Keeps each request's sink until Release(), as a decoupled model that
// answers from its own thread after execute() returned.
class HeldInstance : public BackendInstance {
 public:
  bool AnswersEachRequest() const override { return true; }
  Result<std::vector<Tensor>> Execute(const std::vector<Tensor>&, const std::vector<std::string>&, ExecutionRequests,
                                      ExecutionTimings*) override {
    return Status::Internal("not used");
  }
  void ExecuteEach(ExecutionRequests requests, ExecutionTimings*) override {
    for (const ExecutionRequest& request : requests) held_.push_back(request.sink);
  }
  void Release() {
    for (ResponseSink* sink : held_) sink->Send(std::nullopt, true);
    held_.clear();
  }

 private:
  std::vector<ResponseSink*> held_;
};

TEST(EachRequestRunnerPendingTest, ARequestAnsweredAfterItsExecutionStaysPendingUntilItsFinalAnswer) {
  ModelStatistics stats("m", 1);
  stats.SetPendingRequestCountSource([] { return uint64_t{0}; });  // the scheduler is done with it
  std::vector<std::string> keep;
  HeldInstance held;
  Answers answers;
  std::vector<std::unique_ptr<InferJob>> jobs;
  jobs.push_back(MakeJob(1, &answers, /*streaming=*/true, &keep));
  RunEachRequest(ScheduledModel{"m", 1, &stats}, held, std::move(jobs));
  EXPECT_EQ(stats.Snapshot().pending_request_count, 1u);
  held.Release();
  EXPECT_TRUE(answers.done.get_future().get().ok());
  EXPECT_EQ(stats.Snapshot().pending_request_count, 0u);
}

TEST(EachRequestRunnerPendingTest, ARequestAnsweredInsideItsExecutionIsNotLeftPending) {
  ModelStatistics stats("m", 1);
  stats.SetPendingRequestCountSource([] { return uint64_t{0}; });
  std::vector<std::string> keep;
  StreamingInstance inside(/*later=*/false);
  Answers answers;
  std::vector<std::unique_ptr<InferJob>> jobs;
  jobs.push_back(MakeJob(2, &answers, /*streaming=*/true, &keep));
  RunEachRequest(ScheduledModel{"m", 1, &stats}, inside, std::move(jobs));
  EXPECT_TRUE(answers.done.get_future().get().ok());
  EXPECT_EQ(stats.Snapshot().pending_request_count, 0u);
}

INSTANTIATE_TEST_SUITE_P(FromExecuteOrLater, EachRequestRunnerTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "AfterExecuteReturned" : "InsideExecute";
                         });

}  // namespace
}  // namespace inferd
