#include "backends/onnxruntime/onnxruntime_instance.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <utility>

#include <fmt/format.h>

#include "backends/onnxruntime/onnxruntime_types.h"
#include "backends/onnxruntime/ort_errors.h"
#include "backends/onnxruntime/session_options.h"
#include "backends/onnxruntime/tensor_conversion.h"
#include "common/logging.h"

namespace inferd::ort {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t NanosBetween(Clock::time_point start, Clock::time_point end) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
}

std::string ListNames(const std::vector<OrtTensorSpec>& specs) {
  std::string names;
  for (const OrtTensorSpec& spec : specs) {
    if (!names.empty()) names += ", ";
    names += spec.name;
  }
  return names;
}

// True when every input has zero rows (first dimension 0) and every output
// to fetch has a symbolic first dimension, i.e. rows in give rows out. Many
// exported models cannot run with zero rows (a Reshape to [0,-1] is
// ambiguous), yet a pipeline step that found nothing, such as text
// recognition after a detector found no text, must answer with nothing.
bool IsZeroRowRequest(const std::vector<Tensor>& inputs, const std::vector<OrtTensorSpec>& outputs,
                      const std::vector<size_t>& selected) {
  if (inputs.empty()) return false;
  for (const Tensor& tensor : inputs) {
    if (tensor.shape.empty() || tensor.shape[0] != 0) return false;
  }
  for (size_t index : selected) {
    const OrtTensorSpec& spec = outputs[index];
    if (!spec.is_tensor || spec.shape.empty() || spec.shape[0] != -1) return false;
    if (FromOrtElementType(spec.element_type) == DataType::kInvalid) return false;
  }
  return true;
}

// Zero-row outputs: first dimension 0, other symbolic dimensions 0 too (no
// element exists whose extent could be known).
Tensor ZeroRowTensor(const OrtTensorSpec& spec) {
  Shape shape = spec.shape;
  for (int64_t& dim : shape) dim = std::max<int64_t>(dim, 0);
  shape[0] = 0;
  return Tensor::FromBuffer(spec.name, FromOrtElementType(spec.element_type), std::move(shape), std::string());
}

}  // namespace

Result<std::unique_ptr<BackendInstance>> OnnxRuntimeInstance::Create(const std::string& model_path,
                                                                     const sdk::ModuleConfig& config,
                                                                     const InstanceSettings& settings) {
  const std::string subject = fmt::format("model '{}'", config.model_name);
  ASSIGN_OR_RETURN(Ort::SessionOptions options, MakeServingSessionOptions(config, settings));
  ASSIGN_OR_RETURN(std::unique_ptr<Ort::Session> session, OpenSession(subject, model_path, options));
  ASSIGN_OR_RETURN(SessionSignature signature, ReadSignature(subject, *session));

  std::unique_ptr<OnnxRuntimeInstance> instance(
      new OnnxRuntimeInstance(subject, std::move(session), std::move(signature)));
  Status memory = GuardOrtCall(subject, "describing CPU memory", [&]() -> Status {
    instance->cpu_memory_ = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    return Status::Ok();
  });
  if (!memory.ok()) return memory;
  LogVerbose("{}: instance '{}' loaded '{}' ({})", subject, settings.name, model_path,
             settings.gpu ? fmt::format("GPU {}", settings.device_id) : std::string("CPU"));
  return std::unique_ptr<BackendInstance>(std::move(instance));
}

OnnxRuntimeInstance::OnnxRuntimeInstance(std::string subject, std::unique_ptr<Ort::Session> session,
                                         SessionSignature signature)
    : subject_(std::move(subject)), session_(std::move(session)), signature_(std::move(signature)) {
  for (size_t i = 0; i < signature_.inputs.size(); ++i) input_index_.emplace(signature_.inputs[i].name, i);
  for (size_t i = 0; i < signature_.outputs.size(); ++i) output_index_.emplace(signature_.outputs[i].name, i);
  all_outputs_.resize(signature_.outputs.size());
  std::iota(all_outputs_.begin(), all_outputs_.end(), 0);
}

Result<std::vector<Tensor>> OnnxRuntimeInstance::Execute(const std::vector<Tensor>& inputs,
                                                         const std::vector<std::string>& output_names,
                                                         ExecutionRequests, ExecutionTimings* timings) {
  std::vector<Tensor> outputs;
  Status status = GuardOrtCall(subject_, "running the model",
                               [&]() -> Status { return Run(inputs, output_names, timings, &outputs); });
  if (!status.ok()) return status;
  return outputs;
}

