#include "scheduler/reshaping_instance.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace inferd {
namespace {

using Dims = google::protobuf::RepeatedField<int64_t>;
constexpr int64_t kVariableDim = -1;

struct TensorReshape {
  std::string name;
  Dims dims;     // what the client sends and receives
  Dims reshape;  // what the model receives or produces
};

template <typename ConfigTensors>
std::vector<TensorReshape> ReshapesOf(const ConfigTensors& tensors) {
  std::vector<TensorReshape> reshapes;
  for (const auto& tensor : tensors) {
    if (tensor.has_reshape()) reshapes.push_back({tensor.name(), tensor.dims(), tensor.reshape().shape()});
  }
  return reshapes;
}

const TensorReshape* FindReshape(const std::vector<TensorReshape>& reshapes, const std::string& name) {
  for (const TensorReshape& reshape : reshapes) {
    if (reshape.name == name) return &reshape;
  }
  return nullptr;
}

class ReshapingInstance : public BackendInstance {
 public:
  ReshapingInstance(const inference::ModelConfig& config, std::unique_ptr<BackendInstance> instance)
      : model_name_(config.name()),
        batch_dims_(config.max_batch_size() > 0 ? 1 : 0),
        inputs_(ReshapesOf(config.input())),
        outputs_(ReshapesOf(config.output())),
        instance_(std::move(instance)) {}

  Result<std::vector<Tensor>> Execute(const std::vector<Tensor>& inputs, const std::vector<std::string>& output_names,
                                      ExecutionRequests parameters, ExecutionTimings* timings) override {
    ASSIGN_OR_RETURN(std::vector<Tensor> reshaped_inputs, ReshapeInputs(inputs));
    Result<std::vector<Tensor>> outputs = instance_->Execute(reshaped_inputs, output_names, parameters, timings);
    if (!outputs.ok()) return outputs;
    RETURN_IF_ERROR(ReshapeOutputs(&*outputs));
    return outputs;
  }

  bool AnswersEachRequest() const override { return instance_->AnswersEachRequest(); }

  void ExecuteEach(ExecutionRequests requests, ExecutionTimings* timings) override {
    std::vector<std::vector<Tensor>> inputs;
    inputs.reserve(requests.size());  // stable: the requests below point into it
    std::vector<ExecutionRequest> reshaped;
    for (const ExecutionRequest& request : requests) {
      Result<std::vector<Tensor>> mapped = ReshapeInputs(*request.inputs);
      if (!mapped.ok()) {
        request.sink->Send(mapped.status(), true);
        continue;
      }
      ExecutionRequest& wrapped = reshaped.emplace_back(request);
      wrapped.inputs = &inputs.emplace_back(std::move(mapped).value());
      wrapped.sink = new OutputReshapingSink(*this, *request.sink);
    }
    if (!reshaped.empty()) instance_->ExecuteEach(reshaped, timings);
  }

 private:
  // Maps a request's outputs back to config dims, then passes them on.
  class OutputReshapingSink final : public ResponseSink {
   public:
    OutputReshapingSink(const ReshapingInstance& owner, ResponseSink& next) : owner_(owner), next_(next) {}
    void Send(std::optional<Result<std::vector<Tensor>>> response, bool final) override {
      if (response && response->ok()) {
        Status mapped = owner_.ReshapeOutputs(&**response);
        if (!mapped.ok()) *response = mapped;
      }
      next_.Send(std::move(response), final);
      if (final) delete this;
    }

   private:
    const ReshapingInstance& owner_;
    ResponseSink& next_;
  };

  Result<std::vector<Tensor>> ReshapeInputs(const std::vector<Tensor>& inputs) const {
    std::vector<Tensor> reshaped = inputs;  // shares the buffers; only shapes change
    for (Tensor& tensor : reshaped) {
      const TensorReshape* reshape = FindReshape(inputs_, tensor.name);
      if (reshape == nullptr) continue;
      Result<Shape> shape = MapReshape(tensor.shape, batch_dims_, reshape->dims, reshape->reshape);
      if (!shape.ok()) return shape.status().WithPrefix(fmt::format("model '{}': input '{}'", model_name_, tensor.name));
      tensor.shape = std::move(*shape);
    }
    return reshaped;
  }

  Status ReshapeOutputs(std::vector<Tensor>* outputs) const {
    for (Tensor& tensor : *outputs) {
      const TensorReshape* reshape = FindReshape(outputs_, tensor.name);
      if (reshape == nullptr) continue;
      Result<Shape> shape = MapReshape(tensor.shape, batch_dims_, reshape->reshape, reshape->dims);
      if (!shape.ok()) {
        return Status::Internal(fmt::format("model '{}': output '{}': the model produced {}, {}", model_name_,
                                            tensor.name, ShapeToString(tensor.shape), shape.status().message()));
      }
      tensor.shape = std::move(*shape);
    }
    return Status::Ok();
  }

  std::string model_name_;
  size_t batch_dims_;
  std::vector<TensorReshape> inputs_;
  std::vector<TensorReshape> outputs_;
  std::unique_ptr<BackendInstance> instance_;
};

}  // namespace

Result<Shape> MapReshape(const Shape& shape, size_t batch_dims, const Dims& from, const Dims& to) {
  if (shape.size() != batch_dims + static_cast<size_t>(from.size())) {
    return Status::InvalidArgument(fmt::format("shape {} does not have the rank of [{}] (plus {} batch dimension)",
                                               ShapeToString(shape), fmt::join(from, ","), batch_dims));
  }
  std::vector<int64_t> variable_sizes;
  for (int i = 0; i < from.size(); ++i) {
    const int64_t actual = shape[batch_dims + static_cast<size_t>(i)];
    if (from[i] == kVariableDim) {
      variable_sizes.push_back(actual);
    } else if (from[i] != actual) {
      return Status::InvalidArgument(
          fmt::format("shape {} does not match [{}]", ShapeToString(shape), fmt::join(from, ",")));
    }
  }
  Shape mapped(shape.begin(), shape.begin() + static_cast<std::ptrdiff_t>(batch_dims));
  mapped.reserve(batch_dims + static_cast<size_t>(to.size()));
  size_t next_variable = 0;
  for (int64_t dim : to) {
    if (dim != kVariableDim) {
      mapped.push_back(dim);
    } else if (next_variable < variable_sizes.size()) {
      mapped.push_back(variable_sizes[next_variable++]);
    } else {
      return Status::InvalidArgument(fmt::format("[{}] has more variable dimensions than [{}]", fmt::join(to, ","),
                                                 fmt::join(from, ",")));
    }
  }
  return mapped;
}

std::unique_ptr<BackendInstance> WrapWithReshape(const inference::ModelConfig& config,
                                                 std::unique_ptr<BackendInstance> instance) {
  auto has_reshape = [](const auto& tensors) {
    for (const auto& tensor : tensors) {
      if (tensor.has_reshape()) return true;
    }
    return false;
  };
  if (!has_reshape(config.input()) && !has_reshape(config.output())) return instance;
  return std::make_unique<ReshapingInstance>(config, std::move(instance));
}

}  // namespace inferd
