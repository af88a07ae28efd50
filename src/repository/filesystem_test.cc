#include "repository/filesystem.h"

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/temp_directory_for_test.h"

namespace inferd::repository {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(JoinPathTest, InsertsExactlyOneSeparator) {
  EXPECT_EQ(JoinPath("/models", "simple"), "/models/simple");
  EXPECT_EQ(JoinPath("/models/", "simple"), "/models/simple");
  EXPECT_EQ(JoinPath("/models/", "/simple"), "/models/simple");
  EXPECT_EQ(JoinPath("", "simple"), "simple");
  EXPECT_EQ(JoinPath("s3://bucket/models", "simple/1"), "s3://bucket/models/simple/1");
}

TEST(LocalFileSystemTest, ListsDirectoriesAndFilesSeparatelyAndSorted) {
  TempDirectory temp;
  temp.MakeDirectory("zeta");
  temp.MakeDirectory("alpha");
  temp.MakeDirectory(".hidden");
  temp.WriteFile("b.txt", "b");
  temp.WriteFile("a.txt", "a");

  Result<std::vector<std::string>> directories = LocalFileSystem().ListSubdirectories(temp.path());
  ASSERT_TRUE(directories.ok()) << directories.status().ToString();
  // Hidden entries are listed: skipping them is the scanner's policy, not the file system's.
  EXPECT_THAT(*directories, ElementsAre(".hidden", "alpha", "zeta"));

  Result<std::vector<std::string>> files = LocalFileSystem().ListFiles(temp.path());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_THAT(*files, ElementsAre("a.txt", "b.txt"));
}

TEST(LocalFileSystemTest, FollowsSymlinksAndSkipsDanglingOnes) {
  TempDirectory temp;
  const std::string target = temp.MakeDirectory("real_model");
  temp.MakeDirectory("repo");
  std::filesystem::create_directory_symlink(target, temp.Path("repo/linked_model"));
  std::filesystem::create_symlink(temp.Path("nowhere"), temp.Path("repo/dangling"));

  Result<std::vector<std::string>> directories = LocalFileSystem().ListSubdirectories(temp.Path("repo"));
  ASSERT_TRUE(directories.ok());
  EXPECT_THAT(*directories, ElementsAre("linked_model"));
  Result<std::vector<std::string>> files = LocalFileSystem().ListFiles(temp.Path("repo"));
  ASSERT_TRUE(files.ok());
  EXPECT_THAT(*files, IsEmpty());
}

TEST(LocalFileSystemTest, ListingAMissingDirectoryNamesIt) {
  TempDirectory temp;
  const std::string missing = temp.Path("missing");
  Result<std::vector<std::string>> directories = LocalFileSystem().ListSubdirectories(missing);
  ASSERT_FALSE(directories.ok());
  EXPECT_EQ(directories.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(directories.status().message(), HasSubstr(missing));

  // A file is not a directory either.
  const std::string file = temp.WriteFile("plain.txt", "x");
  Result<std::vector<std::string>> files = LocalFileSystem().ListFiles(file);
  ASSERT_FALSE(files.ok());
  EXPECT_THAT(files.status().message(), HasSubstr(file));
}

TEST(LocalFileSystemTest, IsDirectoryAndFileExistsTellThemApart) {
  TempDirectory temp;
  const std::string directory = temp.MakeDirectory("dir");
  const std::string file = temp.WriteFile("file", "x");
  EXPECT_TRUE(LocalFileSystem().IsDirectory(directory));
  EXPECT_FALSE(LocalFileSystem().IsDirectory(file));
  EXPECT_FALSE(LocalFileSystem().IsDirectory(temp.Path("missing")));
  EXPECT_TRUE(LocalFileSystem().FileExists(file));
  EXPECT_FALSE(LocalFileSystem().FileExists(directory));
  EXPECT_FALSE(LocalFileSystem().FileExists(temp.Path("missing")));
}

TEST(LocalFileSystemTest, ReadFileReturnsExactBytes) {
  TempDirectory temp;
  const std::string contents("line one\r\nbinary\0zero\n", 23);
  const std::string file = temp.WriteFile("data.bin", contents);
  Result<std::string> read = LocalFileSystem().ReadFile(file);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, contents);

  Result<std::string> empty = LocalFileSystem().ReadFile(temp.WriteFile("empty", ""));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
}

TEST(LocalFileSystemTest, ReadFileErrorsNameThePath) {
  TempDirectory temp;
  const std::string missing = temp.Path("missing.txt");
  Result<std::string> read = LocalFileSystem().ReadFile(missing);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(read.status().message(), HasSubstr(missing));

  const std::string directory = temp.MakeDirectory("dir");
  Result<std::string> read_directory = LocalFileSystem().ReadFile(directory);
  ASSERT_FALSE(read_directory.ok());
  EXPECT_EQ(read_directory.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(read_directory.status().message(), HasSubstr(directory));
}

}  // namespace
}  // namespace inferd::repository
