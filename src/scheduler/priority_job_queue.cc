#include "scheduler/priority_job_queue.h"

#include <algorithm>

#include <fmt/format.h>

namespace inferd {

PriorityJobQueue::PriorityJobQueue(const inference::ModelDynamicBatching& config) : config_(config) {}

uint64_t PriorityJobQueue::LevelFor(uint64_t priority) const {
  const uint64_t levels = config_.priority_levels();
  if (levels == 0) return 0;
  if (priority == 0 || priority > levels) return config_.default_priority_level();
  return priority;
}

PriorityJobQueue::Level& PriorityJobQueue::LevelAt(uint64_t level) {
  auto [it, inserted] = levels_.try_emplace(level);
  if (inserted) {
    const auto& overrides = config_.priority_queue_policy();
    auto policy = config_.priority_levels() > 0 ? overrides.find(level) : overrides.end();
    it->second.policy = policy != overrides.end() ? &policy->second : &config_.default_queue_policy();
  }
  return it->second;
}

uint64_t PriorityJobQueue::TimeoutFor(const inference::ModelQueuePolicy& policy, uint64_t requested_us) const {
  const uint64_t policy_us = policy.default_timeout_microseconds();
  if (!policy.allow_timeout_override() || requested_us == 0) return policy_us;
  if (policy_us == 0 || requested_us < policy_us) return requested_us;
  return policy_us;
}

Status PriorityJobQueue::Enqueue(std::unique_ptr<InferJob>& job, Clock::TimePoint now) {
  const uint64_t level_number = LevelFor(job->priority);
  Level& level = LevelAt(level_number);
  const uint64_t max_size = level.policy->max_queue_size();
  if (max_size != 0 && level.size() >= max_size) {
    if (config_.priority_levels() == 0) {
      return Status::Unavailable(
          fmt::format("Exceeds maximum queue size: {} requests are already queued (max_queue_size {})",
                      level.size(), max_size));
    }
    return Status::Unavailable(
        fmt::format("Exceeds maximum queue size: {} requests are already queued at priority level {} "
                    "(max_queue_size {})",
                    level.size(), level_number, max_size));
  }
  const uint64_t timeout_us = TimeoutFor(*level.policy, job->timeout_us);
  job->enqueued = now;
  const Clock::TimePoint deadline =
      timeout_us == 0 ? Clock::kNever : now + std::chrono::microseconds(timeout_us);
  level.waiting.push_back(Entry{std::move(job), deadline, timeout_us});
  ++size_;
  return Status::Ok();
}

void PriorityJobQueue::Expire(Clock::TimePoint now, std::vector<DroppedJob>* dropped) {
  for (auto& [number, level] : levels_) {
    const bool delay = level.policy->timeout_action() == inference::ModelQueuePolicy::DELAY;
    // Most wake-ups find nothing to drop; do not rebuild the FIFO then.
    const bool any_expired = std::any_of(level.waiting.begin(), level.waiting.end(), [now](const Entry& entry) {
      return entry.deadline <= now || entry.job->IsCancelled();
    });
    const bool any_delayed_cancelled = std::any_of(level.delayed.begin(), level.delayed.end(),
                                                   [](const Entry& entry) { return entry.job->IsCancelled(); });
    if (!any_expired && !any_delayed_cancelled) continue;
    std::deque<Entry> kept;
    for (Entry& entry : level.waiting) {
      if (entry.job->IsCancelled()) {
        dropped->push_back(DroppedJob{std::move(entry.job), DroppedJob::Reason::kCancelled, 0});
      } else if (entry.deadline <= now && !delay) {
        dropped->push_back(DroppedJob{std::move(entry.job), DroppedJob::Reason::kTimedOut, entry.timeout_us});
      } else if (entry.deadline <= now) {
        entry.deadline = Clock::kNever;
        level.delayed.push_back(std::move(entry));
      } else {
        kept.push_back(std::move(entry));
      }
    }
    level.waiting.swap(kept);
    // Delayed jobs have no deadline left; only cancellation removes them.
    std::erase_if(level.delayed, [dropped](Entry& entry) {
      if (!entry.job->IsCancelled()) return false;
      dropped->push_back(DroppedJob{std::move(entry.job), DroppedJob::Reason::kCancelled, 0});
      return true;
    });
  }
  size_t remaining = 0;
  for (const auto& [number, level] : levels_) remaining += level.size();
  size_ = remaining;
}

Clock::TimePoint PriorityJobQueue::NextDeadline() const {
  Clock::TimePoint next = Clock::kNever;
  for (const auto& [number, level] : levels_) {
    for (const Entry& entry : level.waiting) next = std::min(next, entry.deadline);
  }
  return next;
}

void PriorityJobQueue::ForEach(const std::function<bool(const InferJob&)>& visit) const {
  for (const auto& [number, level] : levels_) {
    for (const Entry& entry : level.waiting) {
      if (!visit(*entry.job)) return;
    }
    for (const Entry& entry : level.delayed) {
      if (!visit(*entry.job)) return;
    }
  }
}

std::vector<std::unique_ptr<InferJob>> PriorityJobQueue::TakeFront(size_t count) {
  std::vector<std::unique_ptr<InferJob>> taken;
  taken.reserve(count);
  for (auto& [number, level] : levels_) {
    for (std::deque<Entry>* fifo : {&level.waiting, &level.delayed}) {
      while (taken.size() < count && !fifo->empty()) {
        taken.push_back(std::move(fifo->front().job));
        fifo->pop_front();
      }
    }
    if (taken.size() == count) break;
  }
  size_ -= taken.size();
  return taken;
}

}  // namespace inferd
