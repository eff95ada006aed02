#include <gtest/gtest.h>

#include <array>
#include <list>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

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
  EXPECT_EQ(s.counters().end_gaps, 1u);  // skipped as the connection ended
  // Over the cap the oldest hole is skipped at once.
  EXPECT_EQ(collect(s, 20, "0123456789"), "0123456789");
  EXPECT_EQ(s.counters().gaps, 2u);
  EXPECT_EQ(s.counters().end_gaps, 1u);
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

TEST(FlowTable, ASynAfterAResetStartsANewFlow) {
  std::vector<std::pair<std::uint64_t, FlowEndReason>> ended;
  FlowTable table({}, [&](Flow& f, FlowEndReason r) { ended.emplace_back(f.id, r); });
  PacketSpec syn;
  syn.flags = 0x02;
  PacketSpec rst = syn;
  rst.flags = 0x04;
  bool created = false;
  constexpr std::int64_t s = 1'000'000'000;
  Flow& first = table.lookup(decoded(syn, 1 * s), created);
  first.account(decoded(syn, 1 * s), FlowDirection::ToServer);
  const std::uint64_t first_id = first.id;
  Flow& same = table.lookup(decoded(rst, 2 * s), created);
  EXPECT_FALSE(created);
  same.account(decoded(rst, 2 * s), FlowDirection::ToServer);
  ASSERT_EQ(same.tcp_state, TcpState::Closed);
  // The client opens the same addresses and ports again: a new connection, a new flow.
  Flow& second = table.lookup(decoded(syn, 3 * s), created);
  EXPECT_TRUE(created);
  EXPECT_NE(second.id, first_id);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].first, first_id);
  EXPECT_EQ(ended[0].second, FlowEndReason::Closed);
  second.account(decoded(syn, 3 * s), FlowDirection::ToServer);
  // A retransmitted SYN of a connection still opening is the same flow.
  table.lookup(decoded(syn, 4 * s), created);
  EXPECT_FALSE(created);
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

// Packets of the tests below: a flow per `n` (its client address and port), at `ts`.
DecodedPacket flowPacket(std::uint8_t proto, int n, std::int64_t ts, std::uint8_t flags = 0x18, bool reply = false) {
  PacketSpec p;
  p.proto = proto;
  p.src = "10.1." + std::to_string(n / 250) + "." + std::to_string(n % 250 + 1);
  p.sport = proto == 1 ? 8 : static_cast<std::uint16_t>(20000 + n);
  p.dport = proto == 17 ? 53 : proto == 1 ? 0 : 443;
  p.flags = flags;
  return decoded(reply ? reverse(p) : p, ts);
}

constexpr std::int64_t kSecond = 1'000'000'000;

void feed(FlowTable& table, const DecodedPacket& p) {
  bool created = false;
  Flow& f = table.lookup(p, created);
  f.account(p, f.directionOf(p));
}

using Ended = std::vector<std::pair<std::uint64_t, FlowEndReason>>;

TEST(FlowTable, MixedTimeoutsEndLeastRecentlySeenFirstWithTheirReasons) {
  Ended ended;
  FlowTable table({}, [&](Flow& f, FlowEndReason r) { ended.emplace_back(f.id, r); });
  feed(table, flowPacket(6, 1, 0 * kSecond, 0x02));   // id 1: TCP SYN, 30 s
  feed(table, flowPacket(17, 2, 1 * kSecond));        // id 2: UDP, 120 s
  feed(table, flowPacket(6, 3, 2 * kSecond, 0x02));   // id 3: TCP, established below: 600 s
  feed(table, flowPacket(6, 3, 2 * kSecond, 0x12, true));
  feed(table, flowPacket(6, 3, 2 * kSecond, 0x10));
  feed(table, flowPacket(6, 4, 3 * kSecond, 0x02));   // id 4: TCP reset below: closed, 10 s
  feed(table, flowPacket(6, 4, 3 * kSecond, 0x04, true));
  feed(table, flowPacket(1, 5, 4 * kSecond));         // id 5: ICMP, 60 s
  feed(table, flowPacket(17, 6, 5 * kSecond));        // id 6: UDP, seen again last below
  feed(table, flowPacket(6, 1, 6 * kSecond, 0x02));   // id 1 again: now the 2nd most recent
  feed(table, flowPacket(17, 6, 7 * kSecond));
  EXPECT_EQ(table.size(), 6u);
  table.expire(20 * kSecond);  // only the reset flow is past its timeout
  EXPECT_EQ(ended, (Ended{{4, FlowEndReason::Closed}}));
  ended.clear();
  table.expire(200 * kSecond);  // all but the established one, least recently seen first
  EXPECT_EQ(ended, (Ended{{2, FlowEndReason::Timeout}, {5, FlowEndReason::Timeout},
                          {1, FlowEndReason::Timeout}, {6, FlowEndReason::Timeout}}));
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.counters().closed, 1u);
  EXPECT_EQ(table.counters().timed_out, 4u);
  ended.clear();
  table.flushAll();
  EXPECT_EQ(ended, (Ended{{3, FlowEndReason::Shutdown}}));
}

