// Tunnels as Suricata's pseudo packets: the inner packet is decoded as a packet of its own and
// the packets around it are kept as tunnel roots (VXLAN, ERSPAN type II, IP-in-IP); NSH is
// decoded in place; flows inside a tunnel never join flows outside it. ARP, also inside GRE.

#include <gtest/gtest.h>

#include "bench/traffic/FrameBuilder.hpp"
#include "sensor/decode/PacketDecoder.hpp"
#include "sensor/flow/FlowKey.hpp"

namespace gsoc::sensor {
namespace {

using namespace traffic;

RawPacket raw(const Bytes& frame) {
  RawPacket r;
  r.data = frame;
  r.wire_length = static_cast<std::uint32_t>(frame.size());
  r.link_type = LinkType::Ethernet;
  r.capture_index = 7;
  return r;
}

Bytes outerFrame(std::uint8_t proto, std::uint16_t dport, const Bytes& header, const Bytes& body) {
  PacketSpec s;
  s.proto = proto;
  s.dport = dport;
  Bytes payload = header;
  payload.insert(payload.end(), body.begin(), body.end());
  s.payload.assign(payload.begin(), payload.end());
  s.raw_ip_payload = proto != 17;
  return ethernetFrame(s);
}

struct Inner {
  Bytes frame;
  Bytes ip;
  Inner() {
    PacketSpec spec;
    spec.src = "10.1.1.1";
    spec.dst = "10.2.2.2";
    spec.dport = 22;
    spec.payload = "SSH-2.0-x\r\n";
    frame = ethernetFrame(spec);
    ip.assign(frame.begin() + 14, frame.end());
  }
};

TEST(TunnelRoots, VxlanKeepsTheOuterDatagram) {
  const Inner inner;
  const Bytes frame = outerFrame(17, 4789, {0x08, 0, 0, 0, 0, 0, 1, 0}, inner.frame);
  PacketDecoder decoder;
  DecodedPacket p;
  ASSERT_TRUE(decoder.decode(raw(frame), p));
  EXPECT_EQ(p.src.toString(), "10.1.1.1");
  EXPECT_EQ(p.recursion_level, 1);
  EXPECT_FALSE(p.is_tunnel_root);
  EXPECT_EQ(p.tunnel.dst_port, 4789);
  EXPECT_EQ(p.tunnel.ip_proto, 17);
  EXPECT_EQ(p.tunnel.src.toString(), "192.0.2.10");
  // The pseudo packet is the inner frame: what the inner flow counts and EVE's packet shows.
  EXPECT_EQ(p.wire_length, inner.frame.size());
  EXPECT_EQ(p.frame.size(), inner.frame.size());
  EXPECT_EQ(p.link_type, 12);
  EXPECT_EQ(p.capture_index, 7u);
  ASSERT_EQ(decoder.tunnelRoots().size(), 1u);
  const DecodedPacket& root = decoder.tunnelRoots()[0];
  EXPECT_TRUE(root.is_tunnel_root);
  EXPECT_EQ(root.recursion_level, 0);
  EXPECT_EQ(root.ip_proto, 17);
  EXPECT_EQ(root.dst_port, 4789);
  EXPECT_EQ(root.payload.size(), 8 + inner.frame.size());
  EXPECT_EQ(&decoder.captured(p), &root);
  // The next packet starts without roots.
  ASSERT_TRUE(decoder.decode(raw(inner.frame), p));
  EXPECT_TRUE(decoder.tunnelRoots().empty());
  EXPECT_EQ(&decoder.captured(p), &p);
}

TEST(TunnelRoots, ErspanTypeTwoAddsItsVlanAndStartsThePseudoPacket) {
  const Inner inner;
  const Bytes frame = outerFrame(47, 0, {0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 1, 0x10, 0x17, 0, 0, 0, 0, 0, 0}, inner.frame);
  PacketDecoder decoder;
  DecodedPacket p;
  ASSERT_TRUE(decoder.decode(raw(frame), p));
  EXPECT_EQ(p.dst.toString(), "10.2.2.2");
  ASSERT_EQ(p.vlan_count, 1);
  EXPECT_EQ(p.vlan[0], 23);
  EXPECT_EQ(p.wire_length, 8 + inner.frame.size());  // the ERSPAN header is part of it
  ASSERT_EQ(decoder.tunnelRoots().size(), 1u);
  EXPECT_EQ(decoder.tunnelRoots()[0].ip_proto, 47);
}

TEST(TunnelRoots, IpInIpAndFlowsPerRecursionLevel) {
  const Inner inner;
  PacketDecoder decoder;
  DecodedPacket tunneled;
  ASSERT_TRUE(decoder.decode(raw(outerFrame(4, 0, {}, inner.ip)), tunneled));
  EXPECT_EQ(tunneled.recursion_level, 1);
  EXPECT_EQ(tunneled.tunnel.ip_proto, 4);
  ASSERT_EQ(decoder.tunnelRoots().size(), 1u);
  EXPECT_EQ(decoder.tunnelRoots()[0].ip_proto, 4);
  DecodedPacket plain;
  ASSERT_TRUE(decoder.decode(raw(inner.frame), plain));
  EXPECT_EQ(plain.recursion_level, 0);
  EXPECT_FALSE(FlowKey::of(plain) == FlowKey::of(tunneled));
  tunneled.recursion_level = 0;
  EXPECT_TRUE(FlowKey::of(plain) == FlowKey::of(tunneled));
}

TEST(TunnelRoots, GreTooSmallIsAnEvent) {
  PacketDecoder decoder;
  DecodedPacket p;
  EXPECT_FALSE(decoder.decode(raw(outerFrame(47, 0, {0x00, 0x00}, {})), p));
  EXPECT_TRUE(p.events.test(signatures::AnomalyEvent::GrePktTooSmall));
  EXPECT_EQ(decoder.counters().errors[static_cast<std::size_t>(DecodeError::TruncatedGre)], 1u);
}

// An ARP request for 10.0.0.2 from 10.0.0.1 (hardware Ethernet, protocol IPv4, sizes 6 and 4).
Bytes arpMessage() {
  return {0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x00, 0x1d, 0x09, 0xf0, 0x92, 0xab, 10, 0, 0, 1,
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 0, 0, 2};
}

TEST(Arp, ReadOverEthernetAndInsideGre) {
  Bytes frame = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1d, 0x09, 0xf0, 0x92, 0xab, 0x08, 0x06};
  const Bytes arp = arpMessage();
  frame.insert(frame.end(), arp.begin(), arp.end());
  PacketDecoder decoder;
  DecodedPacket p;
  EXPECT_FALSE(decoder.decode(raw(frame), p));  // not IP: no flow
  ASSERT_TRUE(p.arp.has_value());
  EXPECT_EQ(p.arp->opcode, 1);
  EXPECT_EQ(p.arp->src_ip.toString(), "10.0.0.1");
  EXPECT_EQ(p.arp->dst_ip.toString(), "10.0.0.2");
  EXPECT_EQ(p.arp->src_mac, (std::array<std::uint8_t, 6>{0x00, 0x1d, 0x09, 0xf0, 0x92, 0xab}));
  EXPECT_FALSE(p.events.any());  // ARP is a known ethertype

