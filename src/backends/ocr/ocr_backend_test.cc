// The OCR module loaded the way the server loads it (BackendRegistry), each
// operation run on synthetic inputs, including the zero-region case.
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "backends/backend_registry.h"

namespace inferd {
namespace {

using ::testing::HasSubstr;

inference::ModelConfig Config(const std::string& name, const std::string& operation) {
  inference::ModelConfig config;
  config.set_name(name);
  config.set_backend("ocr");
  (*config.mutable_parameters())["operation"].set_string_value(operation);
  return config;
}

Tensor FloatInput(const std::string& name, Shape shape, const std::vector<float>& values) {
  std::string bytes(values.size() * sizeof(float), '\0');
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return Tensor::FromBuffer(name, DataType::kFp32, std::move(shape), std::move(bytes));
}

Tensor ImageBytes(const cv::Mat& image) {
  std::vector<uint8_t> png;
  EXPECT_TRUE(cv::imencode(".png", image, png));
  std::string buffer;
  AppendBytesElement(std::string_view(reinterpret_cast<const char*>(png.data()), png.size()), &buffer);
  return Tensor::FromBuffer("image", DataType::kBytes, Shape{1}, std::move(buffer));
}

const Tensor& Output(const std::vector<Tensor>& outputs, const std::string& name) {
  for (const Tensor& tensor : outputs) {
    if (tensor.name == name) return tensor;
  }
  static const Tensor missing;
  ADD_FAILURE() << "no output " << name;
  return missing;
}

class OcrBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Backend*> backend = registry_.Get("ocr");
    ASSERT_TRUE(backend.ok()) << backend.status().ToString();
    backend_ = *backend;
  }

  std::unique_ptr<BackendInstance> Create(const inference::ModelConfig& config, const std::string& path = "/tmp") {
    Result<std::unique_ptr<BackendInstance>> instance = backend_->CreateInstance(path, config, InstanceSettings{});
    EXPECT_TRUE(instance.ok()) << instance.status().ToString();
    return instance.ok() ? std::move(instance).value() : nullptr;
  }

  BackendRegistry registry_{INFERD_BACKEND_DIR};
  Backend* backend_ = nullptr;
};

TEST_F(OcrBackendTest, PreprocessDecodesResizesAndKeepsTheOriginal) {
  auto instance = Create(Config("ocr_preprocess", "detection_preprocess"));
  ASSERT_NE(instance, nullptr);
  const cv::Mat image(60, 100, CV_8UC3, cv::Scalar(1, 2, 3));
  Result<std::vector<Tensor>> outputs = instance->Execute({ImageBytes(image)}, {}, {}, nullptr);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  const Tensor& detection = Output(*outputs, "detection_input");
  EXPECT_EQ(detection.shape, (Shape{1, 3, 64, 96}));
  EXPECT_EQ(detection.byte_size, size_t{3 * 64 * 96 * 4});
  const Tensor& original = Output(*outputs, "original_image");
  EXPECT_EQ(original.datatype, DataType::kUint8);
  EXPECT_EQ(original.shape, (Shape{60, 100, 3}));
  ASSERT_EQ(original.byte_size, size_t{60 * 100 * 3});
  EXPECT_EQ(std::memcmp(original.data, image.data, original.byte_size), 0);
}

TEST_F(OcrBackendTest, PreprocessRejectsJunkAndOversizedImagesNamingModelAndTensor) {
  auto instance = Create(Config("ocr_preprocess", "detection_preprocess"));
  ASSERT_NE(instance, nullptr);
  std::string junk;
  AppendBytesElement("GIF89a not really", &junk);
  Result<std::vector<Tensor>> result =
      instance->Execute({Tensor::FromBuffer("image", DataType::kBytes, Shape{1}, junk)}, {}, {}, nullptr);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr("model 'ocr_preprocess': input 'image'"));

  inference::ModelConfig limited = Config("small", "detection_preprocess");
  (*limited.mutable_parameters())["max_pixels"].set_string_value("100");
  auto small = Create(limited);
  ASSERT_NE(small, nullptr);
  result = small->Execute({ImageBytes(cv::Mat(20, 20, CV_8UC3, cv::Scalar::all(0)))}, {}, {}, nullptr);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("more than the limit of 100 pixels"));
}

TEST_F(OcrBackendTest, PostprocessCropsOneRegionAndReturnsRequestedOutputsInOrder) {
  auto instance = Create(Config("ocr_crop", "detection_postprocess"));
  ASSERT_NE(instance, nullptr);
  std::vector<float> map(96 * 160, 0.0f);
  for (int y = 20; y < 40; ++y) {
    for (int x = 40; x < 120; ++x) map[y * 160 + x] = 0.95f;
  }
  const cv::Mat original(192, 320, CV_8UC3, cv::Scalar::all(200));
  Tensor image = Tensor::FromBuffer("original_image", DataType::kUint8, Shape{192, 320, 3},
                                    std::string(reinterpret_cast<const char*>(original.data), 192 * 320 * 3));
  Result<std::vector<Tensor>> outputs = instance->Execute(
      {FloatInput("probability_map", Shape{1, 1, 96, 160}, map), image}, {"scores", "boxes", "recognition_input"},
      {}, nullptr);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  ASSERT_EQ(outputs->size(), 3u);
  EXPECT_EQ((*outputs)[0].name, "scores");
  EXPECT_EQ((*outputs)[0].shape, (Shape{1}));
  EXPECT_EQ((*outputs)[1].shape, (Shape{1, 4, 2}));
  const Shape& batch = (*outputs)[2].shape;
  ASSERT_EQ(batch.size(), 4u);
  EXPECT_EQ(batch[0], 1);
  EXPECT_EQ(batch[1], 3);
  EXPECT_EQ(batch[2], 48);
  EXPECT_GE(batch[3], 320);
}

