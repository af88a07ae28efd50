#include "backends/onnxruntime/onnxruntime_backend.h"

#include <fmt/format.h>

#include "backends/onnxruntime/onnxruntime_instance.h"
#include "backends/onnxruntime/onnxruntime_types.h"
#include "backends/onnxruntime/ort_errors.h"
#include "backends/onnxruntime/ort_session.h"
#include "backends/onnxruntime/session_options.h"
#include "backends/sdk/module_config_reader.h"

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
  ASSIGN_OR_RETURN(Ort::SessionOptions options, MakeInspectionSessionOptions(kDescribeSubject));
  ASSIGN_OR_RETURN(std::unique_ptr<Ort::Session> session, OpenSession(kDescribeSubject, model_path, options));
  ASSIGN_OR_RETURN(SessionSignature signature, ReadSignature(kDescribeSubject, *session));

  ModelFileInfo info;
  for (const OrtTensorSpec& spec : signature.inputs) info.inputs.push_back(ToModelTensorInfo(spec));
  for (const OrtTensorSpec& spec : signature.outputs) info.outputs.push_back(ToModelTensorInfo(spec));
  return info;
}

Result<std::unique_ptr<BackendInstance>> OnnxRuntimeBackend::CreateInstance(const std::string& model_path,
                                                                            const inference::ModelConfig& config,
                                                                            const InstanceSettings& settings) {
  // The config is read through reflection only; see backends/sdk/module_config_reader.h.
  sdk::ModuleConfig ort_config = sdk::ReadModuleConfig(config);
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

// The module's entry points (everything else is hidden: exports.map).
INFERD_BACKEND(inferd::ort::OnnxRuntimeBackend)
