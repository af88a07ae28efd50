#include "scheduler/reshaping_instance.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <google/protobuf/text_format.h>

namespace inferd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

inference::ModelConfig ParseConfig(const std::string& text) {
  inference::ModelConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config)) << text;
  return config;
}

// Records the shapes it receives and answers with one output of the shape it
// is told to produce, holding the first input's bytes.
class ShapeRecordingInstance : public BackendInstance {
 public:
  explicit ShapeRecordingInstance(Shape output_shape) : output_shape_(std::move(output_shape)) {}

  Result<std::vector<Tensor>> Execute(const std::vector<Tensor>& inputs, const std::vector<std::string>&,
                                      ExecutionRequests, ExecutionTimings*) override {
    seen.clear();
    for (const Tensor& tensor : inputs) seen.push_back(tensor.shape);
    Tensor out = inputs.at(0);
    out.name = "OUT";
    out.shape = output_shape_.empty() ? inputs.at(0).shape : output_shape_;
    return std::vector<Tensor>{out};
  }

  std::vector<Shape> seen;

 private:
  Shape output_shape_;
};

Tensor Float32(const std::string& name, Shape shape) {
  const int64_t elements = ElementCount(shape);
  return Tensor::FromBuffer(name, DataType::kFp32, std::move(shape), std::string(static_cast<size_t>(elements) * 4, '\0'));
}

TEST(MapReshapeTest, FixedDimsMapToTheReshape) {
  google::protobuf::RepeatedField<int64_t> dims;
  dims.Add(3);
  dims.Add(224);
  dims.Add(224);
  google::protobuf::RepeatedField<int64_t> reshape;
  for (int64_t d : {1, 3, 224, 224}) reshape.Add(d);
  Result<Shape> mapped = MapReshape({3, 224, 224}, 0, dims, reshape);
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  EXPECT_THAT(*mapped, ElementsAre(1, 3, 224, 224));
}

TEST(MapReshapeTest, VariableDimsKeepTheirSizesInOrderAndTheBatchStaysInFront) {
  google::protobuf::RepeatedField<int64_t> dims;
  for (int64_t d : {2, 4, -1, 6}) dims.Add(d);
  google::protobuf::RepeatedField<int64_t> reshape;
  for (int64_t d : {8, -1, 1, 6}) reshape.Add(d);
  Result<Shape> mapped = MapReshape({5, 2, 4, 7, 6}, 1, dims, reshape);
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  EXPECT_THAT(*mapped, ElementsAre(5, 8, 7, 1, 6));
  Result<Shape> back = MapReshape(*mapped, 1, reshape, dims);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_THAT(*back, ElementsAre(5, 2, 4, 7, 6));
}

TEST(MapReshapeTest, AShapeThatDoesNotFollowThePatternIsAnError) {
  google::protobuf::RepeatedField<int64_t> dims;
  dims.Add(4);
  google::protobuf::RepeatedField<int64_t> reshape;
  reshape.Add(2);
  reshape.Add(2);
  EXPECT_FALSE(MapReshape({5}, 0, dims, reshape).ok());
  EXPECT_FALSE(MapReshape({1, 4, 1}, 1, dims, reshape).ok());
}

TEST(ReshapingInstanceTest, NoReshapeLeavesTheInstanceUnwrapped) {
  auto inner = std::make_unique<ShapeRecordingInstance>(Shape{});
  BackendInstance* raw = inner.get();
  auto wrapped = WrapWithReshape(ParseConfig(R"(name: "m" input { name: "IN" data_type: TYPE_FP32 dims: [4] })"),
                                 std::move(inner));
  EXPECT_EQ(wrapped.get(), raw);
}

TEST(ReshapingInstanceTest, UnbatchedInputAndOutputAreReshapedBothWays) {
  // densenet_onnx in Triton's quickstart: the model takes [1,3,224,224] and
  // produces [1,1000,1,1]; clients send [3,224,224] and get [1000].
  auto inner = std::make_unique<ShapeRecordingInstance>(Shape{1, 1000, 1, 1});
  ShapeRecordingInstance* recorder = inner.get();
  auto instance = WrapWithReshape(ParseConfig(R"(
      name: "densenet" max_batch_size: 0
      input { name: "data_0" data_type: TYPE_FP32 dims: [3, 224, 224] reshape { shape: [1, 3, 224, 224] } }
      output { name: "OUT" data_type: TYPE_FP32 dims: [1000] reshape { shape: [1, 1000, 1, 1] } })"),
                                  std::move(inner));
  // The recorder answers with the input's buffer; give it as many elements.
  Result<std::vector<Tensor>> outputs = instance->Execute({Float32("data_0", {3, 224, 224})}, {}, {}, nullptr);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  EXPECT_THAT(recorder->seen, ElementsAre(Shape{1, 3, 224, 224}));
  EXPECT_THAT(outputs->at(0).shape, ElementsAre(1000));
}

TEST(ReshapingInstanceTest, BatchedScalarReshapeDropsTheOneDimension) {
  auto inner = std::make_unique<ShapeRecordingInstance>(Shape{});
  ShapeRecordingInstance* recorder = inner.get();
  auto instance = WrapWithReshape(ParseConfig(R"(
      name: "m" max_batch_size: 8
      input { name: "IN" data_type: TYPE_FP32 dims: [1] reshape { shape: [] } }
      output { name: "OUT" data_type: TYPE_FP32 dims: [1] reshape { shape: [] } })"),
                                  std::move(inner));
  Result<std::vector<Tensor>> outputs = instance->Execute({Float32("IN", {6, 1})}, {}, {}, nullptr);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  EXPECT_THAT(recorder->seen, ElementsAre(Shape{6}));
  EXPECT_THAT(outputs->at(0).shape, ElementsAre(6, 1));
}

TEST(ReshapingInstanceTest, AnOutputThatDoesNotFitItsReshapeIsAnInternalErrorNamingIt) {
  auto inner = std::make_unique<ShapeRecordingInstance>(Shape{2, 3});
  auto instance = WrapWithReshape(ParseConfig(R"(
      name: "m" max_batch_size: 0
      input { name: "IN" data_type: TYPE_FP32 dims: [6] }
      output { name: "OUT" data_type: TYPE_FP32 dims: [6] reshape { shape: [3, 2] } })"),
                                  std::move(inner));
  Result<std::vector<Tensor>> outputs = instance->Execute({Float32("IN", {6})}, {}, {}, nullptr);
  ASSERT_FALSE(outputs.ok());
  EXPECT_EQ(outputs.status().code(), StatusCode::kInternal);
  EXPECT_THAT(outputs.status().message(), HasSubstr("model 'm': output 'OUT': the model produced [2,3]"));
}

}  // namespace
}  // namespace inferd
