#include "protocol/model_control_messages.h"

#include <absl/strings/escaping.h>
#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "common/bounded_text.h"

namespace inferd::protocol {
namespace {

constexpr std::string_view kFilePrefix = "file:";

// The "parameters" object of a model-control body, or null when the body is
// empty or has none.
Result<const rapidjson::Value*> ParametersOf(const rapidjson::Document& document, std::string_view body,
                                             std::string_view what) {
  if (document.HasParseError()) {
    return Status::InvalidArgument(fmt::format("{} request: malformed JSON at offset {}: {}", what,
                                               document.GetErrorOffset(),
                                               rapidjson::GetParseError_En(document.GetParseError())));
  }
  if (!document.IsObject()) {
    return Status::InvalidArgument(fmt::format("{} request: the body must be a JSON object such as {{\"parameters\": {{}}}}", what));
  }
  const auto parameters = document.FindMember("parameters");
  if (parameters == document.MemberEnd()) return nullptr;
  if (!parameters->value.IsObject()) {
    return Status::InvalidArgument(fmt::format("{} request: \"parameters\" must be a JSON object", what));
  }
  return &parameters->value;
}

bool IsBlank(std::string_view body) { return body.find_first_not_of(" \t\r\n") == std::string_view::npos; }

Status UnrecognizedParameter(std::string_view name) {
  return Status::InvalidArgument(fmt::format("unrecognized load parameter '{}'.", Abbreviate(name)));
}

}  // namespace

Result<ModelLoadRequest> ParseHttpLoadRequest(std::string model_name, std::string_view body) {
  ModelLoadRequest request;
  request.name = std::move(model_name);
  if (IsBlank(body)) return request;
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  ASSIGN_OR_RETURN(const rapidjson::Value* parameters, ParametersOf(document, body, "model load"));
  if (parameters == nullptr) return request;
  for (const auto& member : parameters->GetObject()) {
    const std::string_view name(member.name.GetString(), member.name.GetStringLength());
    if (name != "config" && !name.starts_with(kFilePrefix)) return UnrecognizedParameter(name);
    if (!member.value.IsString()) {
      return Status::InvalidArgument(fmt::format(
          "load parameter '{}' must be a JSON string (the config as JSON text, a file as base64)", Abbreviate(name)));
    }
    const std::string_view value(member.value.GetString(), member.value.GetStringLength());
    if (name == "config") {
      request.config = std::string(value);
      continue;
    }
    std::string bytes;
    if (!absl::Base64Unescape(absl::string_view(value.data(), value.size()), &bytes)) {
      return Status::InvalidArgument(fmt::format("load parameter '{}' is not valid base64", Abbreviate(name)));
    }
    request.files.emplace_back(std::string(name.substr(kFilePrefix.size())), std::move(bytes));
  }
  return request;
}

Result<bool> ParseHttpUnloadDependents(std::string_view body) {
  if (IsBlank(body)) return false;
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  ASSIGN_OR_RETURN(const rapidjson::Value* parameters, ParametersOf(document, body, "model unload"));
  if (parameters == nullptr) return false;
  const auto flag = parameters->FindMember("unload_dependents");
  if (flag == parameters->MemberEnd()) return false;
  if (!flag->value.IsBool()) {
    return Status::InvalidArgument("Unable to parse 'unload_dependents': expected true or false");
  }
  return flag->value.GetBool();
}

Result<ModelLoadRequest> ReadGrpcLoadRequest(const inference::RepositoryModelLoadRequest& message) {
  ModelLoadRequest request;
  request.name = message.model_name();
  for (const auto& [name, parameter] : message.parameters()) {
    if (name == "config") {
      if (parameter.parameter_choice_case() != inference::ModelRepositoryParameter::kStringParam) {
        return Status::InvalidArgument("invalid value type for load parameter 'config', expected string_param.");
      }
      request.config = parameter.string_param();
    } else if (std::string_view(name).starts_with(kFilePrefix)) {
      if (parameter.parameter_choice_case() != inference::ModelRepositoryParameter::kBytesParam) {
        return Status::InvalidArgument(fmt::format("invalid value type for load parameter '{}', expected bytes_param.",
                                                   Abbreviate(name)));
      }
      request.files.emplace_back(name.substr(kFilePrefix.size()), parameter.bytes_param());
    } else {
      return UnrecognizedParameter(name);
    }
  }
  return request;
}

Result<bool> ReadGrpcUnloadDependents(const inference::RepositoryModelUnloadRequest& message) {
  auto it = message.parameters().find("unload_dependents");
  if (it == message.parameters().end()) return false;
  if (it->second.parameter_choice_case() != inference::ModelRepositoryParameter::kBoolParam) {
    return Status::InvalidArgument("invalid value type for 'unload_dependents' parameter, expected bool_param.");
  }
  return it->second.bool_param();
}

}  // namespace inferd::protocol
