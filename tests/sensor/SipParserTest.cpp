// SIP as SipState reads it: requests and responses over UDP (one message a datagram) and TCP
// (framed by Content-Length, split anywhere), compact header names expanded, headers sent twice
// kept twice, folded values, an SDP body's lines, identification by the start line, and
// malformed input counted without a message.
#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "sensor/app/SipParser.hpp"

using gsoc::sensor::looksLikeSip;
using gsoc::sensor::SipMessage;
using gsoc::sensor::SipState;
using gsoc::signatures::FlowDirection;

namespace {

constexpr auto kToServer = FlowDirection::ToServer;
constexpr auto kToClient = FlowDirection::ToClient;

std::span<const std::uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

// What a test keeps of each message handed over.
struct Seen {
  FlowDirection dir;
  std::uint64_t tx_id;
  bool request;
  std::string method, uri, version, code, reason, line, body;
  std::vector<std::string> from, to, via, content_length;
  bool has_sdp;
  std::string sdp_origin, sdp_media;
  std::vector<std::string> sdp_attributes;
};

struct Collector {
  std::vector<Seen> seen;
  void operator()(FlowDirection dir, const SipMessage& m) {
    Seen s{dir, m.tx_id, m.request, m.method, m.uri, m.version, m.code, m.reason, m.line, std::string(m.body), {}, {}, {}, {},
           m.has_sdp, {}, {}, {}};
    m.forEach("From", [&](std::string_view v) { s.from.emplace_back(v); });
    m.forEach("To", [&](std::string_view v) { s.to.emplace_back(v); });
    m.forEach("Via", [&](std::string_view v) { s.via.emplace_back(v); });
    m.forEach("Content-Length", [&](std::string_view v) { s.content_length.emplace_back(v); });
    if (m.has_sdp) {
      s.sdp_origin = m.sdp.origin;
      if (!m.sdp.media.empty()) {
        s.sdp_media = m.sdp.media.front().media;
        for (const std::string& a : m.sdp.media.front().attributes) s.sdp_attributes.push_back(a);
      }
    }
    seen.push_back(std::move(s));
  }
};

const std::string kRegister =
    "REGISTER sip:sip.example.org SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1\r\n"
    "From: <sip:alice@example.org>;tag=1\r\n"
    "To: <sip:alice@example.org>\r\n"
    "Call-ID: 1@10.0.0.2\r\n"
    "CSeq: 1 REGISTER\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

const std::string kUnauthorized =
    "SIP/2.0 401 Unauthorized\r\n"
    "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1\r\n"
    "From: <sip:alice@example.org>;tag=1\r\n"
    "To: <sip:alice@example.org>;tag=2\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

const std::string kSdp =
    "v=0\r\n"
    "o=alice 1 1 IN IP4 10.0.0.2\r\n"
    "s=call\r\n"
    "c=IN IP4 10.0.0.2\r\n"
    "t=0 0\r\n"
    "m=audio 30000 RTP/AVP 0\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=sendrecv\r\n";

std::string invite() {
  return "INVITE sip:bob@example.org SIP/2.0\r\n"
         "v: SIP/2.0/UDP 10.0.0.2\r\n"
         "f: <sip:alice@example.org>\r\n"
         "t: <sip:bob@example.org>\r\n"
         "c: application/sdp\r\n"
         "l: " + std::to_string(kSdp.size()) + "\r\n"
         "\r\n" + kSdp;
}

}  // namespace

TEST(SipParser, UdpRequestAndResponseAreTransactionsOfTheirOwn) {
  SipState sip;
  Collector c;
  sip.datagram(kToServer, bytes(kRegister), c);
  sip.datagram(kToClient, bytes(kUnauthorized), c);
  ASSERT_EQ(c.seen.size(), 2u);
  const Seen& q = c.seen[0];
  EXPECT_EQ(q.dir, kToServer);
  EXPECT_EQ(q.tx_id, 0u);
  EXPECT_TRUE(q.request);
  EXPECT_EQ(q.method, "REGISTER");
  EXPECT_EQ(q.uri, "sip:sip.example.org");
  EXPECT_EQ(q.version, "SIP/2.0");
  EXPECT_EQ(q.line, "REGISTER sip:sip.example.org SIP/2.0");
  EXPECT_EQ(q.from, std::vector<std::string>{"<sip:alice@example.org>;tag=1"});
  EXPECT_EQ(q.via, std::vector<std::string>{"SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1"});
  EXPECT_EQ(q.content_length, std::vector<std::string>{"0"});
  const Seen& r = c.seen[1];
  EXPECT_EQ(r.dir, kToClient);
  EXPECT_EQ(r.tx_id, 1u);
  EXPECT_FALSE(r.request);
  EXPECT_EQ(r.code, "401");
  EXPECT_EQ(r.reason, "Unauthorized");
  EXPECT_EQ(r.line, "SIP/2.0 401 Unauthorized");
  EXPECT_EQ(r.to, std::vector<std::string>{"<sip:alice@example.org>;tag=2"});
  EXPECT_EQ(sip.errors(), 0u);
}

