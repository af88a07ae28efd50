// Request target -> which KServe v2 / Triton route it names. Pure string
// work, no server access, so every path rule is unit-tested.
//
// Paths are split on '/' first and each segment is percent-decoded after, so
// a model name may contain any character, "/" included (as %2F). Empty
// segments (a doubled or trailing slash) match nothing, as in Triton.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace inferd::http {

enum class RouteKind {
  kServerMetadata,   // GET  /v2
  kHealthLive,       // GET  /v2/health/live
  kHealthReady,      // GET  /v2/health/ready
  kModelMetadata,    // GET  /v2/models/{m}[/versions/{v}]
  kModelReady,       // GET  /v2/models/{m}[/versions/{v}]/ready
  kModelConfig,      // GET  /v2/models/{m}[/versions/{v}]/config
  kModelStatistics,  // GET  /v2/models/stats and /v2/models/{m}[/versions/{v}]/stats
  kModelInfer,       // POST /v2/models/{m}[/versions/{v}]/infer
  kRepositoryIndex,  // POST /v2/repository[/{r}]/index
  kRepositoryLoad,   // POST /v2/repository/models/{m}/load
  kRepositoryUnload,  // POST /v2/repository/models/{m}/unload
  kUnsupported,      // a Triton extension inferd does not serve (yet): 501
};

struct Route {
  RouteKind kind = RouteKind::kServerMetadata;
  std::string model_name;           // decoded; empty for server-wide routes
  std::string version;              // decoded text; empty when the path names no version
  std::string unsupported_feature;  // for kUnsupported: what the client asked for
};

// The one method a route answers (HEAD is accepted wherever GET is).
// verb::unknown for kUnsupported, which answers 501 to any method.
boost::beast::http::verb RouteMethod(RouteKind kind);

// Parses a request target ("/v2/models/m/infer?x=y"; the query is ignored).
// NOT_FOUND when no route matches, INVALID_ARGUMENT for a bad percent escape.
Result<Route> ParseRoute(std::string_view target);

// RFC 3986 percent-decoding of one path segment ('+' stays '+').
// INVALID_ARGUMENT for a truncated or non-hex escape or an encoded NUL.
Result<std::string> PercentDecode(std::string_view text);

}  // namespace inferd::http
