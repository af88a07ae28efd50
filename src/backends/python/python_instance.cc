#include "backends/python/python_instance.h"

#include <algorithm>
#include <future>

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

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

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

std::string_view Text(const rapidjson::Value& value) {
  return value.IsString() ? std::string_view(value.GetString(), value.GetStringLength()) : std::string_view();
}

Result<Tensor> ReadTensor(const rapidjson::Value& entry, const std::shared_ptr<std::string>& payload,
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
  if (offset > payload->size() || size > payload->size() - offset) {
    return Status::Internal(fmt::format("{}: tensor '{}' lies outside what the Python process sent", subject,
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
                                                                std::string initialize_args, ServerInferFunction infer) {
  std::unique_ptr<PythonInstance> instance(
      new PythonInstance(std::move(launch), std::move(subject), std::move(initialize_args), std::move(infer)));
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
  JsonWriter writer(buffer);
  std::vector<std::string_view> pieces;
  writer.StartObject();
  writer.Key("op");
  writer.String("execute");
  writer.Key("requests");
  writer.StartArray();
  writer.StartObject();
  writer.Key("inputs");
  WriteTensors(writer, inputs, &pieces);
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

  Status sent = process_->Send({buffer.GetString(), buffer.GetSize()}, pieces);
  if (!sent.ok()) return sent.WithPrefix(subject_);
  // The model may call other models (BLS) before it answers. The stub writes
  // those frames as {"op": "infer", ...} (json.dumps keeps "op" first).
  Result<Frame> reply = process_->Receive(launch_.execute_timeout);
  while (reply.ok() && reply->header.rfind(R"({"op": "infer")", 0) == 0) {
    Status answered = AnswerModelCall(reply->header, reply->payload);
    if (!answered.ok()) return answered.WithPrefix(subject_);
    reply = process_->Receive(launch_.execute_timeout);
  }
  if (!reply.ok()) return reply.status().WithPrefix(subject_);
  RETURN_IF_ERROR(ReplyError(reply->header, subject_));
  rapidjson::Document answer;
  answer.Parse(reply->header.data(), reply->header.size());
  const auto responses = answer.FindMember("responses");
  if (responses == answer.MemberEnd() || !responses->value.IsArray() || responses->value.Size() != 1) {
    return Status::Internal(fmt::format("{}: execute() must return one response per request", subject_));
  }
  const auto& response = responses->value[0];
  if (response.HasMember("error") && response["error"].IsString()) {
    return Status::Internal(fmt::format("{}: {}", subject_, response["error"].GetString()));
  }
  std::vector<Tensor> produced;
  for (const auto& entry : response["outputs"].GetArray()) {
    ASSIGN_OR_RETURN(Tensor tensor, ReadTensor(entry, reply->payload, subject_));
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

Status PythonInstance::AnswerModelCall(const std::string& header, const std::shared_ptr<std::string>& payload) {
  rapidjson::Document ask;
  ask.Parse(header.data(), header.size());
  Result<InferenceResponse> result = Status::Internal("not run");
  if (ask.HasParseError() || !ask.IsObject() || !ask.HasMember("model_name") || !ask.HasMember("inputs")) {
    result = Status::Internal("the Python process sent a malformed BLS request");
  } else if (!infer_) {
    result = Status::Unavailable("BLS requests cannot be served here (no server to send them to)");
  } else {
    InferenceRequest request;
    request.model_name = std::string(Text(ask["model_name"]));
    if (ask.HasMember("model_version") && ask["model_version"].IsInt64()) request.model_version = ask["model_version"].GetInt64();
    if (ask.HasMember("request_id")) request.id = std::string(Text(ask["request_id"]));
    Status read;
    for (const auto& entry : ask["inputs"].GetArray()) {
      Result<Tensor> tensor = ReadTensor(entry, payload, subject_);
      if (!tensor.ok()) {
        read = tensor.status();
        break;
      }
      request.inputs.push_back(std::move(tensor).value());
    }
    if (ask.HasMember("outputs") && ask["outputs"].IsArray()) {
      for (const auto& name : ask["outputs"].GetArray()) request.outputs.push_back({std::string(Text(name)), {}});
    }
    if (!read.ok()) {
      result = read;
    } else {
      // The instance's thread waits here: the model is blocked in exec() meanwhile.
      auto answered = std::make_shared<std::promise<Result<InferenceResponse>>>();
      std::future<Result<InferenceResponse>> answer = answered->get_future();
      infer_(std::move(request), [answered](Result<InferenceResponse> response) { answered->set_value(std::move(response)); });
      if (answer.wait_for(launch_.execute_timeout) == std::future_status::ready) {
        result = answer.get();
      } else {
        result = Status::DeadlineExceeded("the BLS request was not answered in time");
      }
    }
  }
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  std::vector<std::string_view> pieces;
  writer.StartObject();
  if (result.ok()) {
    writer.Key("model_version");
    writer.Int64(result->model_version);
    writer.Key("outputs");
    WriteTensors(writer, result->outputs, &pieces);
  } else {
    writer.Key("error");
    const std::string& message = result.status().message();
    writer.String(message.c_str(), static_cast<rapidjson::SizeType>(message.size()));
  }
  writer.EndObject();
  return process_->Send({buffer.GetString(), buffer.GetSize()}, pieces);
}

}  // namespace inferd::python
