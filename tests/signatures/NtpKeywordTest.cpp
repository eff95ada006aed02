// The ntp rule protocol (UDP) and its keywords, as ntp-keywords uses them: ntp.version and
// ntp.stratum in the unsigned integer syntax, ntp.mode by number or name (negated too), the
// ntp.reference_id sticky buffer; all bound to ntp. The rdp and bittorrent-dht protocols load
// as rule protocols of their own.
#include <string>

#include <gtest/gtest.h>

#include "TestRules.hpp"
#include "gsoc/signatures/RuleParser.hpp"

namespace gsoc::signatures {
namespace {

using namespace testing;

Rule parseRule(std::string_view text) {
  const RuleVariables vars = RuleVariables::withDefaults();
  return RuleParser(vars).parse(text);
}

// A UDP datagram's input carrying one NTP message's buffers: the reference id, and the
// version, stratum and mode as one byte each.
MatchInput ntpInput(std::string_view reference, const std::string (&numbers)[3]) {
  MatchInput in = tcpInput();
  in.meta.transport = Transport::Udp;
  in.meta.ip_proto = 17;
  in.meta.dst_port = 123;
  in.meta.app = AppProto::Ntp;
  in.buffers.set(BufferId::NtpVersionNumber, numbers[0]);
  in.buffers.set(BufferId::NtpStratumNumber, numbers[1]);
  in.buffers.set(BufferId::NtpModeNumber, numbers[2]);
  in.buffers.set(BufferId::NtpReferenceId, reference);
  return in;
}

TEST(NtpKeywords, VersionStratumModeAndReferenceId) {
  const auto rs = compileRules(R"(
alert ntp any any -> any any (ntp.version:4; sid:1;)
alert ntp any any -> any any (ntp.version:<4; sid:4;)
alert ntp any any -> any any (ntp.stratum:0; sid:12;)
alert ntp any any -> any any (ntp.stratum:>=2; sid:16;)
alert ntp any any -> any any (ntp.mode:client; sid:23;)
alert ntp any any -> any any (ntp.mode:server; sid:24;)
alert ntp any any -> any any (ntp.mode:3; sid:25;)
alert ntp any any -> any any (ntp.mode:!server; sid:26;)
alert ntp any any -> any any (ntp.reference_id; content:"LOCL"; sid:27;)
alert ntp any any -> any any (ntp.reference_id; content:"|00 00 00 00|"; sid:28;)
)");
  Detector d(rs);
  const std::string request[3] = {std::string(1, '\4'), std::string(1, '\0'), std::string(1, '\3')};
  const std::string zero(4, '\0');  // the buffers view it: it outlives the input
  MatchInput in = ntpInput(zero, request);
  EXPECT_EQ(fire(d, in), Sids({1, 12, 23, 25, 26, 28}));
  const std::string reply[3] = {std::string(1, '\3'), std::string(1, '\2'), std::string(1, '\4')};
  in = ntpInput("LOCL", reply);
  EXPECT_EQ(fire(d, in), Sids({4, 16, 24, 27}));
  in.meta.app = AppProto::Dns;  // bound to ntp
  EXPECT_EQ(fire(d, in), Sids({}));
}

TEST(NtpKeywords, RuleProtocols) {
  const Rule ntp = parseRule(R"(alert ntp any any -> any any (ntp.stratum:2; sid:1;))");
  EXPECT_EQ(ntp.app, AppProto::Ntp);
  EXPECT_EQ(ntp.transport, Transport::Udp);
  EXPECT_TRUE(CompiledRuleset::appValidOn(Transport::Udp, AppProto::Ntp));
  const Rule bound = parseRule(R"(alert udp any any -> any any (ntp.mode:client; sid:2;))");
  EXPECT_EQ(bound.app, AppProto::Ntp);
  EXPECT_THROW(parseRule(R"(alert ntp any any -> any any (ntp.mode:sideways; sid:3;))"), RuleParseError);
  EXPECT_EQ(parseRule(R"(alert rdp any any -> any any (sid:4;))").app, AppProto::Rdp);
  EXPECT_EQ(parseRule(R"(alert bittorrent-dht any any -> any any (sid:5;))").app, AppProto::BittorrentDht);
  EXPECT_TRUE(CompiledRuleset::appValidOn(Transport::Udp, AppProto::BittorrentDht));
}

}  // namespace
}  // namespace gsoc::signatures
