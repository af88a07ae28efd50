// The Python backend (`backend: "python"`): Triton's model.py files
// (TritonPythonModel with initialize / execute / finalize and the static
// auto_complete_config), each instance in its own Python process.
//
// The interpreter: $INFERD_PYTHON when set, else the project's venv beside
// the build (<binary dir>/../.venv/bin/python) when it exists, else python3 on
// PATH. The stub (inferd_python_stub.py, triton_python_backend_utils.py)
// lives in <backend dir>/python/.
#pragma once

#include <string>

#include "backends/sdk/backend.h"

namespace inferd::python {

class PythonBackend final : public Backend {
 public:
  PythonBackend();
  std::string Name() const override { return "python"; }
  std::string DefaultModelFilename() const override { return "model.py"; }
  // Not used: the loader asks CompleteConfigJson instead.
  Result<ModelFileInfo> DescribeModel(const std::string& model_path) override;
  bool CompletesItsOwnConfig() const override { return true; }
  // Runs the model's auto_complete_config (when it has one) on `config` in a
  // short-lived process, as Triton does, and returns the config it gave back.
  Result<std::string> CompleteConfigJson(const std::string& model_path, const inference::ModelConfig& config) override;
  Result<std::unique_ptr<BackendInstance>> CreateInstance(const std::string& model_path,
                                                          const inference::ModelConfig& config,
                                                          const InstanceSettings& settings) override;

 private:
  std::string interpreter_;
  std::string stub_script_;
};

}  // namespace inferd::python
