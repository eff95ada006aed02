// The sensor pipeline end to end on traffic generated here: exact alerts for split and
// reordered TCP segments, IPv6 + VLAN, IP fragments, chunked + gzip HTTP, SMTP attachments,
// TLS SNI and DNS. Frames go through SensorWorker (decode, defrag, flows, reassembly) into
// FlowInspector (app layer + signatures), as in gsoc-sensor.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>

#include "bench/traffic/FrameBuilder.hpp"
#include "gsoc/signatures/Sha256.hpp"
#include "gsoc/v1/event.pb.h"
#include "sensor/ClientHello.hpp"
#include "sensor/GeneratedFrames.hpp"
#include "sensor/Http2Frames.hpp"
#include "sensor/app/Http2Parser.hpp"
#include "sensor/export/EventFile.hpp"
#include "sensor/worker/InspectionHooks.hpp"
#include "signatures/TestRules.hpp"

namespace gsoc::sensor {
namespace {

using namespace traffic;
using signatures::testing::compileRules;
using test::h2Frame;
using test::h2Headers;
using Sids = std::vector<std::uint32_t>;

class Pipeline {
 public:
  explicit Pipeline(std::string_view rules, signatures::IndicatorSet iocs = {})
      : ruleset_(compileRules(rules, std::move(iocs))),
        inspector_(ruleset_,
                   [this](const AlertHit& hit) {
                     if (hit.rule != nullptr) sids_.push_back(hit.rule->sid);
                     else indicators_.push_back(hit.indicator->id);
                     capture_indexes_.push_back(hit.capture_index);
                     flow_ends_.push_back(hit.flow_end);
                   }),
        worker_({}, inspectionHooks(inspector_)) {}

  void send(const Bytes& frame) { frames_.send(frame); }
  Sids finish() {
    worker_.finish();
    Sids s = sids_;
    std::sort(s.begin(), s.end());
    return s;
  }
  // From here on, the http exchange records as gsoc.v1 events carry them.
  const std::vector<gsoc::v1::HttpRecord>& recordHttp() {
    inspector_.setMetadataSink([this](const AppMetadata& m) {
      gsoc::v1::Event e;
      if (m.kind == AppMetadata::Kind::Http && builder_.metadata(m, e)) http_records_.push_back(e.http());
    });
    return http_records_;
  }
  // From here on, the smtp records as gsoc.v1 events carry them.
  const std::vector<gsoc::v1::SmtpRecord>& recordSmtp() {
    inspector_.setMetadataSink([this](const AppMetadata& m) {
      gsoc::v1::Event e;
      if (m.kind == AppMetadata::Kind::Smtp && builder_.metadata(m, e)) smtp_records_.push_back(e.smtp());
    });
    return smtp_records_;
  }
  [[nodiscard]] const std::vector<std::string>& indicators() const { return indicators_; }
  // The capture position (1 = the first frame sent) of each alert's packet, in alert order.
  [[nodiscard]] const std::vector<std::uint64_t>& captureIndexes() const { return capture_indexes_; }
  // Whether each alert came at its flow's end (on no packet), in alert order.
  [[nodiscard]] const std::vector<bool>& flowEnds() const { return flow_ends_; }
  FlowInspector& inspector() { return inspector_; }

