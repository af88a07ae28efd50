#include "backends/ocr/image_header.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

namespace inferd::ocr {
namespace {

using ::testing::HasSubstr;

std::string Encode(const cv::Mat& image, const std::string& extension) {
  std::vector<uint8_t> bytes;
  EXPECT_TRUE(cv::imencode(extension, image, bytes));
  return std::string(bytes.begin(), bytes.end());
}

cv::Mat Gradient(int width, int height, int type = CV_8UC3) {
  cv::Mat image(height, width, type);
  cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(255));
  return image;
}

TEST(InspectImageTest, ReadsPngSize) {
  Result<ImageHeader> header = InspectImage(Encode(Gradient(37, 21), ".png"));
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->format, ImageFormat::kPng);
  EXPECT_EQ(header->width, 37);
  EXPECT_EQ(header->height, 21);
  EXPECT_FALSE(header->has_alpha);
}

TEST(InspectImageTest, ReadsJpegSize) {
  Result<ImageHeader> header = InspectImage(Encode(Gradient(123, 45), ".jpg"));
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->format, ImageFormat::kJpeg);
  EXPECT_EQ(header->width, 123);
  EXPECT_EQ(header->height, 45);
}

TEST(InspectImageTest, NoticesPngAlpha) {
  Result<ImageHeader> header = InspectImage(Encode(Gradient(8, 8, CV_8UC4), ".png"));
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_TRUE(header->has_alpha);
}

TEST(InspectImageTest, RejectsTruncatedJpegAndPng) {
  for (const std::string extension : {".jpg", ".png"}) {
    const std::string whole = Encode(Gradient(64, 64), extension);
    for (size_t keep : {whole.size() / 2, whole.size() - 1, size_t{20}}) {
      Result<ImageHeader> header = InspectImage(std::string_view(whole).substr(0, keep));
      ASSERT_FALSE(header.ok()) << extension << " cut to " << keep;
      EXPECT_EQ(header.status().code(), StatusCode::kInvalidArgument);
      EXPECT_THAT(header.status().message(), HasSubstr("truncated")) << extension << " cut to " << keep;
    }
  }
}

TEST(InspectImageTest, RejectsEmptyAndJunk) {
  Result<ImageHeader> empty = InspectImage("");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("empty"));
  Result<ImageHeader> junk = InspectImage("this is not an image at all");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(junk.status().message(), HasSubstr("not a JPEG or PNG"));
}

TEST(InspectImageTest, RejectsZeroSizePng) {
  std::string png = Encode(Gradient(4, 4), ".png");
  // IHDR width: bytes 16..19 (after the 8-byte signature, length and type).
  png[16] = png[17] = png[18] = png[19] = 0;
  Result<ImageHeader> header = InspectImage(png);
  ASSERT_FALSE(header.ok());
  EXPECT_THAT(header.status().message(), HasSubstr("0x4"));
}

// Found by image_decode_fuzzer: sides near 2^32 overflowed width * height.
TEST(InspectImageTest, RejectsPngSidesAboveTheFormatLimit) {
  std::string png = Encode(Gradient(4, 4), ".png");
  png[16] = png[17] = png[18] = static_cast<char>(0xFF);  // width 0xFFFFFF00
  png[20] = png[21] = png[22] = static_cast<char>(0xFF);  // height 0xFFFFFF04
  Result<ImageHeader> header = InspectImage(png);
  ASSERT_FALSE(header.ok());
  EXPECT_THAT(header.status().message(), HasSubstr("limit of 2147483647 per side"));
}

}  // namespace
}  // namespace inferd::ocr
