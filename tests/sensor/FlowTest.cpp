#include <gtest/gtest.h>

#include "bench/traffic/FrameBuilder.hpp"
#include "sensor/decode/PacketDecoder.hpp"
#include "sensor/export/CommunityId.hpp"
#include "sensor/flow/FlowTable.hpp"

namespace gsoc::sensor {
namespace {

using namespace traffic;
using signatures::FlowDirection;

std::string collect(TcpStream& stream, std::uint32_t seq, std::string_view data, bool syn = false) {
  std::string out;
  stream.segment(seq, std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()), syn,
                 [&](std::span<const std::uint8_t> d) { out.append(d.begin(), d.end()); });
  return out;
}

TEST(TcpStream, InOrderAndSynData) {
  TcpStream s;
  EXPECT_EQ(collect(s, 100, "Hello!", true), "Hello!");  // TCP Fast Open: data after the SYN
  EXPECT_EQ(collect(s, 107, " more"), " more");
  EXPECT_EQ(s.deliveredBytes(), 11u);
}

TEST(TcpStream, OutOfOrderIsHeldUntilTheGapFills) {
  TcpStream s;
  EXPECT_EQ(collect(s, 1000, "", true), "");
  EXPECT_EQ(collect(s, 1006, "world"), "");
  EXPECT_EQ(s.heldBytes(), 5u);
  EXPECT_EQ(collect(s, 1001, "hello"), "helloworld");
  EXPECT_EQ(s.heldBytes(), 0u);
  EXPECT_EQ(s.counters().out_of_order, 1u);
}

TEST(TcpStream, RetransmissionsAndOverlapsKeepFirstBytes) {
  TcpStream s;
  EXPECT_EQ(collect(s, 0, "abcdef"), "abcdef");        // midstream pickup at seq 0
  EXPECT_EQ(collect(s, 3, "DEFghi"), "ghi");           // overlap: old bytes win
  EXPECT_EQ(collect(s, 12, "mno"), "");                // hole at 9..11
  EXPECT_EQ(collect(s, 11, "XMN"), "");                // overlaps the held piece
  EXPECT_EQ(collect(s, 9, "jk"), "jkXmno");            // hole filled; held "mno" kept over "MN"
  EXPECT_EQ(s.counters().retransmitted_bytes, 3u);
}

TEST(TcpStream, SequenceWrapAround) {
  TcpStream s;
  EXPECT_EQ(collect(s, 0xfffffffa, "123456"), "123456");
  EXPECT_EQ(collect(s, 4, "89"), "");
  EXPECT_EQ(collect(s, 0, "4567"), "456789");
}

TEST(TcpStream, FlushSkipsHolesAndCountsThem) {
  TcpStream s(8);
  EXPECT_EQ(collect(s, 0, "ab"), "ab");
  EXPECT_EQ(collect(s, 5, "fg"), "");
  std::string out;
  s.flush([&](std::span<const std::uint8_t> d) { out.append(d.begin(), d.end()); });
  EXPECT_EQ(out, "fg");
  EXPECT_EQ(s.counters().gaps, 1u);
  EXPECT_EQ(s.counters().gap_bytes, 3u);
  // Over the cap the oldest hole is skipped at once.
  EXPECT_EQ(collect(s, 20, "0123456789"), "0123456789");
  EXPECT_EQ(s.counters().gaps, 2u);
}

DecodedPacket decoded(const PacketSpec& spec, std::int64_t ts) {
  static Bytes frame;
  frame = ethernetFrame(spec);
  RawPacket r;
  r.data = frame;
  r.wire_length = static_cast<std::uint32_t>(frame.size());
  r.timestamp_ns = ts;
  PacketDecoder decoder;
  DecodedPacket p;
  EXPECT_TRUE(decoder.decode(r, p));
  return p;
}

PacketSpec reverse(PacketSpec s) {
  std::swap(s.src, s.dst);
  std::swap(s.sport, s.dport);
  return s;
}

TEST(FlowTable, BothDirectionsShareAFlowAndHandshakeEstablishes) {
  std::vector<std::pair<std::uint64_t, FlowEndReason>> ended;
  FlowTable table({}, [&](Flow& f, FlowEndReason r) { ended.emplace_back(f.id, r); });
  PacketSpec syn;
  syn.flags = 0x02;
  bool created = false;
  constexpr std::int64_t s = 1'000'000'000;
  Flow& f = table.lookup(decoded(syn, 1 * s), created);
  EXPECT_TRUE(created);
  f.account(decoded(syn, 1 * s), FlowDirection::ToServer);
  PacketSpec synack = reverse(syn);
  synack.flags = 0x12;
  const DecodedPacket sa = decoded(synack, 1 * s);
  Flow& g = table.lookup(sa, created);
  EXPECT_FALSE(created);
  EXPECT_EQ(&f, &g);
  EXPECT_EQ(g.directionOf(sa), FlowDirection::ToClient);
  g.account(sa, FlowDirection::ToClient);
  PacketSpec ack = syn;
  ack.flags = 0x10;
  g.account(decoded(ack, 1 * s), FlowDirection::ToServer);
  EXPECT_TRUE(g.established());
  EXPECT_EQ(g.counters[Flow::kToServer].packets, 2u);
  EXPECT_EQ(g.client.toString(), "192.0.2.10");
  // Established TCP lives 600 s; a UDP flow created later times out after 120 s of silence.
  PacketSpec udp;
  udp.proto = 17;
  udp.dport = 53;
  table.lookup(decoded(udp, 2 * s), created).account(decoded(udp, 2 * s), FlowDirection::ToServer);
  table.expire(200 * s);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].second, FlowEndReason::Timeout);
  EXPECT_EQ(table.size(), 1u);
  table.expire(700 * s);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.counters().timed_out, 2u);
}

