// Shared memory between the server and one Python process, for tensor bytes.
//
// Each process has two regions (memfds mapped by both sides), one per
// direction. The side that writes a region allocates blocks in it, copies a
// frame's payload into a block once and sends only the block's place over
// the socket; the side that reads uses the bytes where they lie and marks the
// block released when the last tensor pointing into it is gone. The writer
// takes released blocks back the next time it allocates. So a tensor's bytes
// are copied once each way, and never by the reader.
//
// Block layout (stub/inferd_shared_arena.py implements the same):
//   u32 state (1: in use, 2: released) | u32 unused | u64 block size, header
//   included | padding to kBlockHeaderSize | payload
// Blocks are kBlockAlignment-aligned and allocated as a ring: oldest first
// back, so one block held for long makes the writer fall back to the socket
// (the caller's job) rather than wait.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace inferd::python {

inline constexpr size_t kBlockHeaderSize = 64;
inline constexpr size_t kBlockAlignment = 64;
inline constexpr uint32_t kBlockInUse = 1;
inline constexpr uint32_t kBlockReleased = 2;

// One memfd and its mapping; unmapped when the last user lets go.
class SharedRegion {
 public:
  // At least `requested` bytes, in whole pages (capacity() says how many).
  // INTERNAL naming the system call that failed.
  static Result<std::shared_ptr<SharedRegion>> Create(const char* name, size_t requested);
  ~SharedRegion();
  SharedRegion(const SharedRegion&) = delete;
  SharedRegion& operator=(const SharedRegion&) = delete;

  int fd() const { return fd_; }
  char* base() const { return base_; }
  size_t capacity() const { return capacity_; }

 private:
  SharedRegion(int fd, char* base, size_t capacity) : fd_(fd), base_(base), capacity_(capacity) {}
  const int fd_;
  char* const base_;
  const size_t capacity_;
};

// The writing side's allocator over a region. Any thread.
class ArenaWriter {
 public:
  explicit ArenaWriter(std::shared_ptr<SharedRegion> region) : region_(std::move(region)) {}

  // The offset of a new in-use block with room for `payload_size` bytes, or
  // nothing when that does not fit now (the caller sends inline instead).
  std::optional<uint64_t> Allocate(size_t payload_size);
  char* PayloadOf(uint64_t block) const { return region_->base() + block + kBlockHeaderSize; }
  const SharedRegion& region() const { return *region_; }

 private:
  // Under mutex_: takes back released blocks from the tail of the ring.
  void Reclaim();
  void Place(uint64_t offset, uint64_t size, uint32_t state);

  const std::shared_ptr<SharedRegion> region_;
  std::mutex mutex_;
  uint64_t head_ = 0;  // where the next block goes
  uint64_t tail_ = 0;  // the oldest block not yet taken back
  uint64_t used_ = 0;  // bytes between tail_ and head_ (ring order)
  // The sizes of the blocks from tail_ on, kept here: the other process can
  // write anything into the region, so only the state word is read back.
  std::deque<uint64_t> sizes_;
};

// A frame's payload as the receiving side sees it: the bytes, and what keeps
// them alive (held by every tensor pointing into them): a buffer of the
// frame's own, or a block the other side wrote, released when the last copy
// of `owner` is dropped.
struct Payload {
  std::string_view bytes;
  std::shared_ptr<const void> owner;
};

// The block at `block` with `length` payload bytes, checked to lie inside
// the region and to be in use (the other process is not trusted with the
// server's memory). INTERNAL otherwise.
Result<Payload> LeaseBlock(const std::shared_ptr<SharedRegion>& region, uint64_t block, uint64_t length);

}  // namespace inferd::python
