// One ONNX Runtime session serving one model instance.
#pragma once

#include <onnxruntime_cxx_api.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "backends/onnxruntime/ort_session.h"
#include "backends/sdk/backend.h"
#include "backends/sdk/module_config_reader.h"

namespace inferd::ort {

class OnnxRuntimeInstance final : public BackendInstance {
 public:
  static Result<std::unique_ptr<BackendInstance>> Create(const std::string& model_path, const sdk::ModuleConfig& config,
                                                         const InstanceSettings& settings);

  // Never throws: every ONNX Runtime failure comes back as a Status.
  Result<std::vector<Tensor>> Execute(const std::vector<Tensor>& inputs, const std::vector<std::string>& output_names,
                                      ExecutionRequests parameters, ExecutionTimings* timings) override;

 private:
  OnnxRuntimeInstance(std::string subject, std::unique_ptr<Ort::Session> session, SessionSignature signature);

  // Execute's body; may throw Ort::Exception (Execute guards it).
  Status Run(const std::vector<Tensor>& inputs, const std::vector<std::string>& output_names,
             ExecutionTimings* timings, std::vector<Tensor>* outputs);
  // Indices into signature_.outputs for the requested names (all when empty).
  Status SelectOutputs(const std::vector<std::string>& output_names, std::vector<size_t>* selected) const;

  const std::string subject_;  // "model 'name'", the start of every message
  std::unique_ptr<Ort::Session> session_;
  const SessionSignature signature_;
  std::unordered_map<std::string, size_t> input_index_;   // name -> signature_.inputs index
  std::unordered_map<std::string, size_t> output_index_;  // name -> signature_.outputs index
  std::vector<size_t> all_outputs_;                       // 0..n-1, model order
  Ort::MemoryInfo cpu_memory_{nullptr};
};

}  // namespace inferd::ort