TEST(FlowTable, SynAckFirstMakesTheReceiverTheClient) {
  FlowTable table({}, {});
  PacketSpec synack;
  synack.src = "198.51.100.20";
  synack.sport = 443;
  synack.dst = "192.0.2.10";
  synack.dport = 50000;
  synack.flags = 0x12;
  bool created = false;
  Flow& f = table.lookup(decoded(synack, 0), created);
  EXPECT_EQ(f.client.toString(), "192.0.2.10");
  EXPECT_EQ(f.server_port, 443);
}

TEST(FlowTable, FullTableEvictsTheLeastRecentlySeen) {
  std::vector<std::uint16_t> evicted_ports;
  FlowTableConfig config;
  config.max_flows = 2;
  FlowTable table(config, [&](Flow& f, FlowEndReason r) {
    if (r == FlowEndReason::Evicted) evicted_ports.push_back(f.client_port);
  });
  bool created = false;
  for (std::uint16_t port : {1001, 1002, 1001, 1003}) {
    PacketSpec p;
    p.sport = port;
    table.lookup(decoded(p, port), created);
  }
  EXPECT_EQ(evicted_ports, (std::vector<std::uint16_t>{1002}));
  EXPECT_EQ(table.counters().evicted, 1u);
  table.flushAll();
  EXPECT_EQ(table.size(), 0u);
}

TEST(FlowKey, HashIsSymmetric) {
  PacketSpec a;
  const FlowKey k1 = FlowKey::of(decoded(a, 0));
  const FlowKey k2 = FlowKey::of(decoded(reverse(a), 0));
  EXPECT_EQ(k1, k2);
  EXPECT_EQ(k1.hash(), k2.hash());
}

TEST(CommunityId, MatchesTheSpecificationVectors) {
  using signatures::IpAddress;
  // From the Community ID specification's baseline data.
  EXPECT_EQ(communityId(*IpAddress::parse("128.232.110.120"), *IpAddress::parse("66.35.250.204"), 6, 34855, 80),
            "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
  EXPECT_EQ(communityId(*IpAddress::parse("66.35.250.204"), *IpAddress::parse("128.232.110.120"), 6, 80, 34855),
            "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
  // The seed separates deployments that must not correlate.
  EXPECT_NE(communityId(*IpAddress::parse("128.232.110.120"), *IpAddress::parse("66.35.250.204"), 6, 34855, 80, 1),
            "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
}

}  // namespace
}  // namespace gsoc::sensor
