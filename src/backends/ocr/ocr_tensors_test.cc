#include "backends/ocr/ocr_tensors.h"

#include <cstring>
#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace inferd::ocr {
namespace {

using ::testing::HasSubstr;

TEST(FindInputTest, ChecksNameDatatypeAndRank) {
  const std::vector<Tensor> inputs = {FloatTensor("probabilities", Shape{1, 2, 3}, std::vector<float>(6, 0.5f))};
  EXPECT_TRUE(FindInput(inputs, "probabilities", DataType::kFp32, 3, "model 'm'").ok());
  Result<const Tensor*> missing = FindInput(inputs, "image", DataType::kBytes, -1, "model 'm'");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "model 'm': missing input 'image'");
  Result<const Tensor*> wrong_type = FindInput(inputs, "probabilities", DataType::kUint8, 3, "model 'm'");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_THAT(wrong_type.status().message(), HasSubstr("has datatype FP32, expected UINT8"));
  Result<const Tensor*> wrong_rank = FindInput(inputs, "probabilities", DataType::kFp32, 4, "model 'm'");
  ASSERT_FALSE(wrong_rank.ok());
  EXPECT_THAT(wrong_rank.status().message(), HasSubstr("has shape [1,2,3], expected 4 dimensions"));
}

TEST(FloatDataTest, MisalignedBytesAreCopiedAndMismatchedSizesRejected) {
  const std::vector<float> values = {1.5f, -2.0f, 3.25f};
  auto buffer = std::make_shared<std::string>(1 + sizeof(float) * values.size(), '\0');
  std::memcpy(buffer->data() + 1, values.data(), sizeof(float) * values.size());
  Tensor misaligned;
  misaligned.name = "probability_map";
  misaligned.datatype = DataType::kFp32;
  misaligned.shape = {3};
  misaligned.data = buffer->data() + 1;
  misaligned.byte_size = sizeof(float) * values.size();
  misaligned.owner = buffer;
  std::vector<float> scratch;
  Result<const float*> data = FloatData(misaligned, &scratch, "model 'm'");
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(*data, scratch.data());
  EXPECT_EQ((*data)[2], 3.25f);

  misaligned.shape = {4};
  Result<const float*> short_buffer = FloatData(misaligned, &scratch, "model 'm'");
  ASSERT_FALSE(short_buffer.ok());
  EXPECT_THAT(short_buffer.status().message(), HasSubstr("input 'probability_map' has 12 bytes, expected 16"));
}

TEST(SelectOutputsTest, ReordersAndRejectsUnknownNames) {
  std::vector<Tensor> produced = {FloatTensor("boxes", Shape{0, 4, 2}, {}), FloatTensor("scores", Shape{0}, {})};
  Result<std::vector<Tensor>> all = SelectOutputs(produced, {}, "model 'm'");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)[0].name, "boxes");
  Result<std::vector<Tensor>> reordered = SelectOutputs(produced, {"scores", "boxes"}, "model 'm'");
  ASSERT_TRUE(reordered.ok());
  EXPECT_EQ((*reordered)[0].name, "scores");
  EXPECT_EQ((*reordered)[1].name, "boxes");
  Result<std::vector<Tensor>> unknown = SelectOutputs(produced, {"text"}, "model 'm'");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "model 'm': unknown output 'text' (the model has: boxes, scores)");
}

TEST(BytesTensorTest, WritesTheKServeLayout) {
  Tensor text = BytesTensor("text", {"ab", ""});
  EXPECT_EQ(text.shape, (Shape{2}));
  EXPECT_EQ(text.bytes(), std::string("\x02\x00\x00\x00" "ab" "\x00\x00\x00\x00", 10));
}

}  // namespace
}  // namespace inferd::ocr
