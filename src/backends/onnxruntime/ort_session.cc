#include "backends/onnxruntime/ort_session.h"

#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "backends/onnxruntime/ort_errors.h"
#include "common/logging.h"

namespace inferd::ort {
namespace {

namespace fs = std::filesystem;

Result<std::string> ResolveModelFile(const std::string& subject, const std::string& model_path) {
  std::error_code error;
  const fs::file_status status = fs::status(model_path, error);
  if (error || !fs::exists(status)) {
    return Status::NotFound(fmt::format("{}: model file '{}' does not exist", subject, model_path));
  }
  if (fs::is_directory(status)) {
    const fs::path inner = fs::path(model_path) / "model.onnx";
    if (!fs::is_regular_file(inner, error)) {
      return Status::NotFound(
          fmt::format("{}: '{}' is a folder without a model.onnx file in it", subject, model_path));
    }
    return inner.string();
  }
  return model_path;
}

OrtTensorSpec SpecFromTypeInfo(std::string name, const Ort::TypeInfo& info) {
  OrtTensorSpec spec;
  spec.name = std::move(name);
  spec.is_tensor = info.GetONNXType() == ONNX_TYPE_TENSOR;
  if (spec.is_tensor) {
    auto tensor_info = info.GetTensorTypeAndShapeInfo();
    spec.element_type = tensor_info.GetElementType();
    spec.shape = tensor_info.GetShape();  // ORT reports symbolic dimensions as -1
    for (int64_t& dim : spec.shape) {
      if (dim < 0) dim = -1;
    }
  }
  return spec;
}

// ORT's own messages go through inferd's logger, so they carry the same
// format and obey --log-verbose like everything else.
void ORT_API_CALL LogOrtMessage(void* /*param*/, OrtLoggingLevel severity, const char* category, const char* logid,
                                const char* code_location, const char* message) {
  switch (severity) {
    case ORT_LOGGING_LEVEL_VERBOSE:
    case ORT_LOGGING_LEVEL_INFO:
      LogVerbose("onnxruntime [{}] {} ({})", logid, message, code_location);
      break;
    case ORT_LOGGING_LEVEL_WARNING:
      LogWarning("onnxruntime [{}] {}", logid, message);
      break;
    default:
      LogError("onnxruntime [{}] {} ({})", logid, message, code_location);
      break;
  }
}

}  // namespace

Ort::Env& ProcessEnv() {
  // Deliberately leaked: destroying the Env in a static destructor while an
  // instance (owned elsewhere) still holds a session crashes at exit.
  static Ort::Env* env = new Ort::Env(ORT_LOGGING_LEVEL_WARNING, "inferd", LogOrtMessage, nullptr);
  return *env;
}

Result<std::unique_ptr<Ort::Session>> OpenSession(const std::string& subject, const std::string& model_path,
                                                  const Ort::SessionOptions& options) {
  ASSIGN_OR_RETURN(std::string file, ResolveModelFile(subject, model_path));
  std::unique_ptr<Ort::Session> session;
  Status opened = GuardOrtCall(subject, fmt::format("cannot load '{}'", file), [&]() -> Status {
    session = std::make_unique<Ort::Session>(ProcessEnv(), file.c_str(), options);
    return Status::Ok();
  });
  if (!opened.ok()) return opened;
  return session;
}

Result<SessionSignature> ReadSignature(const std::string& subject, const Ort::Session& session) {
  SessionSignature signature;
  Status read = GuardOrtCall(subject, "reading the model's inputs and outputs", [&]() -> Status {
    Ort::AllocatorWithDefaultOptions allocator;
    for (size_t i = 0; i < session.GetInputCount(); ++i) {
      signature.inputs.push_back(
          SpecFromTypeInfo(session.GetInputNameAllocated(i, allocator).get(), session.GetInputTypeInfo(i)));
    }
    for (size_t i = 0; i < session.GetOutputCount(); ++i) {
      signature.outputs.push_back(
          SpecFromTypeInfo(session.GetOutputNameAllocated(i, allocator).get(), session.GetOutputTypeInfo(i)));
    }
    return Status::Ok();
  });
  if (!read.ok()) return read;
  return signature;
}

}  // namespace inferd::ort
