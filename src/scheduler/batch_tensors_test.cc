#include "scheduler/batch_tensors.h"

#include <cstring>

#include <gtest/gtest.h>

namespace inferd {
namespace {

Tensor Int32Tensor(const std::string& name, Shape shape, const std::vector<int32_t>& values) {
  std::string buffer(values.size() * 4, '\0');
  std::memcpy(buffer.data(), values.data(), buffer.size());
  return Tensor::FromBuffer(name, DataType::kInt32, std::move(shape), std::move(buffer));
}

Tensor BytesTensor(const std::string& name, Shape shape, const std::vector<std::string>& values) {
  std::string buffer;
  for (const auto& value : values) AppendBytesElement(value, &buffer);
  return Tensor::FromBuffer(name, DataType::kBytes, std::move(shape), std::move(buffer));
}

std::vector<int32_t> Int32Values(const Tensor& tensor) {
  std::vector<int32_t> values(tensor.byte_size / 4);
  std::memcpy(values.data(), tensor.data, tensor.byte_size);
  return values;
}

std::vector<std::string> BytesValues(const Tensor& tensor) {
  std::vector<std::string> values;
  EXPECT_TRUE(ForEachBytesElement(tensor.bytes(), -1, tensor.name, [&](std::string_view v) {
    values.emplace_back(v);
  }).ok());
  return values;
}

InferenceRequest Request(std::vector<Tensor> inputs) {
  InferenceRequest request;
  request.inputs = std::move(inputs);
  return request;
}

TEST(BatchTensorsTest, RequestsShareABatchOnlyWithEqualRowShapesAndTypes) {
  InferenceRequest a = Request({Int32Tensor("X", {1, 3}, {1, 2, 3}), Int32Tensor("Y", {1}, {0})});
  InferenceRequest b = Request({Int32Tensor("Y", {2}, {0, 0}), Int32Tensor("X", {2, 3}, {1, 2, 3, 4, 5, 6})});
  EXPECT_TRUE(CanShareBatch(a, b));  // input order does not matter
  InferenceRequest wider = Request({Int32Tensor("X", {1, 4}, {1, 2, 3, 4}), Int32Tensor("Y", {1}, {0})});
  EXPECT_FALSE(CanShareBatch(a, wider));
  InferenceRequest missing = Request({Int32Tensor("X", {1, 3}, {1, 2, 3})});
  EXPECT_FALSE(CanShareBatch(a, missing));
  InferenceRequest renamed = Request({Int32Tensor("X", {1, 3}, {1, 2, 3}), Int32Tensor("Z", {1}, {0})});
  EXPECT_FALSE(CanShareBatch(a, renamed));
  InferenceRequest bytes = Request({BytesTensor("X", {1, 3}, {"a", "b", "c"}), Int32Tensor("Y", {1}, {0})});
  EXPECT_FALSE(CanShareBatch(a, bytes));
}

TEST(BatchTensorsTest, GatherConcatenatesRowsInRequestOrder) {
  InferenceRequest a = Request({Int32Tensor("X", {1, 2}, {1, 2}), BytesTensor("S", {1}, {"one"})});
  InferenceRequest b = Request({BytesTensor("S", {2}, {"", "three"}), Int32Tensor("X", {2, 2}, {3, 4, 5, 6})});
  Result<std::vector<Tensor>> batch = GatherInputs({&a, &b});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->size(), 2u);
  EXPECT_EQ((*batch)[0].name, "X");
  EXPECT_EQ((*batch)[0].shape, (Shape{3, 2}));
  EXPECT_EQ(Int32Values((*batch)[0]), (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ((*batch)[1].name, "S");
  EXPECT_EQ((*batch)[1].datatype, DataType::kBytes);
  EXPECT_EQ((*batch)[1].shape, (Shape{3}));
  EXPECT_EQ(BytesValues((*batch)[1]), (std::vector<std::string>{"one", "", "three"}));
}

TEST(BatchTensorsTest, ScatterGivesEachRequestItsOwnRowsWithoutCopying) {
  Tensor out = Int32Tensor("OUT", {6, 2}, {0, 1, 10, 11, 20, 21, 30, 31, 40, 41, 50, 51});
  Tensor names = BytesTensor("NAMES", {6, 1}, {"r0", "r1", "", "r3", "row four", "r5"});
  Result<std::vector<std::vector<Tensor>>> slices = ScatterOutputs({out, names}, {1, 3, 2});
  ASSERT_TRUE(slices.ok()) << slices.status().ToString();
  ASSERT_EQ(slices->size(), 3u);
  EXPECT_EQ((*slices)[0][0].shape, (Shape{1, 2}));
  EXPECT_EQ(Int32Values((*slices)[0][0]), (std::vector<int32_t>{0, 1}));
  EXPECT_EQ((*slices)[1][0].shape, (Shape{3, 2}));
  EXPECT_EQ(Int32Values((*slices)[1][0]), (std::vector<int32_t>{10, 11, 20, 21, 30, 31}));
  EXPECT_EQ(Int32Values((*slices)[2][0]), (std::vector<int32_t>{40, 41, 50, 51}));
  EXPECT_EQ((*slices)[1][0].data, out.data + 8);  // a view into the batch output
  EXPECT_EQ((*slices)[1][0].owner, out.owner);

  EXPECT_EQ(BytesValues((*slices)[0][1]), (std::vector<std::string>{"r0"}));
  EXPECT_EQ(BytesValues((*slices)[1][1]), (std::vector<std::string>{"r1", "", "r3"}));
  EXPECT_EQ(BytesValues((*slices)[2][1]), (std::vector<std::string>{"row four", "r5"}));
  EXPECT_EQ((*slices)[2][1].shape, (Shape{2, 1}));
}

TEST(BatchTensorsTest, ScatterRefusesAnOutputWithoutTheBatchDimension) {
  Tensor out = Int32Tensor("OUT", {4}, {1, 2, 3, 4});
  Result<std::vector<std::vector<Tensor>>> slices = ScatterOutputs({out}, {1, 2});
  ASSERT_FALSE(slices.ok());
  EXPECT_NE(slices.status().message().find("output 'OUT'"), std::string::npos) << slices.status().message();
}

}  // namespace
}  // namespace inferd
