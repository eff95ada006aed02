// EVE flow records with Suricata's flow.alerted and flow.state and, for TCP, the flags seen over
// the flow and per direction with a key per flag.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "bench/traffic/FrameBuilder.hpp"
#include "sensor/decode/PacketDecoder.hpp"
#include "sensor/export/EveWriter.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {
namespace {

// Decodes each frame and accounts it to one flow (opened by the first), as the worker does.
class FlowOf {
 public:
  explicit FlowOf(const std::vector<traffic::Bytes>& frames) {
    for (const traffic::Bytes& frame : frames) {
      RawPacket raw;
      raw.data = frame;
      raw.wire_length = static_cast<std::uint32_t>(frame.size());
      raw.timestamp_ns = now_ += 1'000'000;
      DecodedPacket packet;
      EXPECT_TRUE(decoder_.decode(raw, packet));
      if (!flow) flow.emplace(1, FlowKey::of(packet), packet, 1024);
      flow->account(packet, flow->directionOf(packet));
    }
  }
  // The flow's EVE flow record, parsed.
  nlohmann::json record() { return records().front(); }
  // Every record the flow's end writes (the flow record, then netflow ones), parsed.
  std::vector<nlohmann::json> records(const EveOptions& options = {}) {
    // One file per process: ctest runs each test as its own process, several at once.
    const std::string path =
        (std::filesystem::temp_directory_path() / ("gsoc-eve-flow-test-" + std::to_string(::getpid()) + ".json")).string();
    {
      EveWriter writer(path);
      writer.setOptions(options);
      writer.flowRecord(*flow, FlowEndReason::Shutdown);
    }
    std::ifstream in(path);
    std::vector<nlohmann::json> out;
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    std::filesystem::remove(path);
    return out;
  }
  std::optional<Flow> flow;

 private:
  PacketDecoder decoder_;
  std::int64_t now_ = 1'700'000'000'000'000'000;
};

TEST(EveFlow, SynOnlyIsNewWithItsFlags) {
  traffic::TcpConversation c{traffic::PacketSpec{}};
  FlowOf f({c.handshake().front()});
  const nlohmann::json r = f.record();
  EXPECT_EQ(r["flow"]["alerted"], false);
  EXPECT_EQ(r["flow"]["state"], "new");
  EXPECT_EQ(r["tcp"]["tcp_flags"], "02");
  EXPECT_EQ(r["tcp"]["tcp_flags_ts"], "02");
  EXPECT_EQ(r["tcp"]["tcp_flags_tc"], "00");
  EXPECT_EQ(r["tcp"]["syn"], true);
  EXPECT_FALSE(r["tcp"].contains("ack"));  // only the flags seen have a key
  EXPECT_EQ(r["tcp"]["state"], "syn_sent");
}

TEST(EveFlow, ClosedConnectionWithAnAlert) {
  traffic::TcpConversation c{traffic::PacketSpec{}};
  std::vector<traffic::Bytes> frames = c.handshake();
  frames.push_back(c.client("GET / HTTP/1.0\r\n\r\n"));
  for (traffic::Bytes& b : c.close()) frames.push_back(std::move(b));
  FlowOf f(frames);
  f.flow->alerted = true;
  const nlohmann::json r = f.record();
  EXPECT_EQ(r["flow"]["alerted"], true);
  EXPECT_EQ(r["flow"]["state"], "closed");
  EXPECT_EQ(r["tcp"]["tcp_flags"], "1b");  // FIN SYN PSH ACK
  EXPECT_EQ(r["tcp"]["tcp_flags_ts"], "1b");
  EXPECT_EQ(r["tcp"]["tcp_flags_tc"], "13");  // FIN SYN ACK
  for (const char* flag : {"syn", "fin", "psh", "ack"}) EXPECT_EQ(r["tcp"][flag], true) << flag;
  EXPECT_FALSE(r["tcp"].contains("rst"));
}

// Ethernet frames from a client MAC to a server MAC and back.
std::vector<traffic::Bytes> withMacs(std::vector<traffic::Bytes> frames, std::size_t replies_from) {
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const bool reply = i >= replies_from;
    for (int b = 0; b < 6; ++b) {
      frames[i][b] = static_cast<std::uint8_t>(b == 5 ? (reply ? 1 : 2) : 0x02);      // destination
      frames[i][6 + b] = static_cast<std::uint8_t>(b == 5 ? (reply ? 2 : 1) : 0x02);  // source
    }
  }
  return frames;
}

