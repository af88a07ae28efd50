// The ONNX Runtime backend: model files to OnnxRuntimeInstances. Built as the
// module libinferd_onnxruntime.so, whose only export is InferdCreateBackend.
#pragma once

#include <memory>
#include <string>

#include "backends/sdk/backend.h"

namespace inferd::ort {

class OnnxRuntimeBackend final : public Backend {
 public:
  std::string Name() const override { return "onnxruntime"; }
  std::string DefaultModelFilename() const override { return "model.onnx"; }
  Result<ModelFileInfo> DescribeModel(const std::string& model_path) override;
  Result<std::unique_ptr<BackendInstance>> CreateInstance(const std::string& model_path,
                                                          const inference::ModelConfig& config,
                                                          const InstanceSettings& settings) override;
};

}  // namespace inferd::ort
