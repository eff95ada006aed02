// EVE http objects as Suricata writes them: the host without its port (http_port), a status
// that is no number as status_string, Content-Range parsed, the header dumps; and alerts on an
// HTTP transaction carrying the X-Forwarded-For client (extra-data or overwrite), the
// transaction's id and http object, the flow object and the rule's references.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gsoc/signatures/Rule.hpp"
#include "sensor/app/AppMetadata.hpp"
#include "sensor/app/HttpParser.hpp"
#include "sensor/detect/DetectionStage.hpp"
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

std::string tempPath(std::string_view name) {
  // One file per process: ctest runs the tests as separate processes side by side.
  return (std::filesystem::temp_directory_path() / (std::string(name) + "-" + std::to_string(::getpid()) + ".json")).string();
}

HttpMessage request() {
  HttpMessage q;
  q.method = "GET";
  q.raw_uri = "/a";
  q.protocol = "HTTP/1.1";
  q.headers.emplace_back("Host", "WWW.Example.org:8080");
  q.headers.emplace_back("X-Forwarded-For", "10.2.2.2, 10.3.3.3");
  return q;
}

HttpMessage response() {
  HttpMessage a;
  a.request = false;
  a.protocol = "HTTP/1.0";
  a.status_code = "2XX";
  a.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  a.headers.emplace_back("Content-Range", "bytes 500-1000/146515");
  return a;
}

TEST(EveHttp, HostPortStatusStringContentRangeAndHeaderDumps) {
  DnsTestFlow flow(7, 1'700'000'000'000'000'000);
  ASSERT_TRUE(flow.decoded);
  const HttpMessage q = request();
  const HttpMessage a = response();
  const std::string path = tempPath("gsoc-eve-http-test");
  {
    EveWriter writer(path);
    writer.setHttpHeaderDumps(true, false);
    writer.metadataRecord({AppMetadata::Kind::Http, &*flow.flow, signatures::FlowDirection::ToClient, flow.raw.timestamp_ns, &q, &a});
  }
  const auto lines = readLines(path);
  std::filesystem::remove(path);
  ASSERT_EQ(lines.size(), 1u);
  const auto& http = lines[0]["http"];
  EXPECT_EQ(http["hostname"], "www.example.org");
  EXPECT_EQ(http["http_port"], 8080);
  EXPECT_EQ(http["status_string"], "2XX");
  EXPECT_FALSE(http.contains("status"));
  EXPECT_EQ(http["http_content_type"], "text/html");
  EXPECT_EQ(http["content_range"]["start"], 500);
  EXPECT_EQ(http["content_range"]["end"], 1000);
  EXPECT_EQ(http["content_range"]["size"], 146515);
  ASSERT_EQ(http["request_headers"].size(), 2u);
  EXPECT_EQ(http["request_headers"][1]["name"], "X-Forwarded-For");
  EXPECT_FALSE(http.contains("response_headers"));
}

TEST(EveHttp, AlertsCarryTheForwardedClient) {
  DnsTestFlow flow(8, 1'700'000'000'000'000'000);
  ASSERT_TRUE(flow.decoded);
  const HttpMessage q = request();
  const HttpMessage a = response();
  const AppMetadata tx{AppMetadata::Kind::Http, &*flow.flow, signatures::FlowDirection::ToClient, flow.raw.timestamp_ns, &q, &a};
  signatures::Rule rule;
  rule.sid = 1;
  rule.msg = "test";
  AlertHit hit;
  hit.rule = &rule;
  hit.flow = &*flow.flow;
  hit.direction = signatures::FlowDirection::ToClient;
  hit.timestamp_ns = flow.raw.timestamp_ns;
  hit.app = &tx;
  const std::string path = tempPath("gsoc-eve-xff-test");
  {
    EveWriter writer(path);
    writer.setXff({.enabled = true, .overwrite = false, .reverse = false});
    writer.alertRecord(hit, "");
    writer.setXff({.enabled = true, .overwrite = true, .reverse = true});
    writer.alertRecord(hit, "");
  }
  const auto lines = readLines(path);
  std::filesystem::remove(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["alert"]["xff"], "10.2.2.2");  // forward: the list's first address
  EXPECT_EQ(lines[1]["dest_ip"], "10.3.3.3");       // reverse, overwrite: the client is the destination of a reply
  EXPECT_FALSE(lines[1]["alert"].contains("xff"));
}

TEST(EveHttp, AlertsCarryTheTransactionTheFlowAndTheReferences) {
  DnsTestFlow flow(9, 1'700'000'000'000'000'000);
  ASSERT_TRUE(flow.decoded);
  flow.flow->counters[Flow::kToServer].packets = 3;
  flow.flow->counters[Flow::kToServer].bytes = 300;
  const HttpMessage q = request();
  AppMetadata tx{AppMetadata::Kind::Http, &*flow.flow, signatures::FlowDirection::ToServer, flow.raw.timestamp_ns, &q, nullptr};
  tx.tx_id = 4;
  signatures::Rule rule;
  rule.sid = 2;
  rule.msg = "test";
  rule.references = {"cve,2014-0160", "url,foobar://example.org/x", "url, example.org/y"};
  AlertHit hit;
  hit.rule = &rule;
  hit.flow = &*flow.flow;
  hit.timestamp_ns = flow.raw.timestamp_ns;
  hit.app = &tx;
  hit.capture_index = 12;
  const std::string path = tempPath("gsoc-eve-alert-tx-test");
  {
    EveWriter writer(path);
    writer.alertRecord(hit, "");
    EveOptions options;
    options.alert_references = true;
    writer.setOptions(options);
    writer.alertRecord(hit, "");
  }
  const auto lines = readLines(path);
  std::filesystem::remove(path);
  ASSERT_EQ(lines.size(), 2u);
  const auto& alert = lines[0];
  EXPECT_EQ(alert["tx_id"], 4);
  EXPECT_EQ(alert["pcap_cnt"], 12);
  EXPECT_EQ(alert["pkt_src"], "wire/pcap");
  EXPECT_EQ(alert["http"]["url"], "/a");
  EXPECT_EQ(alert["http"]["length"], 0);  // no response yet
  EXPECT_EQ(alert["flow"]["pkts_toserver"], 3);
  EXPECT_EQ(alert["flow"]["bytes_toserver"], 300);
  EXPECT_EQ(alert["flow"]["src_ip"], alert["src_ip"]);
  EXPECT_EQ(alert["flow"]["dest_port"], 53);
  EXPECT_EQ(alert["gsoc"]["buffer"], "payload");
  EXPECT_FALSE(alert["alert"].contains("buffer"));  // Suricata's alert object stays Suricata's
  EXPECT_FALSE(alert["alert"].contains("references"));
  EXPECT_EQ(lines[1]["alert"]["references"],
            nlohmann::json({"https://cve.mitre.org/cgi-bin/cvename.cgi?name=2014-0160", "foobar://example.org/x", "https://example.org/y"}));
}

}  // namespace
}  // namespace gsoc::sensor
