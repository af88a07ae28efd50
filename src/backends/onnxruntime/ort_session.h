// Opening ONNX Runtime sessions and reading what a session's model declares.
#pragma once

#include <onnxruntime_cxx_api.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace inferd::ort {

// The one Ort::Env of the process (logging at warning level), made on first
// use and never destroyed, so no session can outlive it at exit.
Ort::Env& ProcessEnv();

// One input or output as the model declares it.
struct OrtTensorSpec {
  std::string name;
  bool is_tensor = true;  // false for sequences, maps, optional values
  ONNXTensorElementDataType element_type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  std::vector<int64_t> shape;  // -1 for symbolic or unknown dimensions
};

struct SessionSignature {
  std::vector<OrtTensorSpec> inputs;
  std::vector<OrtTensorSpec> outputs;
};

// Loads `model_path` (a .onnx file, or a folder holding model.onnx as Triton
// allows for models with external weights). A missing file is NOT_FOUND and a
// malformed one INVALID_ARGUMENT; messages start with `subject` ("model 'x'")
// and name the path.
Result<std::unique_ptr<Ort::Session>> OpenSession(const std::string& subject, const std::string& model_path,
                                                  const Ort::SessionOptions& options);

Result<SessionSignature> ReadSignature(const std::string& subject, const Ort::Session& session);

}  // namespace inferd::ort
