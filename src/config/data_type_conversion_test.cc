#include "config/data_type_conversion.h"

#include <gtest/gtest.h>

namespace inferd::config {
namespace {

TEST(DataTypeConversionTest, EveryConfigTypeRoundTrips) {
  int converted = 0;
  for (int value = inference::DataType_MIN; value <= inference::DataType_MAX; ++value) {
    const auto config_type = static_cast<inference::DataType>(value);
    if (config_type == inference::TYPE_INVALID) continue;
    const std::optional<DataType> server_type = DataTypeFromConfig(config_type);
    ASSERT_TRUE(server_type.has_value()) << inference::DataType_Name(config_type);
    EXPECT_NE(*server_type, DataType::kInvalid);
    EXPECT_EQ(DataTypeToConfig(*server_type), config_type) << inference::DataType_Name(config_type);
    ++converted;
  }
  EXPECT_EQ(converted, 14);
}

TEST(DataTypeConversionTest, NamesLineUpWithKServeNames) {
  EXPECT_EQ(DataTypeFromConfig(inference::TYPE_FP32), DataType::kFp32);
  EXPECT_EQ(DataTypeFromConfig(inference::TYPE_BF16), DataType::kBf16);
  EXPECT_EQ(DataTypeFromConfig(inference::TYPE_UINT64), DataType::kUint64);
  EXPECT_EQ(DataTypeToConfig(DataType::kInt8), inference::TYPE_INT8);
  // The config spelling of each type is "TYPE_" + the KServe name, except
  // that the config's STRING is KServe's BYTES.
  for (int value = inference::TYPE_BOOL; value <= inference::DataType_MAX; ++value) {
    const auto config_type = static_cast<inference::DataType>(value);
    const std::string kserve_name(DataTypeName(*DataTypeFromConfig(config_type)));
    const std::string expected = config_type == inference::TYPE_STRING ? "TYPE_STRING" : "TYPE_" + kserve_name;
    EXPECT_EQ(inference::DataType_Name(config_type), expected);
  }
}

TEST(DataTypeConversionTest, StringIsBytes) {
  EXPECT_EQ(DataTypeFromConfig(inference::TYPE_STRING), DataType::kBytes);
  EXPECT_EQ(DataTypeToConfig(DataType::kBytes), inference::TYPE_STRING);
}

TEST(DataTypeConversionTest, InvalidStaysInvalid) {
  EXPECT_EQ(DataTypeFromConfig(inference::TYPE_INVALID), std::nullopt);
  EXPECT_EQ(DataTypeFromConfig(static_cast<inference::DataType>(99)), std::nullopt);
  EXPECT_EQ(DataTypeToConfig(DataType::kInvalid), inference::TYPE_INVALID);
}

}  // namespace
}  // namespace inferd::config
