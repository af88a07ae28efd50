// StubProcess: one Python interpreter running inferd_python_stub.py for one
// model instance, and the framed channel to it (a Unix socket pair, and two
// shared-memory regions for large payloads: shared_arena.h).
//
// Frames both ways: u8 kind, u32 header length, u64 payload length, u64
// tag, the header (JSON text), the payload (tensor bytes the header points
// into). A payload of kSharedPayloadMin bytes or more is copied once into a
// block of the sender's region, and the frame carries only the block's
// place (kind | kInSharedMemory, payload: u64 block offset, u64 length);
// the receiver reads the tensors where they lie. Smaller payloads, and any
// that find the region full, go inline: sending gathers the tensors' own
// memory (writev, no staging copy). Sending may happen from several
// threads; receiving is one thread's job (the instance's reader).
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/python/shared_arena.h"
#include "common/status.h"

namespace inferd::python {

// What a frame is (the stub's docstring has the protocol).
enum class FrameKind : uint8_t {
  kCall = 1,            // server -> stub: initialize, auto_complete, execute, finalize
  kModelCallReply = 2,  // server -> stub: (one of) the answer(s) to a BLS request
  kReply = 3,           // stub -> server: the answer to a call
  kResponse = 4,        // stub -> server: one response of one request of an execute call
  kModelCall = 5,       // stub -> server: a BLS request
};

// The flag on a frame's kind byte that says its payload lies in shared memory.
inline constexpr uint8_t kInSharedMemory = 0x80;
// From this payload size on, a frame's payload goes through shared memory.
inline constexpr size_t kSharedPayloadMin = 64 * 1024;

struct Frame {
  FrameKind kind = FrameKind::kReply;
  uint64_t tag = 0;     // the call (or BLS request) it belongs to
  std::string header;   // JSON text
  Payload payload;      // shared by the tensors that point into it
};

class StubProcess {
 public:
  // Starts `interpreter stub_script --fd 3 --model-file model_file`, with
  // two shared regions of `region_bytes` each (fds 4 and 5) unless it is 0.
  // UNAVAILABLE naming what failed.
  static Result<std::unique_ptr<StubProcess>> Start(const std::string& interpreter, const std::string& stub_script,
                                                    const std::string& model_file, size_t region_bytes);
  // Closes the channel and ends the process (Reap) if nobody did.
  ~StubProcess();
  StubProcess(const StubProcess&) = delete;
  StubProcess& operator=(const StubProcess&) = delete;

  // One frame to the stub; any thread. `pieces` follow the header as the payload.
  Status Send(FrameKind kind, uint64_t tag, std::string_view header, const std::vector<std::string_view>& pieces);
  using Deadline = std::chrono::steady_clock::time_point;
  // The next frame from the stub; one thread only. UNAVAILABLE once the
  // channel is closed or broken (Shutdown, or the process ended),
  // DEADLINE_EXCEEDED past `deadline`.
  Result<Frame> Receive(Deadline deadline = Deadline::max());
  // Wakes Receive with an error and fails later Sends; the process is told
  // to leave by EOF. Any thread.
  void Shutdown();
  // SIGKILL, unless the process was already reaped. Any thread.
  void Kill();
  // Waits for the process to end (killing it at once with `kill_now`, else
  // after a grace period), and says how it ended:
  // "exited with status 1", "was killed by signal 9 (Killed)".
  std::string Reap(bool kill_now);
  pid_t pid() const { return pid_; }

 private:
  StubProcess(pid_t pid, int fd, std::shared_ptr<SharedRegion> to_stub, std::shared_ptr<SharedRegion> to_server);
  Status ReadExact(char* data, size_t size, Deadline deadline);
  Status Write(std::vector<iovec>& chunks);

  static constexpr size_t kInboxSize = 64 * 1024;

  const pid_t pid_;
  const int fd_;               // closed by the destructor only: no thread can see it reused
  std::optional<ArenaWriter> to_stub_;            // where large payloads to the stub go
  const std::shared_ptr<SharedRegion> to_server_;  // where the stub puts large payloads (null: none)
  std::mutex write_mutex_;     // one frame at a time on the socket
  std::mutex reap_mutex_;      // Kill never signals a reaped (reusable) pid
  bool reaped_ = false;
  std::string exit_description_;
  std::string inbox_;       // bytes read ahead of what was asked for
  size_t inbox_start_ = 0;  // where the unread part of inbox_ starts
};

}  // namespace inferd::python
