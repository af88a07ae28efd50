#include "config/json.h"

#include <charconv>
#include <cstdint>
#include <string_view>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fmt/format.h>

#include "common/logging.h"

namespace inferd::config {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
bool IsSigned64(const FieldDescriptor* field) { return field->cpp_type() == FieldDescriptor::CPPTYPE_INT64; }

bool IsUnsigned64(const FieldDescriptor* field) { return field->cpp_type() == FieldDescriptor::CPPTYPE_UINT64; }

// Replaces a JSON string holding a 64-bit integer by the number itself.
// Values that are not strings (already numbers) are left alone.
void StringToNumber(const FieldDescriptor* field, rapidjson::Value* value) {
  if (!value->IsString()) return;
  const std::string_view text(value->GetString(), value->GetStringLength());
  if (IsSigned64(field)) {
    int64_t number = 0;
    if (std::from_chars(text.data(), text.data() + text.size(), number).ec == std::errc()) value->SetInt64(number);
  } else {
    uint64_t number = 0;
    if (std::from_chars(text.data(), text.data() + text.size(), number).ec == std::errc()) value->SetUint64(number);
  }
}

void FixMessage(const Descriptor* descriptor, rapidjson::Value* object);

// Applies the fix to one field's JSON value (a single value, an array, or a
// map object), recursing into messages.
void FixFieldValue(const FieldDescriptor* field, rapidjson::Value* value) {
  if (field->is_map()) {
    // Keys are JSON strings by necessity; only the values may need fixing.
    const FieldDescriptor* map_value = field->message_type()->map_value();
    if (!value->IsObject()) return;
    for (auto& member : value->GetObject()) FixFieldValue(map_value, &member.value);
    return;
  }
  if (value->IsArray()) {
    for (auto& element : value->GetArray()) FixFieldValue(field, &element);
    return;
  }
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    FixMessage(field->message_type(), value);
  } else if (IsSigned64(field) || IsUnsigned64(field)) {
    StringToNumber(field, value);
  }
}

void FixMessage(const Descriptor* descriptor, rapidjson::Value* object) {
  if (!object->IsObject()) return;
  for (auto& member : object->GetObject()) {
    const FieldDescriptor* field = descriptor->FindFieldByName(member.name.GetString());
    if (field != nullptr) FixFieldValue(field, &member.value);
  }
}

}  // namespace

std::string ModelConfigToJson(const inference::ModelConfig& config) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string protobuf_json;
  const auto printed = google::protobuf::util::MessageToJsonString(config, &protobuf_json, options);
  if (!printed.ok()) {
    // Only possible for a malformed message (e.g. invalid UTF-8 in a string).
    LogError("model '{}': cannot render the configuration as JSON: {}", config.name(), printed.ToString());
    return "{}";
  }

  rapidjson::Document document;
  document.Parse<rapidjson::kParseFullPrecisionFlag>(protobuf_json.data(), protobuf_json.size());
  if (document.HasParseError()) {
    LogError("model '{}': protobuf produced JSON that does not parse; serving it unchanged", config.name());
    return protobuf_json;
  }
  FixMessage(inference::ModelConfig::descriptor(), &document);

  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  document.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

Result<inference::ModelConfig> ModelConfigFromJson(std::string_view json) {
  inference::ModelConfig config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto parsed = google::protobuf::util::JsonStringToMessage(json, &config, options);
  if (!parsed.ok()) {
    return Status::InvalidArgument(fmt::format("the model config in the request is not a valid JSON model config: {}",
                                               std::string(parsed.message())));
  }
  return config;
}

}  // namespace inferd::config
