#include "backends/sdk/module_config_reader.h"

#include <google/protobuf/descriptor.h>

namespace inferd::sdk {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

const FieldDescriptor* FieldOfType(const Message& message, const char* name, FieldDescriptor::CppType type) {
  const FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(name);
  return field != nullptr && field->cpp_type() == type ? field : nullptr;
}

// The sub-message `name` when it is set, else null.
const Message* SetSubMessage(const Message& message, const char* name) {
  const FieldDescriptor* field = FieldOfType(message, name, FieldDescriptor::CPPTYPE_MESSAGE);
  if (field == nullptr || field->is_repeated() || !message.GetReflection()->HasField(message, field)) return nullptr;
  return &message.GetReflection()->GetMessage(message, field);
}

std::string StringField(const Message& message, const char* name) {
  const FieldDescriptor* field = FieldOfType(message, name, FieldDescriptor::CPPTYPE_STRING);
  if (field == nullptr || field->is_repeated()) return {};
  return message.GetReflection()->GetString(message, field);
}

// map<string, ModelParameter>: reflection sees it as repeated entries with
// "key" and "value" fields.
std::map<std::string, std::string> ReadParameters(const Message& config) {
  std::map<std::string, std::string> parameters;
  const FieldDescriptor* field = FieldOfType(config, "parameters", FieldDescriptor::CPPTYPE_MESSAGE);
  if (field == nullptr || !field->is_map()) return parameters;
  const auto* reflection = config.GetReflection();
  const int size = reflection->FieldSize(config, field);
  for (int i = 0; i < size; ++i) {
    const Message& entry = reflection->GetRepeatedMessage(config, field, i);
    const std::string key = StringField(entry, "key");
    const Message* value = SetSubMessage(entry, "value");
    parameters[key] = value != nullptr ? StringField(*value, "string_value") : std::string();
  }
  return parameters;
}

std::optional<int> ReadGraphLevel(const Message& config) {
  const Message* optimization = SetSubMessage(config, "optimization");
  if (optimization == nullptr) return std::nullopt;
  const Message* graph = SetSubMessage(*optimization, "graph");
  if (graph == nullptr) return std::nullopt;
  const FieldDescriptor* level = FieldOfType(*graph, "level", FieldDescriptor::CPPTYPE_INT32);
  if (level == nullptr) return std::nullopt;
  return graph->GetReflection()->GetInt32(*graph, level);
}

std::map<std::string, std::vector<int64_t>> ReadInputDims(const Message& config) {
  std::map<std::string, std::vector<int64_t>> dims_by_name;
  const FieldDescriptor* inputs = FieldOfType(config, "input", FieldDescriptor::CPPTYPE_MESSAGE);
  if (inputs == nullptr || !inputs->is_repeated()) return dims_by_name;
  const auto* reflection = config.GetReflection();
  for (int i = 0; i < reflection->FieldSize(config, inputs); ++i) {
    const Message& input = reflection->GetRepeatedMessage(config, inputs, i);
    const FieldDescriptor* dims = FieldOfType(input, "dims", FieldDescriptor::CPPTYPE_INT64);
    std::vector<int64_t>& values = dims_by_name[StringField(input, "name")];
    if (dims == nullptr || !dims->is_repeated()) continue;
    for (int d = 0; d < input.GetReflection()->FieldSize(input, dims); ++d) {
      values.push_back(input.GetReflection()->GetRepeatedInt64(input, dims, d));
    }
  }
  return dims_by_name;
}

bool ReadDecoupled(const Message& config) {
  const Message* policy = SetSubMessage(config, "model_transaction_policy");
  if (policy == nullptr) return false;
  const FieldDescriptor* decoupled = FieldOfType(*policy, "decoupled", FieldDescriptor::CPPTYPE_BOOL);
  return decoupled != nullptr && policy->GetReflection()->GetBool(*policy, decoupled);
}

}  // namespace

ModuleConfig ReadModuleConfig(const google::protobuf::Message& config) {
  ModuleConfig result;
  result.model_name = StringField(config, "name");
  result.parameters = ReadParameters(config);
  result.graph_level = ReadGraphLevel(config);
  result.input_dims = ReadInputDims(config);
  result.decoupled = ReadDecoupled(config);
  return result;
}

}  // namespace inferd::sdk
