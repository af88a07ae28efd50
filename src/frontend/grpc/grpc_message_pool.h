// Reused ModelInfer request/response messages (tritonserver's
// --grpc-infer-allocation-pool-size): gRPC asks this allocator for each
// call's messages and hands them back when the call is done. A returned pair
// is cleared - protobuf keeps the capacity of its strings and repeated
// fields - and kept for the next call, so steady traffic of same-sized
// tensors stops allocating. Pairs holding large buffers are freed instead,
// so one huge request does not pin its memory in the pool.
#pragma once

#include <grpcpp/support/message_allocator.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "grpc_service.pb.h"

namespace inferd::grpc_frontend {

class InferMessagePool final
    : public grpc::MessageAllocator<inference::ModelInferRequest, inference::ModelInferResponse> {
 public:
  using Holder = grpc::MessageHolder<inference::ModelInferRequest, inference::ModelInferResponse>;

  // Keeps at most `max_idle` pairs, each holding at most `max_pooled_bytes`
  // of tensor buffers. Must outlive every call it allocated for.
  explicit InferMessagePool(size_t max_idle, size_t max_pooled_bytes = size_t{4} << 20);
  ~InferMessagePool() override;

  Holder* AllocateMessages() override;

  size_t idle_count() const;

 private:
  class PooledHolder;
  void Return(PooledHolder* holder);

  const size_t max_idle_;
  const size_t max_pooled_bytes_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<PooledHolder>> idle_;
};

}  // namespace inferd::grpc_frontend
