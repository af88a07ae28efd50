// PythonInstance's side of BLS: a model's InferenceRequest(...).exec() or
// async_exec() arrives as a MODEL_CALL frame on the reader thread, runs
// through the server (never blocking the reader), and every answer goes
// back as a MODEL_CALL_REPLY frame with the same tag. With decoupled=True
// the model receives each response of a decoupled model, then the last.
#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "backends/python/python_instance.h"

namespace inferd::python {
namespace {

// One answer to a BLS request; `final`: the last one for it.
void SendModelCallReply(StubProcess& process, uint64_t tag, const Result<InferenceResponse>& result, bool final) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  std::vector<std::string_view> pieces;
  writer.StartObject();
  writer.Key("final");
  writer.Bool(final);
  if (result.ok()) {
    writer.Key("model_version");
    writer.Int64(result->model_version);
    writer.Key("outputs");
    WriteTensors(writer, result->outputs, &pieces);  // complete_only: none, the empty last response
  } else {
    writer.Key("error");
    const std::string& message = result.status().message();
    writer.String(message.c_str(), static_cast<rapidjson::SizeType>(message.size()));
  }
  writer.EndObject();
  // A process that has gone has nobody waiting for this.
  (void)process.Send(FrameKind::kModelCallReply, tag, {buffer.GetString(), buffer.GetSize()}, pieces);
}

Result<InferenceRequest> ReadModelCall(const rapidjson::Document& ask, const Payload& payload,
                                       const std::string& subject) {
  if (ask.HasParseError() || !ask.IsObject() || !ask.HasMember("model_name") || !ask.HasMember("inputs") ||
      !ask["inputs"].IsArray()) {
    return Status::Internal("the Python process sent a malformed BLS request");
  }
  InferenceRequest request;
  request.model_name = std::string(Text(ask["model_name"]));
  if (ask.HasMember("model_version") && ask["model_version"].IsInt64()) {
    request.model_version = ask["model_version"].GetInt64();
  }
  if (ask.HasMember("request_id")) request.id = std::string(Text(ask["request_id"]));
  for (const auto& entry : ask["inputs"].GetArray()) {
    ASSIGN_OR_RETURN(Tensor tensor, ReadTensor(entry, payload, subject));
    request.inputs.push_back(std::move(tensor));
  }
  if (ask.HasMember("outputs") && ask["outputs"].IsArray()) {
    for (const auto& name : ask["outputs"].GetArray()) request.outputs.push_back({std::string(Text(name)), {}});
  }
  // InferenceRequest(parameters=...): what the called model's request carries.
  if (ask.HasMember("parameters") && ask["parameters"].IsObject()) {
    for (const auto& [key, value] : ask["parameters"].GetObject()) {
      std::string name(key.GetString(), key.GetStringLength());
      if (value.IsBool()) {
        request.parameters[name] = value.GetBool();
      } else if (value.IsInt64()) {
        request.parameters[name] = value.GetInt64();
      } else if (value.IsNumber()) {
        request.parameters[name] = value.GetDouble();
      } else if (value.IsString()) {
        request.parameters[name] = std::string(Text(value));
      } else {
        return Status::InvalidArgument(fmt::format(
            "BLS request to model '{}': parameter '{}' must be a bool, number or string", request.model_name, name));
      }
    }
  }
  // InferenceRequest(timeout=...), in microseconds: the request's "timeout"
  // parameter, which the called model's scheduler honours as for any client.
  if (ask.HasMember("timeout") && ask["timeout"].IsInt64() && ask["timeout"].GetInt64() > 0) {
    request.parameters["timeout"] = ask["timeout"].GetInt64();
  }
  return request;
}

}  // namespace

void PythonInstance::OnModelCall(const Frame& frame, const std::shared_ptr<StubProcess>& process) {
  rapidjson::Document ask;
  ask.Parse(frame.header.data(), frame.header.size());
  Result<InferenceRequest> request = ReadModelCall(ask, frame.payload, subject_);
  if (request.ok() && !infer_) {
    request = Status::Unavailable("BLS requests cannot be served here (no server to send them to)");
  }
  const uint64_t tag = frame.tag;
  if (!request.ok()) return SendModelCallReply(*process, tag, request.status(), true);
  const bool decoupled = ask.HasMember("decoupled") && ask["decoupled"].IsBool() && ask["decoupled"].GetBool();
  InferPartialCallback partial;
  if (decoupled) {
    partial = [process, tag](Result<InferenceResponse> response) { SendModelCallReply(*process, tag, response, false); };
  }
  infer_(std::move(request).value(), std::move(partial),
         [process, tag](Result<InferenceResponse> response) { SendModelCallReply(*process, tag, response, true); });
}

}  // namespace inferd::python
