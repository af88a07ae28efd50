// StubProcess: one Python interpreter running inferd_python_stub.py for one
// model instance, and the framed channel to it (a Unix socket pair).
//
// Frames both ways: u32 header length, u64 payload length, the header (JSON
// text), the payload (tensor bytes the header points into). Sending gathers
// the tensors' own memory (writev, no staging copy); receiving reads the
// payload into one buffer that the output tensors then share.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace inferd::python {

struct Frame {
  std::string header;                     // JSON text
  std::shared_ptr<std::string> payload;   // shared by the tensors that point into it
};

class StubProcess {
 public:
  // Starts `interpreter stub_script --fd 3 --model-file model_file`.
  // UNAVAILABLE naming what failed.
  static Result<std::unique_ptr<StubProcess>> Start(const std::string& interpreter, const std::string& stub_script,
                                                    const std::string& model_file);
  // Closes the channel and ends the process: the stub leaves on EOF; after
  // `grace` it is killed.
  ~StubProcess();
  StubProcess(const StubProcess&) = delete;
  StubProcess& operator=(const StubProcess&) = delete;

  // One request and its answer. `pieces` follow the header as the payload.
  // UNAVAILABLE when the process is gone (its exit status in the message),
  // DEADLINE_EXCEEDED when no answer came within `timeout` (the process is
  // then killed: it cannot be trusted with the next request).
  Result<Frame> Call(std::string_view header, const std::vector<std::string_view>& pieces,
                     std::chrono::milliseconds timeout);
  // The two halves of Call, for exchanges where the process asks questions
  // of its own before it answers (BLS requests during execute).
  Status Send(std::string_view header, const std::vector<std::string_view>& pieces);
  Result<Frame> Receive(std::chrono::milliseconds timeout);
  bool alive() const { return fd_ >= 0; }
  pid_t pid() const { return pid_; }

 private:
  StubProcess(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  Status Write(std::string_view header, const std::vector<std::string_view>& pieces);
  // After a failed read or write: ends the process and says why in Triton-user terms.
  Status Lost(const Status& cause, std::chrono::milliseconds timeout);
  Status ReadExact(char* data, size_t size, std::chrono::steady_clock::time_point deadline);
  // The process has gone or must go: closes the channel, reaps it, and says how it ended.
  std::string End(bool kill);

  static constexpr size_t kInboxSize = 64 * 1024;

  pid_t pid_;
  int fd_;
  std::string inbox_;       // bytes read ahead of what was asked for
  size_t inbox_start_ = 0;  // where the unread part of inbox_ starts
};

}  // namespace inferd::python
