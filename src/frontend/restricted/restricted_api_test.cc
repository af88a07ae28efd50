#include "frontend/restricted/restricted_api.h"

#include <gtest/gtest.h>

namespace inferd {
namespace {

TEST(RestrictedApisTest, GroupsShareOneKeyEach) {
  Result<RestrictedApis> apis = RestrictedApis::Parse(
      {"model-repository,model-config:admin-key=secret", "inference:infer-key=token=with=equals"},
      "--http-restricted-api");
  ASSERT_TRUE(apis.ok()) << apis.status().message();
  ASSERT_NE(apis->For(ApiCategory::kModelRepository), nullptr);
  EXPECT_EQ(apis->For(ApiCategory::kModelRepository)->key, "admin-key");
  EXPECT_EQ(apis->For(ApiCategory::kModelConfig)->value, "secret");
  EXPECT_EQ(apis->For(ApiCategory::kInference)->key, "infer-key");
  EXPECT_EQ(apis->For(ApiCategory::kInference)->value, "token=with=equals");
  EXPECT_EQ(apis->For(ApiCategory::kHealth), nullptr);
  EXPECT_FALSE(apis->Restricts(ApiCategory::kStatistics));
}

TEST(RestrictedApisTest, NothingGivenRestrictsNothing) {
  Result<RestrictedApis> apis = RestrictedApis::Parse({}, "--http-restricted-api");
  ASSERT_TRUE(apis.ok());
  for (size_t i = 0; i < kApiCategoryCount; ++i) EXPECT_FALSE(apis->Restricts(static_cast<ApiCategory>(i)));
}

TEST(RestrictedApisTest, BadGroupsAreRefusedInTritonsWords) {
  auto error = [](std::vector<std::string> groups, std::string_view flag = "--grpc-restricted-protocol") {
    return RestrictedApis::Parse(groups, flag).status().message();
  };
  EXPECT_NE(error({"health:k=v", "health:x=y"}).find("restricted protocol 'health' can not be specified in multiple"),
            std::string::npos);
  EXPECT_NE(error({"healthy:k=v"}, "--http-restricted-api").find("unknown restricted api 'healthy'"),
            std::string::npos);
  EXPECT_NE(error({"health"}).find("expects"), std::string::npos);
  EXPECT_NE(error({"health:=v"}).find("expects"), std::string::npos);
}

TEST(RestrictedApisTest, GrpcKeyCarriesTritonsPrefix) {
  EXPECT_EQ(GrpcRestrictionKey("admin-key"), "triton-grpc-protocol-admin-key");
}

}  // namespace
}  // namespace inferd
