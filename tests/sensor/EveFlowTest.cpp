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
  nlohmann::json record() {
    // One file per process: ctest runs each test as its own process, several at once.
    const std::string path =
        (std::filesystem::temp_directory_path() / ("gsoc-eve-flow-test-" + std::to_string(::getpid()) + ".json")).string();
    {
      EveWriter writer(path);
      writer.flowRecord(*flow, FlowEndReason::Shutdown);
    }
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    std::filesystem::remove(path);
    return nlohmann::json::parse(line);
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
