#include "backends/ocr/image_decode.h"

#include <random>
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

TEST(DecodeImageTest, PngRoundTripsExactly) {
  cv::Mat image(30, 50, CV_8UC3);
  cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(255));
  Result<cv::Mat> decoded = DecodeImage(Encode(image, ".png"), kDefaultMaxPixels, "test");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->type(), CV_8UC3);
  EXPECT_EQ(cv::norm(*decoded, image, cv::NORM_INF), 0);
}

TEST(DecodeImageTest, GreyJpegBecomesBgr) {
  cv::Mat grey(16, 24, CV_8UC1, cv::Scalar(200));
  Result<cv::Mat> decoded = DecodeImage(Encode(grey, ".jpg"), kDefaultMaxPixels, "test");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->type(), CV_8UC3);
  EXPECT_EQ(decoded->size(), cv::Size(24, 16));
  EXPECT_NEAR(decoded->at<cv::Vec3b>(8, 12)[0], 200, 2);
}

TEST(DecodeImageTest, RejectsImagesOverThePixelLimit) {
  cv::Mat image(100, 100, CV_8UC3, cv::Scalar::all(9));
  Result<cv::Mat> decoded = DecodeImage(Encode(image, ".png"), 9999, "model 'm': input 'image'");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(), HasSubstr("model 'm': input 'image'"));
  EXPECT_THAT(decoded.status().message(), HasSubstr("10000 pixels, more than the limit of 9999"));
  EXPECT_TRUE(DecodeImage(Encode(image, ".png"), 10000, "test").ok());
}

TEST(DecodeImageTest, HugeDeclaredSizeIsRejectedBeforeDecoding) {
  std::string png = Encode(cv::Mat(2, 2, CV_8UC3, cv::Scalar::all(0)), ".png");
  // Claim 100000 x 100000 in IHDR; decoding would need 30 GB.
  const uint8_t huge[4] = {0x00, 0x01, 0x86, 0xA0};
  for (int i = 0; i < 4; ++i) png[16 + i] = png[20 + i] = static_cast<char>(huge[i]);
  Result<cv::Mat> decoded = DecodeImage(png, kDefaultMaxPixels, "test");
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.status().message(), HasSubstr("100000x100000"));
}

TEST(DecodeImageTest, LargestLegalPngSidesAreRejectedWithoutOverflow) {
  std::string png = Encode(cv::Mat(2, 2, CV_8UC3, cv::Scalar::all(0)), ".png");
  const uint8_t largest[4] = {0x7F, 0xFF, 0xFF, 0xFF};  // 2^31 - 1, the PNG maximum
  for (int i = 0; i < 4; ++i) png[16 + i] = png[20 + i] = static_cast<char>(largest[i]);
  Result<cv::Mat> decoded = DecodeImage(png, kDefaultMaxPixels, "test");
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.status().message(), HasSubstr("2147483647x2147483647"));
}

TEST(DecodeImageTest, CorruptPngDataIsAnError) {
  std::string png = Encode(cv::Mat(40, 40, CV_8UC3, cv::Scalar(1, 2, 3)), ".png");
  // Scramble the compressed pixel data (keep the container intact).
  const size_t idat = png.find("IDAT");
  ASSERT_NE(idat, std::string::npos);
  for (size_t i = idat + 4; i < idat + 20; ++i) png[i] = static_cast<char>(0xA5);
  Result<cv::Mat> decoded = DecodeImage(png, kDefaultMaxPixels, "test");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
}

TEST(DecodeImageTest, TruncatedJpegIsAnError) {
  cv::Mat image(64, 64, CV_8UC3);
  cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(255));
  const std::string jpeg = Encode(image, ".jpg");
  Result<cv::Mat> decoded = DecodeImage(std::string_view(jpeg).substr(0, jpeg.size() * 2 / 3), kDefaultMaxPixels,
                                        "model 'm': input 'image'");
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.status().message(), HasSubstr("model 'm': input 'image': the JPEG data is truncated"));
}

TEST(DecodeImageTest, TransparentBackgroundBecomesWhite) {
  cv::Mat rgba(10, 10, CV_8UC4, cv::Scalar(0, 0, 0, 0));  // transparent black
  rgba.at<cv::Vec4b>(5, 5) = cv::Vec4b(0, 0, 0, 255);      // one opaque black pixel
  Result<cv::Mat> decoded = DecodeImage(Encode(rgba, ".png"), kDefaultMaxPixels, "test");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->type(), CV_8UC3);
  EXPECT_EQ(decoded->at<cv::Vec3b>(0, 0), cv::Vec3b(255, 255, 255));
  EXPECT_EQ(decoded->at<cv::Vec3b>(5, 5), cv::Vec3b(0, 0, 0));
}

// Damaged files of every kind (flipped bytes, cuts, junk appended) come back
// as an image or as INVALID_ARGUMENT, never as a crash; under ASan this also
// checks the header walk never reads outside the buffer.
TEST(DecodeImageTest, DamagedFilesAreDecodedOrRejectedCleanly) {
  cv::Mat image(48, 64, CV_8UC3);
  cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(255));
  std::mt19937 random(5);
  for (const std::string extension : {".jpg", ".png"}) {
    const std::string whole = Encode(image, extension);
    for (int round = 0; round < 150; ++round) {
      std::string damaged = whole;
      switch (round % 3) {
        case 0:
          for (int flip = 0; flip < 4; ++flip) damaged[random() % damaged.size()] ^= static_cast<char>(1 + random() % 255);
          break;
        case 1:
          damaged.resize(random() % damaged.size());
          break;
        default:
          damaged.insert(random() % damaged.size(), std::string(1 + random() % 8, static_cast<char>(0xFF)));
          break;
      }
      Result<cv::Mat> decoded = DecodeImage(damaged, kDefaultMaxPixels, "test");
      if (decoded.ok()) {
        EXPECT_EQ(decoded->type(), CV_8UC3);
        EXPECT_FALSE(decoded->empty());
      } else {
        EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument) << decoded.status().ToString();
      }
    }
  }
}

}  // namespace
}  // namespace inferd::ocr
