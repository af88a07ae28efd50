// The live connections of one HttpServer, so that Stop() can ask each to
// finish and wait until they have, and so that the acceptor can find the
// connection to close when it runs out of room. Sessions add themselves when
// they start and remove themselves when they are destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace inferd::http {

class HttpSession;

class HttpSessionRegistry {
 public:
  void Add(const std::shared_ptr<HttpSession>& session);
  void Remove(const HttpSession* session);

  // The sessions still alive now.
  std::vector<std::shared_ptr<HttpSession>> Live() const;
  size_t size() const;

  // The connection that has waited longest for the first byte of a request,
  // else the one that has spent longest on an unfinished header; nullptr
  // when every connection is busy with a request. A linear scan: it runs
  // only when the server is at its connection limit.
  std::shared_ptr<HttpSession> OldestEvictable() const;

  // Blocks until every session is gone or `deadline` passes; true if none is left.
  bool WaitUntilEmpty(std::chrono::steady_clock::time_point deadline);

 private:
  mutable std::mutex mutex_;
  std::condition_variable emptied_;
  std::unordered_map<const HttpSession*, std::weak_ptr<HttpSession>> sessions_;
};

}  // namespace inferd::http
