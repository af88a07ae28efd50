#include "frontend/grpc/grpc_message_pool.h"

#include <string>

namespace inferd::grpc_frontend {

class InferMessagePool::PooledHolder final : public Holder {
 public:
  explicit PooledHolder(InferMessagePool* pool) : pool_(pool) {
    set_request(&request_);
    set_response(&response_);
  }

  // gRPC is done with the call: back to the pool (which may free it).
  void Release() override { pool_->Return(this); }

  // Tensor bytes the messages keep allocated once cleared.
  size_t RetainedBytes() const {
    size_t bytes = 0;
    for (const std::string& raw : request_.raw_input_contents()) bytes += raw.capacity();
    for (const std::string& raw : response_.raw_output_contents()) bytes += raw.capacity();
    return bytes;
  }

  void Clear() {
    request_.Clear();
    response_.Clear();
  }

 private:
  InferMessagePool* const pool_;
  inference::ModelInferRequest request_;
  inference::ModelInferResponse response_;
};

InferMessagePool::InferMessagePool(size_t max_idle, size_t max_pooled_bytes)
    : max_idle_(max_idle), max_pooled_bytes_(max_pooled_bytes) {}

InferMessagePool::~InferMessagePool() = default;

InferMessagePool::Holder* InferMessagePool::AllocateMessages() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      PooledHolder* holder = idle_.back().release();
      idle_.pop_back();
      return holder;
    }
  }
  return new PooledHolder(this);
}

void InferMessagePool::Return(PooledHolder* holder) {
  std::unique_ptr<PooledHolder> owned(holder);
  // Measured before clearing: Clear() keeps the capacity it measures.
  if (owned->RetainedBytes() > max_pooled_bytes_) return;  // freed here
  owned->Clear();
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(owned));
}

size_t InferMessagePool::idle_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return idle_.size();
}

}  // namespace inferd::grpc_frontend
