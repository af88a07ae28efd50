// FP16 (IEEE binary16) and BF16 (bfloat16) conversions for the JSON side of
// the protocol: JSON carries numbers, the tensors carry 2-byte floats.
//
// Encoding rounds exactly once, to nearest with ties to even, straight from
// the double the JSON parser produced (going through float first would round
// twice and could differ in the last bit).
#pragma once

#include <cstdint>
#include <optional>

namespace inferd::protocol {

// nullopt when the finite `value` is too large for the format (it would round
// to infinity). NaN and +-infinity encode as themselves.
std::optional<uint16_t> DoubleToFp16(double value);
std::optional<uint16_t> DoubleToBf16(double value);

// Exact: every FP16 and BF16 value is representable as a float.
float Fp16ToFloat(uint16_t bits);
float Bf16ToFloat(uint16_t bits);

}  // namespace inferd::protocol
