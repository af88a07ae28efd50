#include "repository/filesystem.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include "common/model_file_path.h"

namespace inferd::repository {
namespace {

namespace fs = std::filesystem;

enum class EntryKind { kDirectory, kRegularFile };

// Every std::filesystem call below uses the std::error_code overloads so no
// exception can leave this file.
class LocalDiskFileSystem final : public FileSystem {
 public:
  Result<std::vector<std::string>> ListSubdirectories(const std::string& dir) override {
    return ListEntries(dir, EntryKind::kDirectory);
  }

  Result<std::vector<std::string>> ListFiles(const std::string& dir) override {
    return ListEntries(dir, EntryKind::kRegularFile);
  }

  bool IsDirectory(const std::string& path) override {
    std::error_code error;
    return fs::is_directory(path, error);
  }

  bool FileExists(const std::string& path) override {
    std::error_code error;
    return fs::is_regular_file(path, error);
  }

  Result<std::string> ReadFile(const std::string& path) override {
    std::error_code error;
    if (!fs::is_regular_file(path, error)) {
      if (fs::is_directory(path, error)) {
        return Status::InvalidArgument(fmt::format("cannot read '{}': it is a directory, not a file", path));
      }
      return Status::NotFound(fmt::format("file '{}' does not exist", path));
    }
    std::ifstream stream(path, std::ios::binary);
    if (!stream) {
      return Status::Internal(fmt::format("cannot open file '{}' for reading", path));
    }
    std::string contents{std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
    if (stream.bad()) {
      return Status::Internal(fmt::format("error while reading file '{}'", path));
    }
    return contents;
  }

  Result<std::string> RealPath(const std::string& path) override { return LocalRealPath(path); }

  Result<std::vector<UnusableEntry>> ListUnusableEntries(const std::string& dir) override {
    std::error_code error;
    fs::directory_iterator it(dir, error);
    if (error) return Status::Internal(fmt::format("cannot list directory '{}': {}", dir, error.message()));
    std::vector<UnusableEntry> unusable;
    for (; it != fs::directory_iterator(); it.increment(error)) {
      if (error) break;
      std::optional<std::string> reason = WhyUnusable(*it);
      if (reason) unusable.push_back(UnusableEntry{it->path().filename().string(), std::move(*reason)});
    }
    if (error) return Status::Internal(fmt::format("error while listing directory '{}': {}", dir, error.message()));
    std::sort(unusable.begin(), unusable.end(),
              [](const UnusableEntry& a, const UnusableEntry& b) { return a.name < b.name; });
    return unusable;
  }

 private:
  // Nothing for a directory or regular file (links followed).
  static std::optional<std::string> WhyUnusable(const fs::directory_entry& entry) {
    std::error_code status_error;
    const fs::file_status status = fs::status(entry.path(), status_error);
    if (status.type() == fs::file_type::directory || status.type() == fs::file_type::regular) return std::nullopt;
    std::error_code link_error;
    if (status.type() == fs::file_type::not_found && entry.is_symlink(link_error)) {
      const fs::path target = fs::read_symlink(entry.path(), link_error);
      return fmt::format("is a symbolic link to '{}', which does not exist", target.string());
    }
    if (status_error) {
      const bool loop = status_error == std::errc::too_many_symbolic_link_levels;
      return fmt::format("cannot be read{}: {}", loop ? " (a symbolic link loop)" : "", status_error.message());
    }
    return std::string("is neither a folder nor a file (a pipe, socket or device)");
  }

  static Result<std::vector<std::string>> ListEntries(const std::string& dir, EntryKind wanted) {
    std::error_code error;
    if (!fs::is_directory(dir, error)) {
      return Status::NotFound(fmt::format("directory '{}' does not exist or is not a directory", dir));
    }
    fs::directory_iterator it(dir, error);
    if (error) {
      return Status::Internal(fmt::format("cannot list directory '{}': {}", dir, error.message()));
    }
    std::vector<std::string> names;
    while (it != fs::directory_iterator()) {
      // is_directory / is_regular_file on the entry follow symlinks, which is
      // what a user linking a model folder into the repository expects. A
      // dangling link is simply neither.
      std::error_code kind_error;
      const bool matches = wanted == EntryKind::kDirectory ? it->is_directory(kind_error)
                                                             : it->is_regular_file(kind_error);
      if (matches && !kind_error) names.push_back(it->path().filename().string());
      it.increment(error);
      if (error) break;
    }
    if (error) {
      return Status::Internal(fmt::format("error while listing directory '{}': {}", dir, error.message()));
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

}  // namespace

FileSystem& LocalFileSystem() {
  static LocalDiskFileSystem file_system;
  return file_system;
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string path(dir);
  if (path.back() != '/') path.push_back('/');
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  path.append(name);
  return path;
}

}  // namespace inferd::repository
