#include "protocol/json_tensor_writer.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "protocol/half_float.h"
#include "protocol/utf8.h"

namespace inferd::protocol {
namespace {

// Tensor memory may come from anywhere (an offset into a body, a backend
// buffer), so elements are read with memcpy rather than through a cast
// pointer that could be misaligned.
template <typename T>
T ElementAt(const char* data, size_t index) {
  T value;
  std::memcpy(&value, data + index * sizeof(T), sizeof(T));
  return value;
}

template <typename T, typename Check>
bool AllElements(const Tensor& tensor, Check check) {
  const size_t count = tensor.byte_size / sizeof(T);
  for (size_t i = 0; i < count; ++i) {
    if (!check(ElementAt<T>(tensor.data, i))) return false;
  }
  return true;
}

// Appends "[e0,e1,...]" for a fixed-size tensor straight to `out`.
template <typename T, typename Append>
void AppendArray(const Tensor& tensor, std::string& out, Append append) {
  const size_t count = tensor.byte_size / sizeof(T);
  out.push_back('[');
  for (size_t i = 0; i < count; ++i) {
    if (i != 0) out.push_back(',');
    append(ElementAt<T>(tensor.data, i));
  }
  out.push_back(']');
}

template <typename T>
void AppendIntegerArray(const Tensor& tensor, std::string& out) {
  AppendArray<T>(tensor, out, [&](T v) {
    char digits[24];  // the longest integer is 20 characters ("-9223372036854775808")
    out.append(digits, fmt::format_to(digits, FMT_COMPILE("{}"), +v));
  });
}

bool HalfIsFinite(uint16_t bits, uint16_t exponent_mask) { return (bits & exponent_mask) != exponent_mask; }
constexpr uint16_t kFp16ExponentMask = 0x7C00;
constexpr uint16_t kBf16ExponentMask = 0x7F80;

}  // namespace

bool CanWriteAsJson(const Tensor& tensor) {
  if (tensor.datatype == DataType::kBytes) {
    bool valid_text = true;
    const Status layout = ForEachBytesElement(tensor.bytes(), -1, tensor.name, [&](std::string_view element) {
      valid_text = valid_text && IsValidUtf8(element);
    });
    return layout.ok() && valid_text;
  }
  const size_t element_size = DataTypeByteSize(tensor.datatype);
  if (element_size == 0 || tensor.byte_size % element_size != 0) return false;
  switch (tensor.datatype) {
    case DataType::kFp16:
      return AllElements<uint16_t>(tensor, [](uint16_t bits) { return HalfIsFinite(bits, kFp16ExponentMask); });
    case DataType::kBf16:
      return AllElements<uint16_t>(tensor, [](uint16_t bits) { return HalfIsFinite(bits, kBf16ExponentMask); });
    case DataType::kFp32:
      return AllElements<float>(tensor, [](float value) { return std::isfinite(value); });
    case DataType::kFp64:
      return AllElements<double>(tensor, [](double value) { return std::isfinite(value); });
    default:
      return true;
  }
}

void WriteJsonTensorData(JsonWriter& writer, const Tensor& tensor) {
  if (tensor.datatype == DataType::kBytes) {
    // Strings need escaping: leave them to the writer.
    writer.StartArray();
    // The layout was checked by CanWriteAsJson, so this cannot fail.
    (void)ForEachBytesElement(tensor.bytes(), -1, tensor.name,
                              [&](std::string_view element) { WriteString(writer, element); });
    writer.EndArray();
    return;
  }
  std::string& out = writer.BeginRawValue(rapidjson::kArrayType);
  switch (tensor.datatype) {
    case DataType::kBool:
      AppendArray<uint8_t>(tensor, out, [&](uint8_t v) { out.append(v != 0 ? "true" : "false"); });
      break;
    case DataType::kUint8: AppendIntegerArray<uint8_t>(tensor, out); break;
    case DataType::kUint16: AppendIntegerArray<uint16_t>(tensor, out); break;
    case DataType::kUint32: AppendIntegerArray<uint32_t>(tensor, out); break;
    case DataType::kUint64: AppendIntegerArray<uint64_t>(tensor, out); break;
    case DataType::kInt8: AppendIntegerArray<int8_t>(tensor, out); break;
    case DataType::kInt16: AppendIntegerArray<int16_t>(tensor, out); break;
    case DataType::kInt32: AppendIntegerArray<int32_t>(tensor, out); break;
    case DataType::kInt64: AppendIntegerArray<int64_t>(tensor, out); break;
    case DataType::kFp16:
      AppendArray<uint16_t>(tensor, out, [&](uint16_t v) { AppendShortest(out, Fp16ToFloat(v)); });
      break;
    case DataType::kBf16:
      AppendArray<uint16_t>(tensor, out, [&](uint16_t v) { AppendShortest(out, Bf16ToFloat(v)); });
      break;
    case DataType::kFp32: AppendArray<float>(tensor, out, [&](float v) { AppendShortest(out, v); }); break;
    case DataType::kFp64: AppendArray<double>(tensor, out, [&](double v) { AppendShortest(out, v); }); break;
    case DataType::kBytes:
    case DataType::kInvalid:
      out.append("[]");  // unreachable: BYTES returned above, invalid fails CanWriteAsJson
      break;
  }
}

size_t EstimateJsonTensorSize(const Tensor& tensor) {
  switch (tensor.datatype) {
    case DataType::kBytes:
      return tensor.byte_size + 16;  // 4-byte prefixes become quotes and a comma
    case DataType::kBool:
      return tensor.byte_size * 6 + 2;
    case DataType::kFp16:
    case DataType::kBf16:
    case DataType::kFp32:
    case DataType::kFp64:
      return tensor.byte_size / DataTypeByteSize(tensor.datatype) * 14 + 2;
    default: {
      const size_t element_size = DataTypeByteSize(tensor.datatype);
      return element_size == 0 ? 2 : tensor.byte_size / element_size * (element_size * 3 + 1) + 2;
    }
  }
}

}  // namespace inferd::protocol
