#include "backends/python/python_instance.h"

#include <algorithm>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace inferd::python {
namespace {

constexpr auto kControlTimeout = std::chrono::minutes(5);  // initialize, finalize

void WriteString(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

bool Flag(const rapidjson::Value& object, const char* name) {
  auto member = object.FindMember(name);
  return member != object.MemberEnd() && member->value.IsBool() && member->value.GetBool();
}

}  // namespace

Result<std::unique_ptr<BackendInstance>> PythonInstance::Create(StubLaunch launch, std::string subject,
                                                                std::string initialize_args, ServerInferFunction infer) {
  std::unique_ptr<PythonInstance> instance(
      new PythonInstance(std::move(launch), std::move(subject), std::move(initialize_args), std::move(infer)));
  RETURN_IF_ERROR(instance->StartProcess());
  return std::unique_ptr<BackendInstance>(std::move(instance));
}

PythonInstance::~PythonInstance() {
  bool running = false;
  {
    std::lock_guard lock(mutex_);
    running = process_ && !lost_;
  }
  // finalize() runs (a decoupled model may finish what it still owes
  // meanwhile); the process then leaves by itself.
  if (running) (void)Call(R"({"op": "finalize"})", {}, kControlTimeout, NextTag());
  {
    std::lock_guard lock(mutex_);
    if (!ending_) ending_ = Status::Unavailable(fmt::format("{} was unloaded before it answered", subject_));
  }
  StopProcess();
}

uint64_t PythonInstance::NextTag() {
  std::lock_guard lock(mutex_);
  return next_tag_++;
}

Status PythonInstance::StartProcess() {
  StopProcess();
  ASSIGN_OR_RETURN(std::unique_ptr<StubProcess> started,
                   StubProcess::Start(launch_.interpreter, launch_.stub_script, launch_.model_file,
                                      launch_.shared_region_bytes));
  {
    std::lock_guard lock(mutex_);
    lost_.reset();
    ending_.reset();
    replies_.clear();
  }
  process_ = std::move(started);
  reader_ = std::thread([this, process = process_] { ReadLoop(process); });
  const std::string header = fmt::format(R"({{"op": "initialize", "args": {}}})", initialize_args_);
  Result<Frame> reply = Call(header, {}, kControlTimeout, NextTag());
  Status initialized = reply.ok() ? ReplyError(reply->header, subject_) : reply.status();
  if (!initialized.ok()) {
    StopProcess();
    return initialized.WithPrefix(fmt::format("{}: initialize", subject_));
  }
  return Status::Ok();
}

void PythonInstance::StopProcess() {
  if (!process_) return;
  process_->Shutdown();  // the stub leaves on EOF; the reader wakes up
  if (reader_.joinable()) reader_.join();
  process_.reset();  // reaps it (killed after a grace period)
}

Result<Frame> PythonInstance::Call(std::string_view header, const std::vector<std::string_view>& pieces,
                                   std::chrono::milliseconds timeout, uint64_t tag) {
  // A failed send means the process is going; the reader then says how.
  (void)process_->Send(FrameKind::kCall, tag, header, pieces);
  return AwaitReply(timeout, tag);
}

Result<Frame> PythonInstance::AwaitReply(std::chrono::milliseconds timeout, uint64_t tag) {
  std::unique_lock lock(mutex_);
  replied_.wait_for(lock, timeout, [&] { return replies_.contains(tag) || lost_; });
  if (auto reply = replies_.find(tag); reply != replies_.end()) {
    Frame frame = std::move(reply->second);
    replies_.erase(reply);
    return frame;
  }
  if (!lost_) {
    // It cannot be trusted with the next request: kill it and say why.
    if (!ending_) {
      ending_ = Status::DeadlineExceeded(
          fmt::format("{}: the Python model did not answer within {} ms; its process was killed and starts again "
                      "for the next request",
                      subject_, timeout.count()));
    }
    lock.unlock();
    process_->Kill();
    // A child the model forked may hold the socket open; do not wait for
    // its EOF: shutting our end down wakes the reader now.
    process_->Shutdown();
    lock.lock();
    replied_.wait(lock, [&] { return lost_.has_value(); });
  }
  return *lost_;
}

void PythonInstance::ExecuteEach(ExecutionRequests requests, ExecutionTimings* timings) {
  if (requests.empty()) return;  // nothing would ever close its open call
  bool running = false;
  {
    std::lock_guard lock(mutex_);
    running = process_ && !lost_;
  }
  if (!running) {
    Status restarted = StartProcess();
    if (!restarted.ok()) {
      for (const ExecutionRequest& request : requests) request.sink->Send(restarted, true);
      return;
    }
  }
  const auto started = std::chrono::steady_clock::now();
  // execute() gets the requests one by one, as in Triton, each with its own
  // inputs, id and parameters.
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  std::vector<std::string_view> pieces;
  writer.StartObject();
  writer.Key("op");
  writer.String("execute");
  writer.Key("requests");
  writer.StartArray();
  OpenCall call;
  for (const ExecutionRequest& request : requests) {
    writer.StartObject();
    writer.Key("inputs");
    WriteTensors(writer, *request.inputs, &pieces);
    writer.Key("outputs");
    writer.StartArray();
    for (const std::string& name : *request.output_names) WriteString(writer, name);
    writer.EndArray();
    writer.Key("request_id");
    WriteString(writer, request.id != nullptr ? std::string_view(*request.id) : std::string_view());
    WriteRequestParameters(writer, request.parameters);
    writer.EndObject();
    call.sinks.push_back(request.sink);
    call.wanted.push_back(*request.output_names);
  }
  writer.EndArray();
  writer.EndObject();
  call.open = requests.size();
  // The send below reads the requests' inputs: no request may be finished
  // (and freed) before it returns, even if the process answers or dies first.
  call.sending.assign(requests.size(), 1);
  call.final_after_sending.resize(requests.size());

  const uint64_t tag = NextTag();
  {
    std::lock_guard lock(mutex_);
    open_.emplace(tag, std::move(call));
  }
  (void)process_->Send(FrameKind::kCall, tag, {buffer.GetString(), buffer.GetSize()}, pieces);
  FinishedSending(tag);
  Result<Frame> reply = AwaitReply(launch_.execute_timeout, tag);
  OnExecuteReturned(tag, reply);
  if (timings != nullptr) {
    timings->compute_infer_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count());
  }
}