TEST(SipParser, CompactNamesAndSdpBody) {
  SipState sip;
  Collector c;
  const std::string m = invite();
  sip.datagram(kToServer, bytes(m), c);
  ASSERT_EQ(c.seen.size(), 1u);
  const Seen& s = c.seen[0];
  EXPECT_EQ(s.from, std::vector<std::string>{"<sip:alice@example.org>"});
  EXPECT_EQ(s.to, std::vector<std::string>{"<sip:bob@example.org>"});
  EXPECT_EQ(s.via, std::vector<std::string>{"SIP/2.0/UDP 10.0.0.2"});
  EXPECT_EQ(s.content_length, std::vector<std::string>{std::to_string(kSdp.size())});
  EXPECT_EQ(s.body, kSdp);
  ASSERT_TRUE(s.has_sdp);
  EXPECT_EQ(s.sdp_origin, "alice 1 1 IN IP4 10.0.0.2");
  EXPECT_EQ(s.sdp_media, "audio 30000 RTP/AVP 0");
  EXPECT_EQ(s.sdp_attributes, (std::vector<std::string>{"rtpmap:0 PCMU/8000", "sendrecv"}));
}

TEST(SipParser, RepeatedAndFoldedHeaders) {
  SipState sip;
  Collector c;
  const std::string m =
      "OPTIONS sip:b@example.org SIP/2.0\r\n"
      "Via: SIP/2.0/UDP a\r\n"
      "Via: SIP/2.0/UDP b\r\n"
      "To: <sip:1@example.org>,\r\n"
      " <sip:2@example.org>  \r\n"
      "\r\n";
  sip.datagram(kToServer, bytes(m), c);
  ASSERT_EQ(c.seen.size(), 1u);
  EXPECT_EQ(c.seen[0].via, (std::vector<std::string>{"SIP/2.0/UDP a", "SIP/2.0/UDP b"}));
  EXPECT_EQ(c.seen[0].to, std::vector<std::string>{"<sip:1@example.org>, <sip:2@example.org>"});
}

TEST(SipParser, TcpMessagesFramedByContentLengthSplitAnywhere) {
  const std::string stream = invite() + kRegister;
  for (std::size_t cut = 1; cut < stream.size(); cut += 7) {
    SipState sip;
    Collector c;
    sip.feed(kToServer, bytes(stream.substr(0, cut)), c);
    sip.feed(kToServer, bytes(stream.substr(cut)), c);
    ASSERT_EQ(c.seen.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(c.seen[0].method, "INVITE");
    EXPECT_EQ(c.seen[0].body, kSdp);
    EXPECT_TRUE(c.seen[0].has_sdp);
    EXPECT_EQ(c.seen[1].method, "REGISTER");
    EXPECT_EQ(c.seen[1].tx_id, 1u);
    EXPECT_EQ(sip.errors(), 0u);
  }
}

TEST(SipParser, TcpBodyWaitsForItsLength) {
  SipState sip;
  Collector c;
  const std::string m = invite();
  sip.feed(kToServer, bytes(m.substr(0, m.size() - 1)), c);
  EXPECT_TRUE(c.seen.empty());
  sip.feed(kToServer, bytes(m.substr(m.size() - 1)), c);
  EXPECT_EQ(c.seen.size(), 1u);
}

TEST(SipParser, MalformedInputIsCountedAndSkipped) {
  SipState sip;
  Collector c;
  sip.datagram(kToServer, bytes(std::string("NOTIFY * HTTP/1.1\r\nHost: x\r\n\r\n")), c);
  sip.datagram(kToServer, bytes(std::string("INVITE sip:x SIP/2.0\r\nno colon here\r\n\r\n")), c);
  sip.datagram(kToClient, bytes(std::string("SIP/2.0 20 OK\r\n\r\n")), c);
  sip.feed(kToServer, bytes(std::string("INVITE sip:x SIP/2.0\r\nContent-Length: 12x\r\n\r\n")), c);
  EXPECT_TRUE(c.seen.empty());
  EXPECT_EQ(sip.errors(), 4u);
  sip.reset();
  EXPECT_EQ(sip.errors(), 0u);
}

TEST(SipParser, IdentifiedByItsStartLine) {
  EXPECT_TRUE(looksLikeSip(bytes(kRegister)));
  EXPECT_TRUE(looksLikeSip(bytes(kUnauthorized)));
  EXPECT_TRUE(looksLikeSip(bytes(std::string("OPTIONS sip:a@b SIP/2.0\r\n"))));
  EXPECT_FALSE(looksLikeSip(bytes(std::string("OPTIONS * HTTP/1.1\r\n\r\n"))));
  EXPECT_FALSE(looksLikeSip(bytes(std::string("NOTIFY * HTTP/1.1\r\n\r\n"))));
  EXPECT_FALSE(looksLikeSip(bytes(std::string("GET / HTTP/1.1\r\n\r\n"))));
}
