// FakeFileSystem: an in-memory FileSystem for the unit tests of what reads a
// model repository (scanner, loader, registry, Server), so they build their
// repositories in a few lines and touch no disk.
//
//   FakeFileSystem files;
//   files.AddFile("/models/simple/config.pbtxt", "name: \"simple\" ...");
//   files.AddDirectory("/models/simple/1");   // parents are implied
//
// Paths are absolute, '/'-separated, without "." or "..", and without links:
// RealPath is the path itself when it exists.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "repository/filesystem.h"

namespace inferd::repository {

class FakeFileSystem final : public FileSystem {
 public:
  void AddFile(const std::string& path, std::string contents) {
    std::lock_guard lock(mutex_);
    AddParents(path);
    files_[path] = std::move(contents);
  }
  void AddDirectory(const std::string& path) {
    std::lock_guard lock(mutex_);
    AddParents(path);
    directories_.insert(path);
  }
  // Removes `path` and everything below it.
  void Remove(const std::string& path) {
    std::lock_guard lock(mutex_);
    auto below = [&](const std::string& entry) { return entry == path || entry.starts_with(path + "/"); };
    std::erase_if(files_, [&](const auto& entry) { return below(entry.first); });
    std::erase_if(directories_, below);
  }
  // How many times ReadFile was called for `path`.
  int Reads(const std::string& path) {
    std::lock_guard lock(mutex_);
    return reads_[path];
  }

  Result<std::vector<std::string>> ListSubdirectories(const std::string& dir) override {
    std::lock_guard lock(mutex_);
    if (!directories_.contains(dir)) return Status::NotFound("directory '" + dir + "' does not exist");
    std::vector<std::string> names;
    for (const std::string& entry : directories_) {
      if (IsChild(entry, dir)) names.push_back(entry.substr(dir.size() + 1));
    }
    return names;
  }
  Result<std::vector<std::string>> ListFiles(const std::string& dir) override {
    std::lock_guard lock(mutex_);
    if (!directories_.contains(dir)) return Status::NotFound("directory '" + dir + "' does not exist");
    std::vector<std::string> names;
    for (const auto& [entry, contents] : files_) {
      if (IsChild(entry, dir)) names.push_back(entry.substr(dir.size() + 1));
    }
    return names;
  }
  bool IsDirectory(const std::string& path) override {
    std::lock_guard lock(mutex_);
    return directories_.contains(path);
  }
  bool FileExists(const std::string& path) override {
    std::lock_guard lock(mutex_);
    return files_.contains(path);
  }
  Result<std::string> ReadFile(const std::string& path) override {
    std::lock_guard lock(mutex_);
    ++reads_[path];
    auto it = files_.find(path);
    if (it == files_.end()) return Status::NotFound("file '" + path + "' does not exist");
    return it->second;
  }
  Result<std::string> RealPath(const std::string& path) override {
    std::lock_guard lock(mutex_);
    std::string normal = path;
    while (normal.ends_with("/.")) normal.resize(normal.size() - 2);
    if (files_.contains(normal) || directories_.contains(normal)) return normal;
    return Status::NotFound("No such file or directory");
  }

 private:
  // Whether `entry` sits directly inside `dir`.
  static bool IsChild(const std::string& entry, const std::string& dir) {
    return entry.size() > dir.size() + 1 && entry.starts_with(dir + "/") &&
           entry.find('/', dir.size() + 1) == std::string::npos;
  }
  void AddParents(const std::string& path) {
    for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      directories_.insert(path.substr(0, slash));
    }
  }

  std::mutex mutex_;
  std::map<std::string, std::string> files_;
  std::set<std::string> directories_;
  std::map<std::string, int> reads_;
};

}  // namespace inferd::repository
