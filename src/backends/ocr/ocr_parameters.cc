#include "backends/ocr/ocr_parameters.h"

#include <charconv>

#include <fmt/format.h>

namespace inferd::ocr {
namespace {

template <typename T>
Result<T> Parse(const ParameterMap& parameters, const std::string& key, T default_value, T min_value, T max_value,
                std::string_view subject, std::string_view expected) {
  auto it = parameters.find(key);
  if (it == parameters.end()) return default_value;
  const std::string& text = it->second;
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min_value || value > max_value) {
    return Status::InvalidArgument(fmt::format("{}: parameter '{}' is '{}', expected {} in [{}, {}]", subject, key,
                                               text, expected, min_value, max_value));
  }
  return value;
}

}  // namespace

Result<double> NumberParameter(const ParameterMap& parameters, const std::string& key, double default_value,
                               double min_value, double max_value, std::string_view subject) {
  return Parse<double>(parameters, key, default_value, min_value, max_value, subject, "a number");
}

Result<int64_t> IntegerParameter(const ParameterMap& parameters, const std::string& key, int64_t default_value,
                                 int64_t min_value, int64_t max_value, std::string_view subject) {
  return Parse<int64_t>(parameters, key, default_value, min_value, max_value, subject, "an integer");
}

std::string StringParameter(const ParameterMap& parameters, const std::string& key, std::string default_value) {
  auto it = parameters.find(key);
  return it == parameters.end() ? default_value : it->second;
}

}  // namespace inferd::ocr
