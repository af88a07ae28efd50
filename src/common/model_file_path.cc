#include "common/model_file_path.h"

#include <cerrno>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

namespace inferd {
namespace {

namespace fs = std::filesystem;

// Whether `path` is `root` or lies below it; both are canonical.
bool IsInside(const fs::path& path, const fs::path& root) {
  auto [root_end, path_end] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return root_end == root.end();
}

}  // namespace

Result<std::string> LocalRealPath(const std::string& path) {
  std::error_code error;
  const fs::path real = fs::canonical(path, error);
  if (!error) return real.string();
  if (error == std::errc::too_many_symbolic_link_levels) return Status::InvalidArgument(error.message());
  if (error == std::errc::no_such_file_or_directory || error == std::errc::not_a_directory) {
    return Status::NotFound(error.message());
  }
  return Status::Internal(error.message());
}

Result<std::string> ResolveModelFile(const std::string& model_dir, const std::string& base_dir,
                                     const std::string& name, std::string_view field,
                                     const RealPathFunction& real_path) {
  if (name.empty()) return Status::InvalidArgument(fmt::format("{} is empty", field));
  if (fs::path(name).is_absolute()) {
    return Status::InvalidArgument(fmt::format(
        "{} '{}' is an absolute path; name a file inside the model folder '{}'", field, name, model_dir));
  }
  const Result<std::string> root = real_path(model_dir);
  if (!root.ok()) {
    return Status::NotFound(fmt::format("{}: the model folder '{}' cannot be resolved: {}", field, model_dir,
                                        root.status().message()));
  }
  const fs::path joined = fs::path(base_dir) / name;
  const Result<std::string> real = real_path(joined.string());
  if (!real.ok() && real.status().code() == StatusCode::kInvalidArgument) {
    return Status::InvalidArgument(
        fmt::format("{} '{}': '{}' is a symbolic link loop", field, name, joined.string()));
  }
  if (!real.ok() && real.status().code() == StatusCode::kNotFound) {
    // Say "outside" rather than "missing" for a name that climbs out: the
    // reason to fix is the name, whether or not the target exists.
    const fs::path lexical = (fs::path(base_dir) / name).lexically_normal();
    const fs::path lexical_root = fs::path(model_dir).lexically_normal();
    if (!IsInside(lexical, lexical_root)) {
      return Status::InvalidArgument(fmt::format("{} '{}' lies outside the model folder '{}'", field, name,
                                                 model_dir));
    }
    return Status::NotFound(fmt::format("{} '{}': '{}' does not exist", field, name, joined.string()));
  }
  if (!real.ok()) {
    return Status::InvalidArgument(fmt::format("{} '{}': '{}' cannot be resolved: {}", field, name, joined.string(),
                                               real.status().message()));
  }
  if (!IsInside(fs::path(*real), fs::path(*root))) {
    return Status::InvalidArgument(fmt::format("{} '{}' resolves to '{}', outside the model folder '{}'", field,
                                               name, *real, model_dir));
  }
  return *real;
}

}  // namespace inferd
