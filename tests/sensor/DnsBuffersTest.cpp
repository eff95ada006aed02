// DNS messages built byte by byte, parsed, and turned into detection buffers: the record
// sections, the names records point to (MX, SOA, SRV beside CNAME/NS/PTR), and which buffer
// each name lands in for requests and responses (Suricata 8's dns.*.rrname keywords).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sensor/app/DnsParser.hpp"

using gsoc::sensor::DnsMessage;
using gsoc::signatures::BufferId;
using gsoc::signatures::BufferSet;

namespace {

class MessageBuilder {
 public:
  MessageBuilder(bool response, std::uint16_t an, std::uint16_t ns, std::uint16_t ar) {
    bytes_ = {0x12, 0x34, static_cast<std::uint8_t>(response ? 0x81 : 0x01), static_cast<std::uint8_t>(response ? 0x80 : 0x00),
              0, 1, 0, static_cast<std::uint8_t>(an), 0, static_cast<std::uint8_t>(ns), 0, static_cast<std::uint8_t>(ar)};
  }
  MessageBuilder& query(std::string_view name) {
    this->name(name);
    bytes_.insert(bytes_.end(), {0, 1, 0, 1});
    return *this;
  }
  // A record whose data is `prefix` (raw bytes), `target` as a name (none when empty), `suffix`.
  MessageBuilder& record(std::string_view owner, std::uint16_t type, const std::vector<std::uint8_t>& prefix, std::string_view target,
                         const std::vector<std::uint8_t>& suffix = {}) {
    name(owner);
    bytes_.insert(bytes_.end(), {static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type), 0, 1, 0, 0, 0, 60});
    const std::size_t at = bytes_.size();
    bytes_.insert(bytes_.end(), {0, 0});
    bytes_.insert(bytes_.end(), prefix.begin(), prefix.end());
    if (!target.empty()) name(target);
    bytes_.insert(bytes_.end(), suffix.begin(), suffix.end());
    const std::size_t len = bytes_.size() - at - 2;
    bytes_[at] = static_cast<std::uint8_t>(len >> 8);
    bytes_[at + 1] = static_cast<std::uint8_t>(len);
    return *this;
  }
  [[nodiscard]] const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  void name(std::string_view n) {
    while (!n.empty()) {
      const std::size_t dot = std::min(n.find('.'), n.size());
      bytes_.push_back(static_cast<std::uint8_t>(dot));
      bytes_.insert(bytes_.end(), n.begin(), n.begin() + static_cast<std::ptrdiff_t>(dot));
      n.remove_prefix(std::min(dot + 1, n.size()));
    }
    bytes_.push_back(0);
  }
  std::vector<std::uint8_t> bytes_;
};

std::vector<std::string> values(const BufferSet& set, BufferId id) {
  std::vector<std::string> out;
  for (std::string_view v : set.get(id)) out.emplace_back(v);
  return out;
}

using Names = std::vector<std::string>;

TEST(DnsBuffers, ResponseSectionsAndTheNamesRecordsPointTo) {
  MessageBuilder b(true, 2, 2, 1);
  b.query("example.org")
      .record("example.org", 15, {0, 10}, "mx.example.org")            // MX: preference, exchange
      .record("example.org", 33, {0, 1, 0, 2, 0x14, 0x95}, "sip.example.org")  // SRV: priority, weight, port, target
      .record("org", 6, {}, "a0.org.afilias-nst.info")                  // SOA: mname first
      .record("org", 2, {}, "b0.org.afilias-nst.org")                   // NS
      .record("mx.example.org", 1, {192, 0, 2, 25}, "");                // A: an address, not a name
  DnsMessage m;
  ASSERT_TRUE(gsoc::sensor::parseDnsMessage(b.bytes(), m));
  ASSERT_EQ(m.answers.size(), 2u);
  ASSERT_EQ(m.authorities.size(), 2u);
  ASSERT_EQ(m.additionals.size(), 1u);
  EXPECT_EQ(m.answers[0].data.view(), "mx.example.org");
  EXPECT_EQ(m.answers[1].data.view(), "sip.example.org");
  EXPECT_EQ(m.authorities[0].data.view(), "a0.org.afilias-nst.info");
  EXPECT_EQ(m.answers[1].srv_priority, 1);
  EXPECT_EQ(m.answers[1].srv_weight, 2);
  EXPECT_EQ(m.answers[1].srv_port, 0x1495);
  EXPECT_TRUE(m.answers[1].fields_read);
  EXPECT_FALSE(m.authorities[0].fields_read);  // this SOA stops after its mname
  EXPECT_EQ(m.additionals[0].data.view(), "192.0.2.25");
  EXPECT_FALSE(m.additionals[0].dataIsName());

  BufferSet set;
  gsoc::sensor::addDnsBuffers(m, set);
  EXPECT_FALSE(set.has(BufferId::DnsQuery));  // dns.query is the requests' only
  EXPECT_EQ(values(set, BufferId::DnsQueriesRrname), Names({"example.org"}));
  EXPECT_EQ(values(set, BufferId::DnsAnswersRrname), Names({"example.org"}));  // once, though two records
  EXPECT_EQ(values(set, BufferId::DnsAuthoritiesRrname), Names({"org"}));
  EXPECT_EQ(values(set, BufferId::DnsAdditionalsRrname), Names({"mx.example.org"}));
  EXPECT_EQ(values(set, BufferId::DnsResponseRrname),
            Names({"example.org", "mx.example.org", "sip.example.org", "org", "a0.org.afilias-nst.info", "b0.org.afilias-nst.org"}));
}

