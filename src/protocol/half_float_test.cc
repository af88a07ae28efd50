#include "protocol/half_float.h"

#include <cfloat>
#include <cmath>
#include <cstdint>

#include <gtest/gtest.h>

namespace inferd::protocol {
namespace {

TEST(HalfFloatTest, Fp16EncodesExactValues) {
  EXPECT_EQ(DoubleToFp16(0.0), 0x0000);
  EXPECT_EQ(DoubleToFp16(-0.0), 0x8000);
  EXPECT_EQ(DoubleToFp16(1.0), 0x3C00);
  EXPECT_EQ(DoubleToFp16(-2.0), 0xC000);
  EXPECT_EQ(DoubleToFp16(65504.0), 0x7BFF);               // largest finite
  EXPECT_EQ(DoubleToFp16(std::ldexp(1.0, -14)), 0x0400);  // smallest normal
  EXPECT_EQ(DoubleToFp16(std::ldexp(1.0, -24)), 0x0001);  // smallest subnormal
}

TEST(HalfFloatTest, Fp16RoundsToNearestEven) {
  EXPECT_EQ(DoubleToFp16(0.1), 0x2E66);
  // Halfway between 1 and the next FP16 (1 + 2^-10): ties go to the even 1.
  EXPECT_EQ(DoubleToFp16(1.0 + std::ldexp(1.0, -11)), 0x3C00);
  // Halfway between 1 + 2^-10 (odd) and 1 + 2^-9: ties go up to the even one.
  EXPECT_EQ(DoubleToFp16(1.0 + 3 * std::ldexp(1.0, -11)), 0x3C02);
  // Just above the tie: up. Going through float first would lose the 2^-40
  // and round down; this checks the conversion rounds only once.
  EXPECT_EQ(DoubleToFp16(1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40)), 0x3C01);
  // Rounding up carries into the exponent.
  EXPECT_EQ(DoubleToFp16(2.0 - std::ldexp(1.0, -12)), 0x4000);
  // Subnormal ties: 0.5 unit -> 0 (even), 1.5 units -> 2 (even).
  EXPECT_EQ(DoubleToFp16(std::ldexp(1.0, -25)), 0x0000);
  EXPECT_EQ(DoubleToFp16(3 * std::ldexp(1.0, -25)), 0x0002);
  // The largest subnormal region rounds up into the smallest normal.
  EXPECT_EQ(DoubleToFp16(std::ldexp(1.0, -14) - std::ldexp(1.0, -26)), 0x0400);
  EXPECT_EQ(DoubleToFp16(65519.99), 0x7BFF);
}

TEST(HalfFloatTest, Fp16RejectsValuesThatWouldBecomeInfinity) {
  EXPECT_EQ(DoubleToFp16(65520.0), std::nullopt);  // the tie rounds to 2^16, beyond the format
  EXPECT_EQ(DoubleToFp16(1e6), std::nullopt);
  EXPECT_EQ(DoubleToFp16(-1e300), std::nullopt);
}

TEST(HalfFloatTest, Fp16SpecialValues) {
  EXPECT_EQ(DoubleToFp16(INFINITY), 0x7C00);
  EXPECT_EQ(DoubleToFp16(-INFINITY), 0xFC00);
  const std::optional<uint16_t> nan = DoubleToFp16(NAN);
  ASSERT_TRUE(nan.has_value());
  EXPECT_EQ(*nan & 0x7C00, 0x7C00);
  EXPECT_NE(*nan & 0x03FF, 0);
  EXPECT_TRUE(std::isnan(Fp16ToFloat(*nan)));
  EXPECT_EQ(Fp16ToFloat(0x7C00), INFINITY);
  EXPECT_EQ(Fp16ToFloat(0xFC00), -INFINITY);
}

TEST(HalfFloatTest, Bf16EncodesAndRounds) {
  EXPECT_EQ(DoubleToBf16(1.0), 0x3F80);
  EXPECT_EQ(DoubleToBf16(-1.0), 0xBF80);
  EXPECT_EQ(DoubleToBf16(3.140625), 0x4049);
  EXPECT_EQ(DoubleToBf16(M_PI), 0x4049);
  EXPECT_EQ(DoubleToBf16(1.0 + std::ldexp(1.0, -8)), 0x3F80);      // tie -> even
  EXPECT_EQ(DoubleToBf16(1.0 + 3 * std::ldexp(1.0, -8)), 0x3F82);  // tie -> even
  EXPECT_EQ(DoubleToBf16(std::ldexp(1.0, -133)), 0x0001);          // smallest subnormal
  EXPECT_EQ(DoubleToBf16(std::ldexp(1.0, -126)), 0x0080);          // smallest normal
  EXPECT_EQ(DoubleToBf16(INFINITY), 0x7F80);
  EXPECT_EQ(DoubleToBf16(NAN).value() & 0x7F80, 0x7F80);
}

TEST(HalfFloatTest, Bf16RejectsValuesThatWouldBecomeInfinity) {
  EXPECT_EQ(DoubleToBf16(static_cast<double>(FLT_MAX)), std::nullopt);  // rounds up past 0x7F7F
  EXPECT_EQ(DoubleToBf16(1e39), std::nullopt);
  EXPECT_EQ(DoubleToBf16(3.3895313892515355e38), 0x7F7F);  // largest finite BF16
}

// Every finite bit pattern decodes to a float that encodes back to itself.
TEST(HalfFloatTest, EveryFp16AndBf16ValueRoundTrips) {
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto pattern = static_cast<uint16_t>(bits);
    const float fp16 = Fp16ToFloat(pattern);
    if (std::isnan(fp16)) {
      EXPECT_EQ(pattern & 0x7C00, 0x7C00);
    } else {
      ASSERT_EQ(DoubleToFp16(fp16), pattern) << "FP16 0x" << std::hex << bits;
    }
    const float bf16 = Bf16ToFloat(pattern);
    if (std::isnan(bf16)) {
      EXPECT_EQ(pattern & 0x7F80, 0x7F80);
    } else {
      ASSERT_EQ(DoubleToBf16(bf16), pattern) << "BF16 0x" << std::hex << bits;
    }
  }
}

TEST(HalfFloatTest, DecodesKnownValues) {
  EXPECT_EQ(Fp16ToFloat(0x3C00), 1.0f);
  EXPECT_EQ(Fp16ToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(Fp16ToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(Fp16ToFloat(0x8000), -0.0f);
  EXPECT_TRUE(std::signbit(Fp16ToFloat(0x8000)));
  EXPECT_EQ(Bf16ToFloat(0x3F80), 1.0f);
  EXPECT_EQ(Bf16ToFloat(0x4049), 3.140625f);
  EXPECT_EQ(Bf16ToFloat(0x0001), std::ldexp(1.0f, -133));
}

}  // namespace
}  // namespace inferd::protocol