TEST(FlowTable, AStateChangeMovesAFlowToItsNewTimeout) {
  Ended ended;
  FlowTable table({}, [&](Flow& f, FlowEndReason r) { ended.emplace_back(f.id, r); });
  feed(table, flowPacket(17, 1, 0));                  // id 1: UDP, older than the TCP flow
  feed(table, flowPacket(6, 2, 1 * kSecond, 0x02));   // id 2: SYN (30 s) ...
  feed(table, flowPacket(6, 2, 1 * kSecond, 0x12, true));
  feed(table, flowPacket(6, 2, 1 * kSecond, 0x10));   // ... established (600 s)
  table.expire(100 * kSecond);
  EXPECT_TRUE(ended.empty());
  feed(table, flowPacket(6, 2, 101 * kSecond, 0x14)); // RST/ACK: closed, 10 s
  table.expire(112 * kSecond);  // the reset flow ends although a UDP flow is idle longer
  EXPECT_EQ(ended, (Ended{{2, FlowEndReason::Closed}}));
  table.expire(121 * kSecond);
  EXPECT_EQ(ended, (Ended{{2, FlowEndReason::Closed}, {1, FlowEndReason::Timeout}}));
}

TEST(FlowTable, ExpiryLooksOnlyAtListEndsAndExpiredFlows) {
  std::size_t ended = 0;
  FlowTable table({}, [&](Flow&, FlowEndReason) { ++ended; });
  // DNS-like traffic: many UDP flows idle past the TCP timeouts but within their own 120 s.
  constexpr int kUdp = 2000;
  for (int n = 0; n < kUdp; ++n) feed(table, flowPacket(17, n, n * 1'000'000));
  feed(table, flowPacket(6, 0, 2 * kSecond, 0x02));
  int calls = 0;
  for (std::int64_t t = 40; t <= 110; ++t, ++calls) table.expire(t * kSecond);
  EXPECT_EQ(ended, 1u);  // the SYN-only flow
  // A walk from the least recently seen end would look at every UDP flow on every call.
  EXPECT_LE(table.expiryChecks(), static_cast<std::uint64_t>(calls + 1) * 5);
  const std::uint64_t before = table.expiryChecks();
  table.expire(125 * kSecond);
  EXPECT_EQ(ended, 1u + kUdp);
  EXPECT_LE(table.expiryChecks() - before, static_cast<std::uint64_t>(kUdp) + 1);
  EXPECT_EQ(table.size(), 0u);
}

TEST(FlowTable, FullTableEvictsTheLeastRecentlySeenOfAllTimeoutClasses) {
  Ended ended;
  FlowTableConfig config;
  config.max_flows = 3;
  FlowTable table(config, [&](Flow& f, FlowEndReason r) { ended.emplace_back(f.id, r); });
  feed(table, flowPacket(17, 1, 1 * kSecond));       // id 1
  feed(table, flowPacket(6, 2, 2 * kSecond, 0x02));  // id 2: the least recently seen after id 1 is seen again
  feed(table, flowPacket(17, 3, 3 * kSecond));       // id 3: the oldest of the UDP list then
  feed(table, flowPacket(17, 1, 4 * kSecond));
  feed(table, flowPacket(1, 4, 5 * kSecond));        // id 4: table full
  EXPECT_EQ(ended, (Ended{{2, FlowEndReason::Evicted}}));
  feed(table, flowPacket(1, 5, 6 * kSecond));        // id 5
  EXPECT_EQ(ended, (Ended{{2, FlowEndReason::Evicted}, {3, FlowEndReason::Evicted}}));
  EXPECT_EQ(table.counters().evicted, 2u);
  EXPECT_EQ(table.size(), 3u);
}

// The table as it was before one list per timeout class: one list in least-recently-seen
// order, walked whole on expiry. With timestamps that never go backwards, the table must end
// the same flows, for the same reasons, in the same order.
class LruReference {
 public:
  explicit LruReference(const FlowTableConfig& config) : config_(config), next_id_(config.first_id) {}

