#include "backends/ocr/text_crop.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace inferd::ocr {

cv::Mat CropTextRegion(const cv::Mat& image, const std::array<cv::Point2f, 4>& corners) {
  const double top = cv::norm(corners[0] - corners[1]);
  const double bottom = cv::norm(corners[2] - corners[3]);
  const double left = cv::norm(corners[0] - corners[3]);
  const double right = cv::norm(corners[1] - corners[2]);
  const int width = std::max(1, static_cast<int>(std::max(top, bottom)));
  const int height = std::max(1, static_cast<int>(std::max(left, right)));
  const cv::Point2f target[4] = {{0.0f, 0.0f},
                                 {static_cast<float>(width), 0.0f},
                                 {static_cast<float>(width), static_cast<float>(height)},
                                 {0.0f, static_cast<float>(height)}};
  const cv::Mat transform = cv::getPerspectiveTransform(corners.data(), target);
  cv::Mat crop;
  cv::warpPerspective(image, crop, transform, cv::Size(width, height), cv::INTER_CUBIC, cv::BORDER_REPLICATE);
  if (static_cast<double>(height) / width >= 1.5) cv::rotate(crop, crop, cv::ROTATE_90_COUNTERCLOCKWISE);
  return crop;
}

RecognitionBatch BuildRecognitionBatch(const std::vector<cv::Mat>& crops, const RecognitionShape& shape) {
  double max_ratio = static_cast<double>(shape.min_width) / shape.height;
  for (const cv::Mat& crop : crops) max_ratio = std::max(max_ratio, static_cast<double>(crop.cols) / crop.rows);
  const int batch_width = std::min(shape.max_width, static_cast<int>(shape.height * max_ratio));

  RecognitionBatch batch;
  batch.count = static_cast<int64_t>(crops.size());
  batch.height = shape.height;
  batch.width = batch_width;
  const size_t plane = static_cast<size_t>(shape.height) * batch_width;
  batch.data.assign(crops.size() * 3 * plane, 0.0f);

  cv::Mat resized;
  for (size_t i = 0; i < crops.size(); ++i) {
    const cv::Mat& crop = crops[i];
    const double ratio = static_cast<double>(crop.cols) / crop.rows;
    const int resized_width =
        std::clamp(static_cast<int>(std::ceil(shape.height * ratio)), 1, batch_width);
    cv::resize(crop, resized, cv::Size(resized_width, shape.height), 0, 0, cv::INTER_LINEAR);
    float* planes[3];
    for (int c = 0; c < 3; ++c) planes[c] = batch.data.data() + (i * 3 + c) * plane;
    for (int y = 0; y < shape.height; ++y) {
      const uint8_t* row = resized.ptr<uint8_t>(y);
      const size_t offset = static_cast<size_t>(y) * batch_width;
      for (int x = 0; x < resized_width; ++x) {
        for (int c = 0; c < 3; ++c) planes[c][offset + x] = static_cast<float>(row[3 * x + c]) / 127.5f - 1.0f;
      }
    }
  }
  return batch;
}

}  // namespace inferd::ocr
