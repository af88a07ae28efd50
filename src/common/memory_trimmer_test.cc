#include "common/memory_trimmer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

namespace inferd {
namespace {

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)

// Frees 256 MiB of 64 KiB blocks (below malloc's mmap threshold, so they
// stay in the arena), resident because they were written. Returns a small
// block allocated after them: it holds the arena's top, so that free() does
// not trim the blocks on its own.
std::unique_ptr<char[]> AllocateTouchAndFree() {
  constexpr size_t kBlock = 64 << 10;
  std::vector<std::unique_ptr<char[]>> blocks;
  for (int i = 0; i < 4096; ++i) {
    blocks.emplace_back(new char[kBlock]);
    std::memset(blocks.back().get(), 1, kBlock);
  }
  // As large as a block, so that no hole below the blocks can hold it.
  auto pin = std::make_unique<char[]>(kBlock);
  std::memset(pin.get(), 0, kBlock);
  blocks.clear();
  return pin;
}

TEST(MemoryTrimmerTest, TrimsAfterASecondLookOverTheThreshold) {
  MemoryTrimmerOptions options;
  options.period = std::chrono::hours(1);  // only CheckOnce runs
  MemoryTrimmer trimmer(options);
  std::unique_ptr<char[]> pin = AllocateTouchAndFree();
  const size_t before = MemoryTrimmer::ResidentFreeBytes();
  ASSERT_GT(before, size_t{128} << 20) << "the freed blocks should still be resident";
  EXPECT_FALSE(trimmer.CheckOnce()) << "the first look over the threshold only notes it";
  EXPECT_TRUE(trimmer.CheckOnce());
  EXPECT_LT(MemoryTrimmer::ResidentFreeBytes(), before - (size_t{128} << 20));
  EXPECT_FALSE(trimmer.CheckOnce()) << "nothing new to trim";
}

TEST(MemoryTrimmerTest, LeavesSmallAmountsAlone) {
  MemoryTrimmerOptions options;
  options.period = std::chrono::hours(1);
  options.threshold_bytes = size_t{1} << 40;
  MemoryTrimmer trimmer(options);
  std::unique_ptr<char[]> pin = AllocateTouchAndFree();
  EXPECT_FALSE(trimmer.CheckOnce());
  EXPECT_FALSE(trimmer.CheckOnce());
}

#endif

TEST(MemoryTrimmerTest, StopsPromptly) {
  MemoryTrimmerOptions options;
  options.period = std::chrono::hours(1);
  const auto start = std::chrono::steady_clock::now();
  { MemoryTrimmer trimmer(options); }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace inferd
