#include <gtest/gtest.h>

#include <random>

#include "bench/traffic/FrameBuilder.hpp"
#include "sensor/decode/FragmentReassembler.hpp"
#include "sensor/decode/PacketDecoder.hpp"
#include "sensor/decode/ReassembledFrame.hpp"

namespace gsoc::sensor {
namespace {

using namespace traffic;

RawPacket raw(const Bytes& frame, LinkType link = LinkType::Ethernet) {
  RawPacket r;
  r.data = frame;
  r.wire_length = static_cast<std::uint32_t>(frame.size());
  r.link_type = link;
  r.timestamp_ns = 1'700'000'000'000'000'000;
  return r;
}

TEST(PacketDecoder, Ipv4TcpWithPayload) {
  PacketSpec s;
  s.payload = "GET / HTTP/1.1\r\n";
  s.seq = 0xfffffff0;
  const Bytes frame = ethernetFrame(s);
  PacketDecoder decoder;
  DecodedPacket p;
  ASSERT_TRUE(decoder.decode(raw(frame), p));
  EXPECT_EQ(p.ip_version, 4);
  EXPECT_EQ(p.src.toString(), "192.0.2.10");
  EXPECT_EQ(p.dst.toString(), "198.51.100.20");
  EXPECT_EQ(p.ip_proto, 6);
  EXPECT_EQ(p.src_port, 40000);
  EXPECT_EQ(p.dst_port, 80);
  EXPECT_EQ(p.tcp_seq, 0xfffffff0u);
  EXPECT_EQ(p.tcp_flags, 0x18);
  EXPECT_EQ(std::string(p.payload.begin(), p.payload.end()), s.payload);
  EXPECT_EQ(decoder.counters().tcp, 1u);
}

TEST(PacketDecoder, QinQIpv6Udp) {
  PacketSpec s;
  s.src = "2001:db8::1";
  s.dst = "2001:db8::53";
  s.proto = 17;
  s.dport = 53;
  s.payload = "dns";
  s.vlans = {100, 200};
  const Bytes frame = ethernetFrame(s);  // the decoded views point into it
  PacketDecoder decoder;
  DecodedPacket p;
  ASSERT_TRUE(decoder.decode(raw(frame), p));
  EXPECT_EQ(p.vlan_count, 2);
  EXPECT_EQ(p.vlan[0], 100);
  EXPECT_EQ(p.vlan[1], 200);
  EXPECT_EQ(p.ip_version, 6);
  EXPECT_EQ(p.dst.toString(), "2001:db8::53");
  EXPECT_EQ(p.dst_port, 53);
  EXPECT_EQ(std::string(p.payload.begin(), p.payload.end()), "dns");
}

TEST(PacketDecoder, Ipv6ExtensionHeadersAreWalked) {
  PacketSpec s;
  s.src = "2001:db8::1";
  s.dst = "2001:db8::2";
  s.proto = 0;  // hop-by-hop first
  PacketSpec inner;
  inner.proto = 6;
  inner.payload = "x";
  Bytes l4 = transport(inner);
  Bytes hop = {6, 0, 1, 4, 0, 0, 0, 0};  // next: TCP, length 8 bytes, PadN
  hop.insert(hop.end(), l4.begin(), l4.end());
  s.payload.assign(hop.begin(), hop.end());
  s.raw_ip_payload = true;
  const Bytes frame = ethernetFrame(s);
  PacketDecoder decoder;
  DecodedPacket p;
  ASSERT_TRUE(decoder.decode(raw(frame), p));
  EXPECT_EQ(p.ip_proto, 6);
  EXPECT_EQ(p.dst_port, 80);
  EXPECT_EQ(std::string(p.payload.begin(), p.payload.end()), "x");
}

// Tunnels: the inner packet is what is decoded (GRE with IP or Ethernet, ERSPAN I/II/III,
// PPTP's GRE with PPP, VXLAN, Geneve); nesting is bounded; unknown GRE payloads stay the outer packet.
TEST(PacketDecoder, TunnelsYieldTheInnerPacket) {
  PacketSpec inner;
  inner.src = "10.1.1.1";
  inner.dst = "10.2.2.2";
  inner.dport = 22;
  inner.payload = "SSH-2.0-x\r\n";
  const Bytes inner_frame = ethernetFrame(inner);
  const Bytes inner_ip(inner_frame.begin() + 14, inner_frame.end());
  auto outer = [](std::uint8_t proto, std::uint16_t dport, const Bytes& header, const Bytes& body) {
    PacketSpec s;
    s.proto = proto;
    s.dport = dport;
    Bytes payload = header;
    payload.insert(payload.end(), body.begin(), body.end());
    s.payload.assign(payload.begin(), payload.end());
    s.raw_ip_payload = proto == 47;
    return ethernetFrame(s);
  };
  auto expectInner = [&](const Bytes& frame, const char* what) {
    PacketDecoder decoder;
    DecodedPacket p;
    ASSERT_TRUE(decoder.decode(raw(frame), p)) << what;
    EXPECT_EQ(p.src.toString(), "10.1.1.1") << what;
    EXPECT_EQ(p.dst.toString(), "10.2.2.2") << what;
    EXPECT_EQ(p.dst_port, 22) << what;
    EXPECT_EQ(std::string(p.payload.begin(), p.payload.end()), inner.payload) << what;
    EXPECT_EQ(decoder.counters().tunnels, 1u) << what;
  };
  expectInner(outer(47, 0, {0x00, 0x00, 0x08, 0x00}, inner_ip), "GRE, IPv4");
  expectInner(outer(47, 0, {0xb0, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2}, inner_ip), "GRE with checksum, key, sequence");
  expectInner(outer(47, 0, {0x00, 0x00, 0x65, 0x58}, inner_frame), "GRE, Ethernet bridging");
  expectInner(outer(47, 0, {0x00, 0x00, 0x88, 0xbe}, inner_frame), "ERSPAN type I");
  expectInner(outer(47, 0, {0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 1, 0x10, 0, 0, 0, 0, 0, 0, 0}, inner_frame), "ERSPAN type II");
  expectInner(outer(47, 0, {0x10, 0x00, 0x22, 0xeb, 0, 0, 0, 1, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, inner_frame), "ERSPAN type III");
  Bytes ppp = {0xff, 0x03, 0x00, 0x21};
  ppp.insert(ppp.end(), inner_ip.begin(), inner_ip.end());
  expectInner(outer(47, 0, {0x30, 0x01, 0x88, 0x0b, 0, 0, 0, 7, 0, 0, 0, 1}, ppp), "PPTP GRE, PPP");
  expectInner(outer(17, 4789, {0x08, 0, 0, 0, 0, 0, 1, 0}, inner_frame), "VXLAN");
  expectInner(outer(17, 6081, {0x01, 0x00, 0x65, 0x58, 0, 0, 1, 0, 0, 0, 0, 0}, inner_frame), "Geneve with an option word");

  // GRE in GRE in GRE...: decoded three deep, then left as it is.
  Bytes nested = inner_ip;
  for (int i = 0; i < 6; ++i) {
    const Bytes frame = outer(47, 0, {0x00, 0x00, 0x08, 0x00}, nested);
    nested.assign(frame.begin() + 14, frame.end());
  }
  PacketDecoder decoder;
  DecodedPacket p;
  ASSERT_TRUE(decoder.decode(raw(outer(47, 0, {0x00, 0x00, 0x08, 0x00}, nested)), p));
  EXPECT_EQ(p.ip_proto, 47);
  EXPECT_EQ(decoder.counters().tunnels, 3u);
  // A GRE payload gsoc does not know (a routing header, an unknown protocol) is the outer packet.
  ASSERT_TRUE(decoder.decode(raw(outer(47, 0, {0x00, 0x00, 0x12, 0x34}, inner_ip)), p));
  EXPECT_EQ(p.ip_proto, 47);
  EXPECT_EQ(p.dst.toString(), "198.51.100.20");
  // A truncated inner packet fails as the inner packet's error.
  ASSERT_FALSE(decoder.decode(raw(outer(47, 0, {0x00, 0x00, 0x08, 0x00}, Bytes(inner_ip.begin(), inner_ip.begin() + 10))), p));
}

TEST(PacketDecoder, IcmpTypeAndCode) {
  PacketSpec s;
  s.proto = 1;
  s.sport = 8;  // echo request
  s.dport = 0;
  const Bytes frame = ethernetFrame(s);
  PacketDecoder decoder;
  DecodedPacket p;
  ASSERT_TRUE(decoder.decode(raw(frame), p));
  EXPECT_EQ(p.icmp_type, 8);
  EXPECT_EQ(p.icmp_code, 0);
}

TEST(PacketDecoder, EveryTruncationIsCountedNeverRead) {
  PacketSpec s;
  s.payload = "payload";
  const Bytes frame = ethernetFrame(s);
  PacketDecoder decoder;
  DecodedPacket p;
  for (std::size_t n = 0; n < frame.size(); ++n) {
    const Bytes cut(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(decoder.decode(raw(cut), p)) << n;  // the IPv4 total length no longer fits
  }
  EXPECT_EQ(decoder.counters().malformed(), frame.size());
  EXPECT_GT(decoder.counters().errors[static_cast<std::size_t>(DecodeError::TruncatedLinkHeader)], 0u);
  EXPECT_GT(decoder.counters().errors[static_cast<std::size_t>(DecodeError::TruncatedIpv4)], 0u);
}

TEST(PacketDecoder, BadHeaderFieldsAreNamed) {
  PacketSpec s;
  Bytes frame = ethernetFrame(s);
  frame[14] = 0x43;  // IHL 3
  PacketDecoder decoder;
  DecodedPacket p;
  EXPECT_FALSE(decoder.decode(raw(frame), p));
  EXPECT_EQ(decoder.counters().errors[static_cast<std::size_t>(DecodeError::BadIpv4HeaderLength)], 1u);
  frame = ethernetFrame(s);
  frame[14 + 20 + 12] = 0x20;  // TCP data offset 2
  EXPECT_FALSE(decoder.decode(raw(frame), p));
  EXPECT_EQ(decoder.counters().errors[static_cast<std::size_t>(DecodeError::BadTcpHeaderLength)], 1u);
  frame = ethernetFrame(s);
  frame[12] = 0x08;
  frame[13] = 0x06;  // ARP
  EXPECT_FALSE(decoder.decode(raw(frame), p));
  EXPECT_EQ(decoder.counters().errors[static_cast<std::size_t>(DecodeError::NotIp)], 1u);
  EXPECT_EQ(decoder.counters().malformed(), 2u);
}

TEST(PacketDecoder, RandomBytesNeverCrash) {
  std::mt19937 rng(3);
  PacketDecoder decoder;
  DecodedPacket p;
  const LinkType links[] = {LinkType::Ethernet, LinkType::Raw, LinkType::LinuxSll, LinkType::Null, LinkType::CiscoHdlc};
  std::size_t decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    Bytes frame(rng() % 200);
    for (auto& b : frame) b = static_cast<std::uint8_t>(rng());
    if (frame.size() > 14 && rng() % 2) {  // make many look like IPv4 to reach deeper layers
      frame[12] = 0x08;
      frame[13] = 0x00;
      frame[14] = 0x45;
    }
    decoded += decoder.decode(raw(frame, links[rng() % 5]), p);
  }
  EXPECT_EQ(decoded + decoder.counters().malformed() + decoder.counters().errors[static_cast<std::size_t>(DecodeError::NotIp)], 20000u);
}

std::vector<Bytes> fragments(const std::string& payload, std::size_t piece) {
  PacketSpec whole;
  whole.proto = 17;
  whole.dport = 53;
  whole.payload = payload;
  const Bytes l4 = transport(whole);
  std::vector<Bytes> out;
  for (std::size_t off = 0; off < l4.size(); off += piece) {
    PacketSpec f;
    f.proto = 17;
    f.raw_ip_payload = true;
    f.payload.assign(l4.begin() + static_cast<std::ptrdiff_t>(off), l4.begin() + static_cast<std::ptrdiff_t>(std::min(l4.size(), off + piece)));
    f.frag_offset_bytes = static_cast<std::uint16_t>(off);
    f.more_fragments = off + piece < l4.size();
    f.ip_id = 77;
    out.push_back(ethernetFrame(f));
  }
  return out;
}

TEST(FragmentReassembler, OutOfOrderFragmentsReassemble) {
  const std::string payload(100, 'z');
  auto frags = fragments(payload, 24);
  ASSERT_EQ(frags.size(), 5u);
  std::swap(frags[0], frags[4]);
  std::swap(frags[1], frags[3]);
  PacketDecoder decoder;
  FragmentReassembler reassembler;
  DecodedPacket p;
  int completed = 0;
  for (const Bytes& f : frags) {
    ASSERT_TRUE(decoder.decode(raw(f), p));
    ASSERT_TRUE(p.is_fragment);
    const auto whole = reassembler.add(p);
    if (!whole.empty()) {
      ++completed;
      ASSERT_TRUE(decoder.decodeTransport(whole, p));
      EXPECT_EQ(p.dst_port, 53);
      EXPECT_EQ(std::string(p.payload.begin(), p.payload.end()), payload);
    }
  }
  EXPECT_EQ(completed, 1);
  EXPECT_EQ(reassembler.pending(), 0u);
}

// The frame of a reassembled datagram is the unfragmented frame: same link header, the IP
// header with the whole length, no fragment bits and a valid checksum, then the payload.
TEST(ReassembledFrame, Ipv4DatagramAsIfNeverFragmented) {
  const std::string payload(60, 'q');
  const auto frags = fragments(payload, 32);
  ASSERT_EQ(frags.size(), 3u);
  PacketDecoder decoder;
  FragmentReassembler reassembler;
  ReassembledFrame rebuilt;
  DecodedPacket p;
  std::span<const std::uint8_t> frame;
  for (const Bytes& f : frags) {
    ASSERT_TRUE(decoder.decode(raw(f), p));
    const auto whole = reassembler.add(p);
    if (!whole.empty()) frame = rebuilt.build(p, whole);
  }
  ASSERT_EQ(frame.size(), 14u + 20 + 8 + payload.size());
  EXPECT_TRUE(std::equal(frame.begin(), frame.begin() + 14, frags.back().begin()));  // link header
  EXPECT_EQ(frame[14 + 2] << 8 | frame[14 + 3], 20 + 8 + 60);                        // total length
  EXPECT_EQ(frame[14 + 6] & 0x3f, 0);                                                 // not a fragment
  EXPECT_EQ(frame[14 + 7], 0);
  std::uint32_t sum = 0;  // a valid header checksum sums to 0xffff
  for (std::size_t i = 14; i < 34; i += 2) sum += static_cast<std::uint32_t>(frame[i] << 8 | frame[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  EXPECT_EQ(sum, 0xffffu);
  EXPECT_EQ(std::string(frame.end() - 60, frame.end()), payload);
  // The rebuilt frame decodes as the whole datagram.
  DecodedPacket again;
  ASSERT_TRUE(decoder.decode(raw(Bytes(frame.begin(), frame.end())), again));
  EXPECT_FALSE(again.is_fragment);
  EXPECT_EQ(again.dst_port, 53);
}

TEST(PacketDecoder, EthernetAddressesAndPppLink) {
  PacketSpec s;
  Bytes frame = ethernetFrame(s);
  for (int i = 0; i < 6; ++i) frame[i] = static_cast<std::uint8_t>(0xa0 + i), frame[6 + i] = static_cast<std::uint8_t>(0xb0 + i);
  PacketDecoder decoder;
  DecodedPacket p;
  ASSERT_TRUE(decoder.decode(raw(frame), p));
  EXPECT_TRUE(p.has_ether);
  EXPECT_EQ(p.dst_mac[0], 0xa0);
  EXPECT_EQ(p.src_mac[5], 0xb5);
  EXPECT_EQ(p.ether_type, 0x0800);
  EXPECT_EQ(p.link_type, 1);
  EXPECT_EQ(p.frame.size(), frame.size());
  // PPP (DLT 9): a compressed protocol byte 0x21, then IPv4.
  Bytes ppp{0x21};
  ppp.insert(ppp.end(), frame.begin() + 14, frame.end());
  DecodedPacket q;
  ASSERT_TRUE(decoder.decode(raw(ppp, LinkType::Ppp), q));
  EXPECT_FALSE(q.has_ether);
  EXPECT_EQ(q.dst_port, 80);
  EXPECT_EQ(q.link_type, 9);
}

TEST(PacketDecoder, IcmpRouterAdvertisementAddressesAreHeader) {
  PacketSpec s;
  s.proto = 1;
  // type 9, code 0, checksum, 2 addresses of 2 words each, lifetime; then 16 address bytes.
  s.raw_ip_payload = true;
  s.payload = std::string("\x09\x00\x00\x00\x02\x02\x07\x08", 8) + std::string(16, 'a');
  const Bytes frame = ethernetFrame(s);
  PacketDecoder decoder;
  DecodedPacket p;
  ASSERT_TRUE(decoder.decode(raw(frame), p));
  EXPECT_EQ(p.icmp_type, 9);
  EXPECT_EQ(p.transport_header.size(), 8u + 16);
}

TEST(FragmentReassembler, OverlapKeepsFirstAndIncompleteExpires) {
  auto frags = fragments(std::string(40, 'a'), 16);  // 48 bytes of UDP: 3 fragments
  // A second copy of fragment 1 with different bytes arrives first.
  PacketDecoder decoder;
  FragmentReassembler reassembler(1 << 20, 5'000'000'000);
  DecodedPacket p;
  Bytes evil = frags[1];
  for (std::size_t i = evil.size() - 16; i < evil.size(); ++i) evil[i] = 'E';
  ASSERT_TRUE(decoder.decode(raw(evil), p));
  EXPECT_TRUE(reassembler.add(p).empty());
  std::string result;
  for (const Bytes& f : frags) {
    ASSERT_TRUE(decoder.decode(raw(f), p));
    const auto whole = reassembler.add(p);
    if (!whole.empty()) result.assign(whole.begin() + 8, whole.end());
  }
  EXPECT_EQ(result, std::string(8, 'a') + std::string(16, 'E') + std::string(16, 'a'));
  EXPECT_EQ(reassembler.counters().overlaps, 1u);
  // An incomplete datagram expires.
  ASSERT_TRUE(decoder.decode(raw(frags[0]), p));
  EXPECT_TRUE(reassembler.add(p).empty());
  reassembler.expire(p.timestamp_ns + 6'000'000'000);
  EXPECT_EQ(reassembler.counters().timed_out, 1u);
  EXPECT_EQ(reassembler.pending(), 0u);
}

// ---- anomaly events: Suricata's decoder-event names on crafted packets ----------------------

std::vector<std::string> eventNames(const DecodedPacket& p) {
  std::vector<std::string> names;
  p.events.forEach([&](signatures::AnomalyEvent e) { names.emplace_back(signatures::anomalyEventInfo(e).name); });
  return names;
}
using Names = std::vector<std::string>;

TEST(DecoderEvents, Ipv4HeaderChecksInSuricatasOrder) {
  PacketSpec s;
  s.payload = "payload";
  PacketDecoder decoder;
  DecodedPacket p;
  Bytes frame = ethernetFrame(s);
  const Bytes cut(frame.begin(), frame.end() - 3);  // total length beyond the capture
  EXPECT_FALSE(decoder.decode(raw(cut), p));
  EXPECT_EQ(eventNames(p), Names({"ipv4.trunc_pkt"}));
  EXPECT_FALSE(decoder.decode(raw(Bytes(frame.begin(), frame.begin() + 14 + 12)), p));
  EXPECT_EQ(eventNames(p), Names({"ipv4.pkt_too_small"}));
  frame[14] = 0x43;  // IHL 3
  EXPECT_FALSE(decoder.decode(raw(frame), p));
  EXPECT_EQ(eventNames(p), Names({"ipv4.hlen_too_small"}));
  frame = ethernetFrame(s);
  frame[14 + 2] = 0;
  frame[14 + 3] = 16;  // total length 16 < header 20
  EXPECT_FALSE(decoder.decode(raw(frame), p));
  EXPECT_EQ(eventNames(p), Names({"ipv4.iplen_smaller_than_hlen"}));
  frame = ethernetFrame(s);
  frame[14] = 0x55;  // version 5 behind an IPv4 ethertype
  EXPECT_FALSE(decoder.decode(raw(frame), p));
  EXPECT_EQ(eventNames(p), Names({"ipv4.wrong_ip_version"}));
  EXPECT_FALSE(decoder.decode(raw(Bytes(frame.begin(), frame.begin() + 10)), p));
  EXPECT_EQ(eventNames(p), Names({"ethernet.pkt_too_small"}));
  ASSERT_TRUE(decoder.decode(raw(ethernetFrame(s)), p));
  EXPECT_FALSE(p.events.any());  // a clean packet carries none
}

TEST(DecoderEvents, TcpAndUdpLengths) {
  PacketSpec s;
  PacketDecoder decoder;
  DecodedPacket p;
  Bytes frame = ethernetFrame(s);
  frame[14 + 20 + 12] = 0x20;  // data offset 2: under the fixed header
  EXPECT_FALSE(decoder.decode(raw(frame), p));
  EXPECT_EQ(eventNames(p), Names({"tcp.invalid_optlen"}));
  EXPECT_EQ(p.src.toString(), "192.0.2.10");  // the IP layer stays decoded for the alert
  frame[14 + 20 + 12] = 0xf0;  // 60 bytes of header in a 20-byte segment
  EXPECT_FALSE(decoder.decode(raw(frame), p));
  EXPECT_EQ(eventNames(p), Names({"tcp.hlen_too_small"}));
  s.proto = 17;
  s.dport = 53;
  s.payload = "dns";
  frame = ethernetFrame(s);
  frame[14 + 20 + 4] = 0;
  frame[14 + 20 + 5] = 4;  // UDP length 4
  EXPECT_FALSE(decoder.decode(raw(frame), p));
  EXPECT_EQ(eventNames(p), Names({"udp.len_invalid"}));
  frame[14 + 20 + 5] = 200;  // longer than the datagram
  EXPECT_FALSE(decoder.decode(raw(frame), p));
  EXPECT_EQ(eventNames(p), Names({"udp.pkt_too_small"}));
}

TEST(DecoderEvents, Icmpv4TypesAndCodesSuricataDoesNotKnow) {
  PacketDecoder decoder;
  DecodedPacket p;
  auto icmp = [&](std::uint8_t type, std::uint8_t code) {
    PacketSpec s;
    s.proto = 1;
    s.raw_ip_payload = true;
    s.payload = std::string{static_cast<char>(type), static_cast<char>(code)} + std::string(6, '\0');
    EXPECT_TRUE(decoder.decode(raw(ethernetFrame(s)), p));  // decoded anyway
    return eventNames(p);
  };
  EXPECT_EQ(icmp(8, 0), Names({}));
  EXPECT_EQ(icmp(3, 15), Names({}));   // destination unreachable: 16 codes
  EXPECT_EQ(icmp(3, 16), Names({"icmpv4.unknown_code"}));
  EXPECT_EQ(icmp(11, 2), Names({"icmpv4.unknown_code"}));
  EXPECT_EQ(icmp(0, 1), Names({"icmpv4.unknown_code"}));
  EXPECT_EQ(icmp(10, 0), Names({"icmpv4.unknown_type"}));  // router solicitation: not in Suricata's list
  EXPECT_EQ(icmp(42, 0), Names({"icmpv4.unknown_type"}));
}

TEST(DecoderEvents, TcpOptionsDuplicateAndBadLength) {
  PacketSpec s;
  s.raw_ip_payload = true;
  PacketSpec inner;
  inner.payload = "x";
  Bytes l4 = transport(inner);
  l4[12] = 8 << 4;  // 32-byte header: 12 bytes of options
  const Bytes options = {2, 4, 0x05, 0xb4, 2, 4, 0x05, 0xb4, 3, 2, 0, 0};  // MSS twice, window scale of length 2
  l4.insert(l4.begin() + 20, options.begin(), options.end());
  s.payload.assign(l4.begin(), l4.end());
  const Bytes frame = ethernetFrame(s);
  PacketDecoder decoder;
  DecodedPacket p;
  ASSERT_TRUE(decoder.decode(raw(frame), p));  // option events do not stop decoding
  EXPECT_EQ(eventNames(p), Names({"tcp.opt_invalid_len", "tcp.opt_duplicate"}));
  EXPECT_EQ(std::string(p.payload.begin(), p.payload.end()), "x");
}

TEST(DecoderEvents, Ipv4OptionLengthInvalidatesThePacket) {
  PacketSpec s;
  Bytes frame = ethernetFrame(s);
  // Grow the header to 24 bytes with one option of length 0.
  const Bytes option = {0x82, 0x00, 0x00, 0x00};
  frame.insert(frame.begin() + 14 + 20, option.begin(), option.end());
  frame[14] = 0x46;
  const std::uint16_t total = static_cast<std::uint16_t>(frame.size() - 14);
  frame[14 + 2] = static_cast<std::uint8_t>(total >> 8);
  frame[14 + 3] = static_cast<std::uint8_t>(total);
  PacketDecoder decoder;
  DecodedPacket p;
  EXPECT_FALSE(decoder.decode(raw(frame), p));
  EXPECT_EQ(eventNames(p), Names({"ipv4.opt_invalid_len"}));
  frame[14 + 20] = 0x99;  // an unknown option of a valid length: an event only
  frame[14 + 21] = 4;
  ASSERT_TRUE(decoder.decode(raw(frame), p));
  EXPECT_EQ(eventNames(p), Names({"ipv4.opt_unknown"}));
}

TEST(DecoderEvents, Ipv6ExtensionHeaderEvasions) {
  PacketSpec s;
  s.src = "2001:db8::1";
  s.dst = "2001:db8::2";
  s.proto = 0;  // hop-by-hop first
  PacketSpec inner;
  inner.proto = 6;
  inner.payload = "x";
  const Bytes l4 = transport(inner);
  // hop-by-hop of padding only -> fragment (offset 0, no more) -> fragment again -> TCP
  Bytes ext = {44, 0, 1, 4, 0, 0, 0, 0, 44, 0, 0, 0, 0, 0, 0, 1, 6, 0, 0, 0, 0, 0, 0, 1};
  ext.insert(ext.end(), l4.begin(), l4.end());
  s.payload.assign(ext.begin(), ext.end());
  s.raw_ip_payload = true;
  Bytes frame = ethernetFrame(s);
  PacketDecoder decoder;
  DecodedPacket p;
  ASSERT_TRUE(decoder.decode(raw(frame), p));
  EXPECT_EQ(eventNames(p), Names({"ipv6.exthdr_dupl_fh", "ipv6.exthdr_useless_fh", "ipv6.hopopts_only_padding"}));
  EXPECT_EQ(p.dst_port, 80);
  // A hop-by-hop header whose length runs past the packet.
  frame[14 + 40 + 1] = 200;
  EXPECT_FALSE(decoder.decode(raw(frame), p));
  EXPECT_EQ(eventNames(p), Names({"ipv6.trunc_exthdr"}));
}

TEST(DecoderEvents, FragmentOverlapIsSetOnThePacket) {
  auto frags = fragments(std::string(40, 'a'), 16);
  PacketDecoder decoder;
  FragmentReassembler reassembler;
  DecodedPacket p;
  ASSERT_TRUE(decoder.decode(raw(frags[1]), p));
  EXPECT_TRUE(reassembler.add(p).empty());
  EXPECT_FALSE(p.events.any());
  ASSERT_TRUE(decoder.decode(raw(frags[1]), p));
  EXPECT_TRUE(reassembler.add(p).empty());
  EXPECT_EQ(eventNames(p), Names({"ipv4.frag_overlap"}));
}

}  // namespace
}  // namespace gsoc::sensor
