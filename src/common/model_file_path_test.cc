#include "common/model_file_path.h"

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/temp_directory_for_test.h"

namespace inferd {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class ModelFilePathTest : public ::testing::Test {
 protected:
  ModelFilePathTest() {
    model_ = temp_.MakeDirectory("repo/m");
    temp_.WriteFile("repo/m/labels.txt", "a\nb\n");
    temp_.WriteFile("repo/m/1/model.onnx", "x");
    temp_.WriteFile("outside.txt", "secret\n");
  }

  Result<std::string> Resolve(const std::string& name, const std::string& base = "") {
    return ResolveModelFile(model_, base.empty() ? model_ : base, name, "output 'PROBS' label_filename");
  }

  TempDirectory temp_;
  std::string model_;
};

TEST_F(ModelFilePathTest, AFileInsideTheModelFolderResolvesToItsRealPath) {
  Result<std::string> labels = Resolve("labels.txt");
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  EXPECT_EQ(*labels, fs::canonical(temp_.Path("repo/m/labels.txt")).string());
  Result<std::string> model = Resolve("model.onnx", model_ + "/1");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  // ".." that stays inside the folder is fine.
  EXPECT_TRUE(Resolve("1/../labels.txt").ok());
}

TEST_F(ModelFilePathTest, DotDotOutOfTheFolderIsRefusedNamingTheField) {
  Result<std::string> escaped = Resolve("../../outside.txt");
  ASSERT_FALSE(escaped.ok());
  EXPECT_EQ(escaped.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(escaped.status().message(), HasSubstr("output 'PROBS' label_filename '../../outside.txt'"));
  EXPECT_THAT(escaped.status().message(), HasSubstr("outside the model folder"));
  // Also when the target does not exist: the name is what is wrong.
  Result<std::string> missing = Resolve("../../etc/nothing-here");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("outside the model folder"));
}

TEST_F(ModelFilePathTest, AbsolutePathsAreRefused) {
  Result<std::string> absolute = Resolve("/etc/passwd");
  ASSERT_FALSE(absolute.ok());
  EXPECT_EQ(absolute.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(absolute.status().message(), HasSubstr("is an absolute path"));
}

TEST_F(ModelFilePathTest, ASymlinkPointingOutIsRefused) {
  fs::create_symlink(temp_.Path("outside.txt"), temp_.Path("repo/m/link.txt"));
  Result<std::string> linked = Resolve("link.txt");
  ASSERT_FALSE(linked.ok());
  EXPECT_EQ(linked.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(linked.status().message(), HasSubstr("resolves to"));
  EXPECT_THAT(linked.status().message(), HasSubstr("outside the model folder"));
}

TEST_F(ModelFilePathTest, ASymlinkLoopIsReportedAsALoop) {
  fs::create_symlink(temp_.Path("repo/m/b.txt"), temp_.Path("repo/m/a.txt"));
  fs::create_symlink(temp_.Path("repo/m/a.txt"), temp_.Path("repo/m/b.txt"));
  Result<std::string> loop = Resolve("a.txt");
  ASSERT_FALSE(loop.ok());
  EXPECT_EQ(loop.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(loop.status().message(), HasSubstr("is a symbolic link loop"));
}

TEST_F(ModelFilePathTest, AMissingFileIsNotFoundAndAnEmptyNameIsInvalid) {
  Result<std::string> missing = Resolve("nope.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("does not exist"));
  EXPECT_EQ(Resolve("").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ModelFilePathTest, AModelFolderThatIsItselfASymlinkIsItsOwnRoot) {
  fs::create_directory_symlink(model_, temp_.Path("repo/alias"));
  Result<std::string> labels =
      ResolveModelFile(temp_.Path("repo/alias"), temp_.Path("repo/alias"), "labels.txt", "label_filename");
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
}

}  // namespace
}  // namespace inferd
