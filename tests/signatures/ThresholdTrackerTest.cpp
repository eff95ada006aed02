// ThresholdTracker: the threshold kinds' counting, and the table that holds their states (states
// over their window make room before the table grows; live ones past the bound are forgotten
// and counted; backoff states are never over).
#include "gsoc/signatures/ThresholdTracker.hpp"

#include <gtest/gtest.h>

namespace gsoc::signatures {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

PacketMeta hitFrom(std::uint32_t src, std::int64_t ts_ns) {
  PacketMeta m;
  m.src = IpAddress::fromV4(src);
  m.dst = IpAddress::fromV4(0x0a000001);
  m.src_port = 40000;
  m.dst_port = 80;
  m.ip_proto = 6;
  m.timestamp_ns = ts_ns;
  return m;
}

Threshold limit(std::uint32_t count, std::uint32_t seconds) {
  Threshold t;
  t.type = Threshold::Type::Limit;
  t.track = Threshold::Track::BySrc;
  t.count = count;
  t.seconds = seconds;
  return t;
}

TEST(ThresholdTrackerTest, ALimitReportsCountHitsPerWindowPerSource) {
  ThresholdTracker tracker;
  const Threshold t = limit(2, 60);
  EXPECT_TRUE(tracker.allow(7, t, hitFrom(1, 0)));
  EXPECT_TRUE(tracker.allow(7, t, hitFrom(1, 1 * kSecond)));
  EXPECT_FALSE(tracker.allow(7, t, hitFrom(1, 2 * kSecond)));
  EXPECT_TRUE(tracker.allow(7, t, hitFrom(2, 2 * kSecond)));  // another source
  EXPECT_TRUE(tracker.allow(8, t, hitFrom(1, 2 * kSecond)));  // another rule
  EXPECT_TRUE(tracker.allow(7, t, hitFrom(1, 60 * kSecond)));  // the next window
}

TEST(ThresholdTrackerTest, ThresholdAndBothCountToTheirMark) {
  ThresholdTracker tracker;
  Threshold every3 = limit(3, 60);
  every3.type = Threshold::Type::Threshold;
  Threshold once3 = every3;
  once3.type = Threshold::Type::Both;
  std::string seen;
  for (int i = 0; i < 7; ++i) {
    seen += tracker.allow(1, every3, hitFrom(1, i * kSecond)) ? 'T' : '.';
    seen += tracker.allow(2, once3, hitFrom(1, i * kSecond)) ? 'B' : '.';
  }
  EXPECT_EQ(seen, "....TB....T...");
}

TEST(ThresholdTrackerTest, StatesOverTheirWindowMakeRoomBeforeTheTableGrows) {
  ThresholdTracker tracker(1024);
  const Threshold t = limit(1, 1);
  for (std::uint32_t src = 0; src < 700; ++src) EXPECT_TRUE(tracker.allow(1, t, hitFrom(src, 0)));
  // A second later every one of those windows is over: the new sources take their room.
  for (std::uint32_t src = 1000; src < 1700; ++src) EXPECT_TRUE(tracker.allow(1, t, hitFrom(src, 2 * kSecond)));
  EXPECT_EQ(tracker.capacity(), 1024U);
  EXPECT_EQ(tracker.evictions(), 0U);
  // The live ones are still counted.
  EXPECT_FALSE(tracker.allow(1, t, hitFrom(1500, 2 * kSecond)));
  EXPECT_TRUE(tracker.allow(1, t, hitFrom(5, 2 * kSecond)));  // its window was over
}

TEST(ThresholdTrackerTest, TheTableGrowsAndKeepsItsStates) {
  ThresholdTracker tracker(1 << 16);
  const Threshold t = limit(1, 60);
  for (std::uint32_t src = 0; src < 20000; ++src) EXPECT_TRUE(tracker.allow(1, t, hitFrom(src, 0)));
  EXPECT_GE(tracker.capacity(), 32768U);
  EXPECT_EQ(tracker.size(), 20000U);
  for (std::uint32_t src = 0; src < 20000; ++src) ASSERT_FALSE(tracker.allow(1, t, hitFrom(src, kSecond))) << src;
  EXPECT_EQ(tracker.evictions(), 0U);
}

TEST(ThresholdTrackerTest, LiveStatesPastTheBoundAreForgottenAndCounted) {
  ThresholdTracker tracker(1024);
  const Threshold t = limit(1, 60);
  for (std::uint32_t src = 0; src < 2000; ++src) EXPECT_TRUE(tracker.allow(1, t, hitFrom(src, 0)));
  EXPECT_EQ(tracker.capacity(), 1024U);
  EXPECT_GT(tracker.evictions(), 0U);
  EXPECT_LE(tracker.size(), 768U);
}

TEST(ThresholdTrackerTest, BackoffStatesAreNeverOver) {
  ThresholdTracker tracker(1024);
  Threshold backoff;
  backoff.type = Threshold::Type::Backoff;
  backoff.track = Threshold::Track::ByFlow;
  backoff.count = 2;
  backoff.multiplier = 2;
  std::string seen;
  for (int i = 0; i < 4; ++i) seen += tracker.allow(9, backoff, hitFrom(1, i * kSecond)) ? 'R' : '.';
  // Many short-lived limits later (sweeps that drop every state whose window is over)...
  const Threshold brief = limit(1, 1);
  for (std::uint32_t src = 100; src < 3000; ++src) tracker.allow(1, brief, hitFrom(src, (10 + src) * kSecond));
  // ...the flow's backoff count goes on: the 8th match reports.
  for (int i = 4; i < 8; ++i) seen += tracker.allow(9, backoff, hitFrom(1, 4000 * kSecond)) ? 'R' : '.';
  EXPECT_EQ(seen, ".R.R...R");
  EXPECT_EQ(tracker.evictions(), 0U);
}

}  // namespace
}  // namespace gsoc::signatures
