#include "scheduler/job_runner.h"

#include <chrono>

#include <fmt/format.h>

namespace inferd {
namespace {

// 0 when `end` is before `start`: a request is stamped on the real clock when
// it is decoded, while a test's scheduler may run on a fake one.
uint64_t NanosSince(std::chrono::steady_clock::time_point start, std::chrono::steady_clock::time_point end) {
  if (end < start) return 0;
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
}

}  // namespace

void RunJob(const ScheduledModel& model, BackendInstance& instance, InferJob& job) {
  const auto started = model.clock->Now();
  std::vector<std::string> output_names;
  output_names.reserve(job.request.outputs.size());
  for (const auto& output : job.request.outputs) output_names.push_back(output.name);

  const ExecutionRequest described[] = {{&job.request.parameters, &job.request.id, &job.request.inputs, job.batch_size}};
  ExecutionTimings timings;
  Result<std::vector<Tensor>> outputs = instance.Execute(job.request.inputs, output_names, described, &timings);
  const auto finished = model.clock->Now();
  if (!outputs.ok()) {
    FailJob(model, job, outputs.status(), FailureReason::kBackend);
    return;
  }
  model.statistics->RecordExecution(static_cast<uint64_t>(job.batch_size), timings);
  CompleteJob(model, job, std::move(outputs).value(), timings, started, finished);
}

void CompleteJob(const ScheduledModel& model, InferJob& job, std::vector<Tensor> outputs,
                 const ExecutionTimings& timings, std::chrono::steady_clock::time_point started,
                 std::chrono::steady_clock::time_point finished, bool complete_only) {
  model.statistics->RecordSuccess(static_cast<uint64_t>(job.batch_size), NanosSince(job.request.received, finished),
                                  NanosSince(job.enqueued, started), timings);
  InferenceResponse response;
  response.model_name = model.name;
  response.model_version = model.version;
  response.id = std::move(job.request.id);
  response.outputs = std::move(outputs);
  response.complete_only = complete_only;
  // Inputs may point into the request body; release them before responding.
  job.request.inputs.clear();
  job.done(std::move(response));
}

void FailJob(const ScheduledModel& model, InferJob& job, Status status, FailureReason reason) {
  model.statistics->RecordFailure(NanosSince(job.request.received, model.clock->Now()), reason);
  std::string prefix = fmt::format("model '{}' version {}", model.name, model.version);
  // Backend and validation messages usually name the model already.
  if (status.message().find("'" + model.name + "'") != std::string::npos) {
    job.done(std::move(status));
  } else {
    job.done(status.WithPrefix(prefix));
  }
}

}  // namespace inferd
