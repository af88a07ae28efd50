#include "scheduler/ensemble_scheduler.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace inferd {
namespace {

uint64_t NanosSince(std::chrono::steady_clock::time_point start) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
}

// One ensemble request on its way through the graph. Kept alive by the
// callbacks of its running steps; answers the client exactly once.
class EnsembleRun : public std::enable_shared_from_this<EnsembleRun> {
 public:
  EnsembleRun(std::shared_ptr<EnsembleScheduler::Shared> shared, std::unique_ptr<InferJob> job)
      : shared_(std::move(shared)),
        graph_(*shared_->graph),
        job_(std::move(job)),
        slots_(graph_.tensors.size()),
        missing_(graph_.steps.size()),
        steps_left_(graph_.steps.size()) {
    for (size_t i = 0; i < graph_.steps.size(); ++i) missing_[i] = graph_.steps[i].inputs.size();
  }

  void Start() {
    std::vector<StepLaunch> launches;
    {
      std::lock_guard lock(mutex_);
      std::vector<size_t> ready;
      for (size_t i = 0; i < graph_.steps.size(); ++i) {
        if (missing_[i] == 0) ready.push_back(i);  // a step that reads nothing
      }
      for (size_t slot : graph_.input_slots) {
        const std::string& name = graph_.tensors[slot];
        auto given = std::find_if(job_->request.inputs.begin(), job_->request.inputs.end(),
                                  [&](const Tensor& tensor) { return tensor.name == name; });
        // An optional input the client left out is "available" but absent:
        // the steps reading it run without it.
        MakeAvailable(slot, given == job_->request.inputs.end() ? std::nullopt : std::optional<Tensor>(*given),
                      &ready);
      }
      for (size_t step : ready) launches.push_back(PrepareStep(step));
    }
    Submit(std::move(launches));
  }

 private:
  struct StepLaunch {
    size_t step;
    InferenceRequest request;
  };

  // Called with mutex_ held.
  void MakeAvailable(size_t slot, std::optional<Tensor> tensor, std::vector<size_t>* ready) {
    slots_[slot] = std::move(tensor);
    for (size_t consumer : graph_.consumers[slot]) {
      if (--missing_[consumer] == 0) ready->push_back(consumer);
    }
  }

  // Called with mutex_ held. Copies tensor headers only; buffers are shared.
  StepLaunch PrepareStep(size_t step_index) const {
    const EnsembleStep& step = graph_.steps[step_index];
    StepLaunch launch{step_index, {}};
    InferenceRequest& request = launch.request;
    request.model_name = step.model_name;
    request.model_version = step.model_version;
    request.id = job_->request.id;
    request.cancelled = job_->request.cancelled;
    request.inputs.reserve(step.inputs.size());
    for (const StepTensor& input : step.inputs) {
      if (!slots_[input.slot]) continue;
      Tensor tensor = *slots_[input.slot];
      tensor.name = input.model_tensor;
      request.inputs.push_back(std::move(tensor));
    }
    request.outputs.reserve(step.outputs.size());
    for (const StepTensor& output : step.outputs) request.outputs.push_back({output.model_tensor, {}});
    return launch;
  }

  void Submit(std::vector<StepLaunch> launches) {
    for (StepLaunch& launch : launches) {
      {
        // A step submitted earlier in this loop may have failed already
        // (steps can answer before infer returns): the rest would be wasted.
        std::lock_guard lock(mutex_);
        if (finished_) return;
      }
      SubmitWithinLimit(launch.step, [self = shared_from_this(), launch = std::move(launch)]() mutable {
        self->shared_->infer(std::move(launch.request),
                             [self, step = launch.step](Result<InferenceResponse> result) {
                               self->StepAnswered(step);
                               self->OnStepDone(step, std::move(result));
                             });
      });
    }
  }

  // Runs `submit` now, or once a request of this ensemble at `step` has been
  // answered when max_inflight_requests of them are in flight there.
  void SubmitWithinLimit(size_t step, std::function<void()> submit) {
    const uint32_t limit = graph_.max_inflight_requests;
    if (limit > 0) {
      std::lock_guard lock(shared_->step_mutex);
      if (shared_->step_in_flight[step] >= limit) {
        shared_->step_waiting[step].push_back(std::move(submit));
        return;
      }
      ++shared_->step_in_flight[step];
    }
    submit();
  }

  // Frees the step's slot, handing it to the oldest waiting submission.
  void StepAnswered(size_t step) {
    if (graph_.max_inflight_requests == 0) return;
    std::function<void()> next;
    {
      std::lock_guard lock(shared_->step_mutex);
      std::deque<std::function<void()>>& waiting = shared_->step_waiting[step];
      if (waiting.empty()) {
        --shared_->step_in_flight[step];
        return;
      }
      next = std::move(waiting.front());  // takes over the slot
      waiting.pop_front();
    }
    next();
  }

