// FileSystem: the few file operations the model repository needs, behind an
// interface so S3/GCS back ends or in-memory fakes can replace the local disk
// without touching the scanner (the leveldb `Env` pattern).
//
// Contract for every implementation:
//   - never throws; failures come back as a Status naming the path;
//   - listings return bare entry names (not paths), sorted, so callers and
//     logs are deterministic whatever order the storage returns;
//   - paths are joined with JoinPath, which uses '/' (valid for local disks
//     and object stores alike).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace inferd::repository {

// A directory entry that is neither a directory nor a regular file once
// links are followed, and why: a symlink loop, a dangling link, a pipe.
struct UnusableEntry {
  std::string name;
  std::string reason;  // e.g. "is a symbolic link loop (Too many levels of symbolic links)"
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Names of the directories directly inside `dir` (symlinks to directories
  // count). NOT_FOUND when `dir` does not exist or is not a directory.
  virtual Result<std::vector<std::string>> ListSubdirectories(const std::string& dir) = 0;
  // Names of the regular files directly inside `dir` (symlinks to files count).
  virtual Result<std::vector<std::string>> ListFiles(const std::string& dir) = 0;
  // False on any error (missing path, permission denied).
  virtual bool IsDirectory(const std::string& path) = 0;
  // True for an existing regular file; false for directories and on errors.
  virtual bool FileExists(const std::string& path) = 0;
  // The whole file as bytes. NOT_FOUND when missing, INTERNAL when unreadable.
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // The real path, links resolved, with the errors RealPathFunction
  // (common/model_file_path.h) names; the loader confines every file a
  // config names to its model folder with it.
  virtual Result<std::string> RealPath(const std::string& path) = 0;
  // The entries of `dir` that the two listings above leave out because
  // they are neither, sorted by name. Stores without links or special files
  // have none (the default).
  virtual Result<std::vector<UnusableEntry>> ListUnusableEntries(const std::string& dir) {
    return std::vector<UnusableEntry>{};
  }
};

// The process-wide local-disk implementation (std::filesystem); stateless and
// safe to use from any thread.
FileSystem& LocalFileSystem();

// "dir/name" with exactly one '/' between the parts; `name` alone when `dir`
// is empty.
std::string JoinPath(std::string_view dir, std::string_view name);

}  // namespace inferd::repository