TEST(EveFlow, EthernetNetflowVlanAndSeed) {
  traffic::PacketSpec query;
  query.proto = 17;
  query.dport = 53;
  query.vlans = {1, 10};
  query.ttl = 64;
  traffic::PacketSpec answer = query;
  std::swap(answer.src, answer.dst);
  std::swap(answer.sport, answer.dport);
  answer.ttl = 50;
  FlowOf f(withMacs({traffic::ethernetFrame(query), traffic::ethernetFrame(query), traffic::ethernetFrame(answer)}, 2));
  EveOptions options;
  options.ethernet = true;
  options.netflow = true;
  options.community_id_seed = 7;
  const std::vector<nlohmann::json> r = f.records(options);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0]["event_type"], "flow");
  EXPECT_EQ(r[0]["ip_v"], 4);
  EXPECT_EQ(r[0]["vlan"], nlohmann::json::array({1, 10}));
  EXPECT_EQ(r[0]["ether"]["src_macs"], nlohmann::json::array({"02:02:02:02:02:01"}));
  EXPECT_EQ(r[0]["ether"]["dest_macs"], nlohmann::json::array({"02:02:02:02:02:02"}));
  EXPECT_NE(r[0]["community_id"], FlowOf({traffic::ethernetFrame(query)}).record()["community_id"]);  // seeded
  // One netflow record per direction, each seen from its own sender.
  EXPECT_EQ(r[1]["event_type"], "netflow");
  EXPECT_EQ(r[1]["src_ip"], query.src);
  EXPECT_EQ(r[1]["netflow"]["pkts"], 2);
  EXPECT_EQ(r[1]["netflow"]["min_ttl"], 64);
  EXPECT_EQ(r[2]["src_ip"], query.dst);
  EXPECT_EQ(r[2]["netflow"]["pkts"], 1);
  EXPECT_EQ(r[2]["netflow"]["max_ttl"], 50);
  EXPECT_EQ(r[2]["ether"]["src_macs"], nlohmann::json::array({"02:02:02:02:02:02"}));
}

TEST(EveFlow, Ipv6AddressesInFullAndIcmpTypes) {
  traffic::PacketSpec echo;
  echo.src = "2001:db8::1";
  echo.dst = "2001:db8::2";
  echo.proto = 58;
  echo.raw_ip_payload = true;
  echo.payload = std::string("\x80\x00\x00\x00\x00\x01\x00\x01", 8);
  traffic::PacketSpec reply = echo;
  std::swap(reply.src, reply.dst);
  reply.payload[0] = static_cast<char>(0x81);
  FlowOf f({traffic::ethernetFrame(echo), traffic::ethernetFrame(reply)});
  const nlohmann::json r = f.record();
  EXPECT_EQ(r["src_ip"], "2001:0db8:0000:0000:0000:0000:0000:0001");
  EXPECT_EQ(r["ip_v"], 6);
  EXPECT_EQ(r["icmp_type"], 128);
  EXPECT_EQ(r["icmp_code"], 0);
  EXPECT_EQ(r["response_icmp_type"], 129);
}

TEST(EveFlow, UdpIsEstablishedOnceBothSidesSent) {
  traffic::PacketSpec query;
  query.proto = 17;
  query.dport = 53;
  traffic::PacketSpec answer = query;
  std::swap(answer.src, answer.dst);
  std::swap(answer.sport, answer.dport);
  FlowOf one({traffic::ethernetFrame(query)});
  EXPECT_EQ(one.record()["flow"]["state"], "new");
  EXPECT_FALSE(one.record().contains("tcp"));
  FlowOf both({traffic::ethernetFrame(query), traffic::ethernetFrame(answer)});
  EXPECT_EQ(both.record()["flow"]["state"], "established");
}

}  // namespace
}  // namespace gsoc::sensor