Status OnnxRuntimeInstance::SelectOutputs(const std::vector<std::string>& output_names,
                                          std::vector<size_t>* selected) const {
  if (output_names.empty()) {
    *selected = all_outputs_;
    return Status::Ok();
  }
  selected->reserve(output_names.size());
  for (const std::string& name : output_names) {
    auto it = output_index_.find(name);
    if (it == output_index_.end()) {
      return Status::InvalidArgument(fmt::format("{}: unknown output '{}' (the model has: {})", subject_, name,
                                                 ListNames(signature_.outputs)));
    }
    selected->push_back(it->second);
  }
  return Status::Ok();
}

Status OnnxRuntimeInstance::Run(const std::vector<Tensor>& inputs, const std::vector<std::string>& output_names,
                                ExecutionTimings* timings, std::vector<Tensor>* outputs) {
  const Clock::time_point start = Clock::now();

  std::vector<const char*> input_names;
  std::vector<Ort::Value> input_values;
  InputScratch scratch;
  input_names.reserve(inputs.size());
  input_values.reserve(inputs.size());
  for (const Tensor& tensor : inputs) {
    auto it = input_index_.find(tensor.name);
    if (it == input_index_.end()) {
      return Status::InvalidArgument(fmt::format("{}: unknown input '{}' (the model has: {})", subject_, tensor.name,
                                                 ListNames(signature_.inputs)));
    }
    const OrtTensorSpec& spec = signature_.inputs[it->second];
    if (!spec.is_tensor) {
      return Status::Unimplemented(fmt::format("{}: input '{}' is not a tensor", subject_, spec.name));
    }
    if (ToOrtElementType(tensor.datatype) != spec.element_type) {
      return Status::InvalidArgument(fmt::format("{}: input '{}' has datatype {} but the model expects {}", subject_,
                                                 tensor.name, DataTypeName(tensor.datatype),
                                                 OrtElementTypeName(spec.element_type)));
    }
    ASSIGN_OR_RETURN(Ort::Value value, InputToOrtValue(subject_, tensor, spec.element_type, cpu_memory_, &scratch));
    input_names.push_back(spec.name.c_str());
    input_values.push_back(std::move(value));
  }

  if (input_names.size() < signature_.inputs.size()) {
    // ORT would fail deep inside the first kernel that reads the input, with
    // a generic error; name it here instead. (Inputs with initializers are
    // not in the signature, so every input listed there is required.)
    for (const OrtTensorSpec& spec : signature_.inputs) {
      const bool given = std::any_of(input_names.begin(), input_names.end(),
                                     [&](const char* name) { return spec.name == name; });
      if (!given) return Status::InvalidArgument(fmt::format("{}: missing input '{}'", subject_, spec.name));
    }
  }

  std::vector<size_t> selected;
  RETURN_IF_ERROR(SelectOutputs(output_names, &selected));
  if (IsZeroRowRequest(inputs, signature_.outputs, selected)) {
    outputs->clear();
    for (size_t index : selected) outputs->push_back(ZeroRowTensor(signature_.outputs[index]));
    if (timings != nullptr) *timings = ExecutionTimings{};
    return Status::Ok();
  }
  // ORT computes only what the fetched outputs need; fetch each name once
  // even when the caller asked for one twice.
  std::vector<const char*> fetch_names;
  std::vector<size_t> fetch_slot(selected.size());
  for (size_t i = 0; i < selected.size(); ++i) {
    const char* name = signature_.outputs[selected[i]].name.c_str();
    size_t slot = 0;
    while (slot < fetch_names.size() && fetch_names[slot] != name) ++slot;
    if (slot == fetch_names.size()) fetch_names.push_back(name);
    fetch_slot[i] = slot;
  }

  const Clock::time_point inputs_ready = Clock::now();
  std::vector<Ort::Value> fetched = session_->Run(Ort::RunOptions{nullptr}, input_names.data(), input_values.data(),
                                                  input_values.size(), fetch_names.data(), fetch_names.size());
  const Clock::time_point ran = Clock::now();

  std::vector<Tensor> converted;
  converted.reserve(fetched.size());
  for (size_t slot = 0; slot < fetched.size(); ++slot) {
    ASSIGN_OR_RETURN(Tensor tensor, OrtValueToTensor(subject_, fetch_names[slot], std::move(fetched[slot])));
    converted.push_back(std::move(tensor));
  }
  if (converted.size() == selected.size()) {
    *outputs = std::move(converted);  // no name asked for twice: slots are in request order
  } else {
    outputs->clear();
    outputs->reserve(selected.size());
    for (size_t i = 0; i < selected.size(); ++i) outputs->push_back(converted[fetch_slot[i]]);
  }

  if (timings != nullptr) {
    const Clock::time_point done = Clock::now();
    timings->compute_input_ns = NanosBetween(start, inputs_ready);
    timings->compute_infer_ns = NanosBetween(inputs_ready, ran);
    timings->compute_output_ns = NanosBetween(ran, done);
  }
  return Status::Ok();
}

}  // namespace inferd::ort
