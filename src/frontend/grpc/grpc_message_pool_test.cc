#include "frontend/grpc/grpc_message_pool.h"

#include <gtest/gtest.h>

#include <string>

namespace inferd::grpc_frontend {
namespace {

TEST(InferMessagePoolTest, ReturnedMessagesAreClearedAndReused) {
  InferMessagePool pool(2);
  InferMessagePool::Holder* first = pool.AllocateMessages();
  first->request()->set_model_name("simple");
  first->request()->add_raw_input_contents(std::string(1024, 'x'));
  first->response()->set_id("r");
  inference::ModelInferRequest* request = first->request();
  first->Release();
  EXPECT_EQ(pool.idle_count(), 1u);

  InferMessagePool::Holder* again = pool.AllocateMessages();
  EXPECT_EQ(again->request(), request) << "the pooled pair should be handed out again";
  EXPECT_TRUE(again->request()->model_name().empty());
  EXPECT_EQ(again->request()->raw_input_contents_size(), 0);
  EXPECT_TRUE(again->response()->id().empty());
  EXPECT_EQ(pool.idle_count(), 0u);
  again->Release();
}

TEST(InferMessagePoolTest, KeepsAtMostMaxIdle) {
  InferMessagePool pool(1);
  InferMessagePool::Holder* a = pool.AllocateMessages();
  InferMessagePool::Holder* b = pool.AllocateMessages();
  EXPECT_NE(a->request(), b->request());
  a->Release();
  b->Release();
  EXPECT_EQ(pool.idle_count(), 1u);

  InferMessagePool none(0);
  none.AllocateMessages()->Release();
  EXPECT_EQ(none.idle_count(), 0u);
}

TEST(InferMessagePoolTest, LargeBuffersAreFreedNotPooled) {
  InferMessagePool pool(4, /*max_pooled_bytes=*/4096);
  InferMessagePool::Holder* big = pool.AllocateMessages();
  big->request()->add_raw_input_contents(std::string(8192, 'x'));
  big->Release();
  EXPECT_EQ(pool.idle_count(), 0u);

  InferMessagePool::Holder* big_response = pool.AllocateMessages();
  big_response->response()->add_raw_output_contents(std::string(8192, 'y'));
  big_response->Release();
  EXPECT_EQ(pool.idle_count(), 0u);

  InferMessagePool::Holder* small = pool.AllocateMessages();
  small->request()->add_raw_input_contents(std::string(100, 'x'));
  small->Release();
  EXPECT_EQ(pool.idle_count(), 1u);
}

}  // namespace
}  // namespace inferd::grpc_frontend
