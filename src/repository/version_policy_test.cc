#include "repository/version_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace inferd::repository {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

inference::ModelVersionPolicy Latest(uint32_t count) {
  inference::ModelVersionPolicy policy;
  policy.mutable_latest()->set_num_versions(count);
  return policy;
}

inference::ModelVersionPolicy All() {
  inference::ModelVersionPolicy policy;
  policy.mutable_all();
  return policy;
}

inference::ModelVersionPolicy Specific(std::initializer_list<int64_t> versions) {
  inference::ModelVersionPolicy policy;
  auto* specific = policy.mutable_specific();
  for (int64_t version : versions) specific->add_versions(version);
  return policy;
}

const std::vector<int64_t> kAvailable = {1, 2, 3, 7, 10};

TEST(SelectVersionsTest, LatestTakesTheHighest) {
  EXPECT_THAT(SelectVersions(Latest(1), kAvailable), ElementsAre(10));
  EXPECT_THAT(SelectVersions(Latest(2), kAvailable), ElementsAre(7, 10));
  EXPECT_THAT(SelectVersions(Latest(5), kAvailable), ElementsAre(1, 2, 3, 7, 10));
}

TEST(SelectVersionsTest, LatestAskingForMoreThanExistTakesAll) {
  EXPECT_THAT(SelectVersions(Latest(100), kAvailable), ElementsAre(1, 2, 3, 7, 10));
}

TEST(SelectVersionsTest, LatestZeroAndUnsetPolicyMeanLatestOne) {
  EXPECT_THAT(SelectVersions(Latest(0), kAvailable), ElementsAre(10));
  EXPECT_THAT(SelectVersions(inference::ModelVersionPolicy(), kAvailable), ElementsAre(10));
}

TEST(SelectVersionsTest, AllTakesEverything) {
  EXPECT_THAT(SelectVersions(All(), kAvailable), ElementsAre(1, 2, 3, 7, 10));
}

TEST(SelectVersionsTest, SpecificTakesOnlyExistingSortedDistinct) {
  EXPECT_THAT(SelectVersions(Specific({7, 1}), kAvailable), ElementsAre(1, 7));
  EXPECT_THAT(SelectVersions(Specific({4, 10, 10, 99}), kAvailable), ElementsAre(10));
  EXPECT_THAT(SelectVersions(Specific({}), kAvailable), IsEmpty());
}

TEST(SelectVersionsTest, NothingAvailableSelectsNothing) {
  EXPECT_THAT(SelectVersions(Latest(1), {}), IsEmpty());
  EXPECT_THAT(SelectVersions(All(), {}), IsEmpty());
  EXPECT_THAT(SelectVersions(Specific({1}), {}), IsEmpty());
}

TEST(MissingRequestedVersionsTest, ListsSpecificVersionsWithoutFolders) {
  EXPECT_THAT(MissingRequestedVersions(Specific({4, 10, 99, 4}), kAvailable), ElementsAre(4, 99));
  EXPECT_THAT(MissingRequestedVersions(Specific({1, 2}), kAvailable), IsEmpty());
}

TEST(MissingRequestedVersionsTest, OtherPoliciesNeverMissAnything) {
  EXPECT_THAT(MissingRequestedVersions(Latest(3), {}), IsEmpty());
  EXPECT_THAT(MissingRequestedVersions(All(), {}), IsEmpty());
}

TEST(MissingVersionReasonTest, NamesTheFolder) {
  EXPECT_EQ(MissingVersionReason(4), "version folder 4 does not exist");
}

}  // namespace
}  // namespace inferd::repository
