// InOrderDelivery: sends responses in the order tickets were handed out,
// whatever order they complete in (dynamic_batching.preserve_ordering).
//
// The batcher takes a ticket for each job as it leaves the queue; whichever
// thread completes a job hands its send function to Deliver, which sends every
// response that is now at the head of the line. Sends run one at a time, in
// ticket order, on the thread that completed the head.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace inferd {

class InOrderDelivery {
 public:
  // Thread-safe; tickets are consecutive from 0.
  uint64_t TakeTicket();
  // Stores `send` for `ticket`, then sends what is ready in ticket order.
  void Deliver(uint64_t ticket, std::function<void()> send);
  // Completed responses still waiting for an earlier one.
  size_t Waiting() const;

 private:
  mutable std::mutex mutex_;  // guards the fields below
  uint64_t next_ticket_ = 0;
  uint64_t next_to_send_ = 0;
  std::map<uint64_t, std::function<void()>> completed_;
  std::mutex send_mutex_;  // held while sending, so sends never interleave out of order
};

}  // namespace inferd
