// Typed reads of a model's config parameters (`parameters { key: "x" value {
// string_value: "..." } }`), with messages naming the model and the key.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace inferd::ocr {

using ParameterMap = std::map<std::string, std::string>;

// `default_value` when `key` is absent; INVALID_ARGUMENT when the value is
// not a number in [min_value, max_value]. `subject` starts messages.
Result<double> NumberParameter(const ParameterMap& parameters, const std::string& key, double default_value,
                               double min_value, double max_value, std::string_view subject);
Result<int64_t> IntegerParameter(const ParameterMap& parameters, const std::string& key, int64_t default_value,
                                 int64_t min_value, int64_t max_value, std::string_view subject);
std::string StringParameter(const ParameterMap& parameters, const std::string& key, std::string default_value);

}  // namespace inferd::ocr
