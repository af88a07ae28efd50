#include "backends/python/shared_arena.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace inferd::python {
namespace {

constexpr size_t kCapacity = 64 * 1024;

std::shared_ptr<SharedRegion> NewRegion(size_t capacity = kCapacity) {
  Result<std::shared_ptr<SharedRegion>> region = SharedRegion::Create("shared-arena-test", capacity);
  EXPECT_TRUE(region.ok()) << region.status().ToString();
  return std::move(region).value();
}

// What the reading process does when it is done with a block.
void Release(const SharedRegion& region, uint64_t block) {
  std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(region.base() + block))
      .store(kBlockReleased, std::memory_order_release);
}

uint32_t StateOf(const SharedRegion& region, uint64_t block) {
  return std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(region.base() + block)).load();
}

TEST(ArenaWriterTest, BlocksFollowOneAnotherAlignedAndInUse) {
  auto region = NewRegion();
  ArenaWriter writer(region);
  std::optional<uint64_t> first = writer.Allocate(100);
  std::optional<uint64_t> second = writer.Allocate(1);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(*first, 0u);
  EXPECT_EQ(*second, 192u);  // 64 header + 100 bytes, rounded up to 64
  EXPECT_EQ(StateOf(*region, *first), kBlockInUse);
  EXPECT_EQ(writer.PayloadOf(*first), region->base() + kBlockHeaderSize);
}

TEST(ArenaWriterTest, AFullRegionRefusesUntilTheOldestBlockIsReleased) {
  auto region = NewRegion();
  ArenaWriter writer(region);
  const size_t quarter = kCapacity / 4 - kBlockHeaderSize;
  std::vector<uint64_t> blocks;
  for (int i = 0; i < 4; ++i) {
    std::optional<uint64_t> block = writer.Allocate(quarter);
    ASSERT_TRUE(block);
    blocks.push_back(*block);
  }
  EXPECT_FALSE(writer.Allocate(1));
  // Released out of order: the newer block waits for the oldest.
  Release(*region, blocks[1]);
  EXPECT_FALSE(writer.Allocate(1));
  Release(*region, blocks[0]);
  std::optional<uint64_t> reused = writer.Allocate(2 * quarter);
  ASSERT_TRUE(reused);
  EXPECT_EQ(*reused, 0u);
}

TEST(ArenaWriterTest, ABlockThatDoesNotFitAtTheEndWrapsToTheFront) {
  auto region = NewRegion();
  ArenaWriter writer(region);
  std::optional<uint64_t> a = writer.Allocate(kCapacity / 2 - kBlockHeaderSize);
  std::optional<uint64_t> b = writer.Allocate(kCapacity / 4 - kBlockHeaderSize);
  ASSERT_TRUE(a && b);
  Release(*region, *a);
  // A quarter is left at the end; half a region goes to the front instead.
  std::optional<uint64_t> c = writer.Allocate(kCapacity / 2 - kBlockHeaderSize);
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, 0u);
  // Only the filler's released space is free now, and it is behind b.
  EXPECT_FALSE(writer.Allocate(1));
  Release(*region, *b);
  Release(*region, *c);
  std::optional<uint64_t> whole = writer.Allocate(kCapacity - kBlockHeaderSize);
  ASSERT_TRUE(whole);
  EXPECT_EQ(*whole, 0u);
}

TEST(ArenaWriterTest, AnEmptyRingStartsAgainFromTheFront) {
  auto region = NewRegion();
  ArenaWriter writer(region);
  for (int i = 0; i < 100; ++i) {
    std::optional<uint64_t> block = writer.Allocate(1000);
    ASSERT_TRUE(block);
    EXPECT_EQ(*block, 0u);  // the same pages every time
    Release(*region, *block);
  }
}

TEST(ArenaWriterTest, TooLargeForTheRegionIsRefused) {
  auto region = NewRegion();
  ArenaWriter writer(region);
  EXPECT_FALSE(writer.Allocate(kCapacity));
  EXPECT_TRUE(writer.Allocate(kCapacity - kBlockHeaderSize));
}

TEST(ArenaWriterTest, SizesWrittenIntoTheRegionByTheOtherSideAreNotTrusted) {
  auto region = NewRegion();
  ArenaWriter writer(region);
  std::optional<uint64_t> block = writer.Allocate(100);
  ASSERT_TRUE(block);
  const uint64_t bogus = 0;
  std::memcpy(region->base() + *block + 8, &bogus, sizeof bogus);
  Release(*region, *block);
  std::optional<uint64_t> next = writer.Allocate(100);
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, 0u);
}