 private:
  signatures::CompiledRulesetPtr ruleset_;
  EventBuilder builder_{"sensor-1", "MOFA", "v"};
  std::vector<gsoc::v1::HttpRecord> http_records_;
  std::vector<gsoc::v1::SmtpRecord> smtp_records_;
  Sids sids_;
  std::vector<std::string> indicators_;
  std::vector<std::uint64_t> capture_indexes_;
  std::vector<bool> flow_ends_;
  FlowInspector inspector_;
  SensorWorker worker_;
  test::GeneratedFrames frames_{worker_};
};

using Conversation = TcpConversation;

TEST(Pipeline, PatternSplitAcrossSegmentsMatchesOnce) {
  Pipeline p(R"(alert tcp any any -> any any (msg:"split"; flow:established,to_server; content:"EVIL-PAYLOAD"; sid:1;))");
  Conversation c{PacketSpec{}};
  for (const Bytes& f : c.handshake()) p.send(f);
  p.send(c.client("xxxxEVIL-"));
  p.send(c.client("PAYLOADyyyy"));
  p.send(c.client("more data, no second match"));
  EXPECT_EQ(p.finish(), Sids({1}));
}

// EVE's pcap_cnt: an alert names the packet it was raised with. As Suricata's raw stream
// inspection in IDS mode, stream rules scan a side's bytes once the other side acknowledged them,
// at that side's next packet (here the seventh frame, after the server's ACK, the sixth).
TEST(Pipeline, AlertsCarryTheCapturePositionOfTheirPacket) {
  Pipeline p(R"(
alert tcp any any -> any any (msg:"split"; flow:established,to_server; content:"EVIL-PAYLOAD"; sid:1;)
alert tcp any any -> any any (msg:"syn"; flags:S; sid:2;)
)");
  Conversation c{PacketSpec{}};
  for (const Bytes& f : c.handshake()) p.send(f);
  p.send(c.client("xxxxEVIL-"));
  p.send(c.client("PAYLOADyyyy"));
  p.send(c.server("", 0x10));
  p.send(c.client("", 0x10));
  EXPECT_EQ(p.finish(), Sids({1, 2}));
  EXPECT_EQ(p.captureIndexes(), std::vector<std::uint64_t>({1, 7}));
  EXPECT_EQ(p.flowEnds(), std::vector<bool>({false, false}));
}

// A connection picked up mid-way (no SYN seen): Suricata, with midstream off, keeps no session
// for it, so each packet's payload is inspected alone, with its own packet (no stream rule
// waits for an acknowledgement that may never come, and a pattern split across two packets
// does not match), and flowbits set by one rule are seen by the next on the same packet.
TEST(Pipeline, MidstreamPacketsAreInspectedOneByOne) {
  Pipeline p(R"(
alert tcp any any -> any any (content:"EVIL-PAYLOAD"; sid:1;)
alert tcp any any -> any any (content:"GET "; flowbits:set,get; flowbits:noalert; sid:2;)
alert tcp any any -> any any (flowbits:isset,get; content:"EVIL"; sid:3;)
alert tcp any any -> any any (content:"SPLIT-HERE"; sid:4;)
)");
  Conversation c{PacketSpec{}};
  p.send(c.client("GET /x EVIL-PAYLOAD", 0x18));
  p.send(c.client("SPLIT-", 0x18));
  p.send(c.client("HERE", 0x18));
  EXPECT_EQ(p.finish(), Sids({1, 3}));
  EXPECT_EQ(p.captureIndexes(), std::vector<std::uint64_t>({1, 1}));
}

// `bypass`: once such a rule matches, the flow's later packets are counted and not inspected,
// even by rules that would alert on them. Another flow is inspected as before.
TEST(Pipeline, BypassedFlowIsNotInspectedAnyMore) {
  Pipeline p(R"(
alert udp any any -> any any (content:"trusted-backup"; bypass; noalert; sid:1;)
alert udp any any -> any any (content:"evil"; sid:2;)
)");
  auto datagram = [](std::uint16_t sport, std::string_view payload) {
    PacketSpec s;
    s.proto = 17;
    s.sport = sport;
    s.dport = 9000;
    s.payload.assign(payload.begin(), payload.end());
    return ethernetFrame(s);
  };
  p.send(datagram(40000, "evil 1"));
  p.send(datagram(40000, "trusted-backup"));
  p.send(datagram(40000, "evil 2"));
  p.send(datagram(40001, "evil 3"));
  EXPECT_EQ(p.finish(), Sids({2, 2}));
  EXPECT_EQ(p.captureIndexes(), std::vector<std::uint64_t>({1, 4}));
}

// An app-layer event in a rule that also inspects a transaction's buffer: the transaction that
// raised it carries it (libhtp's REQUEST_BODY_UNEXPECTED: a POST without a length whose body
// follows anyway, which is then its body).
TEST(Pipeline, AppLayerEventWithTheTransactionThatRaisedIt) {
  Pipeline p(R"(
alert http any any -> any any (http.request_body; content:"login=foo"; app-layer-event:http.request_body_unexpected; sid:1;)
alert http any any -> any any (http.request_body; content:"login=foo"; app-layer-event:http.request_line_invalid; sid:2;)
)");
  Conversation c{PacketSpec{}};
  for (const Bytes& f : c.handshake()) p.send(f);
  p.send(c.client("POST /login HTTP/1.1\r\nHost: a\r\n\r\nlogin=foo&password=bar\r\n"));
  p.send(c.server("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
  for (const Bytes& f : c.close()) p.send(f);
  EXPECT_EQ(p.finish(), Sids({1}));
}

// Suricata's stream.inline: stream rules scan the bytes as they arrive (the fifth frame).
TEST(Pipeline, InlineModeScansStreamBytesAsTheyArrive) {
  Pipeline p(R"(alert tcp any any -> any any (msg:"split"; flow:established,to_server; content:"EVIL-PAYLOAD"; sid:1;))");
  p.inspector().setStreamInline(true);
  Conversation c{PacketSpec{}};
  for (const Bytes& f : c.handshake()) p.send(f);
  p.send(c.client("xxxxEVIL-"));
  p.send(c.client("PAYLOADyyyy"));
  p.send(c.server("", 0x10));
  EXPECT_EQ(p.finish(), Sids({1}));
  EXPECT_EQ(p.captureIndexes(), std::vector<std::uint64_t>({5}));
}

// TCP Fast Open in inline mode: an HTTP request in the SYN, the worker's first packet, is
// inspected with that packet (capture position 1).
TEST(Pipeline, FastOpenRequestInTheFirstSynCarriesItsCapturePosition) {
  Pipeline p(R"(alert http any any -> any any (http.uri; content:"/index.php"; sid:1;))");
  p.inspector().setStreamInline(true);
  Conversation c{PacketSpec{}};
  p.send(c.client("GET /index.php HTTP/1.1\r\nHost: a\r\n\r\n", 0x02));
  p.send(c.server("", 0x12));
  p.send(c.client("", 0x10));
  EXPECT_EQ(p.finish(), Sids({1}));
  EXPECT_EQ(p.captureIndexes(), std::vector<std::uint64_t>({1}));
}

// Bytes still unacknowledged when a RST ends the connection are scanned at the flow's end, as
// Suricata's flow-end pseudo packets do (EVE pkt_src "stream (flow timeout)", no pcap_cnt), held
// bytes behind a hole included. The RST's own payload is not part of the stream.
TEST(Pipeline, BytesUnacknowledgedAtARstAreScannedAtTheFlowEnd) {
  Pipeline p(R"(
alert tcp any any -> any any (content:"Me In!"; sid:1;)
alert tcp any any -> any any (flow:only_stream; content:"Access Denied"; sid:2;)
alert tcp-pkt any any -> any any (content:"Access Denied"; sid:3;)
)");
  Conversation c{PacketSpec{}};
  for (const Bytes& f : c.handshake()) p.send(f);  // client ISN 1000, server ISN 90000
  PacketSpec server;
  std::swap(server.src, server.dst);
  std::swap(server.sport, server.dport);
  server.ack = 1001;
  server.seq = 90001;
  server.payload = "Please ";
  p.send(ethernetFrame(server));
  server.seq = 90012;  // "Let " (90008) never arrives
  server.payload = "Me In!";
  p.send(ethernetFrame(server));
  PacketSpec rst;  // acknowledges "Please " only
  rst.seq = 1001;
  rst.ack = 90008;
  rst.flags = 0x14;
  rst.payload = "Access Denied";
  p.send(ethernetFrame(rst));
  EXPECT_EQ(p.finish(), Sids({1, 3}));
  EXPECT_EQ(p.captureIndexes(), std::vector<std::uint64_t>({6, 0}));
  EXPECT_EQ(p.flowEnds(), std::vector<bool>({false, true}));
}

// A rule mixing the payload with an HTTP buffer matches in the transaction, where both are
// there; a payload-only rule still matches once, in the stream, and not again in the transaction.
TEST(Pipeline, PayloadAndHttpBufferInOneRule) {
  Pipeline p(R"(alert http any any -> any any (msg:"mixed"; content:"GET"; http.uri; content:"/two/"; sid:20;)
alert tcp any any -> any any (msg:"payload only"; content:"GET /one/two/"; sid:21;)
alert http any any -> any any (msg:"mixed, payload part absent"; content:"POST"; http.uri; content:"/two/"; sid:22;))");
  PacketSpec base;
  base.dport = 80;
  Conversation c(base);
  for (const Bytes& f : c.handshake()) p.send(f);
  p.send(c.client("GET /one/two/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n"));
  EXPECT_EQ(p.finish(), Sids({20, 21}));
}

// A request whose head never ends (the capture stops first) is still a transaction: Suricata
// inspects it at the end of the stream with the request line and the header lines that ended.
TEST(Pipeline, RequestHeadCutShortIsInspectedAtFlowEnd) {
  Pipeline p(R"(alert http any any -> any any (msg:"uri"; http.uri; content:"/a b"; sid:30;)
alert http any any -> any any (msg:"method"; http.method; content:"POST"; sid:31;)
alert http any any -> any any (msg:"ua"; http.user_agent; content:"Mozilla/1.0"; sid:32;)
alert http any any -> any any (msg:"unfinished header line"; http.header; content:"Cut"; sid:33;))");
  PacketSpec base;
  base.dport = 80;
  Conversation c(base);
  for (const Bytes& f : c.handshake()) p.send(f);
  p.send(c.client("POST /a%20b HTTP/1.0\r\nUser-Agent: Mozilla/1.0\r\nCut"));
  EXPECT_EQ(p.finish(), Sids({30, 31, 32}));
}

// A start line without its end is taken as it is at the end of the connection (Suricata 8, as
// suricata-verify's bug-3844: "GET /" and a reset is a transaction for "/").
TEST(Pipeline, StartLineCutShortIsInspectedAtFlowEnd) {
  Pipeline p(R"(alert http any any -> any any (msg:"method"; http.method; content:"GET"; sid:34;))");
  PacketSpec base;
  base.dport = 80;
  Conversation c(base);
  for (const Bytes& f : c.handshake()) p.send(f);
  p.send(c.client("GET /a HTTP/1.0"));
  EXPECT_EQ(p.finish(), Sids({34}));
}

// A head whose announced body never came is a transaction when the connection closes, and the
// connection's app layer ends at the ACK of the second FIN (Suricata's CLOSED state), not at
// that FIN: the alert carries the final ACK's capture position. `absent` holds on the
// transaction only, not on the flow's other packets.
TEST(Pipeline, BodyThatNeverCameIsInspectedAtTheAckOfTheLastFin) {
  Pipeline p(R"(alert http any any -> any any (msg:"uri"; flow:to_server; http.uri; content:"/upload"; sid:35;)
alert http any any -> any any (msg:"no referer"; flow:to_server; http.referer; absent; sid:36;))");
  PacketSpec base;
  base.dport = 80;
  Conversation c(base);
  for (const Bytes& f : c.handshake()) p.send(f);                                                  // 1-3
  p.send(c.client("POST /upload HTTP/1.1\r\nHost: a.example\r\nContent-Length: 100\r\n\r\n"));  // 4
  p.send(c.server("", 0x10));                                                                      // 5
  for (const Bytes& f : c.close()) p.send(f);                                                      // 6-8
  EXPECT_EQ(p.finish(), Sids({35, 36}));
  EXPECT_EQ(p.captureIndexes(), (std::vector<std::uint64_t>{8, 8}));
}

// Without hassh (no rule inspects a hassh buffer) Suricata logs an SSH session once both banners
// are parsed; with it, once both KEXINITs are (here never: at the connection's end).
TEST(Pipeline, SshRecordWaitsForTheKexinitsOnlyWithHassh) {
  for (const bool hassh : {false, true}) {
    Pipeline p(hassh ? R"(alert ssh any any -> any any (ssh.hassh; content:"x"; sid:1;))"
                     : R"(alert ssh any any -> any any (ssh.proto; content:"x"; sid:1;))");
    std::vector<std::uint64_t> records;
    p.inspector().setMetadataSink([&](const AppMetadata& m) {
      if (m.kind == AppMetadata::Kind::Ssh) records.push_back(m.capture_index);
    });
    PacketSpec base;
    base.dport = 22;
    Conversation c(base);
    for (const Bytes& f : c.handshake()) p.send(f);   // 1-3
    p.send(c.server("SSH-2.0-OpenSSH_9.6\r\n"));     // 4
    p.send(c.client("SSH-2.0-OpenSSH_9.6\r\n"));     // 5: acknowledges the server's banner
    p.send(c.server("", 0x10));                         // 6: acknowledges the client's
    for (const Bytes& f : c.close()) p.send(f);        // 7-9
    p.finish();
    EXPECT_EQ(records, (std::vector<std::uint64_t>{hassh ? 9U : 6U})) << "hassh " << hassh;
  }
}

// Pass rules: no alert of their own, and nothing else alerts on what they matched; an IP-only
// one passes the rest of its flow (Suricata's action order puts pass first).
TEST(Pipeline, PassRulesSilenceWhatTheyMatch) {
  Pipeline whole_flow(R"(pass tcp any any -> any 80 (msg:"allowed service"; sid:40;)
alert tcp any any -> any any (msg:"payload"; content:"EVIL"; sid:41;))");
  PacketSpec base;
  base.dport = 80;
  Conversation c(base);
  for (const Bytes& f : c.handshake()) whole_flow.send(f);
  whole_flow.send(c.client("EVIL"));
  EXPECT_EQ(whole_flow.finish(), Sids({}));

  // A pass rule with a packet condition is not IP-only: it passes the packets it matches.
  Pipeline one_packet(R"(pass tcp any any -> any any (msg:"nine bytes are fine"; dsize:9; sid:42;)
alert tcp any any -> any any (msg:"ten bytes"; dsize:10; sid:43;)
alert tcp any any -> any any (msg:"client data"; flags:PA; sid:44;))");
  Conversation d(base);
  for (const Bytes& f : d.handshake()) one_packet.send(f);
  one_packet.send(d.client("EVIL FINE"));
  one_packet.send(d.client("EVIL again"));
  EXPECT_EQ(one_packet.finish(), Sids({43, 44}));  // 44 once: its first packet was passed
}

// A pass rule on an app-layer protocol or transaction passes its whole flow, as Suricata applies
// such a rule's action to the flow: an allowlisted host's later requests raise nothing, while
// another connection's do.
TEST(Pipeline, PassRuleOnATransactionPassesTheFlow) {
  Pipeline p(R"(pass http any any -> any any (msg:"allowlisted"; http.host; content:"ok.example"; sid:45;)
alert http any any -> any any (msg:"admin page"; http.uri; content:"/admin"; sid:46;))");
  PacketSpec base;
  base.dport = 80;
  Conversation allowed(base);
  for (const Bytes& f : allowed.handshake()) p.send(f);
  p.send(allowed.client("GET /admin HTTP/1.1\r\nHost: ok.example\r\n\r\n"));
  p.send(allowed.server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  p.send(allowed.client("GET /admin/users HTTP/1.1\r\nHost: other.example\r\n\r\n"));
  p.send(allowed.server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  for (const Bytes& f : allowed.close()) p.send(f);
  PacketSpec other_base = base;
  other_base.sport = 40001;
  Conversation other(other_base);
  for (const Bytes& f : other.handshake()) p.send(f);
  p.send(other.client("GET /admin HTTP/1.1\r\nHost: other.example\r\n\r\n"));
  p.send(other.server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  for (const Bytes& f : other.close()) p.send(f);
  EXPECT_EQ(p.finish(), Sids({46}));
}

TEST(Pipeline, OutOfOrderSegmentsAreReassembledBeforeMatching) {
  Pipeline p(R"(alert tcp any any -> any any (content:"ABCDEF"; sid:2;))");
  Conversation c{PacketSpec{}};
  for (const Bytes& f : c.handshake()) p.send(f);
  const Bytes first = c.client("..ABC");
  const Bytes second = c.client("DEF..");
  p.send(second);  // arrives first: held until the gap fills
  p.send(first);
  EXPECT_EQ(p.finish(), Sids({2}));
}

TEST(Pipeline, HttpOverIpv6WithVlan) {
  Pipeline p(R"(
alert http any any -> any any (msg:"struts probe"; flow:established,to_server; http.method; content:"POST"; http.uri; content:".action"; endswith; http.host; content:"www.mofa.example.go.jp"; bsize:22; sid:3;)
alert http any any -> any any (msg:"response"; flow:to_client; http.stat_code; content:"404"; sid:4;)
)");
  PacketSpec base;
  base.src = "2001:db8::10";
  base.dst = "2001:db8:1::80";
  base.vlans = {42};
  Conversation c(base);
  for (const Bytes& f : c.handshake()) p.send(f);
  p.send(c.client("POST /struts2-showcase/index.action HTTP/1.1\r\nHost: www.MOFA.example.go.jp:8080\r\nContent-Length: 4\r\n\r\nx=%7"));
  p.send(c.server("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_EQ(p.finish(), Sids({3, 4}));
  EXPECT_EQ(p.inspector().app().counters().http_requests, 1u);
  EXPECT_EQ(p.inspector().app().counters().http_responses, 1u);
}

// A packet rule of an app protocol (no buffer) sees the protocol once the server has answered
// the identifying request, as in Suricata's IDS mode (golden case detect-engine-proto).
TEST(Pipeline, PacketRulesLearnTheAppProtocolWhenTheServerAnswers) {
  Pipeline p(R"(
alert http any any -> any any (msg:"http packet"; flow:to_server; sid:31;)
alert tcp any any -> any any (msg:"tcp packet"; flow:to_server; sid:32;)
)");
  Conversation c{PacketSpec{}};
  for (const Bytes& f : c.handshake()) p.send(f);                        // SYN and ACK to the server
  p.send(c.client("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"));  // identifies HTTP, but not yet for packets
  p.send(c.server("", 0x10));
  p.send(c.server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  p.send(c.client("", 0x10));
  p.send(c.client("", 0x11));
  EXPECT_EQ(p.finish(), Sids({31, 31, 32, 32, 32, 32, 32}));
}

// Pipelined requests wait for their responses as summaries: each exchange record pairs a request
// with its own response, with the request's method, URI, headers and body length.
TEST(Pipeline, PipelinedHttpRequestsPairWithTheirResponses) {
  Pipeline p(R"(alert http any any -> any any (msg:"any"; http.method; content:"POST"; sid:6;))");
  const std::vector<gsoc::v1::HttpRecord>& records = p.recordHttp();
  Conversation c{PacketSpec{}};
  for (const Bytes& f : c.handshake()) p.send(f);
  p.send(c.client("POST /upload.php HTTP/1.1\r\nHost: portal.example.go.jp\r\nUser-Agent: agent/1\r\nReferer: http://a.example/\r\n"
                  "Content-Length: 11\r\n\r\nhello world"
                  "GET /second HTTP/1.1\r\nHost: portal.example.go.jp\r\n\r\n"));
  p.send(c.server("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_EQ(p.finish(), Sids({6}));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].method(), "POST");
  EXPECT_EQ(records[0].uri(), "/upload.php");
  EXPECT_EQ(records[0].host(), "portal.example.go.jp");
  EXPECT_EQ(records[0].user_agent(), "agent/1");
  EXPECT_EQ(records[0].referer(), "http://a.example/");
  EXPECT_EQ(records[0].request_body_len(), 11u);
  EXPECT_EQ(records[0].status(), 201u);
  EXPECT_EQ(records[0].response_body_len(), 2u);
  EXPECT_EQ(records[1].method(), "GET");
  EXPECT_EQ(records[1].uri(), "/second");
  EXPECT_EQ(records[1].request_body_len(), 0u);
  EXPECT_EQ(records[1].status(), 404u);
}

// h2c with prior knowledge: two interleaved streams, a header block split over HEADERS and
// CONTINUATION, a padded DATA frame and a body split over segments. Buffers come from the decoded
// headers and each record pairs a response with the request of its own stream.
TEST(Pipeline, Http2StreamsAreInspectedAndPaired) {
  Pipeline p(R"(
alert http any any -> any any (msg:"h2 uri"; flow:to_server; http.uri; content:"/upload/report.php"; http.host; content:"intra.example.go.jp"; sid:21;)
alert http any any -> any any (msg:"h2 method"; http.method; content:"POST"; sid:22;)
alert http any any -> any any (msg:"h2 body"; flow:to_client; file.data; content:"secret-plan"; sid:23;)
alert http any any -> any any (msg:"h2 status"; http.stat_code; content:"403"; sid:24;)
alert http any any -> any any (msg:"h2 ua"; http.user_agent; content:"curl/8"; sid:25;)
)");
  const std::vector<gsoc::v1::HttpRecord>& records = p.recordHttp();
  Conversation c{PacketSpec{}};
  for (const Bytes& f : c.handshake()) p.send(f);
  const std::string request1 = h2Headers({{":method", "POST"}, {":scheme", "http"}, {":path", "/upload/report.php"},
                                          {":authority", "intra.example.go.jp"}, {"user-agent", "curl/8.1"}});
  const std::string request3 = h2Headers({{":method", "GET"}, {":scheme", "http"}, {":path", "/second"}, {":authority", "intra.example.go.jp"}});
  std::string client = std::string(Http2Connection::kPreface) + h2Frame(4, 0, 0, "");
  client += h2Frame(1, 0, 1, request1.substr(0, 20)) + h2Frame(9, 0x4, 1, request1.substr(20));  // HEADERS + CONTINUATION
  client += h2Frame(1, 0x5, 3, request3);                                                       // END_STREAM | END_HEADERS
  client += h2Frame(0, 0x9, 1, std::string("\x03", 1) + "form=1" + std::string(3, '\0'));       // padded DATA, END_STREAM
  p.send(c.client(client.substr(0, 30)));  // the preface split over two segments
  p.send(c.client(client.substr(30)));
  const std::string response3 = h2Headers({{":status", "403"}});
  const std::string response1 = h2Headers({{":status", "200"}, {"content-type", "text/plain"}});
  std::string server = h2Frame(4, 0, 0, "") + h2Frame(1, 0x5, 3, response3) + h2Frame(1, 0x4, 1, response1);
  server += h2Frame(0, 0x1, 1, std::string(3000, 'x') + "secret-plan" + std::string(2000, 'y'));
  for (std::size_t i = 0; i < server.size(); i += 1400) p.send(c.server(server.substr(i, 1400)));
  EXPECT_EQ(p.finish(), Sids({21, 22, 23, 24, 25}));
  EXPECT_EQ(p.inspector().app().counters().http_requests, 2u);
  EXPECT_EQ(p.inspector().app().counters().http_responses, 2u);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].uri(), "/second");  // stream 3 is answered first
  EXPECT_EQ(records[0].status(), 403u);
  EXPECT_EQ(records[1].uri(), "/upload/report.php");
  EXPECT_EQ(records[1].method(), "POST");
  EXPECT_EQ(records[1].host(), "intra.example.go.jp");
  EXPECT_EQ(records[1].user_agent(), "curl/8.1");
  EXPECT_EQ(records[1].protocol(), "HTTP/2");
  EXPECT_EQ(records[1].request_body_len(), 6u);  // the padding is not body
  EXPECT_EQ(records[1].status(), 200u);
  EXPECT_EQ(records[1].content_type(), "text/plain");
  EXPECT_EQ(records[1].response_body_len(), 5011u);
}

// A malformed header block stops that direction, counted; the sensor carries on.
TEST(Pipeline, MalformedHttp2HeaderBlockIsCounted) {
  Pipeline p(R"(alert http any any -> any any (msg:"h2 uri"; http.uri; content:"/x"; sid:26;))");
  Conversation c{PacketSpec{}};
  for (const Bytes& f : c.handshake()) p.send(f);
  p.send(c.client(std::string(Http2Connection::kPreface) + h2Frame(1, 0x5, 1, "\xbe")));  // index 62: empty table
  EXPECT_EQ(p.finish(), Sids({}));
  EXPECT_EQ(p.inspector().app().counters().http_requests, 0u);
  EXPECT_EQ(p.inspector().app().counters().parse_errors, 1u);
}

std::string gzip(std::string_view data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(Pipeline, ChunkedGzipResponseBodyIsDecodedForFileData) {
  Pipeline p(R"(alert http any any -> any any (msg:"dropper in body"; flow:to_client; file.data; content:"powershell -enc"; nocase; sid:5;))");
  Conversation c{PacketSpec{}};
  for (const Bytes& f : c.handshake()) p.send(f);
  p.send(c.client("GET /update.js HTTP/1.1\r\nHost: cdn.example\r\n\r\n"));
  const std::string body = gzip(std::string(3000, ' ') + "cmd /c PowerShell -enc SQBFAFgA" + std::string(500, ' '));
  std::string chunked;
  for (std::size_t i = 0; i < body.size(); i += 100) {
    const std::string piece = body.substr(i, 100);
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    chunked += size + piece + "\r\n";
  }
  chunked += "0\r\n\r\n";
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked;
  for (std::size_t i = 0; i < response.size(); i += 700) p.send(c.server(response.substr(i, 700)));
  EXPECT_EQ(p.finish(), Sids({5}));
}

TEST(Pipeline, SmtpAttachmentNameHashAndEncodedSubject) {
  const std::string attachment = "MZ\x90\x00 pretend executable";
  const std::string sha = signatures::Sha256::hex(attachment);
  const std::string rules =
      "alert smtp any any -> any any (msg:\"exe attachment\"; email.attachment.name; content:\".docx.exe\"; endswith; sid:6;)\n"
      "alert smtp any any -> any any (msg:\"lure subject\"; email.subject; content:\"資料送付\"; sid:7;)\n"
      "alert smtp any any -> any any (msg:\"known hash\"; email.attachment.sha256; content:\"" + sha + "\"; sid:8;)\n"
      // smtp.rcpt_to is the RCPT TO argument as sent, angle brackets included (as Suricata's).
      "alert smtp any any -> any any (msg:\"to minister\"; smtp.rcpt_to; content:\"<minister@\"; startswith; sid:9;)\n";
  Pipeline p(rules);
  const auto& records = p.recordSmtp();
  PacketSpec base;
  base.dport = 25;
  Conversation c(base);
  for (const Bytes& f : c.handshake()) p.send(f);
  p.send(c.server("220 mail.mofa.example.go.jp ESMTP\r\n"));
  p.send(c.client("EHLO sender.example\r\n"));
  p.send(c.server("250 mail.mofa.example.go.jp\r\n"));
  p.send(c.client("MAIL FROM:<joho-kyoyu@freemail.example>\r\n"));
  p.send(c.server("250 OK\r\n"));
  p.send(c.client("RCPT TO:<clerk@mofa.example.go.jp>\r\nRCPT TO:<minister@mofa.example.go.jp>\r\n"));
  p.send(c.server("250 OK\r\n250 OK\r\n"));
  p.send(c.client("DATA\r\n"));
  // The message follows the server's go-ahead (without PIPELINING a DATA not answered 354 has none).
  p.send(c.server("354 go ahead\r\n"));
  // Base64 of the attachment, and the subject 資料送付 as an RFC 2047 encoded word.
  static constexpr char kTable[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto base64 = [&](std::string_view in) {
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += 3) {
      const unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (i + 1 < in.size() ? static_cast<unsigned char>(in[i + 1]) << 8 : 0) |
                         (i + 2 < in.size() ? static_cast<unsigned char>(in[i + 2]) : 0);
      out += kTable[n >> 18 & 63];
      out += kTable[n >> 12 & 63];
      out += i + 1 < in.size() ? kTable[n >> 6 & 63] : '=';
      out += i + 2 < in.size() ? kTable[n & 63] : '=';
    }
    return out;
  };
  const std::string message =
      "From: =?UTF-8?B?" + base64("情報共有") + "?= <joho-kyoyu@freemail.example>\r\n"
      "Subject: =?UTF-8?B?" + base64("資料送付") + "?=\r\n"
      "Message-ID: <lure-1@freemail.example>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
      "--b1\r\nContent-Type: text/plain\r\n\r\nPlease see the attached materials.\r\n"
      "--b1\r\nContent-Type: application/octet-stream; name=\"report.docx.exe\"\r\n"
      "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"report.docx.exe\"\r\n\r\n" +
      base64(attachment) + "\r\n--b1--\r\n.\r\n";
  p.send(c.client(message));
  p.send(c.server("250 queued\r\n"));
  p.send(c.client("QUIT\r\n"));
  EXPECT_EQ(p.finish(), Sids({6, 7, 8, 9}));
  EXPECT_EQ(p.inspector().app().counters().smtp_transactions, 1u);
  // The gsoc.v1 record keeps bare addresses, what indicators and correlation compare.
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].mail_from(), "joho-kyoyu@freemail.example");
  ASSERT_EQ(records[0].rcpt_to_size(), 2);
  EXPECT_EQ(records[0].rcpt_to(1), "minister@mofa.example.go.jp");
}

TEST(Pipeline, TlsClientHelloSni) {
  Pipeline p(R"(alert tls any any -> any any (msg:"c2 sni"; tls.sni; content:"update-check.example"; endswith; sid:10;)
alert tls any any -> any any (msg:"bare client"; ja4.hash; content:"t12d010100_0f2cb44170f4_"; startswith; sid:12;))");
  PacketSpec base;
  base.dport = 443;
  Conversation c(base);
  for (const Bytes& f : c.handshake()) p.send(f);
  const std::string record =
      gsoc::sensor::test::clientHello(0x0303, {0x1301}, gsoc::sensor::test::extension(0, gsoc::sensor::test::sniData("cdn.update-check.example")));
  p.send(c.client(record.substr(0, 20)));  // the record split over two segments
  p.send(c.client(record.substr(20)));
  EXPECT_EQ(p.finish(), Sids({10, 12}));  // 12: its JA4 (TLS 1.2, SNI, one cipher, one extension)
  EXPECT_EQ(p.inspector().app().counters().tls_client_hellos, 1u);
}

TEST(Pipeline, FragmentedDnsQueryOverUdp) {
  Pipeline p(R"(alert dns any any -> any any (msg:"c2 lookup"; dns.query; content:"update-check.example"; nocase; sid:11;))");
  std::string query("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);  // header, one question
  for (const std::string& label : std::vector<std::string>{"a", std::string(40, 'x'), "update-check", "example"}) {
    query.push_back(static_cast<char>(label.size()));
    query += label;
  }
  query += std::string("\x00\x00\x01\x00\x01", 5);
  PacketSpec whole;
  whole.proto = 17;
  whole.dport = 53;
  whole.payload = query;
  const Bytes l4 = transport(whole);
  std::vector<Bytes> frames;
  for (std::size_t off = 0; off < l4.size(); off += 32) {
    PacketSpec f;
    f.proto = 17;
    f.raw_ip_payload = true;
    f.payload.assign(l4.begin() + static_cast<std::ptrdiff_t>(off), l4.begin() + static_cast<std::ptrdiff_t>(std::min(l4.size(), off + 32)));
    f.frag_offset_bytes = static_cast<std::uint16_t>(off);
    f.more_fragments = off + 32 < l4.size();
    f.ip_id = 9;
    frames.push_back(ethernetFrame(f));
  }
  std::reverse(frames.begin(), frames.end());
  for (const Bytes& f : frames) p.send(f);
  EXPECT_EQ(p.finish(), Sids({11}));
}

// TCP port 53 is DNS only when it looks like DNS: an implant's own protocol through port 53 is a
// flow of no known protocol (for the centre's beaconing analytic, its destination is the
// address and port), not a DNS flow without lookups.
TEST(Pipeline, TcpPort53IsDnsOnlyWhenItLooksLikeDns) {
  const char* rules = R"(alert dns any any -> any any (msg:"c2 lookup"; dns.query; content:"update-check.example"; nocase; sid:11;)
alert tcp any any -> any 53 (msg:"implant hello"; content:"|de ad be ef|"; sid:13;)
alert dns any any -> any 53 (msg:"dns flow"; flow:to_server; content:"|13 37|"; sid:14;))";
  std::string query("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
  for (const std::string& label : std::vector<std::string>{"update-check", "example"}) {
    query.push_back(static_cast<char>(label.size()));
    query += label;
  }
  query += std::string("\x00\x00\x01\x00\x01", 5);
  PacketSpec base;
  base.dport = 53;
  {
    Pipeline p(rules);
    Conversation c(base);
    for (const Bytes& f : c.handshake()) p.send(f);
    const std::string length{static_cast<char>(query.size() >> 8), static_cast<char>(query.size() & 0xFF)};
    p.send(c.client(length));  // the length alone first, as some resolvers send it
    p.send(c.client(query));
    EXPECT_EQ(p.finish(), Sids({11}));
    EXPECT_EQ(p.inspector().app().counters().dns_queries, 1u);
  }
  {
    Pipeline p(rules);
    Conversation c(base);
    for (const Bytes& f : c.handshake()) p.send(f);
    const std::string hello("\x00\x20\xde\xad\xbe\xef\xff\xff\xff\xff\x13\x37\x13\x37\x00\x00", 16);
    p.send(c.client(hello));
    p.send(c.client(hello));
    EXPECT_EQ(p.finish(), Sids({13}));  // not 14: the flow is not DNS
    EXPECT_EQ(p.inspector().app().counters().dns_queries, 0u);
  }
}

TEST(Pipeline, IndicatorHitsAlertOncePerFlow) {
  signatures::IndicatorSet iocs;
  iocs.loadText(signatures::IndicatorType::Ip, "c2-ip\t198.51.100.20\tC2 server\n", "ips.tsv");
  iocs.loadText(signatures::IndicatorType::Domain, "c2-domain\t.update-check.example\n", "domains.tsv");
  Pipeline p("", std::move(iocs));
  Conversation c{PacketSpec{}};  // to 198.51.100.20: every packet matches the address
  for (const Bytes& f : c.handshake()) p.send(f);
  p.send(c.client("GET / HTTP/1.1\r\nHost: www.update-check.example\r\n\r\n"));
  p.send(c.server("HTTP/1.1 204 No Content\r\n\r\n"));
  for (const Bytes& f : c.close()) p.send(f);
  EXPECT_EQ(p.finish(), Sids({}));
  std::vector<std::string> got = p.indicators();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"c2-domain", "c2-ip"}));
}

// helper-http: a side that goes on sending after its own RST (the RST was likely injected by a
// third party) raises stream.suspected_rst_inject on that packet, once; more RSTs do not.
TEST(Pipeline, DataAfterTheSendersOwnRstIsSuspectedInjection) {
  Pipeline p(R"(alert tcp any any -> any any (msg:"rst inject"; stream-event:suspected_rst_inject; sid:40;))");
  Conversation c{PacketSpec{}};
  for (const Bytes& f : c.handshake()) p.send(f);
  p.send(c.client("", 0x14));  // RST/ACK
  p.send(c.client("", 0x14));  // another RST: not unusual
  p.send(c.client("GET / HTTP/1.1\r\n\r\n"));
  p.send(c.client("more"));
  EXPECT_EQ(p.finish(), Sids({40}));
}

}  // namespace
}  // namespace gsoc::sensor