  // GRE (protocol 0x0806) carrying it: the ARP message is the tunnel's inner packet.
  EXPECT_FALSE(decoder.decode(raw(outerFrame(47, 0, {0x00, 0x00, 0x08, 0x06}, arp)), p));
  ASSERT_TRUE(p.arp.has_value());
  EXPECT_EQ(p.recursion_level, 1);
  EXPECT_EQ(p.arp->dst_ip.toString(), "10.0.0.2");
  EXPECT_EQ(decoder.tunnelRoots().size(), 1u);

  // Truncated, or not Ethernet/IPv4: nothing read.
  frame.resize(frame.size() - 1);
  EXPECT_FALSE(decoder.decode(raw(frame), p));
  EXPECT_FALSE(p.arp.has_value());
}

TEST(Nsh, DecodedInPlaceForBothMetadataTypes) {
  const Inner inner;
  auto nshFrame = [&](const Bytes& header) {
    Bytes f(inner.frame.begin(), inner.frame.begin() + 12);
    f.push_back(0x89);
    f.push_back(0x4f);
    f.insert(f.end(), header.begin(), header.end());
    f.insert(f.end(), inner.ip.begin(), inner.ip.end());
    return f;
  };
  Bytes type1 = {0x00, 0x06, 0x01, 0x01, 0, 0, 1, 2};
  type1.resize(24, 0);
  const Bytes type2 = {0x00, 0x02, 0x02, 0x01, 0, 0, 1, 2};
  PacketDecoder decoder;
  DecodedPacket p;
  for (const Bytes& header : {type1, type2}) {
    ASSERT_TRUE(decoder.decode(raw(nshFrame(header)), p));
    EXPECT_EQ(p.src.toString(), "10.1.1.1");
    EXPECT_EQ(p.dst_port, 22);
    EXPECT_EQ(p.recursion_level, 0);
    EXPECT_TRUE(decoder.tunnelRoots().empty());
  }
  EXPECT_EQ(decoder.counters().nsh, 2u);
  // MD type 1 must be 24 bytes long; a length past the frame is refused, counted, never read.
  Bytes bad = type1;
  bad[1] = 0x05;
  EXPECT_FALSE(decoder.decode(raw(nshFrame(bad)), p));
  EXPECT_TRUE(p.events.test(signatures::AnomalyEvent::NshBadHeaderLength));
  Bytes truncated(inner.frame.begin(), inner.frame.begin() + 12);
  truncated.insert(truncated.end(), {0x89, 0x4f, 0x00, 0x3f, 0x02, 0x01, 0, 0, 0, 0});
  EXPECT_FALSE(decoder.decode(raw(truncated), p));
  EXPECT_TRUE(p.events.test(signatures::AnomalyEvent::NshBadHeaderLength));
}

}  // namespace
}  // namespace gsoc::sensor
