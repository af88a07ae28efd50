#include "types/tensor.h"

#include <gtest/gtest.h>

namespace inferd {
namespace {

TEST(DataTypeTest, NamesAndSizesRoundTrip) {
  for (DataType type : {DataType::kBool, DataType::kUint8, DataType::kUint16, DataType::kUint32, DataType::kUint64,
                        DataType::kInt8, DataType::kInt16, DataType::kInt32, DataType::kInt64, DataType::kFp16,
                        DataType::kBf16, DataType::kFp32, DataType::kFp64, DataType::kBytes}) {
    EXPECT_EQ(DataTypeFromName(DataTypeName(type)), type);
  }
  EXPECT_EQ(DataTypeByteSize(DataType::kFp16), 2u);
  EXPECT_EQ(DataTypeByteSize(DataType::kInt64), 8u);
  EXPECT_EQ(DataTypeByteSize(DataType::kBytes), 0u);
  EXPECT_FALSE(DataTypeFromName("FLOAT").has_value());
}

TEST(TensorTest, ElementCountHandlesScalarsWildcardsAndOverflow) {
  EXPECT_EQ(ElementCount({}), 1);
  EXPECT_EQ(ElementCount({2, 3, 4}), 24);
  EXPECT_EQ(ElementCount({2, 0}), 0);
  EXPECT_EQ(ElementCount({-1, 4}), -1);
  EXPECT_EQ(ElementCount({1LL << 40, 1LL << 40}), -1);
  EXPECT_EQ(ShapeToString({1, 16}), "[1,16]");
}

TEST(TensorTest, BytesLayoutRoundTrips) {
  std::string buffer;
  AppendBytesElement("stop", &buffer);
  AppendBytesElement("", &buffer);
  AppendBytesElement("go", &buffer);
  EXPECT_EQ(buffer.size(), 3 * 4 + 6u);
  std::vector<std::string> seen;
  Status status = ForEachBytesElement(buffer, 3, "T", [&](std::string_view e) { seen.emplace_back(e); });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(seen, (std::vector<std::string>{"stop", "", "go"}));
}

TEST(TensorTest, BytesLayoutRejectsTruncationAndWrongCounts) {
  std::string buffer;
  AppendBytesElement("stop", &buffer);
  auto ignore = [](std::string_view) {};
  Status count = ForEachBytesElement(buffer, 2, "T", ignore);
  EXPECT_EQ(count.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(count.message().find("'T'"), std::string::npos);
  EXPECT_FALSE(ForEachBytesElement(std::string_view(buffer).substr(0, 6), -1, "T", ignore).ok());
  EXPECT_FALSE(ForEachBytesElement(std::string_view(buffer).substr(0, 2), -1, "T", ignore).ok());
}

TEST(TensorTest, FromBufferOwnsItsBytes) {
  Tensor tensor = Tensor::FromBuffer("x", DataType::kUint8, {3}, std::string("abc"));
  EXPECT_EQ(tensor.bytes(), "abc");
  Tensor copy = tensor;
  tensor = Tensor();
  EXPECT_EQ(copy.bytes(), "abc");
}

}  // namespace
}  // namespace inferd
