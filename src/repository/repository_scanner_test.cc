#include "repository/repository_scanner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "common/temp_directory_for_test.h"

namespace inferd::repository {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> Names(const std::vector<ModelLocation>& models) {
  std::vector<std::string> names;
  for (const ModelLocation& model : models) names.push_back(model.name);
  return names;
}

TEST(ScanRepositoriesTest, EveryVisibleSubdirectoryIsAModelSortedByName) {
  TempDirectory temp;
  const std::string root = temp.MakeDirectory("models");
  temp.MakeDirectory("models/simple/1");
  temp.MakeDirectory("models/densenet");
  temp.MakeDirectory("models/.git");
  temp.WriteFile("models/README.md", "not a model");

  Result<RepositoryScan> scan = ScanRepositories({root}, LocalFileSystem());
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_THAT(Names(scan->models), ElementsAre("densenet", "simple"));
  EXPECT_THAT(scan->problems, IsEmpty());
  EXPECT_EQ(scan->models[1].path, root + "/simple");
  EXPECT_EQ(scan->models[1].repository, root);
}

TEST(ScanRepositoriesTest, EntriesThatCannotBeModelsAreProblemsWithTheirReason) {
  TempDirectory temp;
  const std::string root = temp.MakeDirectory("models");
  temp.MakeDirectory("models/simple/1");
  std::filesystem::create_symlink("loop", root + "/loop");
  std::filesystem::create_symlink(temp.Path("gone"), root + "/dangling");
  temp.WriteFile("models/densenet_onnx", "a model copied as a file");
  temp.WriteFile("models/LICENSE", "not a model");
  temp.WriteFile("models/notes.txt", "not a model");
  std::filesystem::create_symlink("hidden_loop", root + "/.hidden_loop");

  Result<RepositoryScan> scan = ScanRepositories({root}, LocalFileSystem());
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_THAT(Names(scan->models), ElementsAre("simple"));
  ASSERT_EQ(scan->problems.size(), 3u);
  EXPECT_EQ(scan->problems[0].name, "dangling");
  EXPECT_THAT(scan->problems[0].reason, HasSubstr("is a symbolic link to '" + temp.Path("gone") + "', which does not exist"));
  EXPECT_EQ(scan->problems[1].name, "densenet_onnx");
  EXPECT_THAT(scan->problems[1].reason, HasSubstr("is a file, not a model folder"));
  EXPECT_EQ(scan->problems[2].name, "loop");
  EXPECT_THAT(scan->problems[2].reason, HasSubstr("a symbolic link loop"));
  EXPECT_THAT(scan->problems[2].reason, HasSubstr(root));
}

TEST(ScanRepositoriesTest, EmptyRootHasNoModels) {
  TempDirectory temp;
  Result<RepositoryScan> scan = ScanRepositories({temp.MakeDirectory("empty")}, LocalFileSystem());
  ASSERT_TRUE(scan.ok());
  EXPECT_THAT(scan->models, IsEmpty());
  EXPECT_THAT(scan->problems, IsEmpty());
}

TEST(ScanRepositoriesTest, MergesSeveralRoots) {
  TempDirectory temp;
  const std::string first = temp.MakeDirectory("a");
  const std::string second = temp.MakeDirectory("b");
  temp.MakeDirectory("a/zulu");
  temp.MakeDirectory("b/alpha");
  temp.MakeDirectory("a/mike");

  Result<RepositoryScan> scan = ScanRepositories({first, second}, LocalFileSystem());
  ASSERT_TRUE(scan.ok());
  EXPECT_THAT(Names(scan->models), ElementsAre("alpha", "mike", "zulu"));
  EXPECT_EQ(scan->models[0].repository, second);
  EXPECT_EQ(scan->models[2].repository, first);
}

TEST(ScanRepositoriesTest, DuplicateNamesBecomeProblemsWithoutHidingOtherModels) {
  TempDirectory temp;
  const std::string first = temp.MakeDirectory("a");
  const std::string second = temp.MakeDirectory("b");
  temp.MakeDirectory("a/shared");
  temp.MakeDirectory("b/shared");
  temp.MakeDirectory("a/also_shared");
  temp.MakeDirectory("b/also_shared");
  temp.MakeDirectory("a/only_in_a");
  temp.MakeDirectory("b/only_in_b");

  Result<RepositoryScan> scan = ScanRepositories({first, second}, LocalFileSystem());
  ASSERT_TRUE(scan.ok());
  EXPECT_THAT(Names(scan->models), ElementsAre("only_in_a", "only_in_b"));
  ASSERT_EQ(scan->problems.size(), 2u);
  EXPECT_EQ(scan->problems[0].name, "also_shared");
  EXPECT_EQ(scan->problems[1].name, "shared");
  EXPECT_THAT(scan->problems[1].reason, HasSubstr(first + "/shared"));
  EXPECT_THAT(scan->problems[1].reason, HasSubstr(second + "/shared"));
  EXPECT_THAT(scan->problems[1].reason, HasSubstr("more than one model repository"));
}

TEST(ScanRepositoriesTest, RootListedTwiceIsScannedOnce) {
  TempDirectory temp;
  const std::string root = temp.MakeDirectory("models");
  temp.MakeDirectory("models/simple");

  Result<RepositoryScan> scan = ScanRepositories({root, root + "/"}, LocalFileSystem());
  ASSERT_TRUE(scan.ok());
  EXPECT_THAT(Names(scan->models), ElementsAre("simple"));
  EXPECT_THAT(scan->problems, IsEmpty());
}

TEST(ScanRepositoriesTest, MissingRootFailsAndNamesIt) {
  TempDirectory temp;
  const std::string good = temp.MakeDirectory("models");
  const std::string missing = temp.Path("no_such_repository");

  Result<RepositoryScan> scan = ScanRepositories({good, missing}, LocalFileSystem());
  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(scan.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(scan.status().message(), HasSubstr(missing));
}

// A storage back end whose listing fails: the error must surface, prefixed
// with the root, rather than look like an empty repository.
class FailingListFileSystem final : public FileSystem {
 public:
  Result<std::vector<std::string>> ListSubdirectories(const std::string& dir) override {
    return Status::Internal("permission denied on " + dir);
  }
  Result<std::vector<std::string>> ListFiles(const std::string&) override { return std::vector<std::string>{}; }
  bool IsDirectory(const std::string&) override { return true; }
  bool FileExists(const std::string&) override { return false; }
  Result<std::string> ReadFile(const std::string&) override { return Status::NotFound("no files"); }
  Result<std::string> RealPath(const std::string& path) override { return path; }
};

TEST(ScanRepositoriesTest, ListingFailurePropagatesWithTheRoot) {
  FailingListFileSystem file_system;
  Result<RepositoryScan> scan = ScanRepositories({"s3://bucket/models"}, file_system);
  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(scan.status().code(), StatusCode::kInternal);
  EXPECT_THAT(scan.status().message(), HasSubstr("scanning model repository 's3://bucket/models'"));
  EXPECT_THAT(scan.status().message(), HasSubstr("permission denied"));
}

TEST(ParseVersionFolderNameTest, AcceptsOnlyPositiveDecimalWithoutLeadingZero) {
  EXPECT_EQ(ParseVersionFolderName("1"), 1);
  EXPECT_EQ(ParseVersionFolderName("42"), 42);
  EXPECT_EQ(ParseVersionFolderName("9223372036854775807"), 9223372036854775807);
  for (const char* ignored : {"", "0", "01", "007", "+3", "-1", "1a", "a1", "1.0", " 1", "v2",
                              "9223372036854775808", "99999999999999999999"}) {
    EXPECT_EQ(ParseVersionFolderName(ignored), std::nullopt) << "'" << ignored << "'";
  }
}

TEST(ListVersionsTest, NumericFoldersAscendingOthersIgnored) {
  TempDirectory temp;
  const std::string model = temp.MakeDirectory("simple");
  for (const char* folder : {"10", "2", "1", "01", "0", "latest", "3.bak", "-4"}) {
    temp.MakeDirectory(std::string("simple/") + folder);
  }
  temp.WriteFile("simple/5", "a file named like a version is not a version");
  temp.WriteFile("simple/config.pbtxt", "");

  Result<std::vector<int64_t>> versions = ListVersions(model, LocalFileSystem());
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  EXPECT_THAT(*versions, ElementsAre(1, 2, 10));
}

TEST(ListVersionsTest, ModelWithoutVersionFoldersHasNone) {
  TempDirectory temp;
  Result<std::vector<int64_t>> versions = ListVersions(temp.MakeDirectory("empty_model"), LocalFileSystem());
  ASSERT_TRUE(versions.ok());
  EXPECT_THAT(*versions, IsEmpty());
}

TEST(ListVersionsTest, MissingModelFolderNamesIt) {
  TempDirectory temp;
  const std::string missing = temp.Path("gone");
  Result<std::vector<int64_t>> versions = ListVersions(missing, LocalFileSystem());
  ASSERT_FALSE(versions.ok());
  EXPECT_EQ(versions.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(versions.status().message(), HasSubstr(missing));
}

}  // namespace
}  // namespace inferd::repository