// TXT: the first character-string is the record's data (as Suricata's parser keeps it), text
// rather than a name, so it is in no rrname buffer.
TEST(DnsBuffers, TxtDataIsItsFirstString) {
  const std::string spf = "v=spf1 -all";
  std::vector<std::uint8_t> strings = {static_cast<std::uint8_t>(spf.size())};
  strings.insert(strings.end(), spf.begin(), spf.end());
  strings.insert(strings.end(), {2, 'x', 'y'});
  MessageBuilder b(true, 2, 0, 0);
  b.query("example.org").record("example.org", 16, strings, "").record("example.org", 16, {40, 'c', 'u', 't'}, "");
  DnsMessage m;
  ASSERT_TRUE(gsoc::sensor::parseDnsMessage(b.bytes(), m));
  ASSERT_EQ(m.answers.size(), 2u);
  EXPECT_EQ(m.answers[0].data.view(), spf);
  EXPECT_FALSE(m.answers[0].dataIsName());
  EXPECT_TRUE(m.answers[1].data.empty());  // a string longer than the record: no data
  BufferSet set;
  gsoc::sensor::addDnsBuffers(m, set);
  EXPECT_EQ(values(set, BufferId::DnsResponseRrname), Names({"example.org"}));
}

TEST(DnsBuffers, SoaFieldsAfterItsTwoNames) {
  MessageBuilder b(true, 0, 1, 0);
  // rname "host.org" as labels, then serial 1, refresh 7200, retry 900, expire 1209600, minimum 86400.
  const std::vector<std::uint8_t> rest = {4, 'h', 'o', 's', 't', 3, 'o', 'r', 'g', 0,
                                          0, 0, 0, 1, 0, 0, 0x1c, 0x20, 0, 0, 0x03, 0x84, 0, 0x12, 0x75, 0, 0, 1, 0x51, 0x80};
  b.query("nx.org").record("org", 6, {}, "ns.org", rest);
  DnsMessage m;
  ASSERT_TRUE(gsoc::sensor::parseDnsMessage(b.bytes(), m));
  ASSERT_EQ(m.authorities.size(), 1u);
  const DnsMessage::Answer& soa = m.authorities[0];
  EXPECT_TRUE(soa.fields_read);
  EXPECT_EQ(soa.data.view(), "ns.org");
  EXPECT_EQ(soa.soa_rname.view(), "host.org");
  EXPECT_EQ(soa.soa_serial, 1u);
  EXPECT_EQ(soa.soa_refresh, 7200u);
  EXPECT_EQ(soa.soa_retry, 900u);
  EXPECT_EQ(soa.soa_expire, 1209600u);
  EXPECT_EQ(soa.soa_minimum, 86400u);
}

TEST(DnsBuffers, RequestsHaveNoResponseNames) {
  MessageBuilder b(false, 1, 0, 0);
  b.query("www.example.com").record("www.example.com", 5, {}, "cdn.example.net");
  DnsMessage m;
  ASSERT_TRUE(gsoc::sensor::parseDnsMessage(b.bytes(), m));
  BufferSet set;
  gsoc::sensor::addDnsBuffers(m, set);
  EXPECT_EQ(values(set, BufferId::DnsQuery), Names({"www.example.com"}));
  EXPECT_EQ(values(set, BufferId::DnsQueriesRrname), Names({"www.example.com"}));
  EXPECT_EQ(values(set, BufferId::DnsAnswersRrname), Names({"www.example.com"}));  // a request may carry answers
  EXPECT_FALSE(set.has(BufferId::DnsResponseRrname));
}