TEST(LeaseBlockTest, TheLastOwnerReleasesTheBlock) {
  auto region = NewRegion();
  ArenaWriter writer(region);  // stands in for the other process's writer
  std::optional<uint64_t> block = writer.Allocate(256);
  ASSERT_TRUE(block);
  std::memcpy(writer.PayloadOf(*block), "tensor", 6);
  std::shared_ptr<const void> second_owner;
  {
    Result<Payload> leased = LeaseBlock(region, *block, 256);
    ASSERT_TRUE(leased.ok()) << leased.status().ToString();
    EXPECT_EQ(leased->bytes.substr(0, 6), "tensor");
    second_owner = leased->owner;
  }
  EXPECT_EQ(StateOf(*region, *block), kBlockInUse);
  second_owner.reset();
  EXPECT_EQ(StateOf(*region, *block), kBlockReleased);
}

TEST(ArenaWriterTest, AWriterAndAReaderOnTwoThreadsNeverShareABlock) {
  // One thread writes numbered blocks; the other (the other process, in
  // life) checks each one's bytes and releases it. A block reused while
  // still leased would show the next number.
  auto region = NewRegion();
  ArenaWriter writer(region);
  constexpr int kBlocks = 2000;
  std::vector<std::atomic<int64_t>> sent(kBlocks);
  for (auto& offset : sent) offset.store(-1);
  std::atomic<int> mismatches{0};
  std::thread reader([&] {
    for (int i = 0; i < kBlocks; ++i) {
      int64_t offset = -1;
      while ((offset = sent[i].load(std::memory_order_acquire)) < 0) std::this_thread::yield();
      Result<Payload> leased = LeaseBlock(region, static_cast<uint64_t>(offset), 4096);
      ASSERT_TRUE(leased.ok());
      for (size_t j = 0; j < 4096; j += 512) {
        if (static_cast<unsigned char>(leased->bytes[j]) != static_cast<unsigned char>(i)) ++mismatches;
      }
    }
  });
  for (int i = 0; i < kBlocks; ++i) {
    std::optional<uint64_t> block;
    while (!(block = writer.Allocate(4096))) std::this_thread::yield();
    std::memset(writer.PayloadOf(*block), static_cast<unsigned char>(i), 4096);
    sent[i].store(static_cast<int64_t>(*block), std::memory_order_release);
  }
  reader.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(LeaseBlockTest, ABlockOutsideTheRegionOrNotInUseIsRefused) {
  auto region = NewRegion();
  EXPECT_FALSE(LeaseBlock(region, kCapacity, 0).ok());
  EXPECT_FALSE(LeaseBlock(region, 0, kCapacity).ok());
  EXPECT_FALSE(LeaseBlock(region, 64, ~uint64_t{0}).ok());
  EXPECT_FALSE(LeaseBlock(region, 3, 1).ok());  // unaligned
  EXPECT_FALSE(LeaseBlock(region, 0, 1).ok());  // never allocated
}

TEST(SharedRegionTest, ARegionIsWholePages) {
  auto region = NewRegion(100000);
  EXPECT_EQ(region->capacity(), 102400u);
  EXPECT_EQ(NewRegion(1)->capacity(), 4096u);
}

TEST(SharedRegionTest, TheOtherProcessCannotResizeTheRegion) {
  auto region = NewRegion();
  // A shrunk memfd would fault the server's next access (SIGBUS).
  EXPECT_NE(ftruncate(region->fd(), 0), 0);
  EXPECT_NE(ftruncate(region->fd(), 2 * kCapacity), 0);
  EXPECT_NE(fcntl(region->fd(), F_ADD_SEALS, F_SEAL_WRITE), 0);  // nor take the seals off or add its own
  EXPECT_EQ(region->capacity(), kCapacity);
}

TEST(SharedRegionTest, BothMappingsOfTheMemfdSeeTheSameBytes) {
  auto region = NewRegion();
  void* other = mmap(nullptr, kCapacity, PROT_READ | PROT_WRITE, MAP_SHARED, region->fd(), 0);
  ASSERT_NE(other, MAP_FAILED);
  std::memcpy(region->base() + 1000, "seen", 4);
  EXPECT_EQ(std::memcmp(static_cast<char*>(other) + 1000, "seen", 4), 0);
  munmap(other, kCapacity);
}

}  // namespace
}  // namespace inferd::python
