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
  if (pid_ > 0) End(false);
}

std::string StubProcess::End(bool kill_now) {
  if (fd_ >= 0) {
    close(fd_);  // the stub leaves on EOF
    fd_ = -1;
  }
  if (pid_ <= 0) return "ended";
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
  pid_ = -1;
  return DescribeExit(status);
}

Status StubProcess::Write(std::string_view header, const std::vector<std::string_view>& pieces) {
  uint64_t payload = 0;
  for (std::string_view piece : pieces) payload += piece.size();
  char prefix[12];
  const uint32_t header_size = static_cast<uint32_t>(header.size());
  std::memcpy(prefix, &header_size, 4);
  std::memcpy(prefix + 4, &payload, 8);
  std::vector<iovec> chunks;
  chunks.push_back({prefix, sizeof prefix});
  chunks.push_back({const_cast<char*>(header.data()), header.size()});
  for (std::string_view piece : pieces) {
    if (!piece.empty()) chunks.push_back({const_cast<char*>(piece.data()), piece.size()});
  }
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
      return Status::Unavailable(Errno(errno));
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

Status StubProcess::ReadExact(char* data, size_t size, std::chrono::steady_clock::time_point deadline) {
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
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Status::DeadlineExceeded("no answer in time");
      pollfd watched{fd_, POLLIN, 0};
      const int ready = poll(&watched, 1, static_cast<int>(std::min<int64_t>(left.count(), 1'000)));
      if (ready < 0 && errno != EINTR) return Status::Unavailable(Errno(errno));
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

Status StubProcess::Send(std::string_view header, const std::vector<std::string_view>& pieces) {
  if (fd_ < 0) return Status::Unavailable("the Python process is not running");
  Status written = Write(header, pieces);
  return written.ok() ? written : Lost(written, std::chrono::milliseconds(0));
}

Result<Frame> StubProcess::Receive(std::chrono::milliseconds timeout) {
  if (fd_ < 0) return Status::Unavailable("the Python process is not running");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char prefix[12];
  Status received = ReadExact(prefix, sizeof prefix, deadline);
  Frame frame;
  if (received.ok()) {
    uint32_t header_size = 0;
    uint64_t payload_size = 0;
    std::memcpy(&header_size, prefix, 4);
    std::memcpy(&payload_size, prefix + 4, 8);
    frame.header.resize(header_size);
    frame.payload = std::make_shared<std::string>(payload_size, '\0');
    received = ReadExact(frame.header.data(), header_size, deadline);
    if (received.ok()) received = ReadExact(frame.payload->data(), payload_size, deadline);
  }
  if (received.ok()) return frame;
  return Lost(received, timeout);
}

Result<Frame> StubProcess::Call(std::string_view header, const std::vector<std::string_view>& pieces,
                                std::chrono::milliseconds timeout) {
  RETURN_IF_ERROR(Send(header, pieces));
  return Receive(timeout);
}

Status StubProcess::Lost(const Status& cause, std::chrono::milliseconds timeout) {
  const bool hung = cause.code() == StatusCode::kDeadlineExceeded;
  const std::string how = End(hung);
  if (hung) {
    return Status::DeadlineExceeded(fmt::format(
        "the Python model did not answer within {} ms; its process was killed and starts again for the next request",
        timeout.count()));
  }
  return Status::Unavailable(fmt::format("the Python model's process {} ({}); it starts again for the next request",
                                         how, cause.message()));
}

}  // namespace inferd::python
