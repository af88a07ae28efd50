#include "core/uploaded_model.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace inferd {
namespace {

TEST(UploadedModelTest, WritesTheFilesUnderATemporaryModelFolderAndRemovesThem) {
  std::string root;
  {
    Result<std::unique_ptr<UploadedModel>> uploaded =
        UploadedModel::Write("m", {{"config.pbtxt", "max_batch_size: 1"}, {"1/model.onnx", std::string("\0x", 2)}});
    ASSERT_TRUE(uploaded.ok()) << uploaded.status().message();
    const std::filesystem::path folder = (*uploaded)->path();
    EXPECT_EQ(folder.filename(), "m");
    std::ifstream model(folder / "1" / "model.onnx", std::ios::binary);
    std::stringstream bytes;
    bytes << model.rdbuf();
    EXPECT_EQ(bytes.str(), std::string("\0x", 2));
    root = folder.parent_path().string();
  }
  EXPECT_FALSE(std::filesystem::exists(root));
}

TEST(UploadedModelTest, PathsThatLeaveTheFolderOrCannotExistAreRefused) {
  for (const std::string& bad : {std::string(""), std::string("/etc/passwd"), std::string("../x"),
                                 std::string("1/../../x"), std::string("1//model.onnx"), std::string("./x"),
                                 std::string(256, 'A'), std::string("a\0b", 3)}) {
    Status status = CheckUploadPath(bad);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(CheckUploadPath("1/model.onnx").ok());
  EXPECT_TRUE(CheckUploadPath(std::string(255, 'A')).ok());
  EXPECT_FALSE(UploadedModel::Write("../m", {{"1/model.onnx", "x"}}).ok());
  EXPECT_FALSE(UploadedModel::Write("m", {{"1/model.onnx", "x"}, {"../escape", "y"}}).ok());
}

}  // namespace
}  // namespace inferd
