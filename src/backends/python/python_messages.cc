#include "backends/python/python_messages.h"

#include <cstring>

#include <algorithm>

#include <fmt/format.h>

namespace inferd::python {
std::string_view Text(const rapidjson::Value& value) {
  return value.IsString() ? std::string_view(value.GetString(), value.GetStringLength()) : std::string_view();
}

namespace {

constexpr uint32_t kSequenceStartFlag = 1;  // TRITONSERVER_REQUEST_FLAG_SEQUENCE_START
constexpr uint32_t kSequenceEndFlag = 2;    // TRITONSERVER_REQUEST_FLAG_SEQUENCE_END

bool TakenByTriton(std::string_view key) {
  return key == "sequence_id" || key == "sequence_start" || key == "sequence_end" || key == "priority" ||
         key == "timeout" || key == "binary_data_output";
}

bool IsTrue(const Parameters& parameters, const char* key) {
  auto found = parameters.find(key);
  return found != parameters.end() && std::holds_alternative<bool>(found->second) && std::get<bool>(found->second);
}

}  // namespace

void WriteRequestParameters(JsonWriter& writer, const Parameters* parameters) {
  const ParameterValue* sequence = nullptr;
  if (parameters != nullptr) {
    if (auto found = parameters->find("sequence_id"); found != parameters->end()) sequence = &found->second;
  }
  writer.Key("correlation_id");
  if (sequence != nullptr && std::holds_alternative<std::string>(*sequence)) {
    const std::string& id = std::get<std::string>(*sequence);
    writer.String(id.c_str(), static_cast<rapidjson::SizeType>(id.size()));
  } else if (sequence != nullptr && std::holds_alternative<int64_t>(*sequence)) {
    writer.Int64(std::get<int64_t>(*sequence));
  } else {
    writer.Int64(0);
  }
  writer.Key("flags");
  writer.Uint((parameters != nullptr && IsTrue(*parameters, "sequence_start") ? kSequenceStartFlag : 0) |
              (parameters != nullptr && IsTrue(*parameters, "sequence_end") ? kSequenceEndFlag : 0));
  writer.Key("parameters");
  writer.StartObject();
  if (parameters != nullptr) {
    for (const auto& [key, value] : *parameters) {
      if (TakenByTriton(key)) continue;
      writer.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
      std::visit(
          [&writer](const auto& held) {
            using Held = std::decay_t<decltype(held)>;
            if constexpr (std::is_same_v<Held, bool>) writer.Bool(held);
            else if constexpr (std::is_same_v<Held, int64_t>) writer.Int64(held);
            else if constexpr (std::is_same_v<Held, double>) writer.Double(held);
            else writer.String(held.c_str(), static_cast<rapidjson::SizeType>(held.size()));
          },
          value);
    }
  }
  writer.EndObject();
}

// Describes `tensors` as header entries and adds their bytes to `pieces`.
void WriteTensors(JsonWriter& writer, const std::vector<Tensor>& tensors, std::vector<std::string_view>* pieces) {
  uint64_t offset = 0;
  for (std::string_view piece : *pieces) offset += piece.size();
  writer.StartArray();
  for (const Tensor& tensor : tensors) {
    writer.StartObject();
    writer.Key("name");
    writer.String(tensor.name.c_str(), static_cast<rapidjson::SizeType>(tensor.name.size()));
    writer.Key("datatype");
    const std::string_view datatype = DataTypeName(tensor.datatype);
    writer.String(datatype.data(), static_cast<rapidjson::SizeType>(datatype.size()));
    writer.Key("shape");
    writer.StartArray();
    for (int64_t dim : tensor.shape) writer.Int64(dim);
    writer.EndArray();
    writer.Key("offset");
    writer.Uint64(offset);
    writer.Key("size");
    writer.Uint64(tensor.byte_size);
    writer.EndObject();
    pieces->push_back(tensor.bytes());
    offset += tensor.byte_size;
  }
  writer.EndArray();
}

Result<Tensor> ReadTensor(const rapidjson::Value& entry, const Payload& payload,
                          const std::string& subject) {
  if (!entry.IsObject() || !entry.HasMember("name") || !entry.HasMember("datatype") || !entry.HasMember("shape") ||
      !entry.HasMember("offset") || !entry.HasMember("size")) {
    return Status::Internal(fmt::format("{}: the Python process sent a malformed tensor", subject));
  }
  Tensor tensor;
  tensor.name = entry["name"].GetString();
  std::optional<DataType> type = DataTypeFromName(entry["datatype"].GetString());
  if (!type) return Status::InvalidArgument(fmt::format("{}: tensor '{}' has an unknown datatype", subject, tensor.name));
  tensor.datatype = *type;
  for (const auto& dim : entry["shape"].GetArray()) tensor.shape.push_back(dim.GetInt64());
  const uint64_t offset = entry["offset"].GetUint64();
  const uint64_t size = entry["size"].GetUint64();
  if (offset > payload.bytes.size() || size > payload.bytes.size() - offset) {
    return Status::Internal(fmt::format("{}: tensor '{}' lies outside what the Python process sent", subject,
                                        tensor.name));
  }
  tensor.data = payload.bytes.data() + offset;
  tensor.byte_size = size;
  tensor.owner = payload.owner;
  return tensor;
}

Status ReplyError(const std::string& header, const std::string& subject) {
  rapidjson::Document reply;
  reply.Parse(header.data(), header.size());
  if (reply.HasParseError() || !reply.IsObject()) {
    return Status::Internal(fmt::format("{}: the Python process sent a malformed answer", subject));
  }
  auto error = reply.FindMember("error");
  if (error != reply.MemberEnd() && error->value.IsString()) {
    return Status::Internal(fmt::format("{}: {}", subject, error->value.GetString()));
  }
  return Status::Ok();
}

}  // namespace inferd::python
