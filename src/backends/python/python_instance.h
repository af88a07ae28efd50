// One instance of a Python model: a StubProcess running the model's
// TritonPythonModel, initialized with Triton's args, and the thread that
// reads everything the process sends.
//
// ExecuteEach sends one execute call with the requests as they came and
// waits for the call's reply: the returned responses (one per request, each
// its own success or error) or, for a decoupled model, "execute returned";
// a decoupled model's responses come as separate frames, during the call or
// after it, and go to their request's sink as they arrive. BLS requests the
// model makes (from execute, a coroutine or a thread of its own) go through
// the server and their answers back, concurrently.
//
// A process that crashes or hangs fails every request it still owes an
// answer with the reason, and is started (and initialized) again for the
// next execution.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backends/python/python_messages.h"
#include "backends/python/stub_process.h"
#include "backends/sdk/backend.h"

namespace inferd::python {

// Where the Python side lives and how a process is started.
struct StubLaunch {
  std::string interpreter;  // the python executable
  std::string stub_script;  // inferd_python_stub.py
  std::string model_file;   // <model>/<version>/model.py
  std::chrono::milliseconds execute_timeout{std::chrono::minutes(5)};
  bool decoupled = false;   // model_transaction_policy.decoupled
  size_t shared_region_bytes = 16 << 20;  // per direction; 0: payloads go through the socket only
};

class PythonInstance final : public BackendInstance {
 public:
  // `initialize_args`: Triton's args dict as JSON (an object of strings).
  // `infer` serves the model's BLS requests (empty: BLS answers an error).
  static Result<std::unique_ptr<BackendInstance>> Create(StubLaunch launch, std::string subject,
                                                         std::string initialize_args, ServerInferFunction infer);
  // Runs finalize(), then ends the process; requests still owed an answer fail.
  ~PythonInstance() override;

  bool AnswersEachRequest() const override { return true; }
  void ExecuteEach(ExecutionRequests requests, ExecutionTimings* timings) override;
  Result<std::vector<Tensor>> Execute(const std::vector<Tensor>&, const std::vector<std::string>&, ExecutionRequests,
                                      ExecutionTimings*) override {
    return Status::Internal("the Python backend answers each request itself (ExecuteEach)");
  }

 private:
  // The requests of one execute call still owed a final answer.
  struct OpenCall {
    std::vector<ResponseSink*> sinks;               // null once answered for good
    std::vector<std::vector<std::string>> wanted;  // each request's output names (empty: all)
    // Per request: how many are still using it (responses being delivered
    // on the reader thread, the execute call being sent from its inputs),
    // and a final answer that waits for them, since the sink (and with it
    // the request) is gone once it has its final answer.
    std::vector<int> sending;
    std::vector<std::optional<std::optional<Result<std::vector<Tensor>>>>> final_after_sending;
    size_t open = 0;
    bool returned = false;  // execute() returned (its reply came)
  };

  PythonInstance(StubLaunch launch, std::string subject, std::string initialize_args, ServerInferFunction infer)
      : launch_(std::move(launch)),
        subject_(std::move(subject)),
        initialize_args_(std::move(initialize_args)),
        infer_(std::move(infer)) {}

  // Starts the process and its reader, then runs initialize().
  Status StartProcess();
  // Ends the current process (if any) and joins its reader.
  void StopProcess();
  // Sends a call and waits for its reply (`timeout`: the process is killed
  // when it has not answered by then).
  Result<Frame> Call(std::string_view header, const std::vector<std::string_view>& pieces,
                     std::chrono::milliseconds timeout, uint64_t tag);
  Result<Frame> AwaitReply(std::chrono::milliseconds timeout, uint64_t tag);
  // The execute call `tag` has been sent: its requests' memory is no longer
  // read, so final answers held back meanwhile go out now.
  void FinishedSending(uint64_t tag);
  uint64_t NextTag();

  void ReadLoop(std::shared_ptr<StubProcess> process);
  void OnResponse(const Frame& frame);
  // A BLS request: runs it through the server; the answers go back to
  // `process` (the one that asked, even if another has replaced it since).
  void OnModelCall(const Frame& frame, const std::shared_ptr<StubProcess>& process);
  // Gives request `index` of `call` its answer; drops the call once nothing is owed.
  void Answer(uint64_t tag, size_t index, std::optional<Result<std::vector<Tensor>>> response, bool final);
  // Under mutex_: request `index` of `call` is answered for good; returns its sink.
  ResponseSink* CloseRequest(std::map<uint64_t, OpenCall>::iterator call, size_t index);
  // The outputs of one response: the entries a request asked for, pointing into `payload`.
  Result<std::vector<Tensor>> ReadOutputs(const rapidjson::Value& entries, const Payload& payload,
                                          const std::vector<std::string>& wanted) const;
  // An execute call's reply: the returned responses, or the call's error.
  void OnExecuteReturned(uint64_t tag, const Result<Frame>& reply);

  const StubLaunch launch_;
  const std::string subject_;  // "model 'x'", for messages
  const std::string initialize_args_;
  const ServerInferFunction infer_;

  std::shared_ptr<StubProcess> process_;
  std::thread reader_;

  std::mutex mutex_;
  std::condition_variable replied_;
  uint64_t next_tag_ = 1;
  std::map<uint64_t, Frame> replies_;  // call tag -> its reply, until the caller takes it
  std::map<uint64_t, OpenCall> open_;  // execute calls with requests still owed an answer
  std::optional<Status> lost_;         // set by the reader when the process has gone
  std::optional<Status> ending_;       // why the server ends it (a timeout, an unload): what owed requests get
};

}  // namespace inferd::python
