#include "frontend/http/http_route_parser.h"

#include <gtest/gtest.h>

namespace inferd::http {
namespace {

using boost::beast::http::verb;

Route MustParse(std::string_view target) {
  Result<Route> route = ParseRoute(target);
  EXPECT_TRUE(route.ok()) << target << ": " << route.status().ToString();
  return route.ok() ? *route : Route{};
}

TEST(HttpRouteParserTest, ServerRoutes) {
  EXPECT_EQ(MustParse("/v2").kind, RouteKind::kServerMetadata);
  EXPECT_EQ(MustParse("/v2/health/live").kind, RouteKind::kHealthLive);
  EXPECT_EQ(MustParse("/v2/health/ready").kind, RouteKind::kHealthReady);
  EXPECT_EQ(MustParse("/v2/repository/index").kind, RouteKind::kRepositoryIndex);
  Route all_stats = MustParse("/v2/models/stats");
  EXPECT_EQ(all_stats.kind, RouteKind::kModelStatistics);
  EXPECT_EQ(all_stats.model_name, "");
  EXPECT_EQ(all_stats.version, "");
}

TEST(HttpRouteParserTest, ModelRoutesWithoutVersion) {
  Route metadata = MustParse("/v2/models/simple");
  EXPECT_EQ(metadata.kind, RouteKind::kModelMetadata);
  EXPECT_EQ(metadata.model_name, "simple");
  EXPECT_EQ(metadata.version, "");

  EXPECT_EQ(MustParse("/v2/models/simple/ready").kind, RouteKind::kModelReady);
  EXPECT_EQ(MustParse("/v2/models/simple/config").kind, RouteKind::kModelConfig);
  EXPECT_EQ(MustParse("/v2/models/simple/stats").kind, RouteKind::kModelStatistics);
  Route infer = MustParse("/v2/models/simple/infer");
  EXPECT_EQ(infer.kind, RouteKind::kModelInfer);
  EXPECT_EQ(infer.model_name, "simple");
}

TEST(HttpRouteParserTest, ModelRoutesWithVersion) {
  Route infer = MustParse("/v2/models/simple/versions/3/infer");
  EXPECT_EQ(infer.kind, RouteKind::kModelInfer);
  EXPECT_EQ(infer.model_name, "simple");
  EXPECT_EQ(infer.version, "3");

  Route metadata = MustParse("/v2/models/simple/versions/12");
  EXPECT_EQ(metadata.kind, RouteKind::kModelMetadata);
  EXPECT_EQ(metadata.version, "12");

  Route stats = MustParse("/v2/models/m/versions/1/stats");
  EXPECT_EQ(stats.kind, RouteKind::kModelStatistics);
  EXPECT_EQ(stats.model_name, "m");
  EXPECT_EQ(stats.version, "1");
  // The version text is passed on as written; ParseModelVersion judges it.
  EXPECT_EQ(MustParse("/v2/models/m/versions/abc/ready").version, "abc");
}

TEST(HttpRouteParserTest, ModelNamedLikeAnAction) {
  // "stats" alone is every model's statistics; with an action it is a name.
  Route ready = MustParse("/v2/models/stats/ready");
  EXPECT_EQ(ready.kind, RouteKind::kModelReady);
  EXPECT_EQ(ready.model_name, "stats");
  Route versions = MustParse("/v2/models/versions");
  EXPECT_EQ(versions.kind, RouteKind::kModelMetadata);
  EXPECT_EQ(versions.model_name, "versions");
}

TEST(HttpRouteParserTest, PercentDecodesNameAndVersion) {
  Route route = MustParse("/v2/models/my%20model%2Fv%25/versions/%32/infer");
  EXPECT_EQ(route.kind, RouteKind::kModelInfer);
  EXPECT_EQ(route.model_name, "my model/v%");
  EXPECT_EQ(route.version, "2");
  // '+' is a space only in query strings, not in paths.
  EXPECT_EQ(MustParse("/v2/models/a+b").model_name, "a+b");
  // UTF-8 names survive decoding byte for byte.
  EXPECT_EQ(MustParse("/v2/models/caf%C3%A9").model_name, "caf\xC3\xA9");
}

TEST(HttpRouteParserTest, IgnoresQueryString) {
  Route route = MustParse("/v2/models/simple/infer?debug=1&x=/y");
  EXPECT_EQ(route.kind, RouteKind::kModelInfer);
  EXPECT_EQ(route.model_name, "simple");
  EXPECT_EQ(MustParse("/v2?").kind, RouteKind::kServerMetadata);
}

TEST(HttpRouteParserTest, UnknownPathsAreNotFound) {
  for (std::string_view target :
       {"", "/", "v2", "/v1", "/v2/", "/v2//health/live", "/v2/health", "/v2/health/live/", "/v2/health/dead",
        "/v2/models", "/v2/models/", "/v2/models/m/", "/v2/models/m/versions", "/v2/models/m/versions/",
        "/v2/models/m/versions/1/unknown", "/v2/models/m/infer/more", "/v2/models//infer", "/v2/repository",
        "/v2/repository/index/more", "/metrics", "/v2x"}) {
    Result<Route> route = ParseRoute(target);
    ASSERT_FALSE(route.ok()) << "'" << target << "' parsed as a route";
    EXPECT_EQ(route.status().code(), StatusCode::kNotFound) << target;
  }
}

TEST(HttpRouteParserTest, BadPercentEscapesAreInvalidArgument) {
  for (std::string_view target : {"/v2/models/a%2/infer", "/v2/models/a%zz", "/v2/models/a%", "/v2/models/a%00b",
                                  "/v2/models/m/versions/%G1"}) {
    Result<Route> route = ParseRoute(target);
    ASSERT_FALSE(route.ok()) << target;
    EXPECT_EQ(route.status().code(), StatusCode::kInvalidArgument) << target;
  }
  Result<Route> route = ParseRoute("/v2/models/a%zz");
  EXPECT_NE(route.status().message().find("model name"), std::string::npos) << route.status().message();
}

TEST(HttpRouteParserTest, TritonExtensionsInferdDoesNotServe) {
  for (std::string_view target :
       {"/v2/repository/repo/models/m/load", "/v2/systemsharedmemory/status", "/v2/systemsharedmemory/region/r/register",
        "/v2/cudasharedmemory/status", "/v2/trace/setting", "/v2/models/m/trace/setting", "/v2/logging",
        "/v2/models/m/generate", "/v2/models/m/versions/1/generate_stream"}) {
    Route route = MustParse(target);
    EXPECT_EQ(route.kind, RouteKind::kUnsupported) << target;
    EXPECT_FALSE(route.unsupported_feature.empty()) << target;
  }
}

TEST(HttpRouteParserTest, ModelControlRoutes) {
  Route load = MustParse("/v2/repository/models/my%2Fmodel/load");
  EXPECT_EQ(load.kind, RouteKind::kRepositoryLoad);
  EXPECT_EQ(load.model_name, "my/model");
  Route unload = MustParse("/v2/repository/models/m/unload");
  EXPECT_EQ(unload.kind, RouteKind::kRepositoryUnload);
  EXPECT_EQ(unload.model_name, "m");
  // Triton ignores a repository name in the index path.
  EXPECT_EQ(MustParse("/v2/repository/repo/index").kind, RouteKind::kRepositoryIndex);
  EXPECT_FALSE(ParseRoute("/v2/repository/models/m/reload").ok());
  EXPECT_EQ(RouteMethod(RouteKind::kRepositoryLoad), verb::post);
  EXPECT_EQ(RouteMethod(RouteKind::kRepositoryUnload), verb::post);
}

TEST(HttpRouteParserTest, MethodsPerRoute) {
  EXPECT_EQ(RouteMethod(RouteKind::kModelInfer), verb::post);
  EXPECT_EQ(RouteMethod(RouteKind::kRepositoryIndex), verb::post);
  EXPECT_EQ(RouteMethod(RouteKind::kServerMetadata), verb::get);
  EXPECT_EQ(RouteMethod(RouteKind::kHealthReady), verb::get);
  EXPECT_EQ(RouteMethod(RouteKind::kModelStatistics), verb::get);
  EXPECT_EQ(RouteMethod(RouteKind::kModelConfig), verb::get);
  EXPECT_EQ(RouteMethod(RouteKind::kUnsupported), verb::unknown);
}

TEST(HttpRouteParserTest, PercentDecode) {
  EXPECT_EQ(*PercentDecode(""), "");
  EXPECT_EQ(*PercentDecode("plain"), "plain");
  EXPECT_EQ(*PercentDecode("%41%62%2f%2F"), "Ab//");
  EXPECT_FALSE(PercentDecode("%4").ok());
  EXPECT_FALSE(PercentDecode("%%41").ok());
}

}  // namespace
}  // namespace inferd::http
