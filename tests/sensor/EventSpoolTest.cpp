// EventSpool: ordering, acknowledgement, recovery after a restart or a torn write, and both
// full-spool policies, on real files in a temporary directory.
#include "sensor/transport/EventSpool.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

using namespace gsoc::sensor;

namespace {

class EventSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("gsoc-spool-test-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  SpoolOptions options() const {
    SpoolOptions o;
    o.dir = dir_;
    return o;
  }
  static std::vector<SpoolRecord> readAll(EventSpool& spool, std::uint64_t from) {
    std::vector<SpoolRecord> out;
    spool.read(from, 1000000, 1U << 30, out, std::chrono::milliseconds(0));
    return out;
  }
  std::filesystem::path dir_;
};

std::string payload(std::uint64_t i) { return "event-" + std::to_string(i) + std::string(i % 50, 'x'); }

}  // namespace

TEST_F(EventSpoolTest, AppendsReadsInOrderAndAcks) {
  EventSpool spool(options());
  for (std::uint64_t i = 1; i <= 100; ++i) EXPECT_EQ(spool.append(payload(i)), i);
  auto records = readAll(spool, 1);
  ASSERT_EQ(records.size(), 100U);
  for (std::uint64_t i = 1; i <= 100; ++i) {
    EXPECT_EQ(records[i - 1].sequence, i);
    EXPECT_EQ(records[i - 1].payload, payload(i));
  }
  std::vector<SpoolRecord> part;
  spool.read(41, 10, 1U << 20, part, std::chrono::milliseconds(0));
  ASSERT_EQ(part.size(), 10U);
  EXPECT_EQ(part.front().sequence, 41U);
  spool.read(51, 10, 1U << 20, part, std::chrono::milliseconds(0));  // sequential read from the cursor
  EXPECT_EQ(part.front().sequence, 51U);
  spool.ack(60);
  EXPECT_EQ(spool.ackedThrough(), 60U);
  EXPECT_EQ(spool.depth(), 40U);
  EXPECT_EQ(spool.counters().acked, 60U);
}

TEST_F(EventSpoolTest, ReopenReplaysUnackedAndContinuesSequence) {
  std::uint64_t epoch = 0;
  {
    SpoolOptions o = options();
    o.segment_bytes = 4096;  // several segments
    EventSpool spool(o);
    epoch = spool.epoch();
    for (std::uint64_t i = 1; i <= 500; ++i) spool.append(payload(i));
    spool.ack(300);
  }
  EventSpool spool(options());
  EXPECT_EQ(spool.epoch(), epoch);
  EXPECT_EQ(spool.ackedThrough(), 300U);
  EXPECT_EQ(spool.counters().recovered, 200U);
  EXPECT_EQ(spool.nextSequence(), 501U);
  auto records = readAll(spool, 301);
  ASSERT_EQ(records.size(), 200U);
  EXPECT_EQ(records.front().sequence, 301U);
  EXPECT_EQ(records.back().payload, payload(500));
  EXPECT_EQ(spool.append("next"), 501U);
}

TEST_F(EventSpoolTest, TornTailIsCutAndCounted) {
  {
    EventSpool spool(options());
    for (std::uint64_t i = 1; i <= 10; ++i) spool.append(payload(i));
  }
  // Simulate power loss mid-write: the last record loses its final bytes.
  std::filesystem::path segment;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    if (e.path().filename().string().starts_with("seg-") && std::filesystem::file_size(e.path()) > 0) segment = e.path();
  }
  ASSERT_FALSE(segment.empty());
  std::filesystem::resize_file(segment, std::filesystem::file_size(segment) - 3);
  EventSpool spool(options());
  EXPECT_EQ(spool.counters().corrupt_records, 1U);
  EXPECT_GT(spool.counters().truncated_bytes, 0U);
  auto records = readAll(spool, 1);
  ASSERT_EQ(records.size(), 9U);
  EXPECT_EQ(spool.append("after"), 10U);  // the torn sequence is reused: it was never shipped
}

TEST_F(EventSpoolTest, FlippedByteFailsTheChecksum) {
  {
    EventSpool spool(options());
    for (std::uint64_t i = 1; i <= 10; ++i) spool.append(payload(i));
  }
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    if (!e.path().filename().string().starts_with("seg-") || std::filesystem::file_size(e.path()) == 0) continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(e.path()) / 2));
    f.put('\x7f');
  }
  EventSpool spool(options());
  EXPECT_EQ(spool.counters().corrupt_records, 1U);
  EXPECT_LT(readAll(spool, 1).size(), 10U);
}

TEST_F(EventSpoolTest, DropOldestCountsEveryDroppedEvent) {
  SpoolOptions o = options();
  o.max_bytes = 64 << 10;
  EventSpool spool(o);
  const std::string big(1000, 'e');
  for (int i = 0; i < 500; ++i) spool.append(big);
  const SpoolCounters c = spool.counters();
  EXPECT_GT(c.dropped_full, 0U);
  EXPECT_LE(spool.bytes(), o.max_bytes);
  auto records = readAll(spool, 1);
  ASSERT_FALSE(records.empty());
  // Everything not dropped is still there, contiguous up to the last append.
  EXPECT_EQ(records.front().sequence, c.dropped_full + 1);
  EXPECT_EQ(records.back().sequence, 500U);
  EXPECT_EQ(records.size() + c.dropped_full, 500U);
}

TEST_F(EventSpoolTest, BlockWaitsForAcksAndCloseReleases) {
  SpoolOptions o = options();
  o.max_bytes = 64 << 10;
  o.full_policy = SpoolFullPolicy::Block;
  EventSpool spool(o);
  const std::string big(1000, 'e');
  std::uint64_t last = 0;
  while (spool.bytes() + 1100 < o.max_bytes) last = spool.append(big);
  std::thread acker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    spool.ack(last);
  });
  EXPECT_EQ(spool.append(big), last + 1);  // waits for the ack, then fits
  acker.join();
  EXPECT_EQ(spool.counters().blocked_appends, 1U);
  EXPECT_EQ(spool.counters().dropped_full, 0U);
  while (spool.bytes() + 1100 < o.max_bytes) spool.append(big);
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    spool.close();
  });
  EXPECT_EQ(spool.append(big), 0U);  // refused at shutdown, and counted
  closer.join();
  EXPECT_EQ(spool.counters().dropped_shutdown, 1U);
}

TEST_F(EventSpoolTest, BadPolicyNamesAreRefused) {
  EXPECT_THROW(parseSpoolFullPolicy("drop_newest"), std::invalid_argument);
  EXPECT_THROW(parseSpoolFsync("sometimes"), std::invalid_argument);
  EXPECT_EQ(parseSpoolFsync(""), SpoolFsync::Interval);
}
