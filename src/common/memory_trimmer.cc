#include "common/memory_trimmer.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "common/logging.h"

namespace inferd {

namespace {

// Resident set size from /proc/self/statm (its second field, in pages).
size_t ResidentBytes() {
  FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0;
  unsigned long size_pages = 0;
  unsigned long resident_pages = 0;
  const int read = std::fscanf(statm, "%lu %lu", &size_pages, &resident_pages);
  std::fclose(statm);
  if (read != 2) return 0;
  return static_cast<size_t>(resident_pages) * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

size_t MemoryTrimmer::ResidentFreeBytes() {
#if defined(__GLIBC__)
  const struct mallinfo2 info = ::mallinfo2();
  const size_t in_use = info.uordblks + info.hblkhd;  // arena chunks in use + mmapped chunks
  const size_t resident = ResidentBytes();
  return resident > in_use ? resident - in_use : 0;
#else
  return 0;
#endif
}

MemoryTrimmer::MemoryTrimmer(MemoryTrimmerOptions options) : options_(options) {
#if defined(__GLIBC__)
  floor_bytes_ = ResidentFreeBytes();
  thread_ = std::thread([this] { Run(); });
#endif
}

MemoryTrimmer::~MemoryTrimmer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_requested_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool MemoryTrimmer::CheckOnce() {
#if defined(__GLIBC__)
  const size_t free_bytes = ResidentFreeBytes();
  // The rest of the resident set (code, stacks, other allocators) moves
  // too; measure growth from what was left after the last trim.
  if (free_bytes < floor_bytes_) floor_bytes_ = free_bytes;
  const bool over = free_bytes - floor_bytes_ > options_.threshold_bytes;
  // Wait for a second look over the threshold: a burst still running
  // reuses that memory, and trimming under it would only fault it back in.
  const bool trim = over && over_last_time_;
  over_last_time_ = over && !trim;
  if (!trim) return false;
  ::malloc_trim(0);
  const size_t after = ResidentFreeBytes();
  LogVerbose("returned {} MiB of freed memory to the system", (free_bytes - std::min(free_bytes, after)) >> 20);
  floor_bytes_ = after;
  return true;
#else
  return false;
#endif
}

void MemoryTrimmer::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_requested_.wait_for(lock, options_.period, [this] { return stopping_; })) {
    lock.unlock();
    CheckOnce();
    lock.lock();
  }
}

}  // namespace inferd
