// The in-process OCR reference: the OCR backend's own operations
// (inferd_ocr_ops) around the PP-OCRv4 models run by ONNX Runtime directly,
// no server, no copies between steps. The accuracy test compares the served
// pipeline with it, and `make bench` uses its timing as the floor the
// ensemble is measured against.
//
//   inprocess_ocr --models examples/ocr [--repeat N] [--threads T] IMAGE...
//
// Prints one JSON object: per image its texts, scores and boxes (from the
// first pass), and over every timed run the per-image latency p50/p99 (ms,
// from encoded bytes in memory to strings) and throughput (images/s, one
// image at a time). Files are read before timing; one untimed warm-up run on
// the first image comes first.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <onnxruntime_cxx_api.h>

#include "backends/ocr/ctc_decode.h"
#include "backends/ocr/db_postprocess.h"
#include "backends/ocr/detection_preprocess.h"
#include "backends/ocr/image_decode.h"
#include "backends/ocr/text_crop.h"

namespace {

using inferd::Result;
using inferd::Status;
using namespace inferd::ocr;

struct OcrResult {
  std::vector<std::string> texts;
  std::vector<float> scores;  // the recogniser's confidence per text
  std::vector<TextBox> boxes;
};

// The same session settings the server's ONNX Runtime backend uses by
// default (session_options.cc): all graph optimisations, sequential
// execution, one inter-op thread, no spinning.
Ort::SessionOptions ServingLikeOptions(int threads) {
  Ort::SessionOptions options;
  options.SetIntraOpNumThreads(threads);
  options.SetInterOpNumThreads(1);
  options.SetExecutionMode(ExecutionMode::ORT_SEQUENTIAL);
  options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
  options.AddConfigEntry("session.intra_op.allow_spinning", "0");
  options.AddConfigEntry("session.inter_op.allow_spinning", "0");
  return options;
}

class ReferencePipeline {
 public:
  ReferencePipeline(Ort::Env& env, const std::string& models, int threads, CharacterDictionary dictionary)
      : detector_(env, (models + "/text_detection/1/model.onnx").c_str(), ServingLikeOptions(threads)),
        recogniser_(env, (models + "/text_recognition/1/model.onnx").c_str(), ServingLikeOptions(threads)),
        dictionary_(std::move(dictionary)) {
    Ort::AllocatorWithDefaultOptions allocator;
    recogniser_output_ = recogniser_.GetOutputNameAllocated(0, allocator).get();
  }

  Result<OcrResult> Run(std::string_view file) {
    Result<cv::Mat> image = DecodeImage(file, kDefaultMaxPixels, "image");
    if (!image.ok()) return image.status();
    DetectionInput detection = PrepareDetectionInput(*image, kDefaultLimitSideLen);
    const int64_t detection_shape[4] = {1, 3, detection.height, detection.width};
    Ort::Value detection_input = Ort::Value::CreateTensor<float>(memory_, detection.chw.data(), detection.chw.size(),
                                                                 detection_shape, 4);
    const char* detection_in[] = {"x"};
    const char* detection_out[] = {"sigmoid_0.tmp_0"};
    std::vector<Ort::Value> map = detector_.Run(Ort::RunOptions{nullptr}, detection_in, &detection_input, 1,
                                                detection_out, 1);
    const std::vector<int64_t> map_shape = map[0].GetTensorTypeAndShapeInfo().GetShape();
    const cv::Mat probability(static_cast<int>(map_shape[2]), static_cast<int>(map_shape[3]), CV_32FC1,
                              map[0].GetTensorMutableData<float>());

    OcrResult result;
    result.boxes = FindTextBoxes(probability, image->size(), DbParams{});
    if (result.boxes.empty()) return result;
    std::vector<cv::Mat> crops;
    crops.reserve(result.boxes.size());
    for (const TextBox& box : result.boxes) crops.push_back(CropTextRegion(*image, box.corners));
    RecognitionBatch batch = BuildRecognitionBatch(crops, RecognitionShape{});
    const int64_t batch_shape[4] = {batch.count, 3, batch.height, batch.width};
    Ort::Value recognition_input =
        Ort::Value::CreateTensor<float>(memory_, batch.data.data(), batch.data.size(), batch_shape, 4);
    const char* recognition_in[] = {"x"};
    const char* recognition_out[] = {recogniser_output_.c_str()};
    std::vector<Ort::Value> probabilities = recogniser_.Run(Ort::RunOptions{nullptr}, recognition_in,
                                                            &recognition_input, 1, recognition_out, 1);
    const std::vector<int64_t> shape = probabilities[0].GetTensorTypeAndShapeInfo().GetShape();
    if (shape.size() != 3 || shape[2] != static_cast<int64_t>(dictionary_.class_count())) {
      return Status::Internal("the recognition model's output does not match the dictionary");
    }
    const float* rows = probabilities[0].GetTensorData<float>();
    for (int64_t i = 0; i < shape[0]; ++i) {
      DecodedText decoded = CtcGreedyDecode(rows + i * shape[1] * shape[2], shape[1], shape[2], dictionary_);
      result.texts.push_back(std::move(decoded.text));
      result.scores.push_back(decoded.score);
    }
    return result;
  }

