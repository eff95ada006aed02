// EVE sip records in Suricata 8's shape: one per message, a request's method, uri, version and
// request_line, a response's version, code, reason and response_line, the message's tx_id and
// direction, and an SDP body as sip.sdp with its session and media lines.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "sensor/app/AppMetadata.hpp"
#include "sensor/app/SipParser.hpp"
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

std::span<const std::uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

TEST(EveSip, RequestResponseAndSdp) {
  DnsTestFlow udp(3, 1'700'000'000'000'000'000);  // a UDP flow; SIP's records need only its addresses
  ASSERT_TRUE(udp.decoded);
  const std::string sdp =
      "v=0\r\no=alice 1 1 IN IP4 10.0.0.2\r\ns=call\r\ni=info\r\nc=IN IP4 10.0.0.2\r\nb=AS:64\r\n"
      "t=1 2\r\nr=3 4\r\na=sendrecv\r\nm=audio 30000 RTP/AVP 0\r\ni=media info\r\na=rtpmap:0 PCMU/8000\r\n";
  const std::string invite = "INVITE sip:bob@example.org SIP/2.0\r\nc: application/sdp\r\n\r\n" + sdp;
  const std::string ok = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";

  const std::string path = (std::filesystem::temp_directory_path() / "gsoc-eve-sip-test.json").string();
  {
    EveWriter writer(path);
    SipState sip;
    const auto write = [&](signatures::FlowDirection dir, const SipMessage& m) {
      AppMetadata record{AppMetadata::Kind::Sip, &*udp.flow, dir, udp.raw.timestamp_ns};
      record.sip = &m;
      record.capture_index = m.tx_id + 1;
      writer.metadataRecord(record);
    };
    sip.datagram(signatures::FlowDirection::ToServer, bytes(invite), write);
    sip.datagram(signatures::FlowDirection::ToClient, bytes(ok), write);
  }
  const auto lines = readLines(path);
  std::filesystem::remove(path);
  ASSERT_EQ(lines.size(), 2u);
  const auto& q = lines[0];
  EXPECT_EQ(q["event_type"], "sip");
  EXPECT_EQ(q["tx_id"], 0);
  EXPECT_EQ(q["pcap_cnt"], 1);
  EXPECT_EQ(q["sip"]["method"], "INVITE");
  EXPECT_EQ(q["sip"]["uri"], "sip:bob@example.org");
  EXPECT_EQ(q["sip"]["version"], "SIP/2.0");
  EXPECT_EQ(q["sip"]["request_line"], "INVITE sip:bob@example.org SIP/2.0");
  EXPECT_FALSE(q["sip"].contains("code"));
  const auto& d = q["sip"]["sdp"];
  EXPECT_EQ(d["version"], "0");
  EXPECT_EQ(d["origin"], "alice 1 1 IN IP4 10.0.0.2");
  EXPECT_EQ(d["session_name"], "call");
  EXPECT_EQ(d["session_info"], "info");
  EXPECT_EQ(d["connection_data"], "IN IP4 10.0.0.2");
  EXPECT_EQ(d["bandwidths"], nlohmann::json::array({"AS:64"}));
  EXPECT_EQ(d["time_descriptions"][0]["time"], "1 2");
  EXPECT_EQ(d["time_descriptions"][0]["repeat_time"], "3 4");
  EXPECT_EQ(d["attributes"], nlohmann::json::array({"sendrecv"}));
  EXPECT_EQ(d["media_descriptions"][0]["media"], "audio 30000 RTP/AVP 0");
  EXPECT_EQ(d["media_descriptions"][0]["media_info"], "media info");
  EXPECT_EQ(d["media_descriptions"][0]["attributes"], nlohmann::json::array({"rtpmap:0 PCMU/8000"}));
  EXPECT_FALSE(d.contains("uri"));
  const auto& r = lines[1];
  EXPECT_EQ(r["tx_id"], 1);
  EXPECT_EQ(r["direction"], "to_client");
  EXPECT_EQ(r["sip"]["version"], "SIP/2.0");
  EXPECT_EQ(r["sip"]["code"], "200");
  EXPECT_EQ(r["sip"]["reason"], "OK");
  EXPECT_EQ(r["sip"]["response_line"], "SIP/2.0 200 OK");
  EXPECT_FALSE(r["sip"].contains("method"));
  EXPECT_FALSE(r["sip"].contains("sdp"));
}

}  // namespace
}  // namespace gsoc::sensor
