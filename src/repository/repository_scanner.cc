#include "repository/repository_scanner.h"

#include <algorithm>
#include <limits>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/logging.h"

namespace inferd::repository {
namespace {

// "/models/" and "/models" are the same root; compare without trailing '/'.
std::string_view WithoutTrailingSlash(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

bool IsHidden(std::string_view name) { return !name.empty() && name.front() == '.'; }

// A plain file whose name could be a model's (lower-case, no extension):
// likely a model copied as a file instead of a folder. README, LICENSE,
// Makefile and files with an extension are left alone.
bool LooksLikeAModelName(std::string_view name) {
  if (name.empty() || !((name.front() >= 'a' && name.front() <= 'z') || (name.front() >= '0' && name.front() <= '9'))) {
    return false;
  }
  return name.find('.') == std::string_view::npos;
}

bool IsAllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<int64_t> ParseVersionFolderName(std::string_view name) {
  if (!IsAllDigits(name) || name.front() == '0') return std::nullopt;
  int64_t version = 0;
  for (char digit : name) {
    const int value = digit - '0';
    if (version > (std::numeric_limits<int64_t>::max() - value) / 10) return std::nullopt;
    version = version * 10 + value;
  }
  return version;
}

namespace {

// Entries of a root that an operator meant as models but that cannot be:
// each gets a row in the index with its reason instead of vanishing.
Status FindUnservableEntries(const std::string& root, FileSystem& file_system, std::vector<ScanProblem>* problems) {
  Result<std::vector<UnusableEntry>> unusable = file_system.ListUnusableEntries(root);
  if (!unusable.ok()) return unusable.status().WithPrefix(fmt::format("scanning model repository '{}'", root));
  for (const UnusableEntry& entry : *unusable) {
    if (IsHidden(entry.name)) continue;
    problems->push_back(ScanProblem{
        entry.name, fmt::format("'{}' in model repository '{}' {}", entry.name, root, entry.reason)});
  }
  Result<std::vector<std::string>> files = file_system.ListFiles(root);
  if (!files.ok()) return files.status().WithPrefix(fmt::format("scanning model repository '{}'", root));
  for (const std::string& name : *files) {
    if (!LooksLikeAModelName(name)) continue;
    problems->push_back(ScanProblem{
        name, fmt::format("'{}' in model repository '{}' is a file, not a model folder (a model is a folder "
                          "holding config.pbtxt and numbered version folders)",
                          name, root)});
  }
  return Status::Ok();
}

}  // namespace

Result<RepositoryScan> ScanRepositories(const std::vector<std::string>& roots, FileSystem& file_system) {
  // Model name -> every folder holding it, in root order. std::map keeps the
  // names sorted for the output.
  std::map<std::string, std::vector<ModelLocation>, std::less<>> found;
  RepositoryScan scan;
  std::vector<std::string_view> scanned_roots;
  for (const std::string& root : roots) {
    const std::string_view normalized = WithoutTrailingSlash(root);
    if (std::find(scanned_roots.begin(), scanned_roots.end(), normalized) != scanned_roots.end()) {
      LogWarning("model repository '{}' is listed more than once; scanning it once", root);
      continue;
    }
    scanned_roots.push_back(normalized);

    if (!file_system.IsDirectory(root)) {
      return Status::NotFound(fmt::format("model repository '{}' does not exist or is not a directory", root));
    }
    Result<std::vector<std::string>> names = file_system.ListSubdirectories(root);
    if (!names.ok()) return names.status().WithPrefix(fmt::format("scanning model repository '{}'", root));
    for (std::string& name : *names) {
      if (IsHidden(name)) continue;  // .git, .ipynb_checkpoints, editor droppings
      std::string path = JoinPath(root, name);
      auto& locations = found[name];
      locations.push_back(ModelLocation{std::move(name), std::move(path), root});
    }
    RETURN_IF_ERROR(FindUnservableEntries(root, file_system, &scan.problems));
  }

  for (auto& [name, locations] : found) {
    if (locations.size() == 1) {
      scan.models.push_back(std::move(locations.front()));
      continue;
    }
    std::vector<std::string_view> paths;
    paths.reserve(locations.size());
    for (const ModelLocation& location : locations) paths.push_back(location.path);
    scan.problems.push_back(ScanProblem{
        name, fmt::format("model '{}' exists in more than one model repository ('{}'); remove all but one "
                          "so the server knows which to load",
                          name, fmt::join(paths, "', '"))});
  }
  std::sort(scan.problems.begin(), scan.problems.end(),
            [](const ScanProblem& a, const ScanProblem& b) { return a.name < b.name; });
  return scan;
}

Result<std::vector<int64_t>> ListVersions(const std::string& model_path, FileSystem& file_system) {
  Result<std::vector<std::string>> names = file_system.ListSubdirectories(model_path);
  if (!names.ok()) return names.status().WithPrefix(fmt::format("listing versions of '{}'", model_path));
  std::vector<int64_t> versions;
  for (const std::string& name : *names) {
    if (std::optional<int64_t> version = ParseVersionFolderName(name)) {
      versions.push_back(*version);
    } else if (IsAllDigits(name)) {
      LogWarning("ignoring folder '{}' in '{}': version folders must be a number without leading zeros or "
                 "too many digits",
                 name, model_path);
    } else {
      LogVerbose("ignoring non-numeric folder '{}' in '{}'", name, model_path);
    }
  }
  std::sort(versions.begin(), versions.end());
  return versions;
}

}  // namespace inferd::repository
