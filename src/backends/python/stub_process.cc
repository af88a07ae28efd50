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
#include <thread>

#include <fmt/format.h>

extern char** environ;

namespace inferd::python {
namespace {

constexpr int kStubFd = 3;
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
                                                        const std::string& model_file) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return Status::Unavailable(fmt::format("cannot create the socket to a Python process: {}", Errno(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // dup2 onto fd 3 clears close-on-exec there; every other descriptor of the
  // server stays closed in the child.
  posix_spawn_file_actions_adddup2(&actions, fds[1], kStubFd);
  std::vector<std::string> arguments = {interpreter, "-u", stub_script, "--fd", std::to_string(kStubFd),
                                        "--model-file", model_file};
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, interpreter.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (spawned != 0) {
    close(fds[0]);
    return Status::Unavailable(fmt::format("cannot start the Python interpreter '{}': {}", interpreter, Errno(spawned)));
  }
  // Non-blocking: a read or write is tried first and waited for (poll) only
  // when it would block, which saves a system call per frame.
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  return std::unique_ptr<StubProcess>(new StubProcess(pid, fds[0]));
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
  char prefix[kFramePrefixSize];
  const uint32_t header_size = static_cast<uint32_t>(header.size());
  prefix[0] = static_cast<char>(kind);
  std::memcpy(prefix + 1, &header_size, 4);
  std::memcpy(prefix + 5, &payload, 8);
  std::memcpy(prefix + 13, &tag, 8);
  std::vector<iovec> chunks;
  chunks.push_back({prefix, sizeof prefix});
  chunks.push_back({const_cast<char*>(header.data()), header.size()});
  for (std::string_view piece : pieces) {
    if (!piece.empty()) chunks.push_back({const_cast<char*>(piece.data()), piece.size()});
  }
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
  frame.kind = static_cast<FrameKind>(prefix[0]);
  std::memcpy(&header_size, prefix + 1, 4);
  std::memcpy(&payload_size, prefix + 5, 8);
  std::memcpy(&frame.tag, prefix + 13, 8);
  frame.header.resize(header_size);
  frame.payload = std::make_shared<std::string>(payload_size, '\0');
  RETURN_IF_ERROR(ReadExact(frame.header.data(), header_size, deadline));
  RETURN_IF_ERROR(ReadExact(frame.payload->data(), payload_size, deadline));
  return frame;
}

}  // namespace inferd::python
