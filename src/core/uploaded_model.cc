#include "core/uploaded_model.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string_view>

#include <fmt/format.h>

#include "common/bounded_text.h"

namespace inferd {
namespace {

// Linux's NAME_MAX and PATH_MAX: longer names fail at the disk anyway; the
// check says so before anything is written.
constexpr size_t kMaxPartBytes = 255;
constexpr size_t kMaxPathBytes = 4096;

}  // namespace

Status CheckUploadPath(const std::string& path) {
  auto refuse = [&path](std::string_view why) {
    return Status::InvalidArgument(fmt::format("file '{}': {}", Abbreviate(path), why));
  };
  if (path.empty()) return refuse("the path is empty");
  if (path.size() > kMaxPathBytes) return refuse(fmt::format("the path is longer than {} bytes", kMaxPathBytes));
  if (path.find('\0') != std::string::npos) return refuse("the path holds a NUL character");
  if (path.front() == '/') return refuse("the path must be relative to the model folder");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view part(path.data() + start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return refuse("every part of the path must be a plain name (no empty, '.' or '..' parts)");
    }
    if (part.size() > kMaxPartBytes) return refuse(fmt::format("a part of the path is longer than {} bytes", kMaxPartBytes));
    start = end + 1;
  }
  return Status::Ok();
}

Result<std::unique_ptr<UploadedModel>> UploadedModel::Write(
    const std::string& model_name, const std::vector<std::pair<std::string, std::string>>& files) {
  if (model_name.find('/') != std::string::npos || !CheckUploadPath(model_name).ok()) {
    return Status::InvalidArgument(
        fmt::format("model name '{}' cannot name a model folder", Abbreviate(model_name)));
  }
  for (const auto& [path, contents] : files) RETURN_IF_ERROR(CheckUploadPath(path));
  std::error_code error;
  std::string pattern = (std::filesystem::temp_directory_path(error) / "inferd_upload_XXXXXX").string();
  if (error || mkdtemp(pattern.data()) == nullptr) {
    return Status::Internal(fmt::format("cannot create a temporary folder for the files of model '{}'", model_name));
  }
  // Owned from here: a failure below removes what was written.
  std::unique_ptr<UploadedModel> uploaded(new UploadedModel(pattern, pattern + "/" + model_name));
  std::filesystem::create_directories(uploaded->model_path_, error);
  if (error) return Status::Internal(fmt::format("cannot create '{}': {}", uploaded->model_path_, error.message()));
  for (const auto& [path, contents] : files) {
    const std::filesystem::path target = std::filesystem::path(uploaded->model_path_) / path;
    std::filesystem::create_directories(target.parent_path(), error);
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.close();
    if (error || !out) {
      return Status::Internal(fmt::format("cannot write file '{}' of model '{}'", Abbreviate(path), model_name));
    }
  }
  return uploaded;
}

UploadedModel::~UploadedModel() {
  std::error_code ignored;
  std::filesystem::remove_all(root_, ignored);
}

}  // namespace inferd
