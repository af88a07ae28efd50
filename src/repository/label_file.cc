#include "repository/label_file.h"

#include <string_view>

#include <fmt/format.h>

namespace inferd::repository {

Result<std::vector<std::string>> LoadLabelFile(const std::string& path, FileSystem& file_system) {
  Result<std::string> contents = file_system.ReadFile(path);
  if (!contents.ok()) return contents.status().WithPrefix("loading label file");
  std::vector<std::string> labels;
  std::string_view rest = *contents;
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    labels.emplace_back(line);
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return labels;
}

}  // namespace inferd::repository
