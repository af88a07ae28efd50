#include "core/classification.h"

#include <cstring>

#include <gtest/gtest.h>

namespace inferd {
namespace {

Tensor FloatTensor(std::vector<float> values, Shape shape) {
  std::string buffer(values.size() * sizeof(float), '\0');
  std::memcpy(buffer.data(), values.data(), buffer.size());
  return Tensor::FromBuffer("OUT", DataType::kFp32, std::move(shape), std::move(buffer));
}

std::vector<std::string> Elements(const Tensor& tensor) {
  std::vector<std::string> elements;
  EXPECT_TRUE(ForEachBytesElement(tensor.bytes(), -1, tensor.name, [&](std::string_view e) {
                elements.emplace_back(e);
              }).ok());
  return elements;
}

TEST(ClassificationTest, TopKPerBatchRowWithLabels) {
  Tensor tensor = FloatTensor({0.1f, 0.7f, 0.2f, 0.9f, 0.05f, 0.05f}, {2, 3});
  std::vector<std::string> labels{"cat", "dog", "stop"};
  ASSERT_TRUE(ClassifyTensor(2, /*batched=*/true, &labels, &tensor).ok());
  EXPECT_EQ(tensor.datatype, DataType::kBytes);
  EXPECT_EQ(tensor.shape, (Shape{2, 2}));
  EXPECT_EQ(Elements(tensor), (std::vector<std::string>{"0.700000:1:dog", "0.200000:2:stop", "0.900000:0:cat",
                                                        "0.050000:1:dog"}));
}

TEST(ClassificationTest, UnbatchedWithoutLabelsAndKLargerThanClasses) {
  Tensor tensor = FloatTensor({3.0f, 1.0f}, {2});
  ASSERT_TRUE(ClassifyTensor(5, /*batched=*/false, nullptr, &tensor).ok());
  EXPECT_EQ(tensor.shape, (Shape{2}));
  EXPECT_EQ(Elements(tensor), (std::vector<std::string>{"3.000000:0", "1.000000:1"}));
}

TEST(ClassificationTest, CountMustBePositiveInteger) {
  RequestedOutput output{"OUT", {{"classification", int64_t{0}}}};
  EXPECT_FALSE(ClassificationCount(output).ok());
  output.parameters["classification"] = std::string("3");
  EXPECT_FALSE(ClassificationCount(output).ok());
  output.parameters["classification"] = int64_t{3};
  EXPECT_EQ(*ClassificationCount(output), 3);
  EXPECT_EQ(*ClassificationCount(RequestedOutput{"OUT", {}}), 0);
}

TEST(ClassificationTest, RejectsBytesOutputs) {
  Tensor tensor = Tensor::FromBuffer("OUT", DataType::kBytes, {1}, std::string("\1\0\0\0a", 5));
  EXPECT_EQ(ClassifyTensor(1, false, nullptr, &tensor).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace inferd
