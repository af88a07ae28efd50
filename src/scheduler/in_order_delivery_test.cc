#include "scheduler/in_order_delivery.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace inferd {
namespace {

TEST(InOrderDeliveryTest, HoldsLaterTicketsUntilEarlierOnesComplete) {
  InOrderDelivery delivery;
  std::vector<int> sent;
  const uint64_t first = delivery.TakeTicket();
  const uint64_t second = delivery.TakeTicket();
  const uint64_t third = delivery.TakeTicket();
  delivery.Deliver(third, [&] { sent.push_back(3); });
  delivery.Deliver(second, [&] { sent.push_back(2); });
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(delivery.Waiting(), 2u);
  delivery.Deliver(first, [&] { sent.push_back(1); });
  EXPECT_EQ(sent, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(delivery.Waiting(), 0u);
}

TEST(InOrderDeliveryTest, ConcurrentCompletionsAreSentInTicketOrder) {
  InOrderDelivery delivery;
  constexpr int kTickets = 400;
  std::vector<uint64_t> tickets;
  for (int i = 0; i < kTickets; ++i) tickets.push_back(delivery.TakeTicket());
  std::vector<uint64_t> sent;  // written only by sends, which never run concurrently
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      // Each thread completes every fourth ticket, from the back.
      for (int i = kTickets - 1 - t; i >= 0; i -= 4) {
        delivery.Deliver(tickets[i], [&sent, i] { sent.push_back(static_cast<uint64_t>(i)); });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(sent.size(), static_cast<size_t>(kTickets));
  for (int i = 0; i < kTickets; ++i) EXPECT_EQ(sent[i], static_cast<uint64_t>(i));
}

}  // namespace
}  // namespace inferd
