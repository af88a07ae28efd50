#include "config/parse.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

namespace inferd::config {
namespace {

constexpr size_t kMaxQuotedLineLength = 120;

// Line `index` (0-based) of `text` without surrounding blanks; empty when out
// of range.
std::string_view LineOf(std::string_view text, int index) {
  size_t start = 0;
  for (int i = 0; i < index; ++i) {
    start = text.find('\n', start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  std::string_view line = text.substr(start, text.find('\n', start) - start);
  const size_t first = line.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
  return line.substr(0, kMaxQuotedLineLength);
}

// Collects protobuf's parse errors with their positions. Protobuf reports
// 0-based lines and columns; people and editors count from 1. Some protobuf
// messages do not name the field ("Expected integer, got: ..."), so the
// offending line is quoted as well.
class PositionedErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  PositionedErrorCollector(std::string_view text, std::string_view file_name) : text_(text), file_name_(file_name) {}

  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    std::string error = fmt::format("{}:{}:{}: {}", file_name_, line + 1, column + 1, message);
    if (std::string_view quoted = LineOf(text_, line); !quoted.empty()) {
      error += fmt::format(" (in line: {})", quoted);
    }
    errors_.push_back(std::move(error));
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    // Warnings (e.g. deprecated syntax) do not make a config unusable.
  }

  bool empty() const { return errors_.empty(); }
  std::string Joined() const { return fmt::format("{}", fmt::join(errors_, "; ")); }

 private:
  std::string_view text_;
  std::string file_name_;
  std::vector<std::string> errors_;
};

}  // namespace

Result<inference::ModelConfig> ParseModelConfigText(std::string_view text, std::string_view file_name) {
  PositionedErrorCollector errors(text, file_name);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);

  inference::ModelConfig config;
  // ParseFromString takes a ConstStringParam (const std::string& in 3.21).
  const bool parsed = parser.ParseFromString(std::string(text), &config);
  if (!parsed || !errors.empty()) {
    if (errors.empty()) {
      return Status::InvalidArgument(fmt::format("{}: failed to parse the model configuration", file_name));
    }
    return Status::InvalidArgument(errors.Joined());
  }
  return config;
}

Result<inference::ModelConfig> LoadModelConfigFile(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    return Status::NotFound(fmt::format("model configuration '{}' does not exist", path));
  }
  if (std::filesystem::is_directory(status)) {
    return Status::InvalidArgument(fmt::format("model configuration '{}' is a directory, expected a file", path));
  }

  std::ifstream file(path, std::ios::binary);
  if (!file.is_open()) {
    return Status::InvalidArgument(fmt::format("cannot open model configuration '{}' for reading", path));
  }
  std::ostringstream contents;
  // An empty file is a valid (empty) configuration, so only a stream error
  // on the file itself counts as a read failure.
  if (file.peek() != std::ifstream::traits_type::eof()) contents << file.rdbuf();
  if (file.bad()) {
    return Status::InvalidArgument(fmt::format("cannot read model configuration '{}'", path));
  }
  return ParseModelConfigText(contents.str(), path);
}

}  // namespace inferd::config
