// Packet keywords that look past the payload: the checksum keywords (checked against packets
// of Suricata's detect-chksum capture, whose first SYN it reports with a bad TCP checksum),
// flow.pkts / flow.bytes / flow.age, and `!=` comparisons (itype).
#include <gtest/gtest.h>

#include <string>

#include "TestRules.hpp"
#include "gsoc/signatures/RuleParser.hpp"

namespace gsoc::signatures {
namespace {

using namespace testing;

Rule parse(std::string_view text) {
  const RuleVariables vars = RuleVariables::withDefaults();
  return RuleParser(vars).parse(text);
}

std::string bytes(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

// An IPv4 TCP packet's input: its IP header (20 bytes), TCP header (`tcp_header` bytes), payload.
MatchInput packetInput(const std::string& packet, std::size_t tcp_header) {
  MatchInput in = tcpInput();
  in.meta.has_packet = true;
  const std::string_view p = packet;
  in.buffers.set(BufferId::Ipv4Hdr, p.substr(0, 20));
  in.buffers.set(BufferId::TcpHdr, p.substr(20, tcp_header));
  if (p.size() > 20 + tcp_header) in.buffers.set(BufferId::Payload, p.substr(20 + tcp_header));
  return in;
}

TEST(PacketKeywords, ChecksumsOfRealPackets) {
  const auto rs = compileRules(R"(
alert tcp any any -> any any (tcpv4-csum:invalid; sid:1;)
alert tcp any any -> any any (tcpv4-csum:valid; sid:2;)
alert tcp any any -> any any (ipv4-csum:valid; sid:3;)
alert tcp any any -> any any (udpv4-csum:valid; sid:4;)
alert tcp any any -> any any (tcpv6-csum:invalid; sid:5;)
)");
  Detector d(rs);
  const std::string bad_syn = bytes(
      "4500003cd79c40004006edb4c0a80203d155e1699bbb0050665207c100000000a00216d013370000020405b40402080a0087d05d0000000001030307");
  const std::string syn_ack = bytes(
      "4500003c9fe600003306726bd155e169c0a8020300509bbb22fc2781665207c2a0121628f14b0000020405960402080a5212539c0087d05d01030306");
  // The capture's HTTP request: its TCP checksum is wrong too (135 bytes of payload).
  const std::string request = bytes(
      "450000bbd79e40004006ed33c0a80203d155e1699bbb0050665207c222fc27828018002e761800000101080a0087d0615212539c474554202f416c6c576f726b416e"
      "644e6f506c61794d616b657357696c6c4144756c6c426f7920485454502f312e300d0a557365722d4167656e743a20576765742f312e31312e340d0a41636365"
      "70743a202a2f2a0d0a486f73743a207777772e676f6f676c652e636f6d0d0a436f6e6e656374696f6e3a204b6565702d416c6976650d0a0d0a");
  EXPECT_EQ(fire(d, packetInput(request, 32)), Sids({1, 3}));
  // A segment with a right checksum and 13 bytes of payload (an odd length), from http-brotli-ce.
  const std::string odd = bytes(
      "45000041f673400036062460acd9aa44ac1226b301bbcc5cf3839de52820d4478010fffffff500000101080ae92132a70ab2d01258e7ad47cc3191568b9b010d0a");
  EXPECT_EQ(fire(d, packetInput(odd, 32)), Sids({2, 3}));
  std::string corrupt = odd;
  corrupt[30] ^= 0x01;  // one bit of the TCP header's acknowledgement number
  EXPECT_EQ(fire(d, packetInput(corrupt, 32)), Sids({1, 3}));
  const std::string cut = odd.substr(0, odd.size() - 4);  // the capture cut it short
  EXPECT_EQ(fire(d, packetInput(cut, 32)), Sids({1, 3}));
  EXPECT_THROW(parse("alert tcp any any -> any any (tcpv4-csum:maybe; sid:9;)"), RuleParseError);
}

TEST(PacketKeywords, FlowCountersAndAge) {
  const auto rs = compileRules(R"(
alert ip any any -> any any (flow.pkts:toserver,=3; sid:1;)
alert ip any any -> any any (flow.pkts:either,>4; sid:2;)
alert ip any any -> any any (flow.bytes_toclient:>1000; flow.pkts_toserver:3; sid:3;)
alert ip any any -> any any (flow.age:>20; sid:4;)
)");
  Detector d(rs);
  MatchInput in = tcpInput();
  in.meta.has_packet = true;
  in.meta.flow_packets = {3, 2};
  in.meta.flow_bytes = {300, 900};
  in.meta.flow_start_ns = 100'000'000'000;
  in.meta.timestamp_ns = 110'500'000'000;
  EXPECT_EQ(fire(d, in), Sids({1}));
  in.meta.flow_packets = {3, 5};
  in.meta.flow_bytes = {300, 1200};
  in.meta.timestamp_ns = 121'000'000'000;  // 21 whole seconds in
  EXPECT_EQ(fire(d, in), Sids({1, 2, 3, 4}));
  in.meta.has_packet = false;  // a transaction: packet keywords never match it
  EXPECT_EQ(fire(d, in), Sids({}));
  EXPECT_THROW(parse("alert ip any any -> any any (flow.pkts:sideways,=3; sid:9;)"), RuleParseError);
  EXPECT_THROW(parse("alert ip any any -> any any (flow.pkts:=3; sid:9;)"), RuleParseError);
}

TEST(PacketKeywords, NotEqualComparison) {
  const Rule r = parse("alert icmp any any -> any any (itype: != 0; sid:1;)");
  ASSERT_TRUE(r.header.itype);
  EXPECT_FALSE(r.header.itype->matches(0));
  EXPECT_TRUE(r.header.itype->matches(8));
}

TEST(PacketKeywords, Icmpv6MtuOfPacketTooBig) {
  const auto rs = compileRules(R"(
alert ipv6 any any -> any any (icmpv6.mtu:<1280; sid:1;)
alert ipv6 any any -> any any (icmpv6.mtu:1280; sid:2;)
)");
  Detector d(rs);
  MatchInput in = tcpInput();
  in.meta.transport = Transport::Icmp;
  in.meta.ip_proto = 58;
  in.meta.src = *IpAddress::parse("2001:db8::1");
  in.meta.dst = *IpAddress::parse("2001:db8::2");
  in.meta.icmp_type = 2;  // Packet Too Big, MTU 1000 (0x3e8)
  const std::string header("\x02\x00\x12\x34\x00\x00\x03\xe8", 8);
  in.buffers.set(BufferId::Icmpv6Hdr, header);
  EXPECT_EQ(fire(d, in), Sids({1}));
  in.meta.icmp_type = 128;  // an echo request carries no MTU
  EXPECT_EQ(fire(d, in), Sids({}));
}

// seq / ack on the TCP header, from the request packet of ChecksumsOfRealPackets (seq 0x665207c2,
// ack 0x22fc2782); a packet without a TCP header matches neither.
TEST(PacketKeywords, TcpSequenceAndAcknowledgmentNumbers) {
  const auto rs = compileRules(R"(
alert tcp any any -> any any (seq:1716651970; sid:1;)
alert tcp any any -> any any (ack:586950530; sid:2;)
alert tcp any any -> any any (seq:1716651970; ack:1; sid:3;)
alert tcp any any -> any any (seq:>1000; dsize:135; sid:4;)
)");
  Detector d(rs);
  const std::string request = bytes(
      "450000bbd79e40004006ed33c0a80203d155e1699bbb0050665207c222fc27828018002e761800000101080a0087d0615212539c474554202f416c6c576f726b416e"
      "644e6f506c61794d616b657357696c6c4144756c6c426f7920485454502f312e300d0a557365722d4167656e743a20576765742f312e31312e340d0a41636365"
      "70743a202a2f2a0d0a486f73743a207777772e676f6f676c652e636f6d0d0a436f6e6e656374696f6e3a204b6565702d416c6976650d0a0d0a");
  MatchInput in = packetInput(request, 32);
  in.meta.payload_size = 135;
  EXPECT_EQ(fire(d, in), Sids({1, 2, 4}));
  MatchInput none = tcpInput();
  none.meta.has_packet = true;
  EXPECT_EQ(fire(d, none), Sids({}));
}

// `bypass` is a flag of the rule; the detector reports it for silent rules too (noalert), which
// the sensor needs to stop inspecting the flow.
TEST(PacketKeywords, BypassIsReportedEvenForSilentRules) {
  EXPECT_TRUE(parse("pass udp any any -> any any (content:\"x\"; bypass; sid:1;)").bypass);
  EXPECT_FALSE(parse("alert udp any any -> any any (content:\"x\"; sid:1;)").bypass);
  const auto rs = compileRules(R"(
alert tcp any any -> any any (content:"GET"; noalert; bypass; sid:1;)
alert tcp any any -> any any (content:"POST"; sid:2;)
)");
  Detector d(rs);
  MatchInput in = tcpInput();
  in.meta.has_packet = true;
  in.buffers.set(BufferId::Payload, "GET / HTTP/1.1");
  EXPECT_EQ(fire(d, in), Sids({}));
  EXPECT_TRUE(d.bypassMatched());
  in.buffers.set(BufferId::Payload, "POST / HTTP/1.1");
  EXPECT_EQ(fire(d, in), Sids({2}));
  EXPECT_FALSE(d.bypassMatched());
}

}  // namespace
}  // namespace gsoc::signatures