void PythonInstance::OnExecuteReturned(uint64_t tag, const Result<Frame>& reply) {
  size_t count = 0;
  {
    std::lock_guard lock(mutex_);
    auto call = open_.find(tag);
    if (call == open_.end()) return;  // every request already answered (or failed with the process)
    call->second.returned = true;
    count = call->second.sinks.size();
  }
  auto fail_open = [&](const Status& status) {
    for (size_t i = 0; i < count; ++i) Answer(tag, i, status, true);
  };
  if (!reply.ok()) return fail_open(reply.status());
  rapidjson::Document answer;
  answer.Parse(reply->header.data(), reply->header.size());
  if (answer.HasParseError() || !answer.IsObject()) {
    return fail_open(Status::Internal(fmt::format("{}: the Python process sent a malformed reply", subject_)));
  }
  if (auto error = answer.FindMember("error"); error != answer.MemberEnd()) {
    return fail_open(Status::Internal(fmt::format("{}: {}", subject_, Text(error->value))));
  }
  const auto responses = answer.FindMember("responses");
  if (responses == answer.MemberEnd()) {
    // execute() returned None: a decoupled model (or one that used its
    // response senders) answers through its senders, now or later.
    if (!launch_.decoupled) {
      fail_open(Status::Internal(fmt::format("{}: execute() returned before answering every request", subject_)));
    }
    return;
  }
  if (!responses->value.IsArray() || responses->value.Size() != count) {
    return fail_open(Status::Internal(fmt::format("{}: execute() must return one response per request", subject_)));
  }
  std::vector<std::vector<std::string>> wanted;
  {
    std::lock_guard lock(mutex_);
    if (auto call = open_.find(tag); call != open_.end()) wanted = call->second.wanted;
  }
  if (wanted.size() != count) return;
  size_t index = 0;
  for (const auto& response : responses->value.GetArray()) {
    // Each response is its own request's answer: an error fails that request only.
    if (auto error = response.FindMember("error"); error != response.MemberEnd()) {
      Answer(tag, index, Status::Internal(fmt::format("{}: {}", subject_, Text(error->value))), true);
    } else {
      Answer(tag, index, ReadOutputs(response["outputs"], reply->payload, wanted[index]), true);
    }
    ++index;
  }
}

void PythonInstance::FinishedSending(uint64_t tag) {
  std::vector<std::pair<ResponseSink*, std::optional<Result<std::vector<Tensor>>>>> finals;
  {
    std::lock_guard lock(mutex_);
    auto call = open_.find(tag);
    if (call == open_.end()) return;
    const size_t count = call->second.sinks.size();
    for (size_t index = 0; index < count; ++index) {
      OpenCall& open = call->second;
      if (--open.sending[index] > 0 || !open.final_after_sending[index]) continue;
      auto response = std::move(*open.final_after_sending[index]);
      const bool last = open.open == 1;
      finals.emplace_back(CloseRequest(call, index), std::move(response));
      if (last) break;  // the call is gone
    }
  }
  for (auto& [sink, response] : finals) sink->Send(std::move(response), true);
}

ResponseSink* PythonInstance::CloseRequest(std::map<uint64_t, OpenCall>::iterator call, size_t index) {
  ResponseSink* sink = call->second.sinks[index];
  call->second.sinks[index] = nullptr;
  if (--call->second.open == 0) open_.erase(call);
  return sink;
}

