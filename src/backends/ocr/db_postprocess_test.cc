#include "backends/ocr/db_postprocess.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

namespace inferd::ocr {
namespace {

// A detector output: 0 everywhere, `value` inside each rectangle.
cv::Mat ProbabilityMap(cv::Size size, const std::vector<cv::Rect>& text, float value = 1.0f) {
  cv::Mat map = cv::Mat::zeros(size, CV_32FC1);
  for (const cv::Rect& rect : text) map(rect).setTo(value);
  return map;
}

TextBox BoxAt(float x, float y, float width, float height) {
  TextBox box;
  box.corners = {cv::Point2f(x, y), cv::Point2f(x + width, y), cv::Point2f(x + width, y + height),
                 cv::Point2f(x, y + height)};
  return box;
}

TEST(UnclipTest, GrowsEverySideByAreaTimesRatioOverPerimeter) {
  const cv::RotatedRect box(cv::Point2f(50, 50), cv::Size2f(100, 20), 30);
  const cv::RotatedRect grown = Unclip(box, 1.5f);
  // distance = 100 * 20 * 1.5 / 240 = 12.5 on each side.
  EXPECT_FLOAT_EQ(grown.size.width, 125);
  EXPECT_FLOAT_EQ(grown.size.height, 45);
  EXPECT_EQ(grown.center, box.center);
  EXPECT_FLOAT_EQ(grown.angle, 30);
}

TEST(OrderedCornersTest, AxisAlignedRectangleIsClockwiseFromTopLeft) {
  const std::array<cv::Point2f, 4> corners = OrderedCorners(cv::RotatedRect(cv::Point2f(60, 30), cv::Size2f(80, 20), 0));
  EXPECT_EQ(corners[0], cv::Point2f(20, 20));
  EXPECT_EQ(corners[1], cv::Point2f(100, 20));
  EXPECT_EQ(corners[2], cv::Point2f(100, 40));
  EXPECT_EQ(corners[3], cv::Point2f(20, 40));
}

TEST(FindTextBoxesTest, OneRectangleGivesOneGrownBoxMappedToTheOriginal) {
  // Text at x 40..119, y 20..39 of a 160x96 map; the original is twice as big.
  const cv::Mat map = ProbabilityMap(cv::Size(160, 96), {cv::Rect(40, 20, 80, 20)});
  std::vector<TextBox> boxes = FindTextBoxes(map, cv::Size(320, 192), DbParams{});
  ASSERT_EQ(boxes.size(), 1u);
  EXPECT_NEAR(boxes[0].score, 1.0f, 1e-6);
  // The contour's rectangle is 79x19 around (79.5, 29.5); unclip adds
  // 79*19*1.5/196 = 11.5 per side: x 28.5..130.5, y 8.5..50.5, doubled.
  const std::array<cv::Point2f, 4>& c = boxes[0].corners;
  EXPECT_NEAR(c[0].x, 57, 2);
  EXPECT_NEAR(c[0].y, 17, 2);
  EXPECT_NEAR(c[1].x, 261, 2);
  EXPECT_NEAR(c[1].y, 17, 2);
  EXPECT_NEAR(c[2].x, 261, 2);
  EXPECT_NEAR(c[2].y, 101, 2);
  EXPECT_NEAR(c[3].x, 57, 2);
  EXPECT_NEAR(c[3].y, 101, 2);
}

TEST(FindTextBoxesTest, BoxesAreClippedToTheImage) {
  const cv::Mat map = ProbabilityMap(cv::Size(64, 64), {cv::Rect(0, 0, 40, 10)});
  std::vector<TextBox> boxes = FindTextBoxes(map, cv::Size(64, 64), DbParams{});
  ASSERT_EQ(boxes.size(), 1u);
  for (const cv::Point2f& corner : boxes[0].corners) {
    EXPECT_GE(corner.x, 0);
    EXPECT_GE(corner.y, 0);
    EXPECT_LE(corner.x, 63);
    EXPECT_LE(corner.y, 63);
  }
}

TEST(FindTextBoxesTest, WeakRegionsBelowTheBoxThresholdAreDropped) {
  // Above the pixel threshold (0.3) but below the box threshold (0.6).
  const cv::Mat map = ProbabilityMap(cv::Size(160, 96), {cv::Rect(40, 20, 80, 20)}, 0.5f);
  EXPECT_TRUE(FindTextBoxes(map, cv::Size(160, 96), DbParams{}).empty());
  DbParams lenient;
  lenient.box_threshold = 0.4f;
  EXPECT_EQ(FindTextBoxes(map, cv::Size(160, 96), lenient).size(), 1u);
}

TEST(FindTextBoxesTest, SpecksAndEmptyMapsGiveNoBoxes) {
  EXPECT_TRUE(FindTextBoxes(ProbabilityMap(cv::Size(64, 64), {}), cv::Size(64, 64), DbParams{}).empty());
  EXPECT_TRUE(FindTextBoxes(ProbabilityMap(cv::Size(64, 64), {cv::Rect(10, 10, 2, 2)}), cv::Size(64, 64), DbParams{})
                  .empty());
  EXPECT_TRUE(FindTextBoxes(cv::Mat(), cv::Size(64, 64), DbParams{}).empty());
}

TEST(FindTextBoxesTest, TwoLinesComeBackInReadingOrder) {
  const cv::Mat map = ProbabilityMap(
      cv::Size(320, 160), {cv::Rect(180, 90, 60, 16), cv::Rect(20, 20, 60, 16), cv::Rect(20, 92, 60, 16),
                           cv::Rect(180, 22, 60, 16)});
  std::vector<TextBox> boxes = FindTextBoxes(map, cv::Size(320, 160), DbParams{});
  ASSERT_EQ(boxes.size(), 4u);
  EXPECT_LT(boxes[0].corners[0].x, 100);
  EXPECT_LT(boxes[0].corners[0].y, 50);
  EXPECT_GT(boxes[1].corners[0].x, 100);
  EXPECT_LT(boxes[1].corners[0].y, 50);
  EXPECT_LT(boxes[2].corners[0].x, 100);
  EXPECT_GT(boxes[2].corners[0].y, 50);
  EXPECT_GT(boxes[3].corners[0].x, 100);
  EXPECT_GT(boxes[3].corners[0].y, 50);
}

TEST(SortReadingOrderTest, SlightlyOffsetBoxesShareALine) {
  std::vector<TextBox> boxes = {BoxAt(200, 14, 50, 20), BoxAt(10, 60, 50, 20), BoxAt(10, 10, 50, 20),
                                BoxAt(100, 18, 50, 20)};
  SortReadingOrder(&boxes);
  EXPECT_EQ(boxes[0].corners[0], cv::Point2f(10, 10));
  EXPECT_EQ(boxes[1].corners[0], cv::Point2f(100, 18));
  EXPECT_EQ(boxes[2].corners[0], cv::Point2f(200, 14));
  EXPECT_EQ(boxes[3].corners[0], cv::Point2f(10, 60));
}

}  // namespace
}  // namespace inferd::ocr
