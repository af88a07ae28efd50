#include "backends/python/stub_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <new>
#include <thread>

#include <fmt/format.h>

extern char** environ;

namespace inferd::python {
namespace {

constexpr int kStubFd = 3;
constexpr int kToStubRegionFd = 4;   // the stub reads it
constexpr int kToServerRegionFd = 5;  // the stub writes it
constexpr size_t kBlockDescriptorSize = 16;  // u64 block offset, u64 payload length
constexpr auto kExitGrace = std::chrono::seconds(5);
constexpr size_t kFramePrefixSize = 21;  // kind, header length, payload length, tag

std::string Errno(int error) { return std::string(strerror(error)); }

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("was killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  return "ended";
}

}  // namespace

Result<std::unique_ptr<StubProcess>> StubProcess::Start(const std::string& interpreter, const std::string& stub_script,
                                                        const std::string& model_file, size_t region_bytes) {
  std::shared_ptr<SharedRegion> to_stub;
  std::shared_ptr<SharedRegion> to_server;
  if (region_bytes > 0) {
    Result<std::shared_ptr<SharedRegion>> created = SharedRegion::Create("inferd-python-to-stub", region_bytes);
    if (created.ok()) {
      to_stub = std::move(created).value();
      created = SharedRegion::Create("inferd-python-to-server", region_bytes);
    }
    if (!created.ok()) {
      return created.status().WithPrefix("cannot create the shared memory of a Python process");
    }
    to_server = std::move(created).value();
  }
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return Status::Unavailable(fmt::format("cannot create the socket to a Python process: {}", Errno(errno)));
  }
  std::vector<std::string> arguments = {interpreter, "-u", stub_script, "--fd", std::to_string(kStubFd),
                                        "--model-file", model_file};
  std::vector<std::pair<int, int>> passed = {{fds[1], kStubFd}};  // server fd -> the child's
  if (to_stub) {
    passed.emplace_back(to_stub->fd(), kToStubRegionFd);
    passed.emplace_back(to_server->fd(), kToServerRegionFd);
    arguments.insert(arguments.end(), {"--regions", fmt::format("{},{}", kToStubRegionFd, kToServerRegionFd),
                                       "--region-bytes", std::to_string(to_stub->capacity())});
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // Each one is first copied above the child's numbers, so no dup2 onto
  // 3, 4 or 5 overwrites a descriptor still to be passed (another model
  // loading at the same time can leave the region or socket on fd 3 or 4).
  // dup2 clears close-on-exec on the copy; every other descriptor of the
  // server stays closed in the child.
  std::vector<int> copies;
  int copy_error = 0;
  for (const auto& [from, to] : passed) {
    const int copy = fcntl(from, F_DUPFD_CLOEXEC, kToServerRegionFd + 1);
    if (copy < 0) {
      copy_error = errno;
      break;
    }
    copies.push_back(copy);
    if (const int added = posix_spawn_file_actions_adddup2(&actions, copy, to); added != 0) {
      copy_error = added;
      break;
    }
  }
  if (copy_error != 0) {
    posix_spawn_file_actions_destroy(&actions);
    for (int copy : copies) close(copy);
    close(fds[0]);
    close(fds[1]);
    return Status::Unavailable(
        fmt::format("cannot pass the channel to a Python process: {}", Errno(copy_error)));
  }
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, interpreter.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  for (int copy : copies) close(copy);
  close(fds[1]);
  if (spawned != 0) {
    close(fds[0]);
    return Status::Unavailable(fmt::format("cannot start the Python interpreter '{}': {}", interpreter, Errno(spawned)));
  }
  // Non-blocking: a read or write is tried first and waited for (poll) only
  // when it would block, which saves a system call per frame.
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  return std::unique_ptr<StubProcess>(new StubProcess(pid, fds[0], std::move(to_stub), std::move(to_server)));
}

StubProcess::StubProcess(pid_t pid, int fd, std::shared_ptr<SharedRegion> to_stub,
                         std::shared_ptr<SharedRegion> to_server)
    : pid_(pid), fd_(fd), to_server_(std::move(to_server)) {
  if (to_stub) to_stub_.emplace(std::move(to_stub));
}

StubProcess::~StubProcess() {
  Shutdown();
  Reap(false);
  close(fd_);
}

void StubProcess::Shutdown() { shutdown(fd_, SHUT_RDWR); }

void StubProcess::Kill() {
  std::lock_guard lock(reap_mutex_);
  if (!reaped_) kill(pid_, SIGKILL);
}

std::string StubProcess::Reap(bool kill_now) {
  std::lock_guard lock(reap_mutex_);
  if (reaped_) return exit_description_;
  if (kill_now) kill(pid_, SIGKILL);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + kExitGrace;
  while (true) {
    const pid_t reaped = waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_ || (reaped < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  reaped_ = true;
  exit_description_ = DescribeExit(status);
  return exit_description_;
}

Status StubProcess::Send(FrameKind kind, uint64_t tag, std::string_view header,
                         const std::vector<std::string_view>& pieces) {
  uint64_t payload = 0;
  for (std::string_view piece : pieces) payload += piece.size();
  std::optional<uint64_t> block;
  if (payload >= kSharedPayloadMin && to_stub_) block = to_stub_->Allocate(payload);
  uint64_t descriptor[2] = {0, payload};
  char prefix[kFramePrefixSize];
  const uint32_t header_size = static_cast<uint32_t>(header.size());
  const uint64_t sent_payload = block ? kBlockDescriptorSize : payload;
  prefix[0] = static_cast<char>(static_cast<uint8_t>(kind) | (block ? kInSharedMemory : 0));
  std::memcpy(prefix + 1, &header_size, 4);
  std::memcpy(prefix + 5, &sent_payload, 8);
  std::memcpy(prefix + 13, &tag, 8);
  std::vector<iovec> chunks;
  chunks.push_back({prefix, sizeof prefix});
  chunks.push_back({const_cast<char*>(header.data()), header.size()});
  if (block) {
    // The one copy of these bytes on their way to the stub.
    char* target = to_stub_->PayloadOf(*block);
    for (std::string_view piece : pieces) {
      std::memcpy(target, piece.data(), piece.size());
      target += piece.size();
    }
    descriptor[0] = *block;
    chunks.push_back({descriptor, sizeof descriptor});
  } else {
    for (std::string_view piece : pieces) {
      if (!piece.empty()) chunks.push_back({const_cast<char*>(piece.data()), piece.size()});
    }
  }
  return Write(chunks);
}

Status StubProcess::Write(std::vector<iovec>& chunks) {
  std::lock_guard lock(write_mutex_);
  size_t next = 0;
  while (next < chunks.size()) {
    const int count = static_cast<int>(std::min<size_t>(chunks.size() - next, IOV_MAX));
    msghdr message{};
    message.msg_iov = &chunks[next];
    message.msg_iovlen = static_cast<size_t>(count);
    ssize_t sent = sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        // The stub reads what is in the socket first; it always does.
        pollfd watched{fd_, POLLOUT, 0};
        if (poll(&watched, 1, 1'000) < 0 && errno != EINTR) return Status::Unavailable(Errno(errno));
        continue;
      }
      return Status::Unavailable(fmt::format("the Python process is not reachable: {}", Errno(errno)));
    }
    // Skip what went out; a partly sent chunk is resumed from its rest.
    while (sent > 0 && next < chunks.size()) {
      if (static_cast<size_t>(sent) >= chunks[next].iov_len) {
        sent -= static_cast<ssize_t>(chunks[next].iov_len);
        ++next;
      } else {
        chunks[next].iov_base = static_cast<char*>(chunks[next].iov_base) + sent;
        chunks[next].iov_len -= static_cast<size_t>(sent);
        sent = 0;
      }
    }
  }
  return Status::Ok();
}

Status StubProcess::ReadExact(char* data, size_t size, Deadline deadline) {
  size_t got = std::min(size, inbox_.size() - inbox_start_);
  std::memcpy(data, inbox_.data() + inbox_start_, got);
  inbox_start_ += got;
  while (got < size) {
    // Small reads go through the inbox (one read often brings the whole
    // frame); large ones land in place.
    const bool direct = size - got >= kInboxSize;
    if (!direct) inbox_.resize(kInboxSize);
    char* target = direct ? data + got : inbox_.data();
    const ssize_t count = read(fd_, target, direct ? size - got : kInboxSize);
    if (count == 0) return Status::Unavailable("the channel closed");
    if (count < 0) {
      if (!direct) {
        inbox_.clear();
        inbox_start_ = 0;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return Status::Unavailable(Errno(errno));
      int wait_ms = -1;
      if (deadline != Deadline::max()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Deadline::clock::now());
        if (left.count() <= 0) return Status::DeadlineExceeded("no answer in time");
        wait_ms = static_cast<int>(std::min<int64_t>(left.count(), 1'000));
      }
      pollfd watched{fd_, POLLIN, 0};
      if (poll(&watched, 1, wait_ms) < 0 && errno != EINTR) return Status::Unavailable(Errno(errno));
      continue;
    }
    if (direct) {
      got += static_cast<size_t>(count);
      continue;
    }
    inbox_.resize(static_cast<size_t>(count));
    const size_t taken = std::min(size - got, inbox_.size());
    std::memcpy(data + got, inbox_.data(), taken);
    got += taken;
    inbox_start_ = taken;
  }
  return Status::Ok();
}

Result<Frame> StubProcess::Receive(Deadline deadline) {
  char prefix[kFramePrefixSize];
  RETURN_IF_ERROR(ReadExact(prefix, sizeof prefix, deadline));
  Frame frame;
  uint32_t header_size = 0;
  uint64_t payload_size = 0;
  const auto kind = static_cast<uint8_t>(prefix[0]);
  frame.kind = static_cast<FrameKind>(kind & ~kInSharedMemory);
  std::memcpy(&header_size, prefix + 1, 4);
  std::memcpy(&payload_size, prefix + 5, 8);
  std::memcpy(&frame.tag, prefix + 13, 8);
  frame.header.resize(header_size);
  RETURN_IF_ERROR(ReadExact(frame.header.data(), header_size, deadline));
  if ((kind & kInSharedMemory) != 0) {
    uint64_t descriptor[2] = {0, 0};
    if (payload_size != sizeof descriptor || !to_server_) {
      return Status::Internal("the Python process sent a shared-memory frame that cannot be read");
    }
    RETURN_IF_ERROR(ReadExact(reinterpret_cast<char*>(descriptor), sizeof descriptor, deadline));
    ASSIGN_OR_RETURN(frame.payload, LeaseBlock(to_server_, descriptor[0], descriptor[1]));
    return frame;
  }
  // Not zero-filled first: every byte is read into it.
  std::shared_ptr<char[]> bytes;
  try {
    bytes = std::make_shared_for_overwrite<char[]>(payload_size);
  } catch (const std::bad_alloc&) {
    return Status::Internal(fmt::format("the Python process sent a {}-byte frame, more than can be held", payload_size));
  }
  RETURN_IF_ERROR(ReadExact(bytes.get(), payload_size, deadline));
  frame.payload = Payload{std::string_view(bytes.get(), payload_size), std::move(bytes)};
  return frame;
}

}  // namespace inferd::python