  void OnStepDone(size_t step_index, Result<InferenceResponse> result) {
    if (!result.ok()) {
      Fail(step_index, result.status());
      return;
    }
    const EnsembleStep& step = graph_.steps[step_index];
    std::vector<StepLaunch> launches;
    Status failure;
    bool complete = false;
    {
      std::lock_guard lock(mutex_);
      if (finished_) return;  // another step failed already
      std::vector<size_t> ready;
      for (const StepTensor& output : step.outputs) {
        auto produced = std::find_if(result->outputs.begin(), result->outputs.end(),
                                     [&](const Tensor& tensor) { return tensor.name == output.model_tensor; });
        if (produced == result->outputs.end()) {
          failure = Status::Internal(fmt::format("the model returned no output '{}' (needed as ensemble tensor '{}')",
                                                 output.model_tensor, graph_.tensors[output.slot]));
          break;
        }
        Tensor tensor = std::move(*produced);
        tensor.name = graph_.tensors[output.slot];
        MakeAvailable(output.slot, std::move(tensor), &ready);
      }
      if (failure.ok()) {
        complete = --steps_left_ == 0;
        finished_ = complete;
        for (size_t next : ready) launches.push_back(PrepareStep(next));
      }
    }
    if (!failure.ok()) {
      Fail(step_index, std::move(failure));
    } else if (complete) {
      Respond();
    } else {
      Submit(std::move(launches));
    }
  }

  void Fail(size_t step_index, const Status& status) {
    {
      std::lock_guard lock(mutex_);
      if (finished_) return;
      finished_ = true;
    }
    shared_->model.statistics->RecordFailure(NanosSince(job_->request.received),
                                             FailureReasonFromStatus(status.code()));
    job_->done(status.WithPrefix(fmt::format("ensemble '{}' {}", graph_.name, graph_.DescribeStep(step_index))));
    Finished();
  }

  // Runs once, after the last step; no other thread touches the slots now.
  void Respond() {
    InferenceResponse response;
    response.model_name = shared_->model.name;
    response.model_version = shared_->model.version;
    response.id = job_->request.id;
    auto take = [&](size_t slot) {
      if (slots_[slot]) response.outputs.push_back(std::move(*slots_[slot]));
    };
    if (job_->request.outputs.empty()) {
      for (size_t slot : graph_.output_slots) take(slot);
    } else {
      // The request validator has checked every name is an ensemble output.
      for (const RequestedOutput& requested : job_->request.outputs) {
        auto slot = std::find_if(graph_.output_slots.begin(), graph_.output_slots.end(),
                                 [&](size_t s) { return graph_.tensors[s] == requested.name; });
        if (slot != graph_.output_slots.end()) take(*slot);
      }
    }
    // Intermediate tensors and the request body are not needed to answer.
    slots_.clear();
    job_->request.inputs.clear();
    shared_->model.statistics->RecordSuccess(static_cast<uint64_t>(job_->batch_size),
                                             NanosSince(job_->request.received), 0, ExecutionTimings{});
    job_->done(std::move(response));
    Finished();
  }

  void Finished() {
    std::lock_guard lock(shared_->mutex);
    --shared_->in_flight;
    shared_->idle.notify_all();
  }

  const std::shared_ptr<EnsembleScheduler::Shared> shared_;
  const EnsembleGraph& graph_;  // owned by shared_
  const std::unique_ptr<InferJob> job_;

  std::mutex mutex_;  // guards the fields below
  std::vector<std::optional<Tensor>> slots_;  // by ensemble tensor slot; set once
  std::vector<size_t> missing_;               // per step: inputs not available yet
  size_t steps_left_;
  bool finished_ = false;  // answered (or about to be): later step results are dropped
};

}  // namespace

EnsembleScheduler::EnsembleScheduler(ScheduledModel model, std::shared_ptr<const EnsembleGraph> graph,
                                     InferFunction infer)
    : shared_(std::make_shared<Shared>()) {
  shared_->model = std::move(model);
  shared_->graph = std::move(graph);
  shared_->infer = std::move(infer);
  shared_->step_in_flight.assign(shared_->graph->steps.size(), 0);
  shared_->step_waiting.resize(shared_->graph->steps.size());
}

EnsembleScheduler::~EnsembleScheduler() { Stop(); }

void EnsembleScheduler::Enqueue(std::unique_ptr<InferJob> job) {
  bool accepted = false;
  {
    std::lock_guard lock(shared_->mutex);
    if (!shared_->stopping) {
      ++shared_->in_flight;
      accepted = true;
    }
  }
  if (!accepted) {
    FailJob(shared_->model, *job, Status::Unavailable("the ensemble is being unloaded"), FailureReason::kRejected);
    return;
  }
  job->enqueued = std::chrono::steady_clock::now();
  std::make_shared<EnsembleRun>(shared_, std::move(job))->Start();
}

void EnsembleScheduler::Stop() {
  std::unique_lock lock(shared_->mutex);
  shared_->stopping = true;
  shared_->idle.wait(lock, [this] { return shared_->in_flight == 0; });
}

size_t EnsembleScheduler::InFlight() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->in_flight;
}

}  // namespace inferd
