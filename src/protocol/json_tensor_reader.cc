#include "protocol/json_tensor_reader.h"

#include "common/bounded_text.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <type_traits>

#include <fmt/format.h>

#include "protocol/half_float.h"
#include "types/tensor.h"

namespace inferd::protocol {
namespace {

using rapidjson::Value;

// Real tensors nest as deep as their rank; this only stops a hostile body
// from exhausting the stack.
constexpr int kMaxNesting = 64;

// Calls visit(leaf) for every non-array value under `array`, row-major.
// Returns false when visit returns false or the nesting is too deep
// (`*too_deep` tells which).
template <typename Visit>
bool ForEachLeaf(const Value& array, int depth, bool* too_deep, Visit& visit) {
  for (const Value& element : array.GetArray()) {
    if (element.IsArray()) {
      if (depth >= kMaxNesting) {
        *too_deep = true;
        return false;
      }
      if (!ForEachLeaf(element, depth + 1, too_deep, visit)) return false;
    } else if (!visit(element)) {
      return false;
    }
  }
  return true;
}

// A short rendering of a JSON value for error messages.
std::string DescribeJson(const Value& value) {
  if (value.IsNull()) return "null";
  if (value.IsBool()) return value.GetBool() ? "true" : "false";
  if (value.IsInt64()) return fmt::format("{}", value.GetInt64());
  if (value.IsUint64()) return fmt::format("{}", value.GetUint64());
  if (value.IsNumber()) return fmt::format("{}", value.GetDouble());
  if (value.IsString()) {
    std::string_view text(value.GetString(), value.GetStringLength());
    constexpr size_t kMaxShown = 32;
    if (text.size() > kMaxShown) return fmt::format("\"{}...\"", text.substr(0, kMaxShown));
    return fmt::format("\"{}\"", text);
  }
  return value.IsArray() ? "an array" : "an object";
}

// What an element of `datatype` must look like, for error messages.
std::string ExpectedElement(DataType datatype) {
  const auto integer_range = [](auto type_tag) {
    using T = decltype(type_tag);
    return fmt::format("an integer in [{}, {}]", +std::numeric_limits<T>::min(), +std::numeric_limits<T>::max());
  };
  switch (datatype) {
    case DataType::kBool: return "true or false";
    case DataType::kUint8: return integer_range(uint8_t{});
    case DataType::kUint16: return integer_range(uint16_t{});
    case DataType::kUint32: return integer_range(uint32_t{});
    case DataType::kUint64: return integer_range(uint64_t{});
    case DataType::kInt8: return integer_range(int8_t{});
    case DataType::kInt16: return integer_range(int16_t{});
    case DataType::kInt32: return integer_range(int32_t{});
    case DataType::kInt64: return integer_range(int64_t{});
    case DataType::kFp16: return "a number of magnitude below 65520 (FP16 range)";
    case DataType::kBf16: return "a number within the BF16 range (about 3.39e38)";
    case DataType::kFp32: return "a number within the FP32 range (about 3.40e38)";
    case DataType::kFp64: return "a number";
    case DataType::kBytes: return "a string";
    case DataType::kInvalid: break;
  }
  return "nothing (invalid datatype)";
}

// Element converters: false when the JSON value does not fit the type.
template <typename T>
bool ConvertInteger(const Value& value, T* out) {
  if constexpr (std::is_signed_v<T>) {
    if (!value.IsInt64()) return false;
    const int64_t number = value.GetInt64();
    if (number < std::numeric_limits<T>::min() || number > std::numeric_limits<T>::max()) return false;
    *out = static_cast<T>(number);
  } else {
    if (!value.IsUint64()) return false;
    const uint64_t number = value.GetUint64();
    if (number > std::numeric_limits<T>::max()) return false;
    *out = static_cast<T>(number);
  }
  return true;
}

bool ConvertBool(const Value& value, uint8_t* out) {
  if (!value.IsBool()) return false;
  *out = value.GetBool() ? 1 : 0;
  return true;
}

bool ConvertFp64(const Value& value, double* out) {
  if (!value.IsNumber()) return false;
  *out = value.GetDouble();
  return true;
}

bool ConvertFp32(const Value& value, float* out) {
  if (!value.IsNumber()) return false;
  const double number = value.GetDouble();
  if (std::isfinite(number) && std::fabs(number) > FLT_MAX) {
    // Beyond FLT_MAX by less than half an ulp still rounds to FLT_MAX; a
    // larger finite value would become infinity, which the client never sent.
    const double rounds_to_infinity = static_cast<double>(FLT_MAX) + std::ldexp(1.0, 127 - 24);
    if (std::fabs(number) >= rounds_to_infinity) return false;
    *out = number > 0 ? FLT_MAX : -FLT_MAX;
    return true;
  }
  *out = static_cast<float>(number);
  return true;
}

template <std::optional<uint16_t> (*Encode)(double)>
bool ConvertHalf(const Value& value, uint16_t* out) {
  if (!value.IsNumber()) return false;
  const std::optional<uint16_t> bits = Encode(value.GetDouble());
  if (!bits) return false;
  *out = *bits;
  return true;
}

class Reader {
 public:
  Reader(const Value& data, DataType datatype, const Shape& shape, std::string_view model_name,
         std::string_view input_name)
      : data_(data),
        datatype_(datatype),
        shape_(shape),
        model_name_(model_name),
        input_name_(input_name) {}

