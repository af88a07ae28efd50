// UploadedModel: the model folder a load request's "file:<path>" parameters
// describe, written under a fresh temporary directory so the loader reads it
// like any repository folder. The folder is removed with the object, which
// the controller keeps while the model it holds is the one loaded.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace inferd {

class UploadedModel {
 public:
  // Checks every path first (relative, no "." or ".." parts, no empty part,
  // each part at most 255 bytes, the whole at most 4096), then writes the
  // files. INVALID_ARGUMENT naming the path for a bad one, INTERNAL when the
  // disk refuses; nothing is left behind on failure.
  static Result<std::unique_ptr<UploadedModel>> Write(const std::string& model_name,
                                                      const std::vector<std::pair<std::string, std::string>>& files);
  ~UploadedModel();
  UploadedModel(const UploadedModel&) = delete;
  UploadedModel& operator=(const UploadedModel&) = delete;

  // The model folder: <temporary directory>/<model name>.
  const std::string& path() const { return model_path_; }

 private:
  UploadedModel(std::string root, std::string model_path)
      : root_(std::move(root)), model_path_(std::move(model_path)) {}

  std::string root_;
  std::string model_path_;
};

// INVALID_ARGUMENT when `path` cannot name a file inside a model folder.
Status CheckUploadPath(const std::string& path);

}  // namespace inferd
