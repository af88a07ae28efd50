#include "scheduler/in_order_delivery.h"

namespace inferd {

uint64_t InOrderDelivery::TakeTicket() {
  std::lock_guard lock(mutex_);
  return next_ticket_++;
}

void InOrderDelivery::Deliver(uint64_t ticket, std::function<void()> send) {
  {
    std::lock_guard lock(mutex_);
    completed_.emplace(ticket, std::move(send));
  }
  std::lock_guard sending(send_mutex_);
  for (;;) {
    std::function<void()> next;
    {
      std::lock_guard lock(mutex_);
      auto it = completed_.find(next_to_send_);
      if (it == completed_.end()) return;
      next = std::move(it->second);
      completed_.erase(it);
      ++next_to_send_;
    }
    next();
  }
}

size_t InOrderDelivery::Waiting() const {
  std::lock_guard lock(mutex_);
  return completed_.size();
}

}  // namespace inferd
