#include "backends/ocr/ocr_instances.h"

#include <chrono>
#include <exception>
#include <filesystem>
#include <utility>

#include <fmt/format.h>
#include <opencv2/core.hpp>

#include "backends/ocr/ctc_decode.h"
#include "backends/ocr/db_postprocess.h"
#include "backends/ocr/detection_preprocess.h"
#include "backends/ocr/image_decode.h"
#include "backends/ocr/ocr_tensors.h"
#include "backends/ocr/text_crop.h"
#include "common/model_file_path.h"

namespace inferd::ocr {
namespace {

using Clock = std::chrono::steady_clock;

// Base for the three operations: runs Compute with OpenCV's exceptions turned
// into Status (nothing may throw out of the module), selects the requested
// outputs and records the time as inference time.
class OcrInstance : public BackendInstance {
 public:
  explicit OcrInstance(std::string subject) : subject_(std::move(subject)) {}

  Result<std::vector<Tensor>> Execute(const std::vector<Tensor>& inputs, const std::vector<std::string>& output_names,
                                      ExecutionRequests, ExecutionTimings* timings) final {
    const Clock::time_point start = Clock::now();
    Result<std::vector<Tensor>> outputs = Status::Internal("not run");
    try {
      outputs = Compute(inputs);
    } catch (const cv::Exception& error) {
      return Status::Internal(fmt::format("{}: OpenCV failed: {}", subject_, error.what()));
    } catch (const std::exception& error) {
      return Status::Internal(fmt::format("{}: {}", subject_, error.what()));
    }
    if (!outputs.ok()) return outputs.status();
    if (timings != nullptr) {
      timings->compute_infer_ns =
          static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
    }
    return SelectOutputs(std::move(outputs).value(), output_names, subject_);
  }

 protected:
  virtual Result<std::vector<Tensor>> Compute(const std::vector<Tensor>& inputs) = 0;
  std::string Subject(std::string_view tensor) const { return fmt::format("{}: input '{}'", subject_, tensor); }
  const std::string subject_;  // "model 'x'"
};

class DetectionPreprocess final : public OcrInstance {
 public:
  DetectionPreprocess(std::string subject, int limit_side_len, int64_t max_pixels)
      : OcrInstance(std::move(subject)), limit_side_len_(limit_side_len), max_pixels_(max_pixels) {}

 private:
  Result<std::vector<Tensor>> Compute(const std::vector<Tensor>& inputs) override {
    ASSIGN_OR_RETURN(const Tensor* image, FindInput(inputs, "image", DataType::kBytes, -1, subject_));
    if (ElementCount(image->shape) != 1) {
      return Status::InvalidArgument(fmt::format("{}: input 'image' has shape {}, expected exactly one image file",
                                                 subject_, ShapeToString(image->shape)));
    }
    std::string_view file;
    RETURN_IF_ERROR(ForEachBytesElement(image->bytes(), 1, "image", [&](std::string_view element) { file = element; }));
    ASSIGN_OR_RETURN(cv::Mat decoded, DecodeImage(file, max_pixels_, Subject("image")));

    DetectionInput detection = PrepareDetectionInput(decoded, limit_side_len_);
    std::vector<Tensor> outputs;
    outputs.push_back(
        FloatTensor("detection_input", Shape{1, 3, detection.height, detection.width}, std::move(detection.chw)));
    // The decoded image travels on as is: the tensor keeps the cv::Mat alive.
    auto kept = std::make_shared<cv::Mat>(decoded.isContinuous() ? decoded : decoded.clone());
    Tensor original;
    original.name = "original_image";
    original.datatype = DataType::kUint8;
    original.shape = Shape{kept->rows, kept->cols, 3};
    original.data = reinterpret_cast<const char*>(kept->data);
    original.byte_size = kept->total() * kept->elemSize();
    original.owner = std::move(kept);
    outputs.push_back(std::move(original));
    return outputs;
  }

  const int limit_side_len_;
  const int64_t max_pixels_;
};

class DetectionPostprocess final : public OcrInstance {
 public:
  DetectionPostprocess(std::string subject, DbParams db, RecognitionShape shape)
      : OcrInstance(std::move(subject)), db_(db), shape_(shape) {}

