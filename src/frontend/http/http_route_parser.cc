#include "frontend/http/http_route_parser.h"

#include <fmt/format.h>

#include <optional>
#include <vector>

namespace inferd::http {

namespace {

using boost::beast::http::verb;

std::optional<int> HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

// Splits "/a/b/c" into {"a","b","c"}. Returns nullopt for a path that does
// not start with '/' or has an empty segment ("//", trailing '/').
std::optional<std::vector<std::string_view>> SplitPath(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::vector<std::string_view> segments;
  size_t start = 1;
  while (true) {
    size_t slash = path.find('/', start);
    std::string_view segment = path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (segment.empty()) return std::nullopt;
    segments.push_back(segment);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

Status NotFound(std::string_view path) { return Status::NotFound(fmt::format("Not Found: no route for '{}'", path)); }

Result<Route> Unsupported(std::string feature) {
  Route route;
  route.kind = RouteKind::kUnsupported;
  route.unsupported_feature = std::move(feature);
  return route;
}

// /v2/models/... (segments[0] == "v2", segments[1] == "models").
Result<Route> ParseModelRoute(const std::vector<std::string_view>& segments, std::string_view path) {
  if (segments.size() == 3 && segments[2] == "stats") {
    Route route;
    route.kind = RouteKind::kModelStatistics;
    return route;
  }
  if (segments.size() < 3) return NotFound(path);

  Route route;
  Result<std::string> name = PercentDecode(segments[2]);
  if (!name.ok()) return name.status().WithPrefix("model name in the URL");
  route.model_name = std::move(name).value();

  size_t next = 3;
  if (segments.size() > next && segments[next] == "versions") {
    if (segments.size() == next + 1) return NotFound(path);  // "/versions" without a version
    Result<std::string> version = PercentDecode(segments[next + 1]);
    if (!version.ok()) return version.status().WithPrefix("model version in the URL");
    route.version = std::move(version).value();
    next += 2;
  }

  const size_t rest = segments.size() - next;
  if (rest == 0) {
    route.kind = RouteKind::kModelMetadata;
    return route;
  }
  if (rest == 1) {
    std::string_view action = segments[next];
    if (action == "ready") route.kind = RouteKind::kModelReady;
    else if (action == "infer") route.kind = RouteKind::kModelInfer;
    else if (action == "config") route.kind = RouteKind::kModelConfig;
    else if (action == "stats") route.kind = RouteKind::kModelStatistics;
    else if (action == "generate" || action == "generate_stream") return Unsupported("the generate extension");
    else return NotFound(path);
    return route;
  }
  if (rest == 2 && segments[next] == "trace" && segments[next + 1] == "setting") {
    return Unsupported("the trace extension");
  }
  return NotFound(path);
}

// /v2/repository[/{repository}]/index and .../models/{m}/(load|unload).
Result<Route> ParseRepositoryRoute(const std::vector<std::string_view>& segments, std::string_view path) {
  Route route;
  // Triton accepts a repository name in the index path and lists every
  // repository all the same.
  if ((segments.size() == 3 && segments[2] == "index") || (segments.size() == 4 && segments[3] == "index")) {
    route.kind = RouteKind::kRepositoryIndex;
    return route;
  }
  for (size_t models_at : {size_t{2}, size_t{3}}) {
    if (segments.size() != models_at + 3 || segments[models_at] != "models") continue;
    const std::string_view action = segments[models_at + 2];
    if (action != "load" && action != "unload") continue;
    // Triton's answer (501) to naming one of several repositories.
    if (models_at == 3) return Unsupported("'repository_name' specification in model control requests");
    Result<std::string> name = PercentDecode(segments[models_at + 1]);
    if (!name.ok()) return name.status().WithPrefix("model name in the URL");
    route.model_name = std::move(name).value();
    route.kind = action == "load" ? RouteKind::kRepositoryLoad : RouteKind::kRepositoryUnload;
    return route;
  }
  return NotFound(path);
}

}  // namespace

verb RouteMethod(RouteKind kind) {
  switch (kind) {
    case RouteKind::kModelInfer:
    case RouteKind::kRepositoryIndex:
    case RouteKind::kRepositoryLoad:
    case RouteKind::kRepositoryUnload: return verb::post;
    case RouteKind::kUnsupported: return verb::unknown;
    default: return verb::get;
  }
}

Result<std::string> PercentDecode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded.push_back(text[i]);
      continue;
    }
    std::optional<int> high = i + 1 < text.size() ? HexValue(text[i + 1]) : std::nullopt;
    std::optional<int> low = i + 2 < text.size() ? HexValue(text[i + 2]) : std::nullopt;
    if (!high || !low) {
      return Status::InvalidArgument(
          fmt::format("bad percent escape in '{}' at offset {}: expected '%' and two hex digits", text, i));
    }
    char c = static_cast<char>(*high * 16 + *low);
    if (c == '\0') return Status::InvalidArgument(fmt::format("'{}' encodes a NUL character, which no name may hold", text));
    decoded.push_back(c);
    i += 2;
  }
  return decoded;
}

Result<Route> ParseRoute(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  std::optional<std::vector<std::string_view>> segments = SplitPath(path);
  if (!segments || segments->front() != "v2") return NotFound(path);
  const std::vector<std::string_view>& s = *segments;

  Route route;
  if (s.size() == 1) {
    route.kind = RouteKind::kServerMetadata;
    return route;
  }
  if (s[1] == "health" && s.size() == 3) {
    if (s[2] == "live") route.kind = RouteKind::kHealthLive;
    else if (s[2] == "ready") route.kind = RouteKind::kHealthReady;
    else return NotFound(path);
    return route;
  }
  if (s[1] == "models") return ParseModelRoute(s, path);
  if (s[1] == "repository") return ParseRepositoryRoute(s, path);
  if (s[1] == "systemsharedmemory" || s[1] == "cudasharedmemory") return Unsupported("the shared-memory extension");
  if (s[1] == "trace" && s.size() == 3 && s[2] == "setting") return Unsupported("the trace extension");
  if (s[1] == "logging" && s.size() == 2) return Unsupported("the logging extension");
  return NotFound(path);
}

}  // namespace inferd::http
