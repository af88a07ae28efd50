#include "backends/onnxruntime/onnxruntime_backend.h"

#include <fmt/format.h>

#include "backends/onnxruntime/model_config_reader.h"
#include "backends/onnxruntime/onnxruntime_instance.h"
#include "backends/onnxruntime/onnxruntime_types.h"
#include "backends/onnxruntime/ort_errors.h"
#include "backends/onnxruntime/ort_session.h"
#include "backends/onnxruntime/session_options.h"

namespace inferd::ort {
namespace {

// DescribeModel knows only a path; the caller adds the model's name.
constexpr const char* kDescribeSubject = "onnxruntime";

ModelTensorInfo ToModelTensorInfo(const OrtTensorSpec& spec) {
  ModelTensorInfo info;
  info.name = spec.name;
  // Non-tensor values and element types KServe lacks stay kInvalid: the
  // model can still serve its other tensors, and config auto-completion
  // reports the odd one by name.
  info.datatype = spec.is_tensor ? FromOrtElementType(spec.element_type) : DataType::kInvalid;
  info.shape = spec.shape;
  return info;
}

}  // namespace

Result<ModelFileInfo> OnnxRuntimeBackend::DescribeModel(const std::string& model_path) {
  Result<Ort::SessionOptions> options = MakeInspectionSessionOptions(kDescribeSubject);
  if (!options.ok()) return options.status();
  Result<std::unique_ptr<Ort::Session>> session = OpenSession(kDescribeSubject, model_path, *options);
  if (!session.ok()) return session.status();
  Result<SessionSignature> signature = ReadSignature(kDescribeSubject, **session);
  if (!signature.ok()) return signature.status();

  ModelFileInfo info;
  for (const OrtTensorSpec& spec : signature->inputs) info.inputs.push_back(ToModelTensorInfo(spec));
  for (const OrtTensorSpec& spec : signature->outputs) info.outputs.push_back(ToModelTensorInfo(spec));
  return info;
}

Result<std::unique_ptr<BackendInstance>> OnnxRuntimeBackend::CreateInstance(const std::string& model_path,
                                                                            const inference::ModelConfig& config,
                                                                            const InstanceSettings& settings) {
  // The config is read through reflection only; see model_config_reader.h.
  OrtModelConfig ort_config = ReadOrtModelConfig(config);
  if (ort_config.model_name.empty()) ort_config.model_name = model_path;
  Result<std::unique_ptr<BackendInstance>> instance = Status::Internal("not created");
  Status guarded = GuardOrtCall(fmt::format("model '{}'", ort_config.model_name), "creating an instance",
                                [&]() -> Status {
                                  instance = OnnxRuntimeInstance::Create(model_path, ort_config, settings);
                                  return Status::Ok();
                                });
  if (!guarded.ok()) return guarded;
  return instance;
}

}  // namespace inferd::ort

// The module's one exported symbol (everything else is hidden). It must not
// throw: the registry calls it through a plain C function pointer.
extern "C" __attribute__((visibility("default"))) inferd::Backend* InferdCreateBackend() {
  try {
    return new inferd::ort::OnnxRuntimeBackend();
  } catch (...) {
    return nullptr;
  }
}
