#include "frontend/http/http_session_registry.h"

#include "frontend/http/http_session.h"

namespace inferd::http {

void HttpSessionRegistry::Add(const std::shared_ptr<HttpSession>& session) {
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_.emplace(session.get(), session);
}

void HttpSessionRegistry::Remove(const HttpSession* session) {
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_.erase(session);
  if (sessions_.empty()) emptied_.notify_all();
}

std::vector<std::shared_ptr<HttpSession>> HttpSessionRegistry::Live() const {
  std::vector<std::shared_ptr<HttpSession>> live;
  std::lock_guard<std::mutex> lock(mutex_);
  live.reserve(sessions_.size());
  for (const auto& [key, weak] : sessions_) {
    // A session whose last owner is in its destructor right now cannot be
    // locked; it is about to remove itself.
    if (std::shared_ptr<HttpSession> session = weak.lock()) live.push_back(std::move(session));
  }
  return live;
}

size_t HttpSessionRegistry::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sessions_.size();
}

std::shared_ptr<HttpSession> HttpSessionRegistry::OldestEvictable() const {
  std::lock_guard<std::mutex> lock(mutex_);
  // A session's destructor removes it under this mutex, so every key here
  // points at a session whose members are still alive while we hold it.
  const HttpSession* oldest_idle = nullptr;
  const HttpSession* oldest_in_header = nullptr;
  for (const auto& [session, weak] : sessions_) {
    if (session->eviction_pending()) continue;
    const HttpActivity activity = session->activity();
    const HttpSession** oldest = activity == HttpActivity::kIdle              ? &oldest_idle
                                 : activity == HttpActivity::kReceivingHeader ? &oldest_in_header
                                                                              : nullptr;
    if (oldest != nullptr && (*oldest == nullptr || session->activity_since() < (*oldest)->activity_since())) {
      *oldest = session;
    }
  }
  const HttpSession* chosen = oldest_idle != nullptr ? oldest_idle : oldest_in_header;
  if (chosen == nullptr) return nullptr;
  return sessions_.at(chosen).lock();
}

bool HttpSessionRegistry::WaitUntilEmpty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  return emptied_.wait_until(lock, deadline, [this] { return sessions_.empty(); });
}

}  // namespace inferd::http