TEST_F(OcrBackendTest, PostprocessWithNoTextGivesZeroRows) {
  auto instance = Create(Config("ocr_crop", "detection_postprocess"));
  ASSERT_NE(instance, nullptr);
  Tensor image = Tensor::FromBuffer("original_image", DataType::kUint8, Shape{64, 64, 3}, std::string(64 * 64 * 3, 0));
  Result<std::vector<Tensor>> outputs = instance->Execute(
      {FloatInput("probability_map", Shape{1, 1, 64, 64}, std::vector<float>(64 * 64, 0.0f)), image}, {}, {}, nullptr);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  EXPECT_EQ(Output(*outputs, "recognition_input").shape, (Shape{0, 3, 48, 320}));
  EXPECT_EQ(Output(*outputs, "boxes").shape, (Shape{0, 4, 2}));
  EXPECT_EQ(Output(*outputs, "scores").shape, (Shape{0}));
  EXPECT_EQ(Output(*outputs, "scores").byte_size, 0u);
}

class OcrDecodeTest : public OcrBackendTest {
 protected:
  void SetUp() override {
    OcrBackendTest::SetUp();
    dir_ = std::filesystem::temp_directory_path() / ("inferd_ocr_decode_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "ppocr_keys_v1.txt") << "h\ni\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(OcrDecodeTest, DecodesEachRowIntoText) {
  auto instance = Create(Config("ocr_decode", "ctc_decode"), dir_.string() + "/");
  ASSERT_NE(instance, nullptr);
  // Classes: blank, h, i, space. Row 0 reads "hi", row 1 "i".
  const std::vector<float> probabilities = {0, 1, 0, 0,  0, 0, 1, 0,  1, 0, 0, 0,
                                            1, 0, 0, 0,  0, 0, 1, 0,  0, 0, 1, 0};
  Result<std::vector<Tensor>> outputs =
      instance->Execute({FloatInput("probabilities", Shape{2, 3, 4}, probabilities)}, {}, {}, nullptr);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  std::vector<std::string> texts;
  ASSERT_TRUE(ForEachBytesElement(Output(*outputs, "text").bytes(), 2, "text",
                                  [&](std::string_view text) { texts.emplace_back(text); })
                  .ok());
  EXPECT_EQ(texts, (std::vector<std::string>{"hi", "i"}));
  EXPECT_EQ(Output(*outputs, "text_scores").shape, (Shape{2}));
}

TEST_F(OcrDecodeTest, ZeroRowsGiveEmptyTextAndWrongClassCountIsAnError) {
  auto instance = Create(Config("ocr_decode", "ctc_decode"), dir_.string());
  ASSERT_NE(instance, nullptr);
  Result<std::vector<Tensor>> outputs =
      instance->Execute({FloatInput("probabilities", Shape{0, 0, 4}, {})}, {}, {}, nullptr);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  EXPECT_EQ(Output(*outputs, "text").shape, (Shape{0}));
  EXPECT_EQ(Output(*outputs, "text_scores").shape, (Shape{0}));

  Result<std::vector<Tensor>> wrong =
      instance->Execute({FloatInput("probabilities", Shape{1, 1, 5}, std::vector<float>(5, 0.2f))}, {}, {}, nullptr);
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.status().message(), HasSubstr("model 'ocr_decode': input 'probabilities' has shape [1,1,5], "
                                                  "expected 4 classes"));
}

TEST_F(OcrDecodeTest, ADictionaryThatDoesNotFitTheConfigFailsTheLoad) {
  inference::ModelConfig config = Config("ocr_decode", "ctc_decode");
  inference::ModelInput* input = config.add_input();
  input->set_name("probabilities");
  for (int64_t dim : {-1, -1, 6625}) input->add_dims(dim);
  Result<std::unique_ptr<BackendInstance>> mismatched =
      backend_->CreateInstance(dir_.string(), config, InstanceSettings{});
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(mismatched.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(mismatched.status().message(), HasSubstr("gives 4 classes"));
  EXPECT_THAT(mismatched.status().message(), HasSubstr("has 6625 in its last dimension"));
  input->set_dims(2, 4);
  EXPECT_TRUE(backend_->CreateInstance(dir_.string(), config, InstanceSettings{}).ok());
}

TEST_F(OcrDecodeTest, TheDictionaryMustLieInsideTheModelFolder) {
  for (const char* outside : {"/etc/passwd", "../../etc/passwd"}) {
    inference::ModelConfig config = Config("ocr_decode", "ctc_decode");
    (*config.mutable_parameters())["dictionary"].set_string_value(outside);
    Result<std::unique_ptr<BackendInstance>> refused =
        backend_->CreateInstance(dir_.string(), config, InstanceSettings{});
    ASSERT_FALSE(refused.ok()) << outside;
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << outside;
    EXPECT_THAT(refused.status().message(), HasSubstr("parameter 'dictionary'")) << outside;
  }
}

TEST_F(OcrBackendTest, UnknownOperationAndMissingDictionaryFailToLoad) {
  Result<std::unique_ptr<BackendInstance>> unknown =
      backend_->CreateInstance("/tmp", Config("odd", "sharpen"), InstanceSettings{});
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("model 'odd': parameter 'operation' is 'sharpen'"));
  Result<std::unique_ptr<BackendInstance>> no_dictionary =
      backend_->CreateInstance("/nonexistent/ocr_decode/1", Config("ocr_decode", "ctc_decode"), InstanceSettings{});
  ASSERT_FALSE(no_dictionary.ok());
  EXPECT_EQ(no_dictionary.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace inferd
