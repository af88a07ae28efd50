#include "protocol/grpc_tensor_contents.h"

#include "common/bounded_text.h"

#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace inferd::protocol {
namespace {

using inference::InferTensorContents;

// Which repeated field holds how many elements, for "wrong field" checks.
std::vector<std::pair<std::string_view, int>> FilledFields(const InferTensorContents& contents) {
  std::vector<std::pair<std::string_view, int>> filled;
  const auto add = [&filled](std::string_view name, int size) {
    if (size > 0) filled.emplace_back(name, size);
  };
  add("bool_contents", contents.bool_contents_size());
  add("int_contents", contents.int_contents_size());
  add("int64_contents", contents.int64_contents_size());
  add("uint_contents", contents.uint_contents_size());
  add("uint64_contents", contents.uint64_contents_size());
  add("fp32_contents", contents.fp32_contents_size());
  add("fp64_contents", contents.fp64_contents_size());
  add("bytes_contents", contents.bytes_contents_size());
  return filled;
}

class ContentsReader {
 public:
  ContentsReader(const InferTensorContents& contents, DataType datatype, const Shape& shape,
                 std::string_view model_name, std::string_view input_name)
      : contents_(contents),
        datatype_(datatype),
        shape_(shape),
        model_name_(model_name),
        input_name_(input_name) {}

  Result<std::string> Read() {
    const std::string_view field = TensorContentsFieldName(datatype_);
    if (field.empty()) {
      return Error(fmt::format("{} data cannot be sent in typed \"contents\" (the protocol has no field for it); "
                               "send it in raw_input_contents",
                               DataTypeName(datatype_)));
    }
    for (const auto& [name, size] : FilledFields(contents_)) {
      if (name != field) {
        return Error(fmt::format("contents.{} holds {} elements, but datatype {} takes its data in contents.{}", name,
                                 size, DataTypeName(datatype_), field));
      }
    }

    switch (datatype_) {
      case DataType::kBool: return Convert<uint8_t>(contents_.bool_contents());
      case DataType::kUint8: return Convert<uint8_t>(contents_.uint_contents());
      case DataType::kUint16: return Convert<uint16_t>(contents_.uint_contents());
      case DataType::kUint32: return Convert<uint32_t>(contents_.uint_contents());
      case DataType::kUint64: return Convert<uint64_t>(contents_.uint64_contents());
      case DataType::kInt8: return Convert<int8_t>(contents_.int_contents());
      case DataType::kInt16: return Convert<int16_t>(contents_.int_contents());
      case DataType::kInt32: return Convert<int32_t>(contents_.int_contents());
      case DataType::kInt64: return Convert<int64_t>(contents_.int64_contents());
      case DataType::kFp32: return Convert<float>(contents_.fp32_contents());
      case DataType::kFp64: return Convert<double>(contents_.fp64_contents());
      case DataType::kBytes: return ReadBytes();
      case DataType::kFp16:
      case DataType::kBf16:
      case DataType::kInvalid: break;
    }
    return Error(fmt::format("datatype {} cannot be read from \"contents\"", DataTypeName(datatype_)));
  }

 private:
  Status CheckCount(int64_t count) const {
    const int64_t expected = ElementCount(shape_);
    // A negative or oversized shape is the request validator's to report.
    if (count == expected || expected < 0) return Status::Ok();
    return Error(fmt::format("contents.{} holds {} elements but shape {} needs {}", TensorContentsFieldName(datatype_),
                             count, ShapeToString(shape_), expected));
  }

  // Narrows each element of a repeated field to T (the element type of the
  // tensor), rejecting values T cannot hold rather than wrapping them.
  template <typename T, typename Field>
  Result<std::string> Convert(const Field& field) {
    RETURN_IF_ERROR(CheckCount(field.size()));
    std::string buffer(static_cast<size_t>(field.size()) * sizeof(T), '\0');
    char* out = buffer.data();
    for (int i = 0; i < field.size(); ++i) {
      const auto value = field.Get(i);
      using Source = std::remove_cv_t<decltype(value)>;
      if constexpr (std::is_integral_v<T> && !std::is_same_v<Source, bool> && !std::is_same_v<T, Source>) {
        if (!std::in_range<T>(value)) {
          return Error(fmt::format("contents.{} element {} is {}, expected an integer in [{}, {}] for {}",
                                   TensorContentsFieldName(datatype_), i, value, +std::numeric_limits<T>::min(),
                                   +std::numeric_limits<T>::max(), DataTypeName(datatype_)));
        }
      }
      const T element = static_cast<T>(value);
      std::memcpy(out + static_cast<size_t>(i) * sizeof(T), &element, sizeof(T));  // little-endian host
    }
    return buffer;
  }

  Result<std::string> ReadBytes() {
    const auto& field = contents_.bytes_contents();
    RETURN_IF_ERROR(CheckCount(field.size()));
    size_t total = 0;
    for (const std::string& element : field) total += 4 + element.size();
    std::string buffer;
    buffer.reserve(total);
    for (const std::string& element : field) {
      if (element.size() > std::numeric_limits<uint32_t>::max()) {
        return Error(fmt::format("a BYTES element of {} bytes does not fit the 4-byte length prefix", element.size()));
      }
      AppendBytesElement(element, &buffer);
    }
    return buffer;
  }

  Status Error(std::string_view what) const {
    return Status::InvalidArgument(fmt::format("model '{}', input '{}': {}", Abbreviate(model_name_), Abbreviate(input_name_), what));
  }

  const InferTensorContents& contents_;
  const DataType datatype_;
  const Shape& shape_;
  const std::string_view model_name_;
  const std::string_view input_name_;
};

}  // namespace

std::string_view TensorContentsFieldName(DataType datatype) {
  switch (datatype) {
    case DataType::kBool: return "bool_contents";
    case DataType::kUint8:
    case DataType::kUint16:
    case DataType::kUint32: return "uint_contents";
    case DataType::kUint64: return "uint64_contents";
    case DataType::kInt8:
    case DataType::kInt16:
    case DataType::kInt32: return "int_contents";
    case DataType::kInt64: return "int64_contents";
    case DataType::kFp32: return "fp32_contents";
    case DataType::kFp64: return "fp64_contents";
    case DataType::kBytes: return "bytes_contents";
    case DataType::kFp16:
    case DataType::kBf16:
    case DataType::kInvalid: break;
  }
  return {};
}

Result<std::string> ReadTensorContents(const inference::InferTensorContents& contents, DataType datatype,
                                       const Shape& shape, std::string_view model_name, std::string_view input_name) {
  return ContentsReader(contents, datatype, shape, model_name, input_name).Read();
}

}  // namespace inferd::protocol
