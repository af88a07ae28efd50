#include "backends/ocr/image_decode.h"

#include <limits>
#include <vector>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "backends/ocr/image_header.h"

namespace inferd::ocr {
namespace {

// Any decoded layout (grey, grey+alpha, BGR, BGRA; 8 or 16 bit) to 8-bit BGR
// with transparency blended onto white.
cv::Mat ToOpaqueBgr(cv::Mat image) {
  if (image.depth() == CV_16U) image.convertTo(image, CV_8U, 1.0 / 257.0);
  const int channels = image.channels();
  if (channels == 3) return image;
  cv::Mat bgr;
  if (channels == 1) {
    cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
    return bgr;
  }
  std::vector<cv::Mat> planes;
  cv::split(image, planes);
  cv::Mat alpha = planes.back();
  planes.pop_back();
  if (planes.size() == 1) {
    cv::cvtColor(planes[0], bgr, cv::COLOR_GRAY2BGR);
  } else {
    cv::merge(planes, bgr);
  }
  cv::Mat alpha3;
  cv::cvtColor(alpha, alpha3, cv::COLOR_GRAY2BGR);
  cv::Mat weight, colour;
  alpha3.convertTo(weight, CV_32FC3, 1.0 / 255.0);
  bgr.convertTo(colour, CV_32FC3);
  cv::Mat blended = colour.mul(weight) + (cv::Scalar::all(1.0) - weight) * 255.0;
  cv::Mat result;
  blended.convertTo(result, CV_8UC3);
  return result;
}

}  // namespace

Result<cv::Mat> DecodeImage(std::string_view bytes, int64_t max_pixels, std::string_view subject) {
  Result<ImageHeader> header = InspectImage(bytes);
  if (!header.ok()) return header.status().WithPrefix(subject);
  // Sides are positive and below 2^31 (InspectImage), so the product fits
  // in int64; compared by division anyway so no header can overflow it.
  if (header->width > max_pixels / header->height) {
    return Status::InvalidArgument(fmt::format("{}: the image is {}x{} = {} pixels, more than the limit of {} pixels",
                                               subject, header->width, header->height,
                                               header->width * header->height, max_pixels));
  }
  // Header checks passed, so the buffer is a whole JPEG/PNG; the decoder can
  // still reject corrupt entropy data or CRCs. OpenCV reports some failures
  // by throwing cv::Exception.
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::InvalidArgument(fmt::format("{}: the image file is {} bytes, more than 2 GiB", subject, bytes.size()));
  }
  cv::Mat decoded;
  const int flags = header->has_alpha ? cv::IMREAD_UNCHANGED : cv::IMREAD_COLOR;
  try {
    const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    decoded = cv::imdecode(raw, flags);
    if (!decoded.empty()) decoded = ToOpaqueBgr(std::move(decoded));
  } catch (const cv::Exception& error) {
    return Status::InvalidArgument(fmt::format("{}: the image could not be decoded: {}", subject, error.what()));
  }
  if (decoded.empty()) {
    return Status::InvalidArgument(fmt::format("{}: the {} image could not be decoded (corrupt data)", subject,
                                               header->format == ImageFormat::kJpeg ? "JPEG" : "PNG"));
  }
  // EXIF rotation may swap the sides, never the pixel count; check again in
  // case a decoder disagrees with the header.
  if (static_cast<int64_t>(decoded.total()) > max_pixels) {
    return Status::InvalidArgument(fmt::format("{}: the decoded image is {}x{} pixels, more than the limit of {}",
                                               subject, decoded.cols, decoded.rows, max_pixels));
  }
  return decoded;
}

}  // namespace inferd::ocr
