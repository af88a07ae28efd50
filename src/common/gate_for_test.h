// Gate: holds test threads (a fake backend's executions, say) until the test
// opens it, and tells how many are held, so tests order events without
// sleeping.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace inferd {

class Gate {
 public:
  void Close() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  void Open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }
  // Returns at once while open; else waits until the gate opens.
  void Pass() {
    std::unique_lock lock(mutex_);
    ++held_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
    --held_;
  }
  // Waits (in real time, at most `patience`) until `count` threads are held.
  bool AwaitHeld(int count, std::chrono::seconds patience = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, patience, [&] { return held_ >= count; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = true;
  int held_ = 0;
};

}  // namespace inferd
