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

}  // namespace

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
                                                    ExecutionRequests requests, ExecutionTimings* timings) {
  if (!process_ || !process_->alive()) {
    Status restarted = StartProcess();
    if (!restarted.ok()) return restarted;
  }
  const auto started = std::chrono::steady_clock::now();
  // execute() gets the batch's requests one by one, as in Triton, each with
  // its own inputs; a single request (or one without its own inputs) gets
  // the inputs as given.
  const bool listed = requests.size() > 1 &&
                      std::all_of(requests.begin(), requests.end(), [](const ExecutionRequest& r) { return r.inputs; });
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  std::vector<std::string_view> pieces;
  writer.StartObject();
  writer.Key("op");
  writer.String("execute");
  writer.Key("requests");
  writer.StartArray();
  const size_t count = listed ? requests.size() : 1;
  for (size_t i = 0; i < count; ++i) {
    const ExecutionRequest* request = requests.empty() ? nullptr : &requests[i];
    writer.StartObject();
    writer.Key("inputs");
    WriteTensors(writer, listed ? *request->inputs : inputs, &pieces);
    writer.Key("outputs");
    writer.StartArray();
    for (const std::string& name : output_names) writer.String(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
    writer.EndArray();
    writer.Key("request_id");
    const std::string no_id;
    const std::string& id = request != nullptr && request->id != nullptr ? *request->id : no_id;
    writer.String(id.c_str(), static_cast<rapidjson::SizeType>(id.size()));
    writer.Key("parameters");
    WriteParameters(writer, request != nullptr ? request->parameters : nullptr);
    writer.EndObject();
  }
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
  if (responses == answer.MemberEnd() || !responses->value.IsArray() || responses->value.Size() != count) {
    return Status::Internal(fmt::format("{}: execute() must return one response per request", subject_));
  }
  std::vector<std::vector<Tensor>> per_request;
  for (const auto& response : responses->value.GetArray()) {
    // One failed response fails the whole batch: the scheduler answers a
    // batch as one execution.
    if (response.HasMember("error") && response["error"].IsString()) {
      return Status::Internal(fmt::format("{}: {}", subject_, response["error"].GetString()));
    }
    std::vector<Tensor>& produced = per_request.emplace_back();
    for (const auto& entry : response["outputs"].GetArray()) {
      ASSIGN_OR_RETURN(Tensor tensor, ReadTensor(entry, reply->payload, subject_));
      if (!output_names.empty() &&
          std::find(output_names.begin(), output_names.end(), tensor.name) == output_names.end()) {
        continue;  // not asked for
      }
      produced.push_back(std::move(tensor));
    }
  }
  std::vector<Tensor> produced;
  if (listed) {
    ASSIGN_OR_RETURN(produced, JoinBatch(per_request, subject_));
  } else {
    produced = std::move(per_request[0]);
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
