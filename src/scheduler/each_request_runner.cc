#include "scheduler/each_request_runner.h"

#include <mutex>
#include <optional>
#include <string>

#include <fmt/format.h>

namespace inferd {
namespace {

// One job's sink. It owns the job (and so the request's handle on the
// model) until the final answer, then lets go of itself (RunEachRequest may
// hold it a little longer, until the execution returns).
class JobSink final : public ResponseSink {
 public:
  static std::shared_ptr<JobSink> Create(const ScheduledModel& model, std::unique_ptr<InferJob> job,
                                         Clock::TimePoint started) {
    auto sink = std::shared_ptr<JobSink>(new JobSink(model, std::move(job), started));
    sink->self_ = sink;
    return sink;
  }

  ExecutionRequest Describe() {
    return {&job_->request.parameters, &job_->request.id, &job_->request.inputs, job_->batch_size, &output_names_,
            this};
  }

  void Send(std::optional<Result<std::vector<Tensor>>> response, bool final) override {
    std::shared_ptr<JobSink> last_reference;  // may end this object, after the lock is released
    {
      // Answers of one request are delivered one at a time, in order.
      std::lock_guard lock(mutex_);
      if (!final) {
        if (response) Deliver(std::move(*response));
        return;
      }
      Finish(std::move(response));
      finished_ = true;
      if (open_after_execution_) model_.statistics->AddAnsweringAfterExecution(-1);
      last_reference = std::move(self_);
    }
  }

  // The execution returned; a request still unanswered stays pending.
  void ExecutionReturned() {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    open_after_execution_ = true;
    model_.statistics->AddAnsweringAfterExecution(1);
  }

 private:
  JobSink(const ScheduledModel& model, std::unique_ptr<InferJob> job, Clock::TimePoint started)
      : model_(model), job_(std::move(job)), started_(started) {
    output_names_.reserve(job_->request.outputs.size());
    for (const auto& output : job_->request.outputs) output_names_.push_back(output.name);
  }

  InferenceResponse Respond(std::vector<Tensor> outputs) const {
    InferenceResponse built;
    built.model_name = model_.name;
    built.model_version = model_.version;
    built.id = job_->request.id;
    built.outputs = std::move(outputs);
    return built;
  }

  // A response before the last one.
  void Deliver(Result<std::vector<Tensor>> response) {
    if (!job_->partial) {
      // A caller that wants one response (unary APIs) gets the latest one
      // with the completion.
      held_ = std::move(response);
      return;
    }
    if (!response.ok()) {
      job_->partial(response.status().WithPrefix(fmt::format("model '{}'", model_.name)));
      return;
    }
    InferenceResponse partial = Respond(std::move(response).value());
    partial.final = false;
    job_->partial(std::move(partial));
  }

  void Finish(std::optional<Result<std::vector<Tensor>>> response) {
    if (!response && held_) {
      response = std::move(held_);
      held_.reset();
    }
    if (response && !response->ok()) {
      FailJob(model_, *job_, response->status(), FailureReason::kBackend);
      return;
    }
    const Clock::TimePoint finished = model_.clock->Now();
    ExecutionTimings timings;
    timings.compute_infer_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(finished - started_).count());
    if (!response && !job_->partial) {
      FailJob(model_, *job_, Status::Internal("the model completed the request without sending a response"),
              FailureReason::kBackend);
      return;
    }
    const bool complete_only = !response;
    CompleteJob(model_, *job_, complete_only ? std::vector<Tensor>{} : std::move(*response).value(), timings,
                started_, finished, complete_only);
  }

  const ScheduledModel model_;
  std::unique_ptr<InferJob> job_;
  const Clock::TimePoint started_;
  std::vector<std::string> output_names_;
  std::mutex mutex_;
  std::optional<Result<std::vector<Tensor>>> held_;
  std::shared_ptr<JobSink> self_;      // until the final answer
  bool finished_ = false;              // the final answer came
  bool open_after_execution_ = false;  // counted as answering after the execution
};

}  // namespace

void RunEachRequest(const ScheduledModel& model, BackendInstance& instance,
                    std::vector<std::unique_ptr<InferJob>> jobs) {
  const Clock::TimePoint started = model.clock->Now();
  std::vector<ExecutionRequest> described;
  std::vector<std::shared_ptr<JobSink>> sinks;
  described.reserve(jobs.size());
  sinks.reserve(jobs.size());
  uint64_t rows = 0;
  for (auto& job : jobs) {
    rows += static_cast<uint64_t>(job->batch_size);
    // The sink owns the job from here.
    sinks.push_back(JobSink::Create(model, std::move(job), started));
    described.push_back(sinks.back()->Describe());
  }
  jobs.clear();
  ExecutionTimings timings;
  instance.ExecuteEach(described, &timings);
  for (const auto& sink : sinks) sink->ExecutionReturned();
  model.statistics->RecordExecution(rows, timings);
}

}  // namespace inferd