 private:
  Result<std::vector<Tensor>> Compute(const std::vector<Tensor>& inputs) override {
    ASSIGN_OR_RETURN(const Tensor* map, FindInput(inputs, "probability_map", DataType::kFp32, 4, subject_));
    ASSIGN_OR_RETURN(const Tensor* image, FindInput(inputs, "original_image", DataType::kUint8, 3, subject_));
    const Shape& map_shape = map->shape;
    const Shape& image_shape = image->shape;
    if (map_shape[0] != 1 || map_shape[1] != 1) {
      return Status::InvalidArgument(fmt::format("{}: input 'probability_map' has shape {}, expected [1,1,H,W]",
                                                 subject_, ShapeToString(map_shape)));
    }
    if (image_shape[2] != 3 || ElementCount(image_shape) != static_cast<int64_t>(image->byte_size)) {
      return Status::InvalidArgument(fmt::format("{}: input 'original_image' has shape {} and {} bytes, expected "
                                                 "[H,W,3] BGR bytes",
                                                 subject_, ShapeToString(image_shape), image->byte_size));
    }
    std::vector<float> scratch;
    ASSIGN_OR_RETURN(const float* probabilities, FloatData(*map, &scratch, subject_));

    const cv::Mat probability(static_cast<int>(map_shape[2]), static_cast<int>(map_shape[3]), CV_32FC1,
                              const_cast<float*>(probabilities));
    const cv::Mat original(static_cast<int>(image_shape[0]), static_cast<int>(image_shape[1]), CV_8UC3,
                           const_cast<char*>(image->data));
    const std::vector<TextBox> boxes = FindTextBoxes(probability, original.size(), db_);

    std::vector<cv::Mat> crops;
    crops.reserve(boxes.size());
    std::vector<float> corners;
    std::vector<float> scores;
    corners.reserve(boxes.size() * 8);
    scores.reserve(boxes.size());
    for (const TextBox& box : boxes) {
      crops.push_back(CropTextRegion(original, box.corners));
      for (const cv::Point2f& corner : box.corners) {
        corners.push_back(corner.x);
        corners.push_back(corner.y);
      }
      scores.push_back(box.score);
    }
    RecognitionBatch batch = BuildRecognitionBatch(crops, shape_);
    const int64_t count = static_cast<int64_t>(boxes.size());
    std::vector<Tensor> outputs;
    outputs.push_back(
        FloatTensor("recognition_input", Shape{count, 3, batch.height, batch.width}, std::move(batch.data)));
    outputs.push_back(FloatTensor("boxes", Shape{count, 4, 2}, std::move(corners)));
    outputs.push_back(FloatTensor("scores", Shape{count}, std::move(scores)));
    return outputs;
  }

  const DbParams db_;
  const RecognitionShape shape_;
};

class CtcDecode final : public OcrInstance {
 public:
  CtcDecode(std::string subject, CharacterDictionary dictionary)
      : OcrInstance(std::move(subject)), dictionary_(std::move(dictionary)) {}

 private:
  Result<std::vector<Tensor>> Compute(const std::vector<Tensor>& inputs) override {
    ASSIGN_OR_RETURN(const Tensor* input, FindInput(inputs, "probabilities", DataType::kFp32, 3, subject_));
    const Shape& shape = input->shape;
    if (shape[2] != static_cast<int64_t>(dictionary_.class_count())) {
      return Status::InvalidArgument(fmt::format(
          "{}: input 'probabilities' has shape {}, expected {} classes (blank + {} dictionary characters + space)",
          subject_, ShapeToString(shape), dictionary_.class_count(), dictionary_.class_count() - 2));
    }
    std::vector<float> scratch;
    ASSIGN_OR_RETURN(const float* probabilities, FloatData(*input, &scratch, subject_));

    const int64_t count = shape[0];
    const int64_t steps = shape[1];
    std::vector<std::string> texts;
    std::vector<float> scores;
    texts.reserve(static_cast<size_t>(count));
    scores.reserve(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) {
      DecodedText decoded = CtcGreedyDecode(probabilities + i * steps * shape[2], steps, shape[2], dictionary_);
      texts.push_back(std::move(decoded.text));
      scores.push_back(decoded.score);
    }
    std::vector<Tensor> outputs;
    outputs.push_back(BytesTensor("text", texts));
    outputs.push_back(FloatTensor("text_scores", Shape{count}, std::move(scores)));
    return outputs;
  }

