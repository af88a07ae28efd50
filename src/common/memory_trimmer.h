// Gives memory back to the system after bursts of large requests.
//
// glibc's malloc keeps freed memory in its arenas for reuse; only the top of
// each arena is returned on its own. After a burst of 64 MiB requests the
// process would keep that memory resident for good. The trimmer looks once
// a period at how much resident memory malloc holds free and, when it has
// grown by more than a threshold since the last look and stays grown,
// calls malloc_trim on its own thread: never on a request's path, and not
// while a burst is still reusing the memory.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

namespace inferd {

struct MemoryTrimmerOptions {
  std::chrono::milliseconds period{1000};
  // Resident-but-free bytes that may pile up before a trim.
  size_t threshold_bytes = size_t{16} << 20;
};

class MemoryTrimmer {
 public:
  // Starts the trimming thread (does nothing where malloc is not glibc's).
  explicit MemoryTrimmer(MemoryTrimmerOptions options = {});
  ~MemoryTrimmer();
  MemoryTrimmer(const MemoryTrimmer&) = delete;
  MemoryTrimmer& operator=(const MemoryTrimmer&) = delete;

  // One look, as the thread takes each period; true when it trimmed. Public
  // for tests.
  bool CheckOnce();

  // Resident bytes that malloc holds free (resident set less what malloc
  // has handed out); the trimmer's measure. 0 where unknown.
  static size_t ResidentFreeBytes();

 private:
  void Run();

  const MemoryTrimmerOptions options_;
  size_t floor_bytes_ = 0;       // resident-free bytes right after the last trim
  bool over_last_time_ = false;  // the previous look was over the threshold
  std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace inferd