TEST(DnsBuffers, ARecordCutShortEndsTheSectionsButKeepsTheMessage) {
  MessageBuilder b(true, 1, 1, 0);
  b.query("example.org").record("example.org", 5, {}, "alias.example.org");
  std::vector<std::uint8_t> bytes = b.bytes();
  bytes.insert(bytes.end(), {3, 'o', 'r', 'g', 0, 0, 2});  // an authority record cut in its header
  DnsMessage m;
  ASSERT_TRUE(gsoc::sensor::parseDnsMessage(bytes, m));
  EXPECT_EQ(m.answers.size(), 1u);
  EXPECT_TRUE(m.authorities.empty());
  EXPECT_TRUE(m.invalid_authorities);  // Suricata's dns.invalid_authorities
  EXPECT_FALSE(m.invalid_additionals);
  gsoc::signatures::EventSet events;
  gsoc::sensor::addDnsMessageEvents(m, events);
  EXPECT_TRUE(events.test(gsoc::signatures::AnomalyEvent::DnsInvalidAuthorities));
  EXPECT_FALSE(events.test(gsoc::signatures::AnomalyEvent::DnsInvalidAdditionals));
}

TEST(DnsBuffers, AnAdditionalRecordCutShortIsInvalidAdditionals) {
  MessageBuilder b(true, 1, 0, 2);
  b.query("example.org").record("example.org", 1, {192, 0, 2, 1}, "").record("ns.example.org", 1, {192, 0, 2, 2}, "");
  std::vector<std::uint8_t> bytes = b.bytes();
  bytes.insert(bytes.end(), {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192});  // rdata cut short
  DnsMessage m;
  ASSERT_TRUE(gsoc::sensor::parseDnsMessage(bytes, m));
  EXPECT_EQ(m.additionals.size(), 1u);
  EXPECT_FALSE(m.invalid_authorities);
  EXPECT_TRUE(m.invalid_additionals);
}

// dns.rcode, dns.opcode and dns.rrtype read the header's numbers and, for rrtype, the questions'
// types in a request and the answers' in a response (two bytes each, big-endian).
TEST(DnsBuffers, IntegerKeywordNumbers) {
  MessageBuilder response(true, 2, 0, 0);
  response.query("example.org").record("example.org", 5, {}, "alias.example.org").record("alias.example.org", 28, std::vector<std::uint8_t>(16, 1), "");
  std::vector<std::uint8_t> bytes = response.bytes();
  bytes[2] = 0x81 | (4 << 3);  // QR, opcode 4 (NOTIFY)
  bytes[3] = 0x83;             // RA, NXDOMAIN
  DnsMessage m;
  ASSERT_TRUE(gsoc::sensor::parseDnsMessage(bytes, m));
  EXPECT_EQ(m.opcode(), 4);
  EXPECT_FALSE(m.opcodeInvalid());
  BufferSet set;
  gsoc::sensor::addDnsBuffers(m, set);
  EXPECT_EQ(values(set, BufferId::DnsRcodeNumber), Names({std::string(1, '\x03')}));
  EXPECT_EQ(values(set, BufferId::DnsOpcodeNumber), Names({std::string(1, '\x04')}));
  EXPECT_EQ(values(set, BufferId::DnsRrtypeNumber), Names({std::string("\x00\x05", 2), std::string("\x00\x1c", 2)}));

  MessageBuilder request(false, 0, 0, 0);
  request.query("example.org");
  bytes = request.bytes();
  bytes[2] = 0x48;  // opcode 9: unassigned, parsed all the same
  ASSERT_TRUE(gsoc::sensor::parseDnsMessage(bytes, m));
  EXPECT_EQ(m.opcode(), 9);
  EXPECT_TRUE(m.opcodeInvalid());
  BufferSet request_set;
  gsoc::sensor::addDnsBuffers(m, request_set);
  EXPECT_EQ(values(request_set, BufferId::DnsRrtypeNumber), Names({std::string("\x00\x01", 2)}));
  gsoc::signatures::EventSet events;
  gsoc::sensor::addDnsMessageEvents(m, events);
  EXPECT_TRUE(events.test(gsoc::signatures::AnomalyEvent::DnsInvalidOpcode));
}

// TXT records hold character-strings; EVE writes one entry per string.
TEST(DnsBuffers, TxtStrings) {
  const std::vector<std::uint8_t> rdata = {3, 'a', 'b', 'c', 0, 2, 'O', 'K', 9, 'x'};
  EXPECT_EQ(gsoc::sensor::dnsTxtCount(rdata), 4u);
  EXPECT_EQ(gsoc::sensor::dnsTxtString(rdata, 0), "abc");
  EXPECT_EQ(gsoc::sensor::dnsTxtString(rdata, 1), "");
  EXPECT_EQ(gsoc::sensor::dnsTxtString(rdata, 2), "OK");
  EXPECT_EQ(gsoc::sensor::dnsTxtString(rdata, 3), "x");  // cut short: what there is
  EXPECT_EQ(gsoc::sensor::dnsTxtString(rdata, 4), "");
  EXPECT_EQ(gsoc::sensor::dnsTxtCount({}), 0u);
}

}  // namespace
