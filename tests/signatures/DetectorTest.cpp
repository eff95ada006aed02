// The matching API end to end: compiled rules, prefilter databases, verification and state.
#include <gtest/gtest.h>

#include "TestRules.hpp"
#include "gsoc/signatures/RuleParser.hpp"

namespace gsoc::signatures {
namespace {

using namespace testing;

TEST(Detector, HttpBuffersAndProtocolBinding) {
  const auto rs = compileRules(R"(
alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"struts"; flow:established,to_server; http.uri; content:".action"; endswith; nocase; sid:10;)
alert http any any -> any any (msg:"method+host"; http.method; content:"POST"; http.host; content:"evil.example"; sid:11;)
alert tcp any any -> any any (msg:"raw payload"; content:"SECRET"; sid:12;)
alert dns any any -> any any (msg:"dns only"; dns.query; content:"evil"; sid:13;)
)");
  Detector d(rs);
  EXPECT_EQ(fire(d, httpInput("GET", "/app/Login.ACTION", "www.example")), Sids({10}));
  EXPECT_EQ(fire(d, httpInput("GET", "/app/Login.action?x=1", "www.example")), Sids({}));
  EXPECT_EQ(fire(d, httpInput("POST", "/", "evil.example")), Sids({11}));
  EXPECT_EQ(fire(d, httpInput("GET", "/", "evil.example")), Sids({}));
  // The same URI buffer on a flow not identified as HTTP does not fire the http rule.
  MatchInput raw = httpInput("GET", "/x.action", "h");
  raw.meta.app = AppProto::None;
  EXPECT_EQ(fire(d, raw), Sids({}));
  // Direction: from the external server to the client is not to_server.
  MatchInput back = httpInput("GET", "/x.action", "h");
  back.meta.direction = FlowDirection::ToClient;
  EXPECT_EQ(fire(d, back), Sids({}));
  EXPECT_EQ(fire(d, tcpInput("xx SECRET xx")), Sids({12}));
  MatchInput dns = tcpInput();
  dns.meta.transport = Transport::Udp;
  dns.meta.app = AppProto::Dns;
  dns.buffers.set(BufferId::DnsQuery, "evil.example.com");
  EXPECT_EQ(fire(d, dns), Sids({13}));
}

// SIP rules bind to SIP over UDP (a datagram's input) and TCP (a transaction's), by direction.
TEST(Detector, SipBuffersOverUdpAndTcp) {
  const auto rs = compileRules(R"(
alert sip any any -> any any (msg:"invite"; flow:to_server; sip.method; content:"INVITE"; sip.to; content:"sip:bob"; sid:80;)
alert sip any any -> any any (msg:"ok"; flow:to_client; sip.stat_code; content:"200"; sid:81;)
alert sip any any -> any any (msg:"sdp"; sdp.media.media; content:"audio"; sid:82;)
)");
  Detector d(rs);
  for (const Transport transport : {Transport::Udp, Transport::Tcp}) {
    MatchInput invite = tcpInput();
    invite.meta.transport = transport;
    invite.meta.app = AppProto::Sip;
    invite.buffers.set(BufferId::SipMethod, "INVITE");
    invite.buffers.add(BufferId::SipTo, "<sip:alice@example.org>");
    invite.buffers.add(BufferId::SipTo, "<sip:bob@example.org>");
    invite.buffers.add(BufferId::SdpMediaMedia, "audio 30000 RTP/AVP 0");
    EXPECT_EQ(fire(d, invite), Sids({80, 82}));
    MatchInput ok = tcpInput();
    ok.meta.transport = transport;
    ok.meta.app = AppProto::Sip;
    ok.meta.direction = FlowDirection::ToClient;
    ok.buffers.set(BufferId::SipStatCode, "200");
    EXPECT_EQ(fire(d, ok), Sids({81}));
    ok.meta.app = AppProto::None;  // the same bytes on a flow not identified as SIP
    EXPECT_EQ(fire(d, ok), Sids({}));
  }
}

TEST(Detector, HeaderAddressesPortsAndBidirectional) {
  const auto rs = compileRules(R"(
alert tcp $EXTERNAL_NET any -> $HOME_NET 22 (content:"SSH"; sid:20;)
alert tcp 203.0.113.5 any <> $HOME_NET any (content:"SSH"; sid:21;)
)");
  Detector d(rs);
  MatchInput out = tcpInput("SSH-2.0");  // 192.168.1.10 -> 203.0.113.5:80
  EXPECT_EQ(fire(d, out), Sids({21}));
  MatchInput in = tcpInput("SSH-2.0");
  std::swap(in.meta.src, in.meta.dst);
  in.meta.src_port = 40000;
  in.meta.dst_port = 22;
  EXPECT_EQ(fire(d, in), Sids({20, 21}));
}

TEST(Detector, FlowbitsSetBeforeIsset) {
  // The reader comes first in the file; the engine still runs the setter first (Suricata order).
  const auto rs = compileRules(R"(
alert http any any -> any any (msg:"second stage"; flowbits:isset,stage1; http.uri; content:"/payload"; sid:31;)
alert http any any -> any any (msg:"first stage"; http.uri; content:"/gate"; flowbits:set,stage1; flowbits:noalert; sid:30;)
alert http any any -> any any (msg:"never"; flowbits:isnotset,stage1; http.uri; content:"/payload"; sid:32;)
alert http any any -> any any (msg:"either"; flowbits:isset,stage1|other; http.uri; content:"/payload"; sid:33;)
)");
  Detector d(rs);
  FlowBits bits(rs->flowbitCount());
  EXPECT_EQ(fire(d, httpInput("GET", "/payload", "h"), &bits), Sids({32}));
  EXPECT_EQ(fire(d, httpInput("GET", "/gate", "h"), &bits), Sids({}));  // noalert
  EXPECT_EQ(fire(d, httpInput("GET", "/payload", "h"), &bits), Sids({31, 33}));
  FlowBits other(rs->flowbitCount());
  EXPECT_EQ(fire(d, httpInput("GET", "/gate/payload", "h"), &other), Sids({31, 33}));
}

// flowint counts per flow: the anomaly-counting idiom of Suricata's events rules, a threshold on
// the count, notset for a once-per-flow alert, and a comparison against another flowint.
TEST(Detector, FlowintCountsAndComparesPerFlow) {
  const auto rs = compileRules(R"(
alert http any any -> any any (msg:"count"; http.uri; content:"/bad"; flowint:bad.count,+,1; noalert; sid:50;)
alert http any any -> any any (msg:"third bad"; http.uri; content:"/bad"; flowint:bad.count,>=,3; sid:51;)
alert http any any -> any any (msg:"first request"; flowint:seen,notset; flowint:seen,=,1; sid:52;)
alert http any any -> any any (msg:"good"; http.uri; content:"/good"; flowint:good.count,+,1; flowint:good.count,>,bad.count; sid:53;)
)");
  Detector d(rs);
  FlowBits vars(rs->flowbitCount());
  EXPECT_EQ(fire(d, httpInput("GET", "/bad", "h"), &vars), Sids({52}));
  EXPECT_EQ(fire(d, httpInput("GET", "/bad", "h"), &vars), Sids({}));
  EXPECT_EQ(fire(d, httpInput("GET", "/bad", "h"), &vars), Sids({51}));  // counted before it is compared
  EXPECT_EQ(fire(d, httpInput("GET", "/good", "h"), &vars), Sids({}));    // 1 good, 3 bad
  FlowBits other(rs->flowbitCount());
  EXPECT_EQ(fire(d, httpInput("GET", "/good", "h"), &other), Sids({52}));  // bad.count unset: no comparison holds
}

TEST(Detector, AppLayerProtocolWaitsForDetection) {
  const auto rs = compileRules(R"(
alert tcp any any -> any any (msg:"not web"; app-layer-protocol:!http; app-layer-protocol:!tls,final; sid:60;)
alert tcp any any -> any any (msg:"tls or ssh"; app-layer-protocol:tls|ssh; sid:61;)
)");
  Detector d(rs);
  auto with = [](AppProto app) {
    MatchInput in = tcpInput("x");
    in.meta.app = app;
    return in;
  };
  EXPECT_EQ(fire(d, with(AppProto::None), nullptr), Sids({}));  // not detected yet: neither
  EXPECT_EQ(fire(d, with(AppProto::Http), nullptr), Sids({}));
  EXPECT_EQ(fire(d, with(AppProto::Tls), nullptr), Sids({61}));
  EXPECT_EQ(fire(d, with(AppProto::Ssh), nullptr), Sids({60, 61}));
}

// xbits outlive flows and expire in packet time: a host that fetched a dropper is remembered
// for the next 15 s, in any flow; ip_pair bits hold for the pair either way round; hostbits
// `both` reads either end.
TEST(Detector, XbitsAndHostbitsFollowHostsAcrossFlows) {
  const auto rs = compileRules(R"(
alert tcp any any -> any any (msg:"dropper"; content:"MZ"; xbits:set,dropper,track ip_dst,expire 15; noalert; sid:70;)
alert tcp any any -> any any (msg:"beacon after dropper"; content:"beacon"; xbits:isset,dropper,track ip_src; sid:71;)
alert tcp any any -> any any (msg:"pair"; content:"hello"; xbits:set,talked,track ip_pair; noalert; sid:72;)
alert tcp any any -> any any (msg:"pair again"; content:"again"; xbits:isset,talked,track ip_pair; sid:73;)
alert tcp any any -> any any (msg:"mark"; content:"mark"; hostbits:set,marked,dst; noalert; sid:74;)
alert tcp any any -> any any (msg:"marked end"; content:"probe"; hostbits:isset,marked,both; sid:75;)
)");
  Detector d(rs);
  constexpr std::int64_t s = 1'000'000'000;
  auto packet = [](std::string_view payload, const char* src, const char* dst, std::int64_t t) {
    MatchInput in = tcpInput(payload);
    in.meta.src = *IpAddress::parse(src);
    in.meta.dst = *IpAddress::parse(dst);
    in.meta.timestamp_ns = t;
    return in;
  };
  EXPECT_EQ(fire(d, packet("beacon", "192.168.1.10", "203.0.113.9", 1 * s)), Sids({}));
  EXPECT_EQ(fire(d, packet("MZ..", "203.0.113.5", "192.168.1.10", 2 * s)), Sids({}));  // the server sends the dropper
  EXPECT_EQ(fire(d, packet("beacon", "192.168.1.10", "203.0.113.9", 10 * s)), Sids({71}));  // another flow, same host
  EXPECT_EQ(fire(d, packet("beacon", "192.168.1.11", "203.0.113.9", 10 * s)), Sids({}));   // another host
  EXPECT_EQ(fire(d, packet("beacon", "192.168.1.10", "203.0.113.9", 18 * s)), Sids({}));   // expired after 15 s
  EXPECT_EQ(fire(d, packet("hello", "192.168.1.10", "203.0.113.9", 20 * s)), Sids({}));
  EXPECT_EQ(fire(d, packet("again", "203.0.113.9", "192.168.1.10", 21 * s)), Sids({73}));  // the pair, reversed
  EXPECT_EQ(fire(d, packet("again", "203.0.113.9", "192.168.1.12", 21 * s)), Sids({}));
  EXPECT_EQ(fire(d, packet("mark", "192.168.1.10", "198.51.100.7", 30 * s)), Sids({}));
  EXPECT_EQ(fire(d, packet("probe", "198.51.100.7", "192.168.1.99", 31 * s)), Sids({75}));  // marked as source
  EXPECT_EQ(fire(d, packet("probe", "192.168.1.99", "198.51.100.7", 31 * s)), Sids({75}));  // ... or as destination
}

TEST(Detector, IcmpIdAndSeqOfEchoMessages) {
  const auto rs = compileRules(R"(
alert icmp any any -> any any (icmp_id:21781; sid:80;)
alert icmp any any -> any any (icmp_id:21781; icmp_seq:>1; sid:81;)
)");
  Detector d(rs);
  auto icmp = [](std::uint8_t type, std::string_view header) {
    MatchInput in = tcpInput();
    in.meta.transport = Transport::Icmp;
    in.meta.ip_proto = 1;
    in.meta.has_packet = true;
    in.meta.icmp_type = type;
    in.buffers.set(BufferId::Icmpv4Hdr, header);
    return in;
  };
  const std::string echo("\x08\x00\x00\x00\x55\x15\x00\x01", 8);  // id 21781, seq 1
  const std::string echo2("\x08\x00\x00\x00\x55\x15\x00\x02", 8);
  EXPECT_EQ(fire(d, icmp(8, echo)), Sids({80}));
  EXPECT_EQ(fire(d, icmp(8, echo2)), Sids({80, 81}));
  EXPECT_EQ(fire(d, icmp(3, echo)), Sids({}));  // unreachable: no identifier there
}

TEST(Detector, ThresholdLimitOnSimulatedTime) {
  const auto rs = compileRules(R"(
alert tcp any any -> any any (content:"scan"; threshold:type limit, track by_src, count 2, seconds 60; sid:40;)
alert tcp any any -> any any (content:"burst"; threshold:type threshold, track by_src, count 3, seconds 10; sid:41;)
alert tcp any any -> any any (content:"both"; threshold:type both, track by_dst, count 2, seconds 10; sid:42;)
alert tcp any any -> any any (content:"flood"; detection_filter:track by_src, count 2, seconds 10; sid:43;)
)");
  Detector d(rs);
  constexpr std::int64_t s = 1'000'000'000;
  auto at = [](std::string_view payload, std::int64_t t) {
    MatchInput in = tcpInput(payload);
    in.meta.timestamp_ns = t;
    return in;
  };
  std::vector<int> limit, threshold, both, filter;
  for (int i = 0; i < 5; ++i) limit.push_back(fire(d, at("scan", i * s)).size());
  limit.push_back(fire(d, at("scan", 61 * s)).size());  // new window
  EXPECT_EQ(limit, (std::vector<int>{1, 1, 0, 0, 0, 1}));
  for (int i = 0; i < 7; ++i) threshold.push_back(fire(d, at("burst", i * s)).size());
  EXPECT_EQ(threshold, (std::vector<int>{0, 0, 1, 0, 0, 1, 0}));
  for (int i = 0; i < 4; ++i) both.push_back(fire(d, at("both", i * s)).size());
  both.push_back(fire(d, at("both", 20 * s)).size());
  both.push_back(fire(d, at("both", 21 * s)).size());
  EXPECT_EQ(both, (std::vector<int>{0, 1, 0, 0, 0, 1}));
  for (int i = 0; i < 4; ++i) filter.push_back(fire(d, at("flood", i * s)).size());
  EXPECT_EQ(filter, (std::vector<int>{0, 0, 1, 1}));
  EXPECT_EQ(d.counters().suppressed, 3u + 5u + 4u + 2u);
}

TEST(Detector, IpOnlyRulesAreFoundThroughTheAddressIndex) {
  const auto rs = compileRules(R"(
alert ip [198.51.100.0/24,203.0.113.77] any -> $HOME_NET any (msg:"bad inbound"; sid:50;)
alert ip $HOME_NET any -> [203.0.113.5] any (msg:"to bad host"; sid:51;)
alert ip $HOME_NET any -> $EXTERNAL_NET any (msg:"protocol 41"; ip_proto:41; sid:52;)
)");
  EXPECT_EQ(rs->stats().address_indexed_rules, 3u);
  Detector d(rs);
  MatchInput in = tcpInput();
  EXPECT_EQ(fire(d, in), Sids({51}));  // to 203.0.113.5
  in.meta.src = *IpAddress::parse("198.51.100.200");
  in.meta.dst = *IpAddress::parse("10.0.0.1");
  EXPECT_EQ(fire(d, in), Sids({50}));
  in.meta.src = *IpAddress::parse("198.51.101.1");
  EXPECT_EQ(fire(d, in), Sids({}));
  MatchInput six = tcpInput();
  six.meta.dst = *IpAddress::parse("203.0.113.9");
  six.meta.ip_proto = 41;
  EXPECT_EQ(fire(d, six), Sids({52}));
}

TEST(Detector, PacketFieldsDsizeFlagsIcmpStreamSizeTlsVersion) {
  const auto rs = compileRules(R"(
alert tcp any any -> any any (msg:"syn only"; flags:S,12; sid:60;)
alert tcp any any -> any any (msg:"small"; content:"x"; dsize:<4; sid:61;)
alert icmp any any -> any any (msg:"echo"; itype:8; icode:0; sid:62;)
alert tcp any any -> any any (msg:"big upload"; flow:to_server; stream_size:client,>,1000; sid:63;)
alert tls any any -> any any (msg:"tls 1.0"; tls.version:1.0; tls.sni; content:"old"; sid:64;)
)");
  Detector d(rs);
  MatchInput syn = tcpInput();
  syn.meta.tcp_flags = 0x02 | 0x80;  // SYN + CWR, CWR ignored
  EXPECT_EQ(fire(d, syn), Sids({60}));
  syn.meta.tcp_flags = 0x12;
  EXPECT_EQ(fire(d, syn), Sids({}));
  EXPECT_EQ(fire(d, tcpInput("xyz")), Sids({61}));
  EXPECT_EQ(fire(d, tcpInput("xyzw")), Sids({}));
  MatchInput icmp = tcpInput();
  icmp.meta.transport = Transport::Icmp;
  icmp.meta.ip_proto = 1;
  icmp.meta.icmp_type = 8;
  EXPECT_EQ(fire(d, icmp), Sids({62}));
  icmp.meta.icmp_type = 0;
  EXPECT_EQ(fire(d, icmp), Sids({}));
  MatchInput up = tcpInput();
  up.meta.stream_bytes_to_server = 5000;
  EXPECT_EQ(fire(d, up), Sids({63}));
  MatchInput tls = tcpInput();
  tls.meta.app = AppProto::Tls;
  tls.buffers.set(BufferId::TlsSni, "old.example");
  tls.meta.tls_version = 0x0301;
  EXPECT_EQ(fire(d, tls), Sids({64}));
  tls.meta.tls_version = 0x0303;
  EXPECT_EQ(fire(d, tls), Sids({}));
}

TEST(Detector, DotprefixMatchesDomainAndSubdomains) {
  const auto rs = compileRules(R"(
alert dns any any -> any any (msg:"bad domain"; dns.query; dotprefix; content:".bad.example"; endswith; nocase; sid:70;)
)");
  Detector d(rs);
  for (const auto& [name, hit] : std::vector<std::pair<std::string, bool>>{
           {"bad.example", true}, {"x.y.BAD.example", true}, {"notbad.example", false}, {"bad.example.org", false}}) {
    MatchInput dns = tcpInput();
    dns.meta.transport = Transport::Udp;
    dns.meta.app = AppProto::Dns;
    dns.buffers.set(BufferId::DnsQuery, name);
    EXPECT_EQ(fire(d, dns).size(), hit ? 1u : 0u) << name;
  }
}

TEST(Detector, MultiInstanceBuffersMatchAnyInstance) {
  const auto rs = compileRules(R"(
alert tls any any -> any any (msg:"bad issuer"; tls.cert_issuer; content:"Evil CA"; sid:80;)
alert smtp any any -> any any (msg:"to minister"; smtp.rcpt_to; content:"minister@"; startswith; sid:81;)
)");
  Detector d(rs);
  MatchInput tls = tcpInput();
  tls.meta.app = AppProto::Tls;
  tls.buffers.add(BufferId::TlsCertIssuer, "CN=Good CA");
  tls.buffers.add(BufferId::TlsCertIssuer, "CN=Evil CA");
  EXPECT_EQ(fire(d, tls), Sids({80}));
  MatchInput mail = tcpInput();
  mail.meta.app = AppProto::Smtp;
  mail.buffers.add(BufferId::SmtpRcptTo, "clerk@mofa.example.go.jp");
  mail.buffers.add(BufferId::SmtpRcptTo, "minister@mofa.example.go.jp");
  EXPECT_EQ(fire(d, mail), Sids({81}));
}

// Suricata's legacy certificate keywords: the field contains the text (case-sensitively), or with
// '!' does not; a session without certificates matches neither; fingerprints in any case.
TEST(Detector, LegacyTlsCertificateKeywords) {
  const auto rs = compileRules(R"(
alert tls any any -> any any (msg:"subject"; tls.subject:"CN=SELKS"; sid:1;)
alert tls any any -> any any (msg:"subject, other case"; tls.subject:"cn=selks"; sid:2;)
alert tls any any -> any any (msg:"not this issuer"; tls.issuerdn:!"CN=Google"; sid:3;)
alert tls any any -> any any (msg:"fingerprint"; tls.fingerprint:"90:86:A4:3B"; sid:4;)
alert tls any any -> any any (msg:"sticky spelling"; tls.cert_fingerprint; content:"90:86:a4:3b"; sid:5;)
alert tls any any -> any any (msg:"server random"; flow:to_client; tls.random_time; content:"|54 f9 fc 15|"; tls.random_bytes; content:"|77 e4|"; startswith; sid:6;)
alert tls any any -> any any (msg:"whole random"; tls.random; content:"|15 77|"; bsize:32; sid:7;)
)");
  Detector d(rs);
  MatchInput tls = tcpInput();
  tls.meta.app = AppProto::Tls;
  tls.meta.direction = FlowDirection::ToClient;
  tls.buffers.set(BufferId::TlsCertSubject, "C=FR, O=Stamus, CN=SELKS");
  tls.buffers.set(BufferId::TlsCertIssuer, "C=FR, O=Stamus, CN=SELKS");
  tls.buffers.set(BufferId::TlsCertFingerprint, "90:86:a4:3b:f5:cf");
  std::string random = "\x54\xf9\xfc\x15\x77\xe4";
  random.resize(32, 'x');
  tls.buffers.set(BufferId::TlsRandom, random);
  tls.buffers.set(BufferId::TlsRandomTime, std::string_view(random).substr(0, 4));
  tls.buffers.set(BufferId::TlsRandomBytes, std::string_view(random).substr(4));
  EXPECT_EQ(fire(d, tls), Sids({1, 3, 4, 5, 6, 7}));
  MatchInput google = tls;
  google.buffers.set(BufferId::TlsCertIssuer, "C=US, O=Google Trust Services, CN=Google");
  EXPECT_EQ(fire(d, google), Sids({1, 4, 5, 6, 7}));
  MatchInput hello = tcpInput();  // no certificate: neither the field nor its negation matches
  hello.meta.app = AppProto::Tls;
  hello.buffers.set(BufferId::TlsSni, "example.org");
  EXPECT_EQ(fire(d, hello), Sids({}));
}

TEST(Detector, PcreOnlyRulesArePrefilteredInHyperscan) {
  const auto rs = compileRules(R"(
alert http any any -> any any (msg:"native"; http.uri; pcre:"/^\/[a-f0-9]{32}\.php$/"; sid:90;)
alert http any any -> any any (msg:"backreference needs prefilter"; http.uri; pcre:"/(ab+)x\1/"; sid:91;)
)");
  EXPECT_EQ(rs->stats().regex_patterns, 1u);
  EXPECT_EQ(rs->stats().prefilter_patterns, 1u);
  Detector d(rs);
  EXPECT_EQ(fire(d, httpInput("GET", "/0123456789abcdef0123456789abcdef.php", "h")), Sids({90}));
  EXPECT_EQ(fire(d, httpInput("GET", "/0123456789abcdef0123456789abcdeg.php", "h")), Sids({}));
  EXPECT_EQ(fire(d, httpInput("GET", "/abbxabb", "h")), Sids({91}));
  EXPECT_EQ(fire(d, httpInput("GET", "/abbxab", "h")), Sids({}));  // prefilter hit, PCRE2 says no
}

TEST(Detector, FastPatternChoiceDoesNotChangeResults) {
  const auto rs = compileRules(R"(
alert tcp any any -> any any (content:"AB"; fast_pattern; content:"longer-pattern"; sid:100;)
alert tcp any any -> any any (content:"0123456789"; fast_pattern:2,4; sid:101;)
)");
  Detector d(rs);
  EXPECT_EQ(fire(d, tcpInput("AB longer-pattern")), Sids({100}));
  EXPECT_EQ(fire(d, tcpInput("AB longer")), Sids({}));
  EXPECT_EQ(fire(d, tcpInput("..0123456789..")), Sids({101}));
  EXPECT_EQ(fire(d, tcpInput("..2345..")), Sids({}));
}

TEST(Detector, StreamAndPacketOnlyRules) {
  const auto rs = compileRules(R"(
alert tcp-pkt any any -> any any (content:"pkt"; sid:110;)
alert tcp any any -> any any (flow:only_stream; content:"pkt"; sid:111;)
)");
  Detector d(rs);
  MatchInput packet = tcpInput("pkt");
  EXPECT_EQ(fire(d, packet), Sids({110}));
  packet.meta.is_stream = true;
  EXPECT_EQ(fire(d, packet), Sids({111}));
}

TEST(Detector, HotSwapKeepsWorking) {
  Detector d(compileRules(R"(alert tcp any any -> any any (content:"old"; sid:1;))"));
  EXPECT_EQ(fire(d, tcpInput("old new")), Sids({1}));
  d.setRuleset(compileRules(R"(alert tcp any any -> any any (content:"new"; sid:2;))"));
  EXPECT_EQ(fire(d, tcpInput("old new")), Sids({2}));
}

}  // namespace
}  // namespace gsoc::signatures

