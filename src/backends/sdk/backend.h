// Backend interface. A backend turns a model file into execution instances.
//
// Backends live in shared libraries loaded by name on first use (see
// backend_registry.h), so a missing runtime disables only the models that need
// it. Batching, queueing and request validation happen above this interface:
// an instance only ever sees full input tensors that already match the config.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "model_config.pb.h"
#include "types/inference_request.h"
#include "types/model_file_info.h"
#include "types/statistics.h"
#include "types/tensor.h"

namespace inferd {

// One request of an execution, in row order: its parameters and id, its own
// inputs as the client sent them, and how many rows of the batch are its own
// (its batch size; 1 for a model without batching). Backends that hand
// requests to user code one by one (Python) read these; the others run the
// merged inputs.
// Where a backend that answers requests one by one (BackendInstance::
// ExecuteEach) sends one request's answers, from any thread, in order. The
// call with final == true is the last; the sink is gone after it.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // `response`: the outputs of one response or the error of this request
  // alone; nullopt with final == true completes the request without one more
  // response (a decoupled model's COMPLETE_FINAL flag alone).
  virtual void Send(std::optional<Result<std::vector<Tensor>>> response, bool final) = 0;
};

struct ExecutionRequest {
  const Parameters* parameters = nullptr;
  const std::string* id = nullptr;
  const std::vector<Tensor>* inputs = nullptr;
  int64_t rows = 1;
  // ExecuteEach only: the outputs this request asked for (empty: every
  // output) and where its answers go.
  const std::vector<std::string>* output_names = nullptr;
  ResponseSink* sink = nullptr;
};
using ExecutionRequests = std::span<const ExecutionRequest>;

// Submits a request to any model the server serves, through the server's
// own path (validation, scheduler, batching, statistics); `done` runs once.
// `partial` receives a decoupled model's responses before its last; empty,
// a decoupled model refuses the request as unary APIs do. Backends whose
// models call other models (the Python backend's BLS) use it.
using ServerInferFunction =
    std::function<void(InferenceRequest request, InferPartialCallback partial, InferCallback done)>;

// Where and how one instance runs.
struct InstanceSettings {
  std::string name;          // "<model>_<group>_<index>", for logs
  bool gpu = false;          // KIND_GPU
  int device_id = 0;
  int intra_op_threads = 0;  // 0: the backend's default for this machine
  int inter_op_threads = 0;
  ServerInferFunction infer;  // empty where the server offers none (unit tests)
};

// One execution context (e.g. one ONNX Runtime session). Execute is called
// by one thread at a time per instance.
class BackendInstance {
 public:
  virtual ~BackendInstance() = default;

  // Runs the model once on `inputs` (full shapes, batch dimension included
  // when the model batches) and returns the outputs named in `output_names`
  // (every output when empty), in that order. Output tensors own their memory.
  // `requests` describes each request in this execution, in the order of
  // their rows (one entry unless requests were merged into one batch); a
  // backend may read them, none has to.
  virtual Result<std::vector<Tensor>> Execute(const std::vector<Tensor>& inputs,
                                              const std::vector<std::string>& output_names,
                                              ExecutionRequests requests, ExecutionTimings* timings) = 0;

  // Backends whose user code answers each request itself (Python: an error
  // for one request of a batch, decoupled models that answer zero or many
  // times, even after execute returned) return true and implement
  // ExecuteEach instead of Execute. The scheduler then hands them the
  // requests as they came (no merged inputs), each with its own sink.
  virtual bool AnswersEachRequest() const { return false; }
  // Runs one execution of `requests` (sink and output_names set on each).
  // Returns when the instance may take the next execution; each sink gets
  // its final answer exactly once, before or after that.
  virtual void ExecuteEach(ExecutionRequests requests, ExecutionTimings* timings) {
    (void)timings;
    for (const ExecutionRequest& request : requests) {
      request.sink->Send(Status::Unimplemented("this backend answers merged executions only"), true);
    }
  }
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string Name() const = 0;
  // File name loaded from a version folder when the config names none.
  virtual std::string DefaultModelFilename() const = 0;
  // Reads the inputs and outputs the model file declares.
  virtual Result<ModelFileInfo> DescribeModel(const std::string& model_path) = 0;
  // True for a backend whose model code completes its own config (the
  // Python backend runs the model's auto_complete_config): the loader then
  // calls CompleteConfigJson for every config, not DescribeModel.
  virtual bool CompletesItsOwnConfig() const { return false; }
  // `config` as the model's code left it, as model-config JSON (protobuf's
  // JSON mapping); the loader parses it and serves that config.
  virtual Result<std::string> CompleteConfigJson(const std::string& model_path, const inference::ModelConfig& config) {
    (void)model_path;
    (void)config;
    return Status::Unimplemented("this backend does not complete configs itself");
  }
  // Loads `model_path` into a new instance configured by `config`.
  virtual Result<std::unique_ptr<BackendInstance>> CreateInstance(const std::string& model_path,
                                                                  const inference::ModelConfig& config,
                                                                  const InstanceSettings& settings) = 0;
};

// The version of this interface, and of every type that crosses it (Tensor,
// InstanceSettings, Status, the protobuf ModelConfig): a module built against
// another version would read those objects with the wrong layout, so the
// registry refuses it. Bump it with any change to this file or those types.
inline constexpr uint32_t kBackendInterfaceVersion = 6;

}  // namespace inferd

// Every backend library exports two C entry points, both defined by
// INFERD_BACKEND: the interface version it was built against, which the
// registry checks first, and the factory, which it then calls once.
extern "C" {
using InferdBackendInterfaceVersionFn = uint32_t (*)();
using InferdCreateBackendFn = inferd::Backend* (*)();
}
#define INFERD_BACKEND_VERSION_ENTRY_POINT "InferdBackendInterfaceVersion"
#define INFERD_BACKEND_ENTRY_POINT "InferdCreateBackend"

// Defines the entry points of a backend module whose Backend is
// `BackendClass` (default-constructible). The factory must not throw: the
// registry calls it through a plain C function pointer.
#define INFERD_BACKEND(BackendClass)                                                         \
  extern "C" __attribute__((visibility("default"))) uint32_t InferdBackendInterfaceVersion() { \
    return ::inferd::kBackendInterfaceVersion;                                                \
  }                                                                                          \
  extern "C" __attribute__((visibility("default"))) ::inferd::Backend* InferdCreateBackend() { \
    try {                                                                                    \
      return new BackendClass();                                                             \
    } catch (...) {                                                                          \
      return nullptr;                                                                        \
    }                                                                                        \
  }
