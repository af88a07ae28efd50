// The OCR backend (configs say `backend: "ocr"`): image decoding and the
// pre/post-processing around PP-OCR's detection and recognition models, as
// models of their own so an ensemble can chain them. Built as the module
// libinferd_ocr.so, whose only export is InferdCreateBackend. The operations
// live in the library inferd_ocr_ops (see ocr_instances.h).
#pragma once

#include <memory>
#include <string>

#include "backends/sdk/backend.h"

namespace inferd::ocr {

class OcrBackend final : public Backend {
 public:
  std::string Name() const override { return "ocr"; }
  // The version folder itself: the operations need no model file (ctc_decode
  // reads its dictionary from the folder).
  std::string DefaultModelFilename() const override { return ""; }
  Result<ModelFileInfo> DescribeModel(const std::string& model_path) override;
  Result<std::unique_ptr<BackendInstance>> CreateInstance(const std::string& model_path,
                                                          const inference::ModelConfig& config,
                                                          const InstanceSettings& settings) override;
};

}  // namespace inferd::ocr
