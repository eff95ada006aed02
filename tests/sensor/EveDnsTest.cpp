// EVE dns records in Suricata 8's shape (version 3): one per message, request or response, with
// the flags word and its bits, Suricata's type and rcode names, queries, answers with rdata,
// the answers grouped by type, authorities, the per-flow transaction number and pcap_cnt.
// Also the transaction numbering on its own (DnsTransactionIds).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sensor/app/AppMetadata.hpp"
#include "sensor/app/DnsParser.hpp"
#include "sensor/export/DnsTransactionIds.hpp"
#include "sensor/export/EveWriter.hpp"
#include "tests/sensor/DnsTestFlow.hpp"

namespace gsoc::sensor {
namespace {

std::vector<nlohmann::json> readLines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(EveDns, RequestAndResponseInSuricata8Shape) {
  DnsTestFlow dns(7, 1'700'000'000'000'000'000);
  ASSERT_TRUE(dns.decoded);
  Flow& flow = *dns.flow;
  const RawPacket& raw = dns.raw;

  DnsMessage request;
  request.id = 36146;
  request.flags = 0x0100;  // RD
  request.queries = {DnsName("www.suricata-ids.org")};
  request.query_types = {1};
  DnsMessage response = request;
  response.response = true;
  response.flags = 0x81a0;  // QR RD RA AD
  response.answers = {{DnsName("www.suricata-ids.org"), 5, 3544, DnsName("suricata-ids.org")},
                      {DnsName("suricata-ids.org"), 1, 244, DnsName("192.0.78.24")},
                      {DnsName("suricata-ids.org"), 1, 244, DnsName("192.0.78.25")}};
  response.authorities = {{DnsName("org"), 6, 900, DnsName("a0.org.afilias-nst.info")}};
  response.authorities[0].soa_rname = DnsName("noc.afilias-nst.info");
  response.authorities[0].soa_serial = 2017;
  response.authorities[0].soa_minimum = 86400;
  response.authorities[0].fields_read = true;

  const std::string path = (std::filesystem::temp_directory_path() / "gsoc-eve-dns-test.json").string();
  {
    EveWriter writer(path);
    AppMetadata record;
    record.kind = AppMetadata::Kind::Dns;
    record.flow = &flow;
    record.timestamp_ns = raw.timestamp_ns;
    record.dns = &request;
    record.capture_index = 1;
    writer.metadataRecord(record);
    record.dns = &response;
    record.direction = signatures::FlowDirection::ToClient;
    record.capture_index = 2;
    writer.metadataRecord(record);
  }
  const auto lines = readLines(path);
  std::filesystem::remove(path);
  ASSERT_EQ(lines.size(), 2u);
  const auto& q = lines[0];
  EXPECT_EQ(q["pcap_cnt"], 1);
  EXPECT_EQ(q["dns"]["version"], 3);
  EXPECT_EQ(q["dns"]["type"], "request");
  EXPECT_EQ(q["dns"]["tx_id"], 0);
  EXPECT_EQ(q["dns"]["id"], 36146);
  EXPECT_EQ(q["dns"]["rd"], true);
  EXPECT_FALSE(q["dns"].contains("qr"));
  EXPECT_FALSE(q["dns"].contains("rcode"));
  EXPECT_EQ(q["dns"]["queries"][0]["rrname"], "www.suricata-ids.org");
  EXPECT_EQ(q["dns"]["queries"][0]["rrtype"], "A");

  const auto& a = lines[1];
  EXPECT_EQ(a["pcap_cnt"], 2);
  EXPECT_EQ(a["direction"], "to_client");
  const auto& d = a["dns"];
  EXPECT_EQ(d["type"], "response");
  EXPECT_EQ(d["tx_id"], 1);  // a transaction of its own, as in Suricata 8
  EXPECT_EQ(d["flags"], "81a0");
  EXPECT_EQ(d["qr"], true);
  EXPECT_EQ(d["ra"], true);
  EXPECT_EQ(d["rcode"], "NOERROR");
  EXPECT_EQ(d["answers"][0]["rrtype"], "CNAME");
  EXPECT_EQ(d["answers"][0]["rdata"], "suricata-ids.org");
  EXPECT_EQ(d["answers"][0]["ttl"], 3544);
  EXPECT_EQ(d["answers"][2]["rdata"], "192.0.78.25");
  EXPECT_EQ(d["grouped"]["A"], nlohmann::json::array({"192.0.78.24", "192.0.78.25"}));
  EXPECT_EQ(d["grouped"]["CNAME"], nlohmann::json::array({"suricata-ids.org"}));
  EXPECT_EQ(d["authorities"][0]["rrtype"], "SOA");
  EXPECT_FALSE(d["authorities"][0].contains("rdata"));  // SOA: an object of its fields
  EXPECT_EQ(d["authorities"][0]["soa"]["mname"], "a0.org.afilias-nst.info");
  EXPECT_EQ(d["authorities"][0]["soa"]["rname"], "noc.afilias-nst.info");
  EXPECT_EQ(d["authorities"][0]["soa"]["serial"], 2017);
  EXPECT_EQ(d["authorities"][0]["soa"]["minimum"], 86400);
  EXPECT_FALSE(d.contains("additionals"));
}

// Version 2 (eve-log dns version: 2): a query record per question, one answer record per response.
TEST(EveDns, Version2WritesQueryRecordsAndAnAnswerRecord) {
  DnsTestFlow dns(9, 0);
  ASSERT_TRUE(dns.decoded);
  Flow& flow = *dns.flow;
  DnsMessage request;
  request.id = 7;
  request.queries = {DnsName("a.example"), DnsName("b.example")};
  request.query_types = {1, 28};
  DnsMessage response = request;
  response.response = true;
  response.flags = 0x8183;
  response.rcode = 3;
  response.authorities = {{DnsName("example"), 6, 60, DnsName("ns.example")}};
  const std::string path = (std::filesystem::temp_directory_path() / "gsoc-eve-dns-v2-test.json").string();
  {
    EveWriter writer(path);
    writer.setDnsVersion(2);
    AppMetadata record;
    record.kind = AppMetadata::Kind::Dns;
    record.flow = &flow;
    record.dns = &request;
    writer.metadataRecord(record);
    record.dns = &response;
    writer.metadataRecord(record);
    EXPECT_EQ(writer.records(), 3u);
  }
  const auto lines = readLines(path);
  std::filesystem::remove(path);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["dns"]["type"], "query");
  EXPECT_EQ(lines[0]["dns"]["rrname"], "a.example");
  EXPECT_EQ(lines[1]["dns"]["rrtype"], "AAAA");
  EXPECT_EQ(lines[1]["dns"]["tx_id"], 0);
  const auto& a = lines[2]["dns"];
  EXPECT_EQ(a["version"], 2);
  EXPECT_EQ(a["type"], "answer");
  EXPECT_EQ(a["rrname"], "a.example");
  EXPECT_EQ(a["rcode"], "NXDOMAIN");
  EXPECT_EQ(a["authorities"][0]["rrtype"], "SOA");
  EXPECT_FALSE(a.contains("queries"));
  // Suricata 8 writes version 2's answer record in the flow's direction, client to server.
  EXPECT_EQ(lines[2]["src_port"], lines[0]["src_port"]);
  EXPECT_EQ(lines[2]["dest_ip"], lines[0]["dest_ip"]);
}

// Record data decoded from the record's bytes: a TXT record's character-strings (one entry each,
// and each in grouped), NULL's bytes as a string, SSHFP's fields as an object.
TEST(EveDns, TxtNullAndSshfpData) {
  DnsTestFlow dns(11, 0);
  ASSERT_TRUE(dns.decoded);
  const std::vector<std::uint8_t> txt = {3, 'a', 'b', 'c', 0};
  const std::vector<std::uint8_t> null_data = {'V', 'A', 3, 0xc5};
  const std::vector<std::uint8_t> sshfp = {1, 1, 0x19, 0x8c, 0x34};
  DnsMessage response;
  response.id = 1;
  response.response = true;
  response.flags = 0x8180;
  response.queries = {DnsName("example.org")};
  response.query_types = {16};
  response.answers = {{DnsName("example.org"), 16, 3, DnsName("abc")},
                      {DnsName("example.org"), 10, 3, DnsName()},
                      {DnsName("example.org"), 44, 3, DnsName()}};
  response.answers[0].rdata = txt;
  response.answers[1].rdata = null_data;
  response.answers[2].rdata = sshfp;
  const std::string path = (std::filesystem::temp_directory_path() / "gsoc-eve-dns-rdata-test.json").string();
  {
    EveWriter writer(path);
    AppMetadata record;
    record.kind = AppMetadata::Kind::Dns;
    record.flow = &*dns.flow;
    record.direction = signatures::FlowDirection::ToClient;
    record.dns = &response;
    writer.metadataRecord(record);
  }
  const auto lines = readLines(path);
  std::filesystem::remove(path);
  ASSERT_EQ(lines.size(), 1u);
  const auto& d = lines[0]["dns"];
  ASSERT_EQ(d["answers"].size(), 4u);
  EXPECT_EQ(d["answers"][0]["rdata"], "abc");
  EXPECT_EQ(d["answers"][1]["rrtype"], "TXT");
  EXPECT_EQ(d["answers"][1]["rdata"], "");
  EXPECT_EQ(d["grouped"]["TXT"], nlohmann::json::array({"abc", ""}));
  EXPECT_EQ(d["answers"][2]["rrtype"], "NULL");
  EXPECT_EQ(d["answers"][2]["rdata"], std::string("VA\x03\\xc5"));  // invalid UTF-8 as Suricata escapes it
  EXPECT_EQ(d["answers"][3]["sshfp"]["algo"], 1);
  EXPECT_EQ(d["answers"][3]["sshfp"]["type"], 1);
  EXPECT_EQ(d["answers"][3]["sshfp"]["fingerprint"], "19:8c:34");
  EXPECT_EQ(d["opcode"], 0);
}

// mDNS (a flow on port 5353): Suricata 8's mdns record, records keyed by their type in lower
// case, TXT strings as an array, no ttl.
TEST(EveDns, MdnsRecordShape) {
  DnsTestFlow dns(12, 0);
  ASSERT_TRUE(dns.decoded);
  dns.flow->app = signatures::AppProto::Mdns;
  const std::vector<std::uint8_t> txt = {14, 'm', 'o', 'd', 'e', 'l', '=', 'i', 'M', 'a', 'c', '1', '7', ',', '1'};
  DnsMessage response;
  response.response = true;
  response.flags = 0x8400;  // QR AA
  response.answers = {{DnsName("John's iMac._device-info._tcp.local"), 16, 4500, DnsName("model=iMac17,1")},
                      {DnsName("_companion-link._tcp.local"), 12, 4500, DnsName("John's iMac._companion-link._tcp.local")}};
  response.answers[0].rdata = txt;
  DnsMessage request;
  request.queries = {DnsName("_apple-mobdev._tcp.local")};
  request.query_types = {12};
  const std::string path = (std::filesystem::temp_directory_path() / "gsoc-eve-mdns-test.json").string();
  {
    EveWriter writer(path);
    AppMetadata record;
    record.kind = AppMetadata::Kind::Dns;
    record.flow = &*dns.flow;
    record.dns = &response;
    writer.metadataRecord(record);
    record.dns = &request;
    writer.metadataRecord(record);
  }
  const auto lines = readLines(path);
  std::filesystem::remove(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["event_type"], "mdns");
  const auto& r = lines[0]["mdns"];
  EXPECT_EQ(r["type"], "response");
  EXPECT_EQ(r["flags"], nlohmann::json::array({"aa"}));
  EXPECT_EQ(r["rcode"], 0);
  EXPECT_EQ(r["answers"][0]["txt"], nlohmann::json::array({"model=iMac17,1"}));
  EXPECT_FALSE(r["answers"][0].contains("ttl"));
  EXPECT_EQ(r["answers"][1]["ptr"], "John's iMac._companion-link._tcp.local");
  const auto& q = lines[1]["mdns"];
  EXPECT_EQ(q["type"], "request");
  EXPECT_FALSE(q.contains("flags"));
  EXPECT_EQ(q["queries"][0]["rrtype"], "ptr");
}

// Suricata 8: every message, request or response, is a transaction of its own.
TEST(EveDns, EachMessageIsATransaction) {
  DnsTransactionIds ids;
  EXPECT_EQ(ids.last(1), 0u);
  EXPECT_EQ(ids.next(1), 0u);
  EXPECT_EQ(ids.next(1), 1u);
  EXPECT_EQ(ids.last(1), 1u);
  EXPECT_EQ(ids.next(1), 2u);
  EXPECT_EQ(ids.next(2), 0u);  // another flow counts on its own
  ids.forget(1);
  EXPECT_EQ(ids.next(1), 0u);
}

TEST(EveDns, TypeAndRcodeNames) {
  EXPECT_EQ(dnsTypeName(28), "AAAA");
  EXPECT_EQ(dnsTypeName(65), "HTTPS");
  EXPECT_EQ(dnsTypeName(4242), "4242");
  EXPECT_EQ(dnsRcodeName(3), "NXDOMAIN");
  EXPECT_EQ(dnsRcodeName(15), "15");
}

// eve-log dns requests/responses/types: a message is logged when its kind is on and one of its
// questions asks for a listed type; the transaction numbers still count every message.
TEST(EveDns, FilterByKindAndQueryType) {
  DnsTestFlow dns(11, 0);
  ASSERT_TRUE(dns.decoded);
  auto message = [](std::uint16_t id, std::uint16_t type, bool response) {
    DnsMessage m;
    m.id = id;
    m.response = response;
    m.queries = {DnsName("example.org")};
    m.query_types = {type};
    return m;
  };
  const std::vector<DnsMessage> messages = {message(1, 1, false), message(1, 1, true), message(2, 15, false),
                                            message(2, 15, true)};
  const std::string path = (std::filesystem::temp_directory_path() / "gsoc-eve-dns-filter-test.json").string();
  std::uint64_t written = 0;
  {
    EveWriter writer(path);
    writer.setDnsFilter(false, true, {*dnsTypeNumber("mx")});
    for (const DnsMessage& m : messages) {
      AppMetadata record;
      record.kind = AppMetadata::Kind::Dns;
      record.flow = &*dns.flow;
      record.dns = &m;
      writer.metadataRecord(record);
    }
    written = writer.records();
  }
  const auto lines = readLines(path);
  std::filesystem::remove(path);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(written, 1u);
  EXPECT_EQ(lines[0]["dns"]["type"], "response");
  EXPECT_EQ(lines[0]["dns"]["id"], 2);
  EXPECT_EQ(lines[0]["dns"]["tx_id"], 3);  // the three messages left out still count
  EXPECT_EQ(dnsTypeNumber("AAAA"), std::optional<std::uint16_t>(28));
  EXPECT_EQ(dnsTypeNumber("https"), std::optional<std::uint16_t>(65));
  EXPECT_EQ(dnsTypeNumber("no-such-type"), std::nullopt);
}

}  // namespace
}  // namespace gsoc::sensor
