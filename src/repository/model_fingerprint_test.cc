#include "repository/model_fingerprint.h"

#include <gtest/gtest.h>

#include "repository/fake_filesystem_for_test.h"

namespace inferd::repository {
namespace {

class ModelFingerprintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    files_.AddFile("/repo/m/config.pbtxt", "max_batch_size: 4");
    files_.AddFile("/repo/m/1/model.onnx", "weights-1");
    files_.AddFile("/repo/m/labels.txt", "cat\ndog\n");
  }
  uint64_t Fingerprint() {
    Result<uint64_t> digest = FingerprintModelFolder("/repo/m", files_);
    EXPECT_TRUE(digest.ok()) << digest.status().message();
    return digest.ok() ? *digest : 0;
  }
  FakeFileSystem files_;
};

TEST_F(ModelFingerprintTest, SameContentsSameDigest) {
  const uint64_t before = Fingerprint();
  files_.AddFile("/repo/m/config.pbtxt", "max_batch_size: 4");  // rewritten, unchanged
  EXPECT_EQ(Fingerprint(), before);
}

TEST_F(ModelFingerprintTest, EveryKindOfChangeChangesTheDigest) {
  uint64_t last = Fingerprint();
  auto expect_changed = [&](const char* what) {
    const uint64_t now = Fingerprint();
    EXPECT_NE(now, last) << what;
    last = now;
  };
  files_.AddFile("/repo/m/config.pbtxt", "max_batch_size: 8");
  expect_changed("config edited");
  files_.AddFile("/repo/m/labels.txt", "cat\nbird\n");
  expect_changed("label file edited");
  files_.AddFile("/repo/m/1/model.onnx", "weights-1b");
  expect_changed("model file rewritten");
  files_.AddFile("/repo/m/2/model.onnx", "weights-2");
  expect_changed("version added");
  files_.Remove("/repo/m/2");
  expect_changed("version removed");
  files_.AddDirectory("/repo/m/3");
  expect_changed("empty version folder added");
}

TEST_F(ModelFingerprintTest, AFileMovedBetweenFoldersIsAChange) {
  const uint64_t before = Fingerprint();
  files_.Remove("/repo/m/1/model.onnx");
  files_.AddFile("/repo/m/1/other.onnx", "weights-1");
  EXPECT_NE(Fingerprint(), before);
}

TEST_F(ModelFingerprintTest, MissingFolderFails) {
  EXPECT_FALSE(FingerprintModelFolder("/repo/absent", files_).ok());
}

}  // namespace
}  // namespace inferd::repository
