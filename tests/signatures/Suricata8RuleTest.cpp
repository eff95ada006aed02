// Rule semantics Suricata 8 added or tightened: `absent`, the ipv4/ipv6 rule protocols,
// thresholds tracked by flow and the backoff type, and the rules Suricata refuses because they
// can never match (a dsize too small for the contents, keywords bound to the other direction,
// a pcre buffer flag under another sticky buffer).
#include <gtest/gtest.h>

#include "TestRules.hpp"
#include "gsoc/signatures/RuleParser.hpp"

namespace gsoc::signatures {
namespace {

using namespace testing;

Rule parse(std::string_view text) {
  const RuleVariables vars = RuleVariables::withDefaults();
  return RuleParser(vars).parse(text);
}

TEST(Suricata8Rules, AbsentMatchesAMissingBufferOrElseItsKeywords) {
  const auto rs = compileRules(R"(
alert http any any -> any any (http.referer; absent; sid:1;)
alert http any any -> any any (http.referer; absent: or_else; content:!"example"; sid:2;)
alert http any any -> any any (http.referer; absent: or_else; content:"example"; sid:3;)
alert http any any -> any any (http.referer; content:!"example"; sid:4;)
alert http any any -> any any (http.referer; absent; http.uri; content:"/login"; sid:5;)
)");
  Detector d(rs);
  MatchInput none = httpInput("GET", "/login", "h");
  none.meta.is_transaction = true;
  EXPECT_EQ(fire(d, none), Sids({1, 2, 3, 5}));  // sid 4: a negated content needs its buffer
  MatchInput other = httpInput("GET", "/login", "h");
  other.meta.is_transaction = true;
  other.buffers.set(BufferId::HttpReferer, "https://other.test/");
  EXPECT_EQ(fire(d, other), Sids({2, 4}));
  MatchInput example = httpInput("GET", "/", "h");
  example.meta.is_transaction = true;
  example.buffers.set(BufferId::HttpReferer, "https://example.test/");
  EXPECT_EQ(fire(d, example), Sids({3}));
  // An or_else content is no prefilter: the rule matches without it.
  EXPECT_THROW(parse(R"(alert http any any -> any any (http.referer; content:"x"; absent; sid:9;))"), RuleParseError);
  EXPECT_THROW(parse(R"(alert http any any -> any any (http.referer; absent: maybe; sid:9;))"), RuleParseError);
}

// An app-layer buffer is absent from a transaction without it, not from the flow's packets and
// stream chunks, which carry no transaction buffers: there `absent` (either form) never holds.
TEST(Suricata8Rules, AbsentHoldsOnTransactionsOnly) {
  const auto rs = compileRules(R"(
alert http any any -> any any (flow:to_server; http.request_body; absent; sid:1;)
alert http any any -> any any (flow:to_server; http.request_body; absent: or_else; content:!"abc"; sid:2;)
alert http any any -> any any (flow:to_server; http.referer; absent; http.method; content:"POST"; sid:3;)
)");
  Detector d(rs);
  MatchInput packet = tcpInput();  // an ACK of the HTTP flow
  packet.meta.app = AppProto::Http;
  EXPECT_TRUE(fire(d, packet).empty());
  MatchInput stream = tcpInput("POST /x HTTP/1.1\r\n\r\n");
  stream.meta.app = AppProto::Http;
  stream.meta.is_stream = true;
  stream.meta.has_packet = false;
  EXPECT_TRUE(fire(d, stream).empty());
  MatchInput tx = httpInput("POST", "/x", "h");
  tx.meta.is_transaction = true;
  EXPECT_EQ(fire(d, tx), Sids({1, 2, 3}));
  tx.buffers.set(BufferId::FileData, "abc");  // http.request_body
  EXPECT_EQ(fire(d, tx), Sids({3}));
}

// A datagram whose message the app layer parsed into the packet's buffers (DNS over UDP) is its
// transaction: `absent` holds there; a datagram with no message parsed holds none.
TEST(Suricata8Rules, AbsentHoldsOnADatagramsParsedMessage) {
  const auto rs = compileRules(R"(alert dns any any -> any any (dns.query; absent; sid:1;))");
  Detector d(rs);
  MatchInput datagram = tcpInput("\x12\x34");
  datagram.meta.transport = Transport::Udp;
  datagram.meta.ip_proto = 17;
  datagram.meta.app = AppProto::Dns;
  EXPECT_TRUE(fire(d, datagram).empty());  // no message parsed
  datagram.buffers.set(BufferId::DnsOpcodeNumber, std::string_view("\0", 1));  // a message without a question
  EXPECT_EQ(fire(d, datagram), Sids({1}));
}

TEST(Suricata8Rules, Ipv4AndIpv6RuleProtocolsBindOneFamily) {
  const auto rs = compileRules(R"(
alert ipv4 any any -> any any (content:"PING"; sid:1;)
alert ipv6 any any -> any any (content:"PING"; sid:2;)
alert ip any any -> any any (content:"PING"; sid:3;)
)");
  Detector d(rs);
  MatchInput v4 = tcpInput("PING");
  EXPECT_EQ(fire(d, v4), Sids({1, 3}));
  MatchInput v6 = tcpInput("PING");
  v6.meta.src = *IpAddress::parse("2001:db8::1");
  v6.meta.dst = *IpAddress::parse("2001:db8::2");
  EXPECT_EQ(fire(d, v6), Sids({2, 3}));
}

TEST(Suricata8Rules, ThresholdByFlowCountsEachConnectionBothWays) {
  const auto rs = compileRules(R"(
alert tcp any any -> any any (content:"hit"; threshold:type limit, track by_flow, count 2, seconds 3600; sid:1;)
alert tcp any any -> any any (content:"hit"; detection_filter:track by_flow, count 2, seconds 3600; sid:2;)
)");
  Detector d(rs);
  MatchInput a = tcpInput("hit");
  MatchInput back = tcpInput("hit");  // the same connection from the server
  std::swap(back.meta.src, back.meta.dst);
  std::swap(back.meta.src_port, back.meta.dst_port);
  back.meta.direction = FlowDirection::ToClient;
  MatchInput other = tcpInput("hit");  // another connection
  other.meta.src_port = 50000;
  EXPECT_EQ(fire(d, a), Sids({1}));
  EXPECT_EQ(fire(d, back), Sids({1}));
  EXPECT_EQ(fire(d, a), Sids({2}));  // the limit is spent, the filter's count passed
  EXPECT_EQ(fire(d, other), Sids({1}));
}

TEST(Suricata8Rules, BackoffReportsTheCountThenEachMultiple) {
  const auto rs = compileRules(R"(
alert tcp any any -> any any (content:"x"; threshold:type backoff, track by_flow, count 3, multiplier 2; sid:1;)
alert tcp any any -> any any (content:"x"; threshold:type backoff, track by_flow, count 1, multiplier 10; sid:2;)
)");
  Detector d(rs);
  std::vector<int> first, second;
  for (int i = 1; i <= 100; ++i) {
    const auto sids = fire(d, tcpInput("x"));
    if (std::find(sids.begin(), sids.end(), 1u) != sids.end()) first.push_back(i);
    if (std::find(sids.begin(), sids.end(), 2u) != sids.end()) second.push_back(i);
  }
  EXPECT_EQ(first, (std::vector<int>{3, 6, 12, 24, 48, 96}));
  EXPECT_EQ(second, (std::vector<int>{1, 10, 100}));
  EXPECT_THROW(parse(R"(alert tcp any any -> any any (threshold:type backoff, track by_src, count 1, multiplier 2; sid:9;))"), RuleParseError);
  EXPECT_THROW(parse(R"(alert tcp any any -> any any (threshold:type backoff, track by_flow, count 1; sid:9;))"), RuleParseError);
  EXPECT_THROW(parse(R"(alert tcp any any -> any any (threshold:type limit, track by_flow, count 1, seconds 9, multiplier 2; sid:9;))"), RuleParseError);
}

TEST(Suricata8Rules, RulesThatCanNeverMatchAreRefused) {
  // dsize below what the contents and their distances need.
  EXPECT_THROW(parse(R"(alert udp any any -> any any (dsize:10; content:"boom"; content:"loom"; distance:10; sid:1;))"), RuleParseError);
  EXPECT_THROW(parse(R"(alert udp any any -> any any (dsize:6; content:"boom"; content:"loom"; distance:2; sid:2;))"), RuleParseError);
  EXPECT_NO_THROW(parse(R"(alert udp any any -> any any (dsize:10; content:"boom"; content:"loom"; distance:-10; sid:3;))"));
  EXPECT_NO_THROW(parse(R"(alert udp any any -> any any (dsize:>4; content:"boom"; content:"loom"; distance:10; sid:4;))"));
  // A buffer of one direction in a rule bound to the other.
  EXPECT_THROW(parse(R"(alert ftp any any -> any any (flow:to_client; ftp.command; content:"PASS"; sid:5;))"), RuleParseError);
  EXPECT_THROW(parse(R"(alert http any any -> any any (flow:to_server; http.stat_code; content:"200"; sid:6;))"), RuleParseError);
  EXPECT_NO_THROW(parse(R"(alert http any any -> any any (flow:to_server; http.uri; content:"/"; sid:7;))"));
  // A pcre buffer flag while another sticky buffer is set.
  EXPECT_THROW(parse(R"(alert http any any -> any any (http.header; content:"a"; pcre:"/^x/P"; sid:8;))"), RuleParseError);
  EXPECT_NO_THROW(parse(R"(alert http any any -> any any (http.uri; content:"a"; pcre:"/^x/U"; sid:9;))"));
}

TEST(Suricata8Rules, AppLayerProtocolOfOneDirection) {
  const auto rs = compileRules(R"(
alert tcp any any -> any any (flow:to_client; app-layer-protocol:http1,to_server; app-layer-protocol:ssh,to_client; sid:1;)
alert tcp any any -> any any (flow:to_client; app-layer-protocol:ssh; sid:2;)
alert tcp any any -> any any (flow:to_client; app-layer-protocol:http; sid:3;)
)");
  Detector d(rs);
  MatchInput in = tcpInput();
  in.meta.direction = FlowDirection::ToClient;
  in.meta.app = AppProto::Http;  // the flow's protocol: the client's
  in.meta.app_to_server = AppProto::Http;
  in.meta.app_to_client = AppProto::Ssh;  // the server answered as SSH
  EXPECT_EQ(fire(d, in), Sids({1, 3}));
  in.meta.app_to_client = AppProto::Http;  // both sides agree
  EXPECT_EQ(fire(d, in), Sids({3}));
}

}  // namespace
}  // namespace gsoc::signatures
