#include "backends/python/shared_arena.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace inferd::python {
namespace {

// The state word of the block at `block`: both processes change it.
std::atomic_ref<uint32_t> StateOf(char* base, uint64_t block) {
  return std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(base + block));
}

uint64_t RoundUp(uint64_t value, uint64_t to) { return (value + to - 1) / to * to; }

}  // namespace

Result<std::shared_ptr<SharedRegion>> SharedRegion::Create(const char* name, size_t requested) {
  // Whole pages: every block, and the filler that ends the ring, then has
  // room for its header.
  const size_t capacity = std::max<size_t>(RoundUp(requested, 4096), 4096);
  const int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return Status::Internal(fmt::format("memfd_create: {}", strerror(errno)));
  if (ftruncate(fd, static_cast<off_t>(capacity)) != 0) {
    const int error = errno;
    close(fd);
    return Status::Internal(fmt::format("ftruncate of a {}-byte shared region: {}", capacity, strerror(error)));
  }
  // The other process gets this fd read-write: sealed, it cannot shrink the
  // region under the server's mapping (the server's next access would be
  // SIGBUS) or change the seals.
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    const int error = errno;
    close(fd);
    return Status::Internal(fmt::format("sealing a shared region: {}", strerror(error)));
  }
  void* base = mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    const int error = errno;
    close(fd);
    return Status::Internal(fmt::format("mmap of a {}-byte shared region: {}", capacity, strerror(error)));
  }
  return std::shared_ptr<SharedRegion>(new SharedRegion(fd, static_cast<char*>(base), capacity));
}

SharedRegion::~SharedRegion() {
  munmap(base_, capacity_);
  close(fd_);
}

void ArenaWriter::Place(uint64_t offset, uint64_t size, uint32_t state) {
  char* base = region_->base();
  std::memcpy(base + offset + 8, &size, sizeof size);
  StateOf(base, offset).store(state, std::memory_order_release);
  head_ = offset + size == region_->capacity() ? 0 : offset + size;
  used_ += size;
  sizes_.push_back(size);
}

void ArenaWriter::Reclaim() {
  char* base = region_->base();
  while (!sizes_.empty() && StateOf(base, tail_).load(std::memory_order_acquire) == kBlockReleased) {
    const uint64_t size = sizes_.front();
    sizes_.pop_front();
    used_ -= size;
    tail_ += size;
    if (tail_ == region_->capacity()) tail_ = 0;
  }
  // Empty: start again from the front, so the blocks reuse the same pages.
  if (used_ == 0) head_ = tail_ = 0;
}

std::optional<uint64_t> ArenaWriter::Allocate(size_t payload_size) {
  const uint64_t capacity = region_->capacity();
  const uint64_t size = RoundUp(kBlockHeaderSize + payload_size, kBlockAlignment);
  if (size > capacity) return std::nullopt;
  std::lock_guard lock(mutex_);
  Reclaim();
  // Free space runs from head_ to tail_ in ring order: [head_, end) and
  // [0, tail_) when the used part does not wrap, else [head_, tail_).
  if (used_ == 0 || head_ > tail_) {
    if (capacity - head_ >= size) {
      const uint64_t block = head_;
      Place(block, size, kBlockInUse);
      return block;
    }
    if (tail_ < size) return std::nullopt;
    // The rest of the ring is too short: a released filler block covers it.
    Place(head_, capacity - head_, kBlockReleased);
  }
  if (tail_ - head_ < size) return std::nullopt;
  const uint64_t block = head_;
  Place(block, size, kBlockInUse);
  return block;
}

namespace {

// Marks its block released when the last tensor using it is gone.
struct BlockRelease {
  BlockRelease(std::shared_ptr<SharedRegion> region, uint64_t block) : region(std::move(region)), block(block) {}
  BlockRelease(const BlockRelease&) = delete;
  BlockRelease& operator=(const BlockRelease&) = delete;
  const std::shared_ptr<SharedRegion> region;
  const uint64_t block;
  ~BlockRelease() { StateOf(region->base(), block).store(kBlockReleased, std::memory_order_release); }
};

}  // namespace

Result<Payload> LeaseBlock(const std::shared_ptr<SharedRegion>& region, uint64_t block, uint64_t length) {
  const uint64_t capacity = region->capacity();
  if (block % kBlockAlignment != 0 || block > capacity - kBlockHeaderSize ||
      length > capacity - block - kBlockHeaderSize) {
    return Status::Internal(fmt::format("a shared-memory block at {} with {} bytes lies outside the {}-byte region",
                                        block, length, capacity));
  }
  if (StateOf(region->base(), block).load(std::memory_order_acquire) != kBlockInUse) {
    return Status::Internal(fmt::format("the shared-memory block at {} is not in use", block));
  }
  auto owner = std::make_shared<BlockRelease>(region, block);
  return Payload{std::string_view(region->base() + block + kBlockHeaderSize, length), std::move(owner)};
}

}  // namespace inferd::python