  Result<std::string> Read() {
    // First pass: count (and, for BYTES, size) the elements, so the buffer is
    // allocated once and a wrong count is reported before any conversion.
    int64_t count = 0;
    size_t string_bytes = 0;
    auto count_leaf = [&](const Value& leaf) {
      ++count;
      if (leaf.IsString()) string_bytes += leaf.GetStringLength();
      return true;
    };
    bool too_deep = false;
    if (!ForEachLeaf(data_, 1, &too_deep, count_leaf)) {
      return Error(fmt::format("\"data\" nests arrays deeper than {} levels", kMaxNesting));
    }
    // A negative or oversized shape is the request validator's to report.
    if (const int64_t expected = ElementCount(shape_); expected >= 0 && count != expected) {
      return Error(fmt::format("\"data\" holds {} elements but shape {} needs {}", count, ShapeToString(shape_),
                               expected));
    }

    switch (datatype_) {
      case DataType::kBool: return ReadFixed<uint8_t>(count, ConvertBool);
      case DataType::kUint8: return ReadFixed<uint8_t>(count, ConvertInteger<uint8_t>);
      case DataType::kUint16: return ReadFixed<uint16_t>(count, ConvertInteger<uint16_t>);
      case DataType::kUint32: return ReadFixed<uint32_t>(count, ConvertInteger<uint32_t>);
      case DataType::kUint64: return ReadFixed<uint64_t>(count, ConvertInteger<uint64_t>);
      case DataType::kInt8: return ReadFixed<int8_t>(count, ConvertInteger<int8_t>);
      case DataType::kInt16: return ReadFixed<int16_t>(count, ConvertInteger<int16_t>);
      case DataType::kInt32: return ReadFixed<int32_t>(count, ConvertInteger<int32_t>);
      case DataType::kInt64: return ReadFixed<int64_t>(count, ConvertInteger<int64_t>);
      case DataType::kFp16: return ReadFixed<uint16_t>(count, ConvertHalf<DoubleToFp16>);
      case DataType::kBf16: return ReadFixed<uint16_t>(count, ConvertHalf<DoubleToBf16>);
      case DataType::kFp32: return ReadFixed<float>(count, ConvertFp32);
      case DataType::kFp64: return ReadFixed<double>(count, ConvertFp64);
      case DataType::kBytes: return ReadBytes(count, string_bytes);
      case DataType::kInvalid: break;
    }
    return Error("has no valid datatype");
  }

 private:
  template <typename T, typename Convert>
  Result<std::string> ReadFixed(int64_t count, Convert convert) {
    std::string buffer(static_cast<size_t>(count) * sizeof(T), '\0');
    char* out = buffer.data();
    int64_t index = 0;
    Status status;
    auto fill_leaf = [&](const Value& leaf) {
      T element;
      if (!convert(leaf, &element)) {
        status = ElementError(index, leaf);
        return false;
      }
      std::memcpy(out + index * sizeof(T), &element, sizeof(T));  // little-endian host, as the protocol
      ++index;
      return true;
    };
    bool too_deep = false;
    ForEachLeaf(data_, 1, &too_deep, fill_leaf);
    if (!status.ok()) return status;
    return buffer;
  }

  Result<std::string> ReadBytes(int64_t count, size_t string_bytes) {
    std::string buffer;
    buffer.reserve(string_bytes + static_cast<size_t>(count) * 4);
    int64_t index = 0;
    Status status;
    auto append_leaf = [&](const Value& leaf) {
      if (!leaf.IsString()) {
        status = ElementError(index, leaf);
        return false;
      }
      AppendBytesElement(std::string_view(leaf.GetString(), leaf.GetStringLength()), &buffer);
      ++index;
      return true;
    };
    bool too_deep = false;
    ForEachLeaf(data_, 1, &too_deep, append_leaf);
    if (!status.ok()) return status;
    return buffer;
  }

  Status ElementError(int64_t index, const Value& leaf) const {
    return Error(fmt::format("\"data\" element {} is {}, expected {} for {}", index, DescribeJson(leaf),
                             ExpectedElement(datatype_), DataTypeName(datatype_)));
  }

  Status Error(std::string_view what) const {
    return Status::InvalidArgument(fmt::format("model '{}', input '{}': {}", Abbreviate(model_name_), Abbreviate(input_name_), what));
  }

  const Value& data_;
  const DataType datatype_;
  const Shape& shape_;
  const std::string_view model_name_;
  const std::string_view input_name_;
};

}  // namespace

Result<std::string> ReadJsonTensorData(const rapidjson::Value& data, DataType datatype, const Shape& shape,
                                       std::string_view model_name, std::string_view input_name) {
  if (!data.IsArray()) {
    return Status::InvalidArgument(
        fmt::format("model '{}', input '{}': \"data\" must be a JSON array, got {}", model_name, input_name,
                    DescribeJson(data)));
  }
  return Reader(data, datatype, shape, model_name, input_name).Read();
}

}  // namespace inferd::protocol