 private:
  Ort::Session detector_;
  Ort::Session recogniser_;
  std::string recogniser_output_;
  CharacterDictionary dictionary_;
  Ort::MemoryInfo memory_ = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
};

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += escaped;
    } else {
      out += c;  // UTF-8 passes through
    }
  }
  return out + "\"";
}

std::string ImageJson(const std::string& file, const Result<OcrResult>& result) {
  std::ostringstream json;
  json << "{\"file\":" << JsonString(file) << ",\"texts\":[";
  if (result.ok()) {
    for (size_t i = 0; i < result->texts.size(); ++i) json << (i ? "," : "") << JsonString(result->texts[i]);
    json << "],\"scores\":[";
    for (size_t i = 0; i < result->scores.size(); ++i) json << (i ? "," : "") << result->scores[i];
    json << "],\"boxes\":[";
    for (size_t i = 0; i < result->boxes.size(); ++i) {
      json << (i ? "," : "") << "[";
      const auto& corners = result->boxes[i].corners;
      for (size_t c = 0; c < corners.size(); ++c) json << (c ? "," : "") << "[" << corners[c].x << "," << corners[c].y << "]";
      json << "]";
    }
    json << "]}";
  } else {
    json << "],\"error\":" << JsonString(result.status().ToString()) << "}";
  }
  return json.str();
}

double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t index = static_cast<size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"In-process OCR reference: the OCR backend's operations + ONNX Runtime, no server"};
  std::string models = "examples/ocr";
  std::vector<std::string> files;
  int repeat = 1;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  app.add_option("--models", models, "model repository holding text_detection, text_recognition, ocr_decode");
  app.add_option("--repeat", repeat, "timed passes over the images")->check(CLI::PositiveNumber);
  app.add_option("--threads", threads, "ONNX Runtime intra-op threads per model (default: every core, as served)");
  app.add_option("images", files, "JPEG/PNG files")->required();
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> contents;
  for (const std::string& file : files) {
    std::ifstream stream(file, std::ios::binary);
    if (!stream) {
      std::fprintf(stderr, "inprocess_ocr: cannot read '%s'\n", file.c_str());
      return 1;
    }
    contents.emplace_back(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
  }
  Result<CharacterDictionary> dictionary = CharacterDictionary::Load(models + "/ocr_decode/1/ppocr_keys_v1.txt");
  if (!dictionary.ok()) {
    std::fprintf(stderr, "inprocess_ocr: %s\n", dictionary.status().ToString().c_str());
    return 1;
  }

  try {
    Ort::Env env(ORT_LOGGING_LEVEL_WARNING, "inprocess_ocr");
    ReferencePipeline pipeline(env, models, threads, std::move(dictionary).value());
    (void)pipeline.Run(contents.front());  // warm-up: first-run allocations and kernel choices

    using Clock = std::chrono::steady_clock;
    std::vector<std::string> image_json(files.size());
    std::vector<double> latencies_ms;
    const Clock::time_point start = Clock::now();
    for (int pass = 0; pass < repeat; ++pass) {
      for (size_t i = 0; i < contents.size(); ++i) {
        const Clock::time_point before = Clock::now();
        Result<OcrResult> result = pipeline.Run(contents[i]);
        latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - before).count());
        if (pass == 0) image_json[i] = ImageJson(files[i], result);
      }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

    std::printf("{\"images\":[");
    for (size_t i = 0; i < image_json.size(); ++i) std::printf("%s%s", i ? "," : "", image_json[i].c_str());
    std::printf("],\"threads\":%d,\"runs\":%zu,\"seconds\":%.3f,\"throughput\":%.3f,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
                threads, latencies_ms.size(), seconds, static_cast<double>(latencies_ms.size()) / seconds,
                Percentile(latencies_ms, 0.50), Percentile(latencies_ms, 0.99));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "inprocess_ocr: %s\n", error.what());
    return 1;
  }
  return 0;
}
