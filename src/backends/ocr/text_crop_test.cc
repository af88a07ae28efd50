#include "backends/ocr/text_crop.h"

#include <gtest/gtest.h>

namespace inferd::ocr {
namespace {

std::array<cv::Point2f, 4> Rectangle(float x, float y, float width, float height) {
  return {cv::Point2f(x, y), cv::Point2f(x + width, y), cv::Point2f(x + width, y + height),
          cv::Point2f(x, y + height)};
}

TEST(CropTextRegionTest, AxisAlignedBoxIsCopiedOut) {
  cv::Mat image(60, 80, CV_8UC3, cv::Scalar::all(0));
  image(cv::Rect(10, 10, 40, 20)).setTo(cv::Scalar(10, 20, 30));
  cv::Mat crop = CropTextRegion(image, Rectangle(10, 10, 40, 20));
  ASSERT_EQ(crop.size(), cv::Size(40, 20));
  EXPECT_EQ(crop.at<cv::Vec3b>(10, 20), cv::Vec3b(10, 20, 30));
  EXPECT_EQ(crop.at<cv::Vec3b>(2, 2), cv::Vec3b(10, 20, 30));
}

TEST(CropTextRegionTest, TallRegionsAreTurnedOnTheirSide) {
  cv::Mat image(100, 100, CV_8UC3, cv::Scalar::all(0));
  image(cv::Rect(10, 10, 10, 20)).setTo(cv::Scalar::all(255));  // top half of the region is white
  cv::Mat crop = CropTextRegion(image, Rectangle(10, 10, 10, 40));
  ASSERT_EQ(crop.size(), cv::Size(40, 10));
  // Turned anticlockwise: the region's top ends up on the left.
  EXPECT_EQ(crop.at<cv::Vec3b>(5, 5), cv::Vec3b(255, 255, 255));
  EXPECT_EQ(crop.at<cv::Vec3b>(5, 35), cv::Vec3b(0, 0, 0));
}

TEST(BuildRecognitionBatchTest, ResizesToHeightNormalisesAndPadsToTheWidest) {
  std::vector<cv::Mat> crops = {cv::Mat(48, 100, CV_8UC3, cv::Scalar::all(255)),
                                cv::Mat(24, 480, CV_8UC3, cv::Scalar::all(0))};
  RecognitionBatch batch = BuildRecognitionBatch(crops, RecognitionShape{});
  ASSERT_EQ(batch.count, 2);
  ASSERT_EQ(batch.height, 48);
  ASSERT_EQ(batch.width, 960);  // 480 / 24 * 48
  ASSERT_EQ(batch.data.size(), size_t{2 * 3 * 48 * 960});
  const size_t plane = 48 * 960;
  EXPECT_FLOAT_EQ(batch.data[0], 1.0f);        // white -> 1
  EXPECT_FLOAT_EQ(batch.data[99], 1.0f);       // last column of the 100-wide crop
  EXPECT_FLOAT_EQ(batch.data[100], 0.0f);      // padding
  EXPECT_FLOAT_EQ(batch.data[2 * plane + 47 * 960 + 99], 1.0f);
  EXPECT_FLOAT_EQ(batch.data[3 * plane + 959], -1.0f);  // black -> -1, fills the whole width
}

TEST(BuildRecognitionBatchTest, NarrowCropsUseTheMinimumWidthAndWideOnesAreCapped) {
  RecognitionBatch narrow = BuildRecognitionBatch({cv::Mat(48, 48, CV_8UC3, cv::Scalar::all(0))}, RecognitionShape{});
  EXPECT_EQ(narrow.width, 320);
  RecognitionBatch wide = BuildRecognitionBatch({cv::Mat(10, 2000, CV_8UC3, cv::Scalar::all(0))}, RecognitionShape{});
  EXPECT_EQ(wide.width, 1280);
  EXPECT_FLOAT_EQ(wide.data[1279], -1.0f);  // squeezed to the cap, not cut
}

TEST(BuildRecognitionBatchTest, NoCropsGiveAnEmptyBatchWithTheMinimumWidth) {
  RecognitionBatch batch = BuildRecognitionBatch({}, RecognitionShape{});
  EXPECT_EQ(batch.count, 0);
  EXPECT_EQ(batch.height, 48);
  EXPECT_EQ(batch.width, 320);
  EXPECT_TRUE(batch.data.empty());
}

}  // namespace
}  // namespace inferd::ocr
