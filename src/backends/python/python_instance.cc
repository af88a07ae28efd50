#include "backends/python/python_instance.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace inferd::python {
namespace {

constexpr auto kControlTimeout = std::chrono::minutes(5);  // initialize, finalize

std::string ParametersJson(RequestParameters parameters) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  if (!parameters.empty() && parameters[0] != nullptr) {
    for (const auto& [key, value] : *parameters[0]) {
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
  return buffer.GetString();
}

Result<Tensor> OutputTensor(const rapidjson::Value& entry, const std::shared_ptr<std::string>& payload,
                            const std::string& subject) {
  if (!entry.IsObject() || !entry.HasMember("name") || !entry.HasMember("datatype") || !entry.HasMember("shape") ||
      !entry.HasMember("offset") || !entry.HasMember("size")) {
    return Status::Internal(fmt::format("{}: the Python process sent a malformed output", subject));
  }
  Tensor tensor;
  tensor.name = entry["name"].GetString();
  std::optional<DataType> type = DataTypeFromName(entry["datatype"].GetString());
  if (!type) return Status::Internal(fmt::format("{}: output '{}' has an unknown datatype", subject, tensor.name));
  tensor.datatype = *type;
  for (const auto& dim : entry["shape"].GetArray()) tensor.shape.push_back(dim.GetInt64());
  const uint64_t offset = entry["offset"].GetUint64();
  const uint64_t size = entry["size"].GetUint64();
  if (offset > payload->size() || size > payload->size() - offset) {
    return Status::Internal(fmt::format("{}: output '{}' lies outside what the Python process sent", subject,
                                        tensor.name));
  }
  tensor.data = payload->data() + offset;
  tensor.byte_size = size;
  tensor.owner = payload;
  return tensor;
}

}  // namespace

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

Result<std::unique_ptr<BackendInstance>> PythonInstance::Create(StubLaunch launch, std::string subject,
                                                                std::string initialize_args) {
  std::unique_ptr<PythonInstance> instance(
      new PythonInstance(std::move(launch), std::move(subject), std::move(initialize_args)));
  RETURN_IF_ERROR(instance->StartProcess());
  return std::unique_ptr<BackendInstance>(std::move(instance));
}

Status PythonInstance::StartProcess() {
  process_.reset();
  ASSIGN_OR_RETURN(std::unique_ptr<StubProcess> process,
                   StubProcess::Start(launch_.interpreter, launch_.stub_script, launch_.model_file));
  const std::string header = fmt::format(R"({{"op": "initialize", "args": {}}})", initialize_args_);
  Result<Frame> reply = process->Call(header, {}, kControlTimeout);
  if (!reply.ok()) return reply.status().WithPrefix(fmt::format("{}: initialize", subject_));
  RETURN_IF_ERROR(ReplyError(reply->header, subject_));
  process_ = std::move(process);
  return Status::Ok();
}

PythonInstance::~PythonInstance() {
  if (!process_ || !process_->alive()) return;
  // finalize() runs; the process then leaves by itself (or is killed after a grace period).
  (void)process_->Call(R"({"op": "finalize"})", {}, kControlTimeout);
}

Result<std::vector<Tensor>> PythonInstance::Execute(const std::vector<Tensor>& inputs,
                                                    const std::vector<std::string>& output_names,
                                                    RequestParameters parameters, ExecutionTimings* timings) {
  if (!process_ || !process_->alive()) {
    Status restarted = StartProcess();
    if (!restarted.ok()) return restarted;
  }
  const auto started = std::chrono::steady_clock::now();
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("op");
  writer.String("execute");
  writer.Key("requests");
  writer.StartArray();
  writer.StartObject();
  writer.Key("inputs");
  writer.StartArray();
  std::vector<std::string_view> pieces;
  uint64_t offset = 0;
  for (const Tensor& input : inputs) {
    writer.StartObject();
    writer.Key("name");
    writer.String(input.name.c_str(), static_cast<rapidjson::SizeType>(input.name.size()));
    writer.Key("datatype");
    const std::string_view datatype = DataTypeName(input.datatype);
    writer.String(datatype.data(), static_cast<rapidjson::SizeType>(datatype.size()));
    writer.Key("shape");
    writer.StartArray();
    for (int64_t dim : input.shape) writer.Int64(dim);
    writer.EndArray();
    writer.Key("offset");
    writer.Uint64(offset);
    writer.Key("size");
    writer.Uint64(input.byte_size);
    writer.EndObject();
    pieces.push_back(input.bytes());
    offset += input.byte_size;
  }
  writer.EndArray();
  writer.Key("outputs");
  writer.StartArray();
  for (const std::string& name : output_names) writer.String(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
  writer.EndArray();
  writer.Key("parameters");
  const std::string parameters_json = ParametersJson(parameters);
  writer.RawValue(parameters_json.c_str(), parameters_json.size(), rapidjson::kObjectType);
  writer.EndObject();
  writer.EndArray();
  writer.EndObject();

  Result<Frame> reply = process_->Call({buffer.GetString(), buffer.GetSize()}, pieces, launch_.execute_timeout);
  if (!reply.ok()) return reply.status().WithPrefix(subject_);
  RETURN_IF_ERROR(ReplyError(reply->header, subject_));
  rapidjson::Document answer;
  answer.Parse(reply->header.data(), reply->header.size());
  const auto& responses = answer["responses"];
  if (!responses.IsArray() || responses.Size() != 1) {
    return Status::Internal(fmt::format("{}: execute() must return one response per request", subject_));
  }
  const auto& response = responses[0];
  if (response.HasMember("error") && response["error"].IsString()) {
    return Status::Internal(fmt::format("{}: {}", subject_, response["error"].GetString()));
  }
  std::vector<Tensor> produced;
  for (const auto& entry : response["outputs"].GetArray()) {
    ASSIGN_OR_RETURN(Tensor tensor, OutputTensor(entry, reply->payload, subject_));
    produced.push_back(std::move(tensor));
  }
  if (timings != nullptr) {
    timings->compute_infer_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count());
  }
  if (output_names.empty()) return produced;
  std::vector<Tensor> selected;
  for (const std::string& name : output_names) {
    auto found = std::find_if(produced.begin(), produced.end(), [&name](const Tensor& t) { return t.name == name; });
    if (found == produced.end()) {
      return Status::Internal(fmt::format("{}: execute() returned no output '{}'", subject_, name));
    }
    selected.push_back(std::move(*found));
  }
  return selected;
}

}  // namespace inferd::python