namespace gsoc::signatures {
namespace {

using namespace testing;

TEST(DetectorStreamPolicy, PayloadRulesUseTheStreamAndMatchesMustBeNew) {
  const auto rs = compileRules(R"(
alert tcp any any -> any any (content:"EVIL"; sid:1;)
alert tcp-pkt any any -> any any (content:"EVIL"; sid:3;)
alert tcp any any -> any any (flags:S; sid:4;)
)");
  Detector d(rs);
  MatchInput packet = tcpInput("xxEVILxx");
  packet.meta.payload_in_stream = true;
  EXPECT_EQ(fire(d, packet), Sids({3}));  // the stream pass handles sid 1
  MatchInput stream = tcpInput("xxEVILxx");
  stream.meta.is_stream = true;
  EXPECT_EQ(fire(d, stream), Sids({1}));
  // The next window starts with 4 bytes already inspected: "EVIL" inside them does not re-fire,
  // one that ends in the new bytes does.
  stream.buffers.set(BufferId::Payload, "EVILnew!");
  stream.meta.stream_new_data_offset = 4;
  EXPECT_EQ(fire(d, stream), Sids({}));
  stream.buffers.set(BufferId::Payload, "xxEVILxx");
  EXPECT_EQ(fire(d, stream), Sids({1}));
}

TEST(DetectorStreamPolicy, IpOnlyRulesFireOncePerDirection) {
  const auto rs = compileRules(R"(
alert tcp 192.168.1.10 any -> any any (sid:1;)
alert tcp any any -> any any (flow:to_server; sid:2;)
)");
  EXPECT_TRUE(rs->rules()[0].ip_only);
  EXPECT_FALSE(rs->rules()[1].ip_only);
  Detector d(rs);
  MatchInput in = tcpInput();
  EXPECT_EQ(fire(d, in), Sids({1, 2}));
  in.meta.first_in_direction = false;
  EXPECT_EQ(fire(d, in), Sids({2}));
}

TEST(Detector, PacketHeaderBuffersTcpMssAndVariablesAcrossBuffers) {
  const auto rs = compileRules(R"(
alert ip any any -> any any (ipv4.hdr; content:"|40 06|"; offset:8; depth:2; sid:90;)
alert tcp any any -> any any (tcp.hdr; content:"|02 04|"; offset:20; byte_test:2,<,536,0,big,relative; sid:91;)
alert tcp any any -> any any (tcp.mss:<536; sid:92;)
alert tcp any any -> any any (tcp.mss:1000-1500; sid:93;)
alert tcp any any -> any any (ipv4.hdr; byte_math:bytes 1, offset 1, oper <<, rvalue 2, result v; tcp.hdr; byte_test:1,=,v,13; sid:94;)
alert tcp-pkt any any -> any any (content:"GET"; tcp.hdr; content:"|00 50|"; offset:2; depth:2; sid:95;)
)");
  Detector d(rs);
  // IPv4, TTL 64, TCP; TOS 0x06. TCP header with MSS 512 (options: NOP NOP MSS).
  const std::string ip("\x45\x06\x00\x3c\x00\x00\x00\x00\x40\x06\x00\x00\xc0\xa8\x01\x0a\xcb\x00\x71\x05", 20);
  auto tcp = [](std::uint16_t mss, std::uint8_t flags) {
    std::string h("\xc0\x00\x00\x50\x00\x00\x00\x01\x00\x00\x00\x00\x70\x00\x20\x00\x00\x00\x00\x00"
                  "\x01\x01\x02\x04\x00\x00\x00\x00", 28);
    h[13] = static_cast<char>(flags);
    h[24] = static_cast<char>(mss >> 8);
    h[25] = static_cast<char>(mss & 0xff);
    return h;
  };
  const std::string small = tcp(512, 0x18);  // 0x06 << 2 = 0x18: the PSH|ACK flags byte
  MatchInput in = tcpInput("GET / HTTP/1.1");
  in.buffers.set(BufferId::Ipv4Hdr, ip);
  in.buffers.set(BufferId::TcpHdr, small);
  in.meta.payload_in_stream = true;  // a TCP packet: payload rules skip it, header rules do not
  EXPECT_EQ(fire(d, in), Sids({90, 91, 92, 94, 95}));
  const std::string large = tcp(1460, 0x10);
  in.buffers.set(BufferId::TcpHdr, large);
  EXPECT_EQ(fire(d, in), Sids({90, 93, 95}));
  // Without header buffers (a stream chunk or transaction) none of them is evaluated.
  MatchInput stream = tcpInput("GET / HTTP/1.1");
  stream.meta.is_stream = true;
  EXPECT_EQ(fire(d, stream), Sids({}));
}

TEST(Detector, HttpRequestHeaderIsOneInstancePerHeader) {
  const auto rs = compileRules(R"(
alert http any any -> any any (flow:to_server; http.request_header; content:"User-Agent|3a 20|"; startswith; sid:100;)
alert http any any -> any any (http.request_header; content:"Accept: */*"; bsize:11; sid:101;)
alert http any any -> any any (http.response_header; content:"Date|3a 20|"; sid:102;)
)");
  Detector d(rs);
  MatchInput in = httpInput("GET", "/", "h");
  in.buffers.add(BufferId::HttpRequestHeader, "Host: h");
  in.buffers.add(BufferId::HttpRequestHeader, "X-Agent: User-Agent: x");  // not at the start
  in.buffers.add(BufferId::HttpRequestHeader, "Accept: */*");
  EXPECT_EQ(fire(d, in), Sids({101}));
  in.buffers.add(BufferId::HttpRequestHeader, "User-Agent: curl");
  EXPECT_EQ(fire(d, in), Sids({100, 101}));
}

TEST(Detector, EventKeywordsMatchInputsCarryingTheEvent) {
  const auto rs = compileRules(R"(
alert pkthdr any any -> any any (msg:"trunc"; decode-event:ipv4.trunc_pkt; sid:20;)
alert tcp any any -> any any (msg:"gap"; stream-event:reassembly_seq_gap; sid:21;)
alert http any any -> any any (msg:"no host"; flow:to_server; app-layer-event:http.missing_host_header; sid:22;)
alert pkthdr any any -> any any (msg:"never"; decode-event:gre.pkt_too_small; sid:23;)
)");
  Detector d(rs);
  MatchInput in = tcpInput();
  EXPECT_EQ(fire(d, in), Sids({}));
  in.meta.events.set(AnomalyEvent::Ipv4TruncPkt);
  EXPECT_EQ(fire(d, in), Sids({20}));
  in.meta.events.clear();
  in.meta.events.set(AnomalyEvent::StreamReassemblySeqGap);
  EXPECT_EQ(fire(d, in), Sids({21}));
  in.meta.events.set(AnomalyEvent::HttpMissingHostHeader);
  EXPECT_EQ(fire(d, in), Sids({21}));  // the http rule needs the flow's protocol
  in.meta.app = AppProto::Http;
  EXPECT_EQ(fire(d, in), Sids({21, 22}));
}

TEST(Detector, LdapIntegerKeywordsWithIndexes) {
  // Suricata's detect-ldap-operation forms: a tcp rule with an ldap keyword is an LDAP rule.
  const auto rs = compileRules(R"(
alert tcp any any -> any any (ldap.request.operation:3; sid:1;)
alert tcp any any -> any any (ldap.request.operation:search_request; sid:2;)
alert tcp any any -> any any (ldap.responses.operation:search_result_entry; sid:3;)
alert tcp any any -> any any (ldap.responses.operation:search_result_done,1; sid:5;)
alert tcp any any -> any any (ldap.responses.operation:search_result_done,-1; sid:7;)
alert tcp any any -> any any (ldap.responses.count:2; sid:8;)
alert tcp any any -> any any (ldap.responses.count:>0; sid:9;)
alert tcp any any -> any any (ldap.responses.operation:search_result_done,0; sid:10;)
alert tcp any any -> any any (ldap.responses.operation:search_result_done,all; sid:13;)
alert ldap any any -> any any (ldap.responses.result_code:size_limit_exceeded,all; sid:14;)
alert ldap any any -> any any (ldap.responses.result_code:!success; sid:15;)
alert ldap any any -> any any (ldap.responses.result_code:!success,0; sid:17;)
alert ldap any any -> any any (ldap.responses.dn; content:"dc=example"; startswith; sid:16;)
)");
  Detector d(rs);
  MatchInput request = tcpInput();
  request.meta.app = AppProto::Ldap;
  request.buffers.set(BufferId::LdapRequestOperationNumber, std::string_view("\x03", 1));
  EXPECT_EQ(fire(d, request), Sids({1, 2}));
  MatchInput responses = tcpInput();
  responses.meta.app = AppProto::Ldap;
  responses.meta.direction = FlowDirection::ToClient;
  const std::string ops("\x04\x05", 2);       // search_result_entry, search_result_done
  const std::string codes("\xff\x04", 2);     // no result, size_limit_exceeded
  const std::string count("\x00\x00\x00\x02", 4);
  responses.buffers.set(BufferId::LdapResponsesOperationNumber, ops);
  responses.buffers.set(BufferId::LdapResponsesResultCodeNumber, codes);
  responses.buffers.set(BufferId::LdapResponsesCountNumber, count);
  responses.buffers.add(BufferId::LdapResponsesDn, "dc=example,dc=com");
  responses.buffers.add(BufferId::LdapResponsesDn, "");
  EXPECT_EQ(fire(d, responses), Sids({3, 5, 7, 8, 9, 15, 16}));
  // One response, a done with size_limit_exceeded: every code is it.
  MatchInput done = responses;
  done.buffers.set(BufferId::LdapResponsesOperationNumber, std::string_view("\x05", 1));
  done.buffers.set(BufferId::LdapResponsesResultCodeNumber, std::string_view("\x04", 1));
  done.buffers.set(BufferId::LdapResponsesCountNumber, std::string_view("\x00\x00\x00\x01", 4));
  EXPECT_EQ(fire(d, done), Sids({7, 9, 10, 13, 14, 15, 16, 17}));
  // Not LDAP: nothing.
  MatchInput other = responses;
  other.meta.app = AppProto::None;
  EXPECT_EQ(fire(d, other), Sids({}));
}

TEST(Detector, DnsIntegerKeywords) {
  // Suricata 8's dns.rcode, dns.opcode and dns.rrtype: the message's header numbers, and any one
  // of its types (a request's questions, a response's answers). An ip rule with one is a DNS rule.
  const auto rs = compileRules(R"(
alert dns any any -> any any (dns.rcode:3; sid:1;)
alert dns any any -> any any (dns.rcode:!2; sid:2;)
alert dns any any -> any any (dns.rcode:nxdomain; sid:3;)
alert dns any any -> any any (dns.opcode:!0; sid:4;)
alert dns any any -> any any (dns.rrtype:1; sid:5;)
alert dns any any -> any any (dns.rrtype:!28; sid:6;)
alert ip any any -> any any (dns.rrtype:>255; sid:7;)
alert dns any any -> any any (dns.opcode:7-16; sid:8;)
)");
  Detector d(rs);
  MatchInput in = tcpInput();
  in.meta.app = AppProto::Dns;
  in.buffers.set(BufferId::DnsRcodeNumber, std::string_view("\x03", 1));
  in.buffers.set(BufferId::DnsOpcodeNumber, std::string_view("\x00", 1));
  in.buffers.add(BufferId::DnsRrtypeNumber, std::string_view("\x00\x1c", 2));
  in.buffers.add(BufferId::DnsRrtypeNumber, std::string_view("\x01\x01", 2));
  EXPECT_EQ(fire(d, in), Sids({1, 2, 3, 6, 7}));
  in.buffers.set(BufferId::DnsRcodeNumber, std::string_view("\x02", 1));
  in.buffers.set(BufferId::DnsOpcodeNumber, std::string_view("\x09", 1));
  in.buffers.set(BufferId::DnsRrtypeNumber, std::string_view("\x00\x01", 2));
  EXPECT_EQ(fire(d, in), Sids({4, 5, 6, 8}));
  EXPECT_EQ(loadRules("alert dns any any -> any any (dns.rrtype:70000; sid:9;)").report.errors.size(), 1u);
}

TEST(Detector, MdnsRulesAndKeywords) {
  // Suricata 8's mdns protocol: DNS on port 5353 with its own rules; an ip rule with an mdns
  // keyword is an mdns rule, and a dns rule does not match mDNS.
  const auto rs = compileRules(R"(
alert mdns any any -> any any (mdns.queries.rrname; content:"_apple"; sid:1;)
alert ip any any -> any any (mdns.answers.rrname; content:"Mac"; sid:2;)
alert dns any any -> any any (dns.queries.rrname; content:"_apple"; sid:3;)
)");
  Detector d(rs);
  MatchInput in = tcpInput();
  in.meta.transport = Transport::Udp;
  in.meta.app = AppProto::Mdns;
  in.buffers.add(BufferId::DnsQueriesRrname, "_apple-mobdev._tcp.local");
  in.buffers.add(BufferId::DnsAnswersRrname, "John's iMac._device-info._tcp.local");
  EXPECT_EQ(fire(d, in), Sids({1, 2}));
  in.meta.app = AppProto::Dns;
  EXPECT_EQ(fire(d, in), Sids({3}));
}

TEST(RuleParser, EventKeywords) {
  const RuleVariables vars = RuleVariables::withDefaults();
  const RuleParser parser(vars);
  std::vector<std::string> warnings;
  const Rule r = parser.parse(R"(alert tcp any any -> any any (app-layer-event:http.missing_host_header; sid:1;))", &warnings);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0], AnomalyEvent::HttpMissingHostHeader);
  EXPECT_EQ(r.app, AppProto::Http);  // bound to the event's protocol
  EXPECT_TRUE(warnings.empty());
  const Rule d = parser.parse(R"(alert pkthdr any any -> any any (decode-event:decoder.ipv6.exthdr_dupl_fh; sid:2;))", &warnings);
  EXPECT_EQ(d.events, std::vector<AnomalyEvent>({AnomalyEvent::Ipv6ExthdrDuplFh}));
  // A name gsoc never raises loads with a warning; the rule cannot match.
  const Rule n = parser.parse(R"(alert tcp any any -> any any (stream-event:pkt_broken_ack; sid:3;))", &warnings);
  EXPECT_TRUE(n.names_unraised_event);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("stream-event 'pkt_broken_ack' is never raised by gsoc"), std::string::npos);
  EXPECT_THROW((void)parser.parse(R"(alert tcp any any -> any any (app-layer-event:nodot; sid:4;))"), RuleParseError);
  EXPECT_THROW((void)parser.parse(R"(alert tcp any any -> any any (decode-event:"bad name"; sid:5;))"), RuleParseError);
}

}  // namespace
}  // namespace gsoc::signatures
