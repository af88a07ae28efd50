#include "protocol/half_float.h"

#include <cmath>

namespace inferd::protocol {
namespace {

// A binary floating-point format with an implicit leading 1, a biased
// exponent of `kExponentBits` and `kMantissaBits` stored fraction bits.
template <int kExponentBits, int kMantissaBits>
std::optional<uint16_t> EncodeSmallFloat(double value) {
  constexpr int kBias = (1 << (kExponentBits - 1)) - 1;
  constexpr uint32_t kExponentMask = (1u << kExponentBits) - 1;
  constexpr uint32_t kSignBit = 1u << (kExponentBits + kMantissaBits);
  constexpr uint32_t kInfinity = kExponentMask << kMantissaBits;
  constexpr int kMinNormalExponent = 1 - kBias;

  const uint32_t sign = std::signbit(value) ? kSignBit : 0;
  if (std::isnan(value)) return static_cast<uint16_t>(sign | kInfinity | (1u << (kMantissaBits - 1)));
  if (std::isinf(value)) return static_cast<uint16_t>(sign | kInfinity);

  const double magnitude = std::fabs(value);
  if (magnitude < std::ldexp(1.0, kMinNormalExponent)) {
    // Subnormal (or zero): the value in units of the smallest subnormal.
    // Scaling by a power of two is exact, so nearbyint is the only rounding
    // (the default rounding mode is to nearest, ties to even). A result of
    // 1 << kMantissaBits is the smallest normal number, which this very bit
    // pattern encodes.
    const double units = std::nearbyint(std::ldexp(magnitude, kMantissaBits - kMinNormalExponent));
    return static_cast<uint16_t>(sign | static_cast<uint32_t>(units));
  }

  int exponent = 0;
  const double fraction = std::frexp(magnitude, &exponent);  // magnitude = fraction * 2^exponent, fraction in [0.5, 1)
  int unbiased = exponent - 1;                               // magnitude = significand * 2^unbiased
  const double significand = fraction * 2.0;                 // in [1, 2)
  auto mantissa = static_cast<uint32_t>(std::nearbyint(std::ldexp(significand - 1.0, kMantissaBits)));
  if (mantissa == (1u << kMantissaBits)) {  // rounded up to the next power of two
    mantissa = 0;
    ++unbiased;
  }
  const int biased = unbiased + kBias;
  if (biased >= static_cast<int>(kExponentMask)) return std::nullopt;  // would be infinity
  return static_cast<uint16_t>(sign | (static_cast<uint32_t>(biased) << kMantissaBits) | mantissa);
}

template <int kExponentBits, int kMantissaBits>
float DecodeSmallFloat(uint16_t bits) {
  constexpr int kBias = (1 << (kExponentBits - 1)) - 1;
  constexpr uint32_t kExponentMask = (1u << kExponentBits) - 1;
  const bool negative = (bits >> (kExponentBits + kMantissaBits)) & 1u;
  const uint32_t biased = (bits >> kMantissaBits) & kExponentMask;
  const uint32_t mantissa = bits & ((1u << kMantissaBits) - 1);

  float magnitude = 0.0f;
  if (biased == kExponentMask) {
    magnitude = mantissa == 0 ? INFINITY : NAN;
  } else if (biased == 0) {
    magnitude = std::ldexp(static_cast<float>(mantissa), 1 - kBias - kMantissaBits);
  } else {
    magnitude = std::ldexp(static_cast<float>(mantissa | (1u << kMantissaBits)),
                           static_cast<int>(biased) - kBias - kMantissaBits);
  }
  return negative ? -magnitude : magnitude;
}

}  // namespace

std::optional<uint16_t> DoubleToFp16(double value) { return EncodeSmallFloat<5, 10>(value); }
std::optional<uint16_t> DoubleToBf16(double value) { return EncodeSmallFloat<8, 7>(value); }
float Fp16ToFloat(uint16_t bits) { return DecodeSmallFloat<5, 10>(bits); }
float Bf16ToFloat(uint16_t bits) { return DecodeSmallFloat<8, 7>(bits); }

}  // namespace inferd::protocol