void PythonInstance::Answer(uint64_t tag, size_t index, std::optional<Result<std::vector<Tensor>>> response,
                            bool final) {
  ResponseSink* sink = nullptr;
  {
    std::lock_guard lock(mutex_);
    auto call = open_.find(tag);
    if (call == open_.end() || index >= call->second.sinks.size()) return;  // late or unknown: nobody waits
    OpenCall& open = call->second;
    // Already answered for good, or its final answer is decided.
    if (open.sinks[index] == nullptr || open.final_after_sending[index]) return;
    if (final && open.sending[index] > 0) {
      // The reader thread is delivering a response to this sink: it hands
      // the final answer over when that is done.
      open.final_after_sending[index] = std::move(response);
      return;
    }
    if (final) {
      sink = CloseRequest(call, index);
    } else {
      sink = open.sinks[index];
      ++open.sending[index];
    }
  }
  sink->Send(std::move(response), final);
  if (final) return;
  std::optional<std::optional<Result<std::vector<Tensor>>>> waiting;
  {
    std::lock_guard lock(mutex_);
    // Still open: its final answer cannot have been sent while this was.
    auto call = open_.find(tag);
    if (call == open_.end()) return;
    OpenCall& open = call->second;
    if (--open.sending[index] > 0 || !open.final_after_sending[index]) return;
    waiting = std::move(open.final_after_sending[index]);
    CloseRequest(call, index);
  }
  sink->Send(std::move(*waiting), true);
}

Result<std::vector<Tensor>> PythonInstance::ReadOutputs(const rapidjson::Value& entries,
                                                        const Payload& payload,
                                                        const std::vector<std::string>& wanted) const {
  if (!entries.IsArray()) return Status::Internal(fmt::format("{}: a response without outputs", subject_));
  std::vector<Tensor> produced;
  for (const auto& entry : entries.GetArray()) {
    ASSIGN_OR_RETURN(Tensor tensor, ReadTensor(entry, payload, subject_));
    produced.push_back(std::move(tensor));
  }
  if (wanted.empty()) return produced;
  std::vector<Tensor> selected;
  selected.reserve(wanted.size());
  for (const std::string& name : wanted) {
    auto found = std::find_if(produced.begin(), produced.end(), [&name](const Tensor& t) { return t.name == name; });
    if (found == produced.end()) {
      return Status::Internal(fmt::format("{}: execute() returned no output '{}'", subject_, name));
    }
    selected.push_back(std::move(*found));
  }
  return selected;
}

void PythonInstance::ReadLoop(std::shared_ptr<StubProcess> process) {
  for (;;) {
    Result<Frame> frame = process->Receive();
    if (!frame.ok()) break;
    switch (frame->kind) {
      case FrameKind::kReply: {
        {
          std::lock_guard lock(mutex_);
          replies_.insert_or_assign(frame->tag, std::move(frame).value());
        }
        // After the unlock, so the woken caller does not block on mutex_ at once
        // (safe: the instance, and replied_, outlive this thread, which it joins).
        replied_.notify_all();
        break;
      }
      case FrameKind::kResponse:
        OnResponse(*frame);
        break;
      case FrameKind::kModelCall:
        OnModelCall(*frame, process);
        break;
      default:
        break;  // nothing else comes from a stub
    }
  }
  // The process has gone (or is going): everything it still owes fails.
  const std::string how = process->Reap(false);
  std::vector<std::pair<uint64_t, size_t>> owed;
  Status lost;
  {
    std::lock_guard lock(mutex_);
    lost_ = ending_ ? *ending_
                    : Status::Unavailable(fmt::format(
                          "{}: the Python model's process {}; it starts again for the next request", subject_, how));
    lost = *lost_;
    for (const auto& [tag, call] : open_) {
      for (size_t index = 0; index < call.sinks.size(); ++index) owed.emplace_back(tag, index);
    }
    replied_.notify_all();
  }
  // Through Answer, so a request whose call is still being sent is failed
  // once the send has returned.
  for (const auto& [tag, index] : owed) Answer(tag, index, lost, true);
}

void PythonInstance::OnResponse(const Frame& frame) {
  rapidjson::Document response;
  response.Parse(frame.header.data(), frame.header.size());
  if (response.HasParseError() || !response.IsObject() || !response.HasMember("request") ||
      !response["request"].IsUint64()) {
    return;  // not from our stub
  }
  const size_t index = response["request"].GetUint64();
  const bool final = Flag(response, "final");
  std::vector<std::string> wanted;
  {
    std::lock_guard lock(mutex_);
    auto call = open_.find(frame.tag);
    if (call == open_.end() || index >= call->second.wanted.size()) return;
    wanted = call->second.wanted[index];
  }
  std::optional<Result<std::vector<Tensor>>> answer;
  if (auto error = response.FindMember("error"); error != response.MemberEnd()) {
    answer = Status::Internal(fmt::format("{}: {}", subject_, Text(error->value)));
  } else if (auto outputs = response.FindMember("outputs"); outputs != response.MemberEnd()) {
    answer = ReadOutputs(outputs->value, frame.payload, wanted);
  } else if (!final) {
    return;  // nothing to send
  }
  Answer(frame.tag, index, std::move(answer), final);
}

}  // namespace inferd::python
