// ByteBufferPool (issue 17): a buffer grows through capacity classes with spares from their
// lists, each move giving one back, so a second holder of the same shape allocates nothing; a
// holder's first bytes get a buffer of just their size; a large buffer left its context moves
// to a small one; an idle side holds no buffer and the next side with bytes takes it.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "common/ByteBufferPool.hpp"
#include "common/PoolTable.hpp"
#include "sensor/app/AckedBytes.hpp"

namespace gsoc {
namespace {

constexpr ByteBufferPool::Kept kKept{8, 8, 8, 8, 8};

FreeListCounters total(const ByteBufferPool& pool) {
  PoolTable table;
  pool.addPools(table, "windows");
  FreeListCounters sum;
  for (const auto& [name, c] : table.entries()) sum.merge(c);
  return sum;
}

std::span<const std::uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

// One stream window: its first 100 bytes, then growth to 70 KiB (a bulk response waiting for
// its ACK), a scan down to 513 bytes of context, then its flow's end.
void bulkWindow(ByteBufferPool& pool) {
  std::string window = pool.start();
  pool.append(window, std::string(100, 'a'));
  while (window.size() < 70 * 1024) {
    pool.append(window, std::string(1460, 'b'));
    EXPECT_EQ(window.front(), 'a');  // the bytes move with the buffer
  }
  window.erase(0, window.size() - 513);
  pool.shrink(window);
  EXPECT_EQ(window.capacity(), ByteBufferPool::kClassBytes[1]);
  EXPECT_EQ(window.size(), 513u);
  pool.give(std::move(window));
}

TEST(ByteBufferPool, AFirstBufferHoldsJustItsFirstBytes) {
  ByteBufferPool pool(kKept);
  std::string window = pool.start();
  pool.reserve(window, 100);
  EXPECT_GE(window.capacity(), 100u);
  EXPECT_LT(window.capacity(), 128u);  // not a class's 1 KiB: memory per quiet flow
}

TEST(ByteBufferPool, GrowthTakesTheSmallestClassThatHoldsIt) {
  ByteBufferPool pool(kKept);
  std::string window = pool.start();
  pool.reserve(window, 100);
  pool.reserve(window, 1500);
  EXPECT_EQ(window.capacity(), 4u * 1024);
  pool.reserve(window, 5000);  // past 4 KiB: straight to 64 KiB (one copy per burst)
  EXPECT_EQ(window.capacity(), 64u * 1024);
  pool.reserve(window, 70 * 1024);
  EXPECT_EQ(window.capacity(), 128u * 1024);
  pool.reserve(window, 300 * 1024);  // past the last class: what it needs
  EXPECT_GE(window.capacity(), 300u * 1024);
}

TEST(ByteBufferPool, ASecondHolderOfTheSameShapeAllocatesNothing) {
  ByteBufferPool pool(kKept);
  bulkWindow(pool);
  const std::uint64_t first = total(pool).created;
  EXPECT_GT(first, 0u);
  bulkWindow(pool);
  bulkWindow(pool);
  EXPECT_EQ(total(pool).created, first);
  EXPECT_EQ(total(pool).in_use, 0u);  // each window's buffers came back
}

TEST(ByteBufferPool, ABufferPastTheKeptSizeIsFreed) {
  ByteBufferPool pool(kKept);
  std::string window = pool.start();
  pool.reserve(window, ByteBufferPool::kMaxKeptBytes + 1);
  pool.give(std::move(window));
  EXPECT_EQ(pool.size(), 0u);
  PoolTable table;
  pool.addPools(table, "windows");
  EXPECT_EQ(table.entries().back().first, "windows_128k");
  EXPECT_EQ(table.entries().back().second.released, 1u);
}

TEST(ByteBufferPool, AnIdleSideHoldsNoBufferAndTheNextSideWithBytesTakesIt) {
  ByteBufferPool pool(kKept);
  sensor::AckedBytes side;
  side.append(bytes(std::string(100, 'a')), pool);
  side.release();
  EXPECT_EQ(side.ready().size(), 100u);
  side.consume(100, pool);
  EXPECT_TRUE(side.empty());
  EXPECT_EQ(pool.size(), 1u);  // its buffer went back
  sensor::AckedBytes other;
  other.append(bytes("a request that waits for its acknowledgement"), pool);
  EXPECT_EQ(pool.size(), 0u);  // lent to the side with bytes
  other.append(bytes(" and more"), pool);
  other.release(9);  // all but the last 9 bytes
  EXPECT_EQ(other.ready(), "a request that waits for its acknowledgement");
  // A bulk transfer's buffer grows through the classes and goes back whole once acknowledged.
  sensor::AckedBytes bulk;
  for (int i = 0; i < 40; ++i) bulk.append(bytes(std::string(1460, 'b')), pool);
  bulk.release();
  bulk.consume(40 * 1460, pool);
  EXPECT_TRUE(bulk.empty());
  PoolTable table;
  pool.addPools(table, "held");
  ASSERT_EQ(table.entries().size(), ByteBufferPool::kClasses);
  EXPECT_EQ(table.entries()[3].first, "held_64k");
  EXPECT_EQ(table.entries()[3].second.kept, 1u);  // 58,400 bytes: the 64 KiB class
}

}  // namespace
}  // namespace gsoc
