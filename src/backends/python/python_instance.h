// One instance of a Python model: a StubProcess running the model's
// TritonPythonModel, initialized with Triton's args. Execute sends the
// inputs, waits for the outputs, and points the output tensors into the
// received payload. A process that crashes or hangs fails the request in
// flight with the reason and is started (and initialized) again for the next.
#pragma once

#include <chrono>
#include <memory>
#include <string>
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
};

class PythonInstance final : public BackendInstance {
 public:
  // `initialize_args`: Triton's args dict as JSON (an object of strings).
  // `infer` serves the model's BLS requests (empty: BLS answers an error).
  static Result<std::unique_ptr<BackendInstance>> Create(StubLaunch launch, std::string subject,
                                                         std::string initialize_args, ServerInferFunction infer);
  ~PythonInstance() override;

  Result<std::vector<Tensor>> Execute(const std::vector<Tensor>& inputs, const std::vector<std::string>& output_names,
                                      ExecutionRequests parameters, ExecutionTimings* timings) override;

 private:
  PythonInstance(StubLaunch launch, std::string subject, std::string initialize_args, ServerInferFunction infer)
      : launch_(std::move(launch)),
        subject_(std::move(subject)),
        initialize_args_(std::move(initialize_args)),
        infer_(std::move(infer)) {}
  // Starts the process and runs initialize(); leaves process_ null on failure.
  Status StartProcess();
  // A BLS request the model sent during execute: runs it through the server
  // and sends the answer back (an error answer when it fails).
  Status AnswerModelCall(const std::string& header, const std::shared_ptr<std::string>& payload);

  const StubLaunch launch_;
  const std::string subject_;  // "model 'x'", for messages
  const std::string initialize_args_;
  const ServerInferFunction infer_;
  std::unique_ptr<StubProcess> process_;
};


}  // namespace inferd::python
