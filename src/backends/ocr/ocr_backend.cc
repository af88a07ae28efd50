#include "backends/ocr/ocr_backend.h"

#include <filesystem>

#include <fmt/format.h>

#include "backends/ocr/ocr_instances.h"
// The same reflection-based reader as the ONNX Runtime module (compiled into
// this module too): a module must not link the generated model_config.pb.cc,
// see that header.
#include "backends/sdk/module_config_reader.h"

namespace inferd::ocr {

Result<ModelFileInfo> OcrBackend::DescribeModel(const std::string& model_path) {
  // There is no model file to read tensors from; the operation's tensors are
  // fixed, but which operation is meant is only in the config.
  return Status::InvalidArgument(fmt::format(
      "the ocr backend cannot auto-complete a config from '{}': list the inputs, outputs and parameter "
      "'operation' in config.pbtxt (see examples/ocr)",
      model_path));
}

Result<std::unique_ptr<BackendInstance>> OcrBackend::CreateInstance(const std::string& model_path,
                                                                    const inference::ModelConfig& config,
                                                                    const InstanceSettings& settings) {
  sdk::ModuleConfig read = sdk::ReadModuleConfig(config);
  if (read.model_name.empty()) read.model_name = model_path;
  // model_path is the version folder (DefaultModelFilename is empty) or, when
  // the config names a default_model_filename, a file inside it.
  std::error_code error;
  std::filesystem::path version_dir(model_path);
  if (!std::filesystem::is_directory(version_dir, error)) version_dir = version_dir.parent_path();
  // Read through reflection like every config field a module reads: the
  // generated classes' symbols live in the server, not in this module.
  int64_t decode_classes = -1;
  auto probabilities = read.input_dims.find("probabilities");
  if (probabilities != read.input_dims.end() && !probabilities->second.empty()) {
    decode_classes = probabilities->second.back();
  }
  return CreateOcrInstance(read.model_name, read.parameters, version_dir.string(), decode_classes);
}

}  // namespace inferd::ocr

// The module's entry points (everything else is hidden: exports.map).
INFERD_BACKEND(inferd::ocr::OcrBackend)
