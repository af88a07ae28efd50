#include "repository/label_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/temp_directory_for_test.h"

namespace inferd::repository {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Result<std::vector<std::string>> LoadFromText(const std::string& text) {
  TempDirectory temp;
  return LoadLabelFile(temp.WriteFile("labels.txt", text), LocalFileSystem());
}

TEST(LoadLabelFileTest, OneLabelPerLine) {
  Result<std::vector<std::string>> labels = LoadFromText("cat\ndog\nbird\n");
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  EXPECT_THAT(*labels, ElementsAre("cat", "dog", "bird"));
}

TEST(LoadLabelFileTest, LastLineWithoutNewlineStillCounts) {
  Result<std::vector<std::string>> labels = LoadFromText("cat\ndog");
  ASSERT_TRUE(labels.ok());
  EXPECT_THAT(*labels, ElementsAre("cat", "dog"));
}

TEST(LoadLabelFileTest, StripsCarriageReturnsOnly) {
  Result<std::vector<std::string>> labels = LoadFromText("tabby cat\r\n  spaced  \r\nlast\r");
  ASSERT_TRUE(labels.ok());
  EXPECT_THAT(*labels, ElementsAre("tabby cat", "  spaced  ", "last"));
}

TEST(LoadLabelFileTest, EmptyLinesInTheMiddleKeepIndicesAligned) {
  Result<std::vector<std::string>> labels = LoadFromText("zero\n\ntwo\n");
  ASSERT_TRUE(labels.ok());
  EXPECT_THAT(*labels, ElementsAre("zero", "", "two"));
}

TEST(LoadLabelFileTest, KeepsUtf8Bytes) {
  Result<std::vector<std::string>> labels = LoadFromText("\xE7\x8C\xAB\n\xE7\x8B\x97\n");
  ASSERT_TRUE(labels.ok());
  EXPECT_THAT(*labels, ElementsAre("\xE7\x8C\xAB", "\xE7\x8B\x97"));
}

TEST(LoadLabelFileTest, EmptyFileHasNoLabels) {
  Result<std::vector<std::string>> labels = LoadFromText("");
  ASSERT_TRUE(labels.ok());
  EXPECT_THAT(*labels, IsEmpty());
}

TEST(LoadLabelFileTest, MissingFileNamesThePath) {
  TempDirectory temp;
  const std::string missing = temp.Path("labels.txt");
  Result<std::vector<std::string>> labels = LoadLabelFile(missing, LocalFileSystem());
  ASSERT_FALSE(labels.ok());
  EXPECT_EQ(labels.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(labels.status().message(), HasSubstr(missing));
  EXPECT_THAT(labels.status().message(), HasSubstr("label file"));
}

TEST(LoadLabelFileTest, LoadsTheFileBesideConfig) {
  TempDirectory temp;
  temp.MakeDirectory("classifier");
  const std::string path = temp.WriteFile("classifier/labels.txt", "no\nyes\n");
  Result<std::vector<std::string>> labels = LoadLabelFile(path, LocalFileSystem());
  ASSERT_TRUE(labels.ok());
  EXPECT_THAT(*labels, ElementsAre("no", "yes"));
}

}  // namespace
}  // namespace inferd::repository
