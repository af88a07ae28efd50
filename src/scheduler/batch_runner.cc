#include "scheduler/batch_runner.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "scheduler/batch_tensors.h"
#include "scheduler/each_request_runner.h"

namespace inferd {
namespace {


std::vector<std::string> RequestedNames(const InferenceRequest& request) {
  std::vector<std::string> names;
  names.reserve(request.outputs.size());
  for (const auto& output : request.outputs) names.push_back(output.name);
  return names;
}

// The outputs one execution must produce for every job: the common list when
// all jobs ask for the same outputs (the usual case), otherwise every output
// (an empty list) and each job picks its own afterwards.
std::vector<std::string> BatchOutputNames(const std::vector<std::unique_ptr<InferJob>>& jobs, bool* same_for_all) {
  std::vector<std::string> names = RequestedNames(jobs.front()->request);
  *same_for_all = true;
  for (const auto& job : jobs) {
    if (RequestedNames(job->request) != names) {
      *same_for_all = false;
      return {};
    }
  }
  return names;
}

// The tensors `request` asked for, in its order, from one job's slices of
// every output (empty request list: all of them).
Result<std::vector<Tensor>> SelectOutputs(const InferenceRequest& request, std::vector<Tensor> slices) {
  if (request.outputs.empty()) return slices;
  std::vector<Tensor> selected;
  selected.reserve(request.outputs.size());
  for (const auto& wanted : request.outputs) {
    auto it = std::find_if(slices.begin(), slices.end(), [&](const Tensor& t) { return t.name == wanted.name; });
    if (it == slices.end()) {
      return Status::Internal(fmt::format("the backend did not produce requested output '{}'", wanted.name));
    }
    selected.push_back(std::move(*it));
  }
  return selected;
}

void FailAll(const ScheduledModel& model, std::vector<std::unique_ptr<InferJob>>& jobs, const Status& status,
             FailureReason reason) {
  for (auto& job : jobs) FailJob(model, *job, status, reason);
}

}  // namespace

void RunBatch(const ScheduledModel& model, BackendInstance& instance, std::vector<std::unique_ptr<InferJob>> jobs) {
  if (jobs.empty()) return;
  if (instance.AnswersEachRequest()) return RunEachRequest(model, instance, std::move(jobs));
  if (jobs.size() == 1) {
    RunJob(model, instance, *jobs.front());
    return;
  }
  const Clock::TimePoint started = model.clock->Now();

  std::vector<const InferenceRequest*> requests;
  std::vector<ExecutionRequest> described;
  described.reserve(jobs.size());
  std::vector<int64_t> rows;
  requests.reserve(jobs.size());
  rows.reserve(jobs.size());
  int64_t total_rows = 0;
  for (const auto& job : jobs) {
    requests.push_back(&job->request);
    described.push_back({&job->request.parameters, &job->request.id, &job->request.inputs, job->batch_size});
    rows.push_back(job->batch_size);
    total_rows += job->batch_size;
  }

  Result<std::vector<Tensor>> gathered = GatherInputs(requests);
  if (!gathered.ok()) return FailAll(model, jobs, gathered.status(), FailureReason::kOther);
  std::vector<Tensor> inputs = std::move(gathered).value();
  bool same_outputs = true;
  const std::vector<std::string> output_names = BatchOutputNames(jobs, &same_outputs);

  ExecutionTimings timings;
  Result<std::vector<Tensor>> outputs = instance.Execute(inputs, output_names, described, &timings);
  const Clock::TimePoint finished = model.clock->Now();
  inputs.clear();  // the gathered copy is not needed any more
  if (!outputs.ok()) return FailAll(model, jobs, outputs.status(), FailureReason::kBackend);

  // The slices share the outputs' buffers and keep them alive.
  Result<std::vector<std::vector<Tensor>>> slices = ScatterOutputs(*outputs, rows);
  if (!slices.ok()) return FailAll(model, jobs, slices.status(), FailureReason::kBackend);

  model.statistics->RecordExecution(static_cast<uint64_t>(total_rows), timings);
  for (size_t i = 0; i < jobs.size(); ++i) {
    InferJob& job = *jobs[i];
    Result<std::vector<Tensor>> own = same_outputs ? Result<std::vector<Tensor>>(std::move((*slices)[i]))
                                                   : SelectOutputs(job.request, std::move((*slices)[i]));
    if (!own.ok()) {
      FailJob(model, job, own.status(), FailureReason::kBackend);
      continue;
    }
    CompleteJob(model, job, std::move(own).value(), timings, started, finished);
  }
}

}  // namespace inferd