  const CharacterDictionary dictionary_;
};

Result<std::unique_ptr<BackendInstance>> CreatePreprocess(const std::string& subject, const ParameterMap& parameters) {
  ASSIGN_OR_RETURN(int64_t limit,
                   IntegerParameter(parameters, "limit_side_len", kDefaultLimitSideLen, 32, 8192, subject));
  ASSIGN_OR_RETURN(int64_t max_pixels,
                   IntegerParameter(parameters, "max_pixels", kDefaultMaxPixels, 1, int64_t{1} << 40, subject));
  return std::unique_ptr<BackendInstance>(
      std::make_unique<DetectionPreprocess>(subject, static_cast<int>(limit), max_pixels));
}

Result<std::unique_ptr<BackendInstance>> CreatePostprocess(const std::string& subject, const ParameterMap& parameters) {
  DbParams db;
  RecognitionShape shape;
  ASSIGN_OR_RETURN(double threshold, NumberParameter(parameters, "det_db_thresh", db.threshold, 0, 1, subject));
  ASSIGN_OR_RETURN(double box_threshold,
                   NumberParameter(parameters, "det_db_box_thresh", db.box_threshold, 0, 1, subject));
  ASSIGN_OR_RETURN(double unclip, NumberParameter(parameters, "det_db_unclip_ratio", db.unclip_ratio, 0, 10, subject));
  ASSIGN_OR_RETURN(int64_t height, IntegerParameter(parameters, "rec_image_height", shape.height, 8, 256, subject));
  ASSIGN_OR_RETURN(int64_t min_width,
                   IntegerParameter(parameters, "rec_image_min_width", shape.min_width, 8, 4096, subject));
  ASSIGN_OR_RETURN(int64_t max_width,
                   IntegerParameter(parameters, "rec_image_max_width", shape.max_width, min_width, 8192, subject));
  db.threshold = static_cast<float>(threshold);
  db.box_threshold = static_cast<float>(box_threshold);
  db.unclip_ratio = static_cast<float>(unclip);
  shape.height = static_cast<int>(height);
  shape.min_width = static_cast<int>(min_width);
  shape.max_width = static_cast<int>(max_width);
  return std::unique_ptr<BackendInstance>(std::make_unique<DetectionPostprocess>(subject, db, shape));
}

Result<std::unique_ptr<BackendInstance>> CreateDecode(const std::string& subject, const ParameterMap& parameters,
                                                      const std::string& version_dir, int64_t decode_classes) {
  const std::string file = StringParameter(parameters, "dictionary", kDefaultDictionaryFile);
  // The dictionary is resolved like every file a config names: relative to
  // the version folder and confined to the model folder above it.
  const std::string model_dir = std::filesystem::path(version_dir).parent_path().string();
  Result<std::string> path = ResolveModelFile(model_dir, version_dir, file, "parameter 'dictionary'");
  if (!path.ok()) return path.status().WithPrefix(subject);
  Result<CharacterDictionary> dictionary = CharacterDictionary::Load(*path);
  if (!dictionary.ok()) return dictionary.status().WithPrefix(subject);
  if (decode_classes >= 0 && static_cast<size_t>(decode_classes) != dictionary->class_count()) {
    return Status::InvalidArgument(fmt::format(
        "{}: parameter 'dictionary' '{}' gives {} classes (blank + characters + space), but the config's input "
        "'probabilities' has {} in its last dimension",
        subject, file, dictionary->class_count(), decode_classes));
  }
  return std::unique_ptr<BackendInstance>(std::make_unique<CtcDecode>(subject, std::move(dictionary).value()));
}

}  // namespace

Result<std::unique_ptr<BackendInstance>> CreateOcrInstance(const std::string& model_name,
                                                           const ParameterMap& parameters,
                                                           const std::string& version_dir, int64_t decode_classes) {
  const std::string subject = fmt::format("model '{}'", model_name);
  const std::string operation = StringParameter(parameters, "operation", "");
  if (operation == "detection_preprocess") return CreatePreprocess(subject, parameters);
  if (operation == "detection_postprocess") return CreatePostprocess(subject, parameters);
  if (operation == "ctc_decode") return CreateDecode(subject, parameters, version_dir, decode_classes);
  return Status::InvalidArgument(fmt::format(
      "{}: parameter 'operation' is '{}', expected one of detection_preprocess, detection_postprocess, ctc_decode",
      subject, operation));
}

}  // namespace inferd::ocr
