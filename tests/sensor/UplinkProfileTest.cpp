// The realistic uplink profile of gsoc-trafficgen (issue 17): frames in timestamp order (flow
// expiry in the sensor depends on it) and the shares it promises, on a few seconds of it.
#include <gtest/gtest.h>

#include "bench/traffic/TrafficGenerator.hpp"
#include "sensor/decode/PacketDecoder.hpp"

using namespace gsoc;

TEST(UplinkProfile, TimeOrderedWithTheTargetShares) {
  traffic::UplinkOptions options;
  options.seconds = 4;
  std::int64_t last = 0;
  std::uint64_t backwards = 0;
  std::uint64_t undecoded = 0;
  sensor::PacketDecoder decoder;
  sensor::DecodedPacket p;
  const std::int64_t start = 1'700'000'000'000'000'000;
  std::int64_t first = 0;
  const traffic::UplinkCounters c = traffic::generateUplink(3, options, [&](std::int64_t ts, std::span<const std::uint8_t> f) {
    if (first == 0) first = ts;
    backwards += ts < last ? 1 : 0;
    last = ts;
    sensor::RawPacket raw;
    raw.data = f;
    raw.wire_length = static_cast<std::uint32_t>(f.size());
    raw.timestamp_ns = ts;
    undecoded += decoder.decode(raw, p) ? 0 : 1;
  }, start);
  SCOPED_TRACE(c.summary());
  EXPECT_EQ(backwards, 0u);
  EXPECT_EQ(c.out_of_order, 0u);
  EXPECT_EQ(undecoded, 0u);
  EXPECT_GE(first, start);
  EXPECT_LT(last, start + 4'000'000'000);
  // About 12k frames and 1.5k flows a second (issue 17's 60 s capture: 728,648 and 92,315).
  EXPECT_GT(c.frames, 4 * 7'000u);
  EXPECT_LT(c.frames, 4 * 20'000u);
  const auto share = [](std::uint64_t part, std::uint64_t whole) { return static_cast<double>(part) / static_cast<double>(whole); };
  EXPECT_NEAR(share(c.flows(), 4), 1'538.0, 120.0);
  EXPECT_NEAR(share(c.dns_flows, c.flows()), 0.926, 0.02);
  EXPECT_GT(c.http_flows, 0u);
  EXPECT_GT(c.tls_flows, 0u);
  EXPECT_GT(c.smtp_flows, 0u);
  EXPECT_GT(share(c.http_requests, c.http_flows), 2.0);  // keep-alive: several requests a connection
  // Frame mix: 23 % up to 64 bytes, 40 % full-size, 5 % IPv6 and 5 % VLAN in the target; bands
  // wide enough for four seconds of heavy-tailed sessions.
  EXPECT_NEAR(share(c.small_frames, c.frames), 0.23, 0.08);
  EXPECT_NEAR(share(c.full_frames, c.frames), 0.40, 0.12);
  EXPECT_NEAR(share(c.ipv6_frames, c.frames), 0.05, 0.04);
  EXPECT_NEAR(share(c.vlan_frames, c.frames), 0.05, 0.04);
  EXPECT_NEAR(share(c.bytes, c.frames), 671.0, 200.0);
}