  Flow& lookup(const DecodedPacket& p) {
    const FlowKey key = FlowKey::of(p);
    if (const auto it = index_.find(key); it != index_.end()) {
      // A SYN on a connection that is over starts a new one (port reuse).
      const bool reuse = p.ip_proto == 6 && (p.tcp_flags & 0x12) == 0x02 && it->second->tcp_state == TcpState::Closed;
      if (!reuse) {
        lru_.splice(lru_.begin(), lru_, it->second);
        return *it->second;
      }
      ++counters.closed;
      end(it->second, FlowEndReason::Closed);
    }
    if (index_.size() >= config_.max_flows && !lru_.empty()) {
      ++counters.evicted;
      end(std::prev(lru_.end()), FlowEndReason::Evicted);
    }
    lru_.emplace_front(next_id_, key, p, config_.stream_held_cap);
    next_id_ += config_.id_step;
    index_.emplace(key, lru_.begin());
    ++counters.created;
    return lru_.front();
  }
  void expire(std::int64_t now) {
    for (auto it = lru_.end(); it != lru_.begin();) {
      const auto current = std::prev(it);
      if (now - current->last_ns > timeout(*current)) {
        const bool closed = current->tcp_state == TcpState::Closed;
        ++(closed ? counters.closed : counters.timed_out);
        end(current, closed ? FlowEndReason::Closed : FlowEndReason::Timeout);
      } else {
        it = current;
      }
    }
  }
  void flushAll() {
    while (!lru_.empty()) end(std::prev(lru_.end()), FlowEndReason::Shutdown);
  }
  [[nodiscard]] std::size_t size() const { return index_.size(); }

  Ended ended;
  FlowTableCounters counters;

 private:
  [[nodiscard]] std::int64_t timeout(const Flow& f) const {
    if (f.ip_proto == 17) return config_.udp_timeout_ns;
    if (f.ip_proto != 6) return config_.other_timeout_ns;
    if (f.tcp_state == TcpState::Established || f.tcp_state == TcpState::Closing) return config_.tcp_established_timeout_ns;
    return f.tcp_state == TcpState::Closed ? config_.tcp_closed_timeout_ns : config_.tcp_new_timeout_ns;
  }
  void end(std::list<Flow>::iterator it, FlowEndReason reason) {
    ended.emplace_back(it->id, reason);
    index_.erase(it->key);
    lru_.erase(it);
  }

  FlowTableConfig config_;
  std::list<Flow> lru_;
  std::unordered_map<FlowKey, std::list<Flow>::iterator, FlowKeyHash> index_;
  std::uint64_t next_id_;
};

TEST(FlowTable, EndsTheSameFlowsInTheSameOrderAsOneLeastRecentlySeenList) {
  for (const std::uint32_t seed : {1u, 2u, 3u, 4u}) {
    FlowTableConfig config;
    config.max_flows = 96;  // below the 160 flows in play: eviction too
    config.first_id = seed;
    config.id_step = 4;
    Ended ended;
    FlowTable table(config, [&](Flow& f, FlowEndReason r) { ended.emplace_back(f.id, r); });
    LruReference reference(config);
    std::mt19937 rng(seed);
    std::int64_t now = 0;
    constexpr std::array<std::uint8_t, 7> kFlags = {0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14};
    for (int step = 0; step < 6000; ++step) {
      // Mostly packets close together (the table fills and evicts), now and then a long
      // silence that outlasts some timeouts.
      now += rng() % 200 == 0 ? static_cast<std::int64_t>(rng() % 700) * kSecond : static_cast<std::int64_t>(rng() % 200) * 1'000'000;
      if (rng() % 4 == 0) {
        table.expire(now);
        reference.expire(now);
      }
      const int n = static_cast<int>(rng() % 160);
      const std::uint8_t proto = n % 3 == 0 ? 6 : n % 3 == 1 ? 17 : 1;
      const DecodedPacket p = flowPacket(proto, n, now, kFlags[rng() % kFlags.size()], rng() % 2 == 0);
      bool created = false;
      Flow& f = table.lookup(p, created);
      f.account(p, f.directionOf(p));
      Flow& g = reference.lookup(p);
      g.account(p, g.directionOf(p));
      ASSERT_EQ(f.id, g.id) << "seed " << seed << " step " << step;
      ASSERT_EQ(ended, reference.ended) << "seed " << seed << " step " << step;
      ASSERT_EQ(table.size(), reference.size());
    }
    table.flushAll();
    reference.flushAll();
    EXPECT_EQ(ended, reference.ended) << "seed " << seed;
    EXPECT_EQ(table.counters().created, reference.counters.created);
    EXPECT_EQ(table.counters().timed_out, reference.counters.timed_out);
    EXPECT_EQ(table.counters().closed, reference.counters.closed);
    EXPECT_EQ(table.counters().evicted, reference.counters.evicted);
    EXPECT_GT(reference.counters.evicted, 0u);
    EXPECT_GT(reference.counters.closed, 0u);
    EXPECT_GT(reference.counters.timed_out, 0u);
  }
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
