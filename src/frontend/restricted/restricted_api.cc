#include "frontend/restricted/restricted_api.h"

#include <fmt/format.h>

namespace inferd {
namespace {

// Triton's names, in ApiCategory order.
constexpr std::array<std::string_view, kApiCategoryCount> kCategoryNames = {
    "health", "metadata", "inference", "shared-memory", "model-config",
    "model-repository", "statistics", "trace", "logging"};

std::optional<ApiCategory> CategoryNamed(std::string_view name) {
  for (size_t i = 0; i < kCategoryNames.size(); ++i) {
    if (kCategoryNames[i] == name) return static_cast<ApiCategory>(i);
  }
  return std::nullopt;
}

}  // namespace

Result<RestrictedApis> RestrictedApis::Parse(const std::vector<std::string>& groups, std::string_view flag) {
  // tritonserver calls them "api" for HTTP and "protocol" for gRPC.
  const std::string_view noun = flag.find("grpc") != std::string_view::npos ? "protocol" : "api";
  RestrictedApis apis;
  for (const std::string& group : groups) {
    const size_t colon = group.rfind(':');
    const size_t equals = colon == std::string::npos ? std::string::npos : group.find('=', colon);
    if (colon == std::string::npos || equals == std::string::npos || equals == colon + 1) {
      return Status::InvalidArgument(fmt::format(
          "{} expects <{}>[,<{}>...]:<key>=<value>, got '{}'", flag, noun, noun, group));
    }
    ApiRestriction restriction{group.substr(colon + 1, equals - colon - 1), group.substr(equals + 1)};
    std::string_view names(group.data(), colon);
    while (true) {
      const size_t comma = names.find(',');
      const std::string_view name = names.substr(0, comma);
      std::optional<ApiCategory> category = CategoryNamed(name);
      if (!category) {
        return Status::InvalidArgument(fmt::format(
            "{}: unknown restricted {} '{}' (known: health, metadata, inference, shared-memory, model-config, "
            "model-repository, statistics, trace, logging)",
            flag, noun, name));
      }
      auto& slot = apis.restrictions_[static_cast<size_t>(*category)];
      if (slot) {
        return Status::InvalidArgument(
            fmt::format("{}: restricted {} '{}' can not be specified in multiple config groups", flag, noun, name));
      }
      slot = restriction;
      if (comma == std::string_view::npos) break;
      names.remove_prefix(comma + 1);
    }
  }
  return apis;
}

const ApiRestriction* RestrictedApis::For(ApiCategory category) const {
  const auto& slot = restrictions_[static_cast<size_t>(category)];
  return slot ? &*slot : nullptr;
}

std::string GrpcRestrictionKey(std::string_view key) { return fmt::format("triton-grpc-protocol-{}", key); }

}  // namespace inferd
