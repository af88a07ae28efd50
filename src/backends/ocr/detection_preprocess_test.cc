#include "backends/ocr/detection_preprocess.h"

#include <gtest/gtest.h>

namespace inferd::ocr {
namespace {

TEST(DetectionInputSizeTest, ScalesTheLongerSideDownToTheLimitAndRoundsTo32) {
  EXPECT_EQ(DetectionInputSize(cv::Size(1000, 500), 960), cv::Size(960, 480));
  EXPECT_EQ(DetectionInputSize(cv::Size(500, 2000), 960), cv::Size(256, 960));
}

TEST(DetectionInputSizeTest, NeverScalesUpButRoundsToAtLeast32) {
  EXPECT_EQ(DetectionInputSize(cv::Size(100, 50), 960), cv::Size(96, 64));
  EXPECT_EQ(DetectionInputSize(cv::Size(10, 10), 960), cv::Size(32, 32));
  EXPECT_EQ(DetectionInputSize(cv::Size(640, 480), 960), cv::Size(640, 480));
}

TEST(PrepareDetectionInputTest, NormalisesEachChannelInPlanarOrder) {
  const cv::Mat image(64, 96, CV_8UC3, cv::Scalar(255, 0, 51));  // B, G, R
  DetectionInput input = PrepareDetectionInput(image, 960);
  ASSERT_EQ(input.height, 64);
  ASSERT_EQ(input.width, 96);
  ASSERT_EQ(input.chw.size(), size_t{3 * 64 * 96});
  const size_t plane = 64 * 96;
  EXPECT_NEAR(input.chw[0], (1.0f - 0.485f) / 0.229f, 1e-5);
  EXPECT_NEAR(input.chw[plane - 1], (1.0f - 0.485f) / 0.229f, 1e-5);
  EXPECT_NEAR(input.chw[plane + 7], (0.0f - 0.456f) / 0.224f, 1e-5);
  EXPECT_NEAR(input.chw[2 * plane + 100], (0.2f - 0.406f) / 0.225f, 1e-5);
}

TEST(PrepareDetectionInputTest, ResizesToTheDetectionSize) {
  const cv::Mat image(50, 100, CV_8UC3, cv::Scalar::all(128));
  DetectionInput input = PrepareDetectionInput(image, 960);
  EXPECT_EQ(input.width, 96);
  EXPECT_EQ(input.height, 64);
  EXPECT_EQ(input.chw.size(), size_t{3 * 96 * 64});
}

}  // namespace
}  // namespace inferd::ocr
