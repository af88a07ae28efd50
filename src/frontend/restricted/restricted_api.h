// Restricted APIs (tritonserver's --http-restricted-api and
// --grpc-restricted-protocol): groups of endpoints a client may call only
// when its request carries a given header (HTTP) or metadata key (gRPC,
// "triton-grpc-protocol-<key>") with a given value.
//
// The categories and the refusals are Triton's, so scripts and clients that
// were written for it keep working: HTTP 403 "This API is restricted,
// expecting header '<key>'", gRPC UNAVAILABLE "This protocol is restricted,
// expecting header 'triton-grpc-protocol-<key>'".
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace inferd {

enum class ApiCategory {
  kHealth,           // server live/ready, model ready
  kMetadata,         // server and model metadata
  kInference,        // infer, stream infer
  kSharedMemory,     // shared-memory registration
  kModelConfig,      // model config
  kModelRepository,  // repository index, load, unload
  kStatistics,       // model statistics
  kTrace,            // trace settings
  kLogging,          // log settings
};
inline constexpr size_t kApiCategoryCount = 9;

// The key/value a restricted category asks for.
struct ApiRestriction {
  std::string key;
  std::string value;
};

class RestrictedApis {
 public:
  // Parses each "<category>[,<category>...]:<key>=<value>" of one flag
  // (`flag` names it in errors). A category in two groups, an unknown
  // category or a group without key is INVALID_ARGUMENT, in Triton's words
  // where it has them.
  static Result<RestrictedApis> Parse(const std::vector<std::string>& groups, std::string_view flag);

  // The restriction on `category`, or null when anyone may call it.
  const ApiRestriction* For(ApiCategory category) const;
  bool Restricts(ApiCategory category) const { return For(category) != nullptr; }

 private:
  std::array<std::optional<ApiRestriction>, kApiCategoryCount> restrictions_;
};

// The metadata key gRPC clients send for restriction `key` (Triton's prefix).
std::string GrpcRestrictionKey(std::string_view key);

}  // namespace inferd
