#include "backends/ocr/db_postprocess.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <opencv2/imgproc.hpp>

namespace inferd::ocr {
namespace {

float Distance(const cv::Point2f& a, const cv::Point2f& b) { return static_cast<float>(cv::norm(a - b)); }

// Mean of `probability` inside the polygon `corners` (PaddleOCR's
// box_score_fast): the polygon is rasterised into a mask over its bounding
// box, clipped to the map.
float MeanInside(const cv::Mat& probability, const std::array<cv::Point2f, 4>& corners) {
  const int width = probability.cols;
  const int height = probability.rows;
  float min_x = corners[0].x, max_x = corners[0].x, min_y = corners[0].y, max_y = corners[0].y;
  for (const cv::Point2f& corner : corners) {
    min_x = std::min(min_x, corner.x);
    max_x = std::max(max_x, corner.x);
    min_y = std::min(min_y, corner.y);
    max_y = std::max(max_y, corner.y);
  }
  const int x0 = std::clamp(static_cast<int>(std::floor(min_x)), 0, width - 1);
  const int x1 = std::clamp(static_cast<int>(std::ceil(max_x)), 0, width - 1);
  const int y0 = std::clamp(static_cast<int>(std::floor(min_y)), 0, height - 1);
  const int y1 = std::clamp(static_cast<int>(std::ceil(max_y)), 0, height - 1);
  cv::Mat mask = cv::Mat::zeros(y1 - y0 + 1, x1 - x0 + 1, CV_8UC1);
  std::vector<cv::Point> polygon;
  polygon.reserve(corners.size());
  for (const cv::Point2f& corner : corners) {
    // astype(int32) truncates toward zero, as here.
    polygon.emplace_back(static_cast<int>(corner.x - x0), static_cast<int>(corner.y - y0));
  }
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{polygon}, cv::Scalar(1));
  return static_cast<float>(cv::mean(probability(cv::Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1)), mask)[0]);
}

float BoxHeight(const TextBox& box) {
  return 0.5f * (Distance(box.corners[0], box.corners[3]) + Distance(box.corners[1], box.corners[2]));
}

float CentreY(const TextBox& box) {
  return 0.25f * (box.corners[0].y + box.corners[1].y + box.corners[2].y + box.corners[3].y);
}

}  // namespace

cv::RotatedRect Unclip(const cv::RotatedRect& box, float unclip_ratio) {
  const float area = box.size.width * box.size.height;
  const float perimeter = 2.0f * (box.size.width + box.size.height);
  if (perimeter <= 0) return box;
  const float distance = area * unclip_ratio / perimeter;
  return cv::RotatedRect(box.center, cv::Size2f(box.size.width + 2 * distance, box.size.height + 2 * distance),
                         box.angle);
}

std::array<cv::Point2f, 4> OrderedCorners(const cv::RotatedRect& box) {
  std::array<cv::Point2f, 4> points;
  box.points(points.data());
  std::stable_sort(points.begin(), points.end(), [](const cv::Point2f& a, const cv::Point2f& b) { return a.x < b.x; });
  const bool first_left_is_top = points[1].y > points[0].y;
  const bool first_right_is_top = points[3].y > points[2].y;
  const cv::Point2f top_left = first_left_is_top ? points[0] : points[1];
  const cv::Point2f bottom_left = first_left_is_top ? points[1] : points[0];
  const cv::Point2f top_right = first_right_is_top ? points[2] : points[3];
  const cv::Point2f bottom_right = first_right_is_top ? points[3] : points[2];
  return {top_left, top_right, bottom_right, bottom_left};
}

std::vector<TextBox> FindTextBoxes(const cv::Mat& probability, cv::Size original_size, const DbParams& params) {
  std::vector<TextBox> boxes;
  if (probability.empty() || original_size.width <= 0 || original_size.height <= 0) return boxes;
  CV_Assert(probability.type() == CV_32FC1);

  cv::Mat bitmap;
  cv::compare(probability, static_cast<double>(params.threshold), bitmap, cv::CMP_GT);  // 255 where text
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(bitmap, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);

  const float scale_x = static_cast<float>(original_size.width) / probability.cols;
  const float scale_y = static_cast<float>(original_size.height) / probability.rows;
  const float max_x = static_cast<float>(original_size.width - 1);
  const float max_y = static_cast<float>(original_size.height - 1);
  const size_t candidates = std::min(contours.size(), static_cast<size_t>(std::max(0, params.max_candidates)));
  for (size_t i = 0; i < candidates; ++i) {
    const cv::RotatedRect tight = cv::minAreaRect(contours[i]);
    if (std::min(tight.size.width, tight.size.height) < params.min_side) continue;
    const float score = MeanInside(probability, OrderedCorners(tight));
    if (score < params.box_threshold) continue;
    const cv::RotatedRect grown = Unclip(tight, params.unclip_ratio);
    if (std::min(grown.size.width, grown.size.height) < params.min_side + 2) continue;

    TextBox box;
    box.score = score;
    box.corners = OrderedCorners(grown);
    for (cv::Point2f& corner : box.corners) {
      // Back to original pixels, rounded as PaddleOCR does, then clipped to
      // the image (filter_tag_det_res).
      corner.x = std::clamp(std::round(corner.x * scale_x), 0.0f, max_x);
      corner.y = std::clamp(std::round(corner.y * scale_y), 0.0f, max_y);
    }
    const float width = Distance(box.corners[0], box.corners[1]);
    const float height = Distance(box.corners[0], box.corners[3]);
    if (width <= 3 || height <= 3) continue;
    boxes.push_back(box);
  }
  SortReadingOrder(&boxes);
  return boxes;
}

void SortReadingOrder(std::vector<TextBox>* boxes) {
  std::vector<TextBox>& all = *boxes;
  std::stable_sort(all.begin(), all.end(),
                   [](const TextBox& a, const TextBox& b) { return CentreY(a) < CentreY(b); });
  std::vector<TextBox> ordered;
  ordered.reserve(all.size());
  size_t line_start = 0;
  while (line_start < all.size()) {
    const float line_centre = CentreY(all[line_start]);
    const float line_height = BoxHeight(all[line_start]);
    size_t line_end = line_start + 1;
    while (line_end < all.size() &&
           std::abs(CentreY(all[line_end]) - line_centre) < 0.5f * std::min(line_height, BoxHeight(all[line_end]))) {
      ++line_end;
    }
    std::stable_sort(all.begin() + line_start, all.begin() + line_end,
                     [](const TextBox& a, const TextBox& b) { return a.corners[0].x < b.corners[0].x; });
    ordered.insert(ordered.end(), all.begin() + line_start, all.begin() + line_end);
    line_start = line_end;
  }
  all = std::move(ordered);
}

}  // namespace inferd::ocr
