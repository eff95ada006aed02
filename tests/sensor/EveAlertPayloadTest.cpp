// EVE alert payload options (Suricata's alert payload / payload-printable): the packet's payload
// in base64 and printable form instead of the matched buffer's excerpt.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "bench/traffic/FrameBuilder.hpp"
#include "gsoc/signatures/RuleParser.hpp"
#include "sensor/decode/PacketDecoder.hpp"
#include "sensor/detect/DetectionStage.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {
namespace {

// The alert record an EveWriter with `options` writes for `hit`, parsed.
nlohmann::json alertRecord(const AlertHit& hit, const EveOptions& options) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("gsoc-eve-alert-payload-test-" + std::to_string(::getpid()) + ".json")).string();
  {
    EveWriter writer(path);
    writer.setOptions(options);
    writer.alertRecord(hit, "");
  }
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::filesystem::remove(path);
  return nlohmann::json::parse(line);
}

TEST(EveAlertPayload, DatagramPayloadInBase64AndPrintable) {
  traffic::PacketSpec spec;
  spec.proto = 17;
  spec.dport = 2049;
  spec.payload = std::string("ab\x01\r\ncd\xff", 8);
  const traffic::Bytes frame = traffic::ethernetFrame(spec);
  RawPacket raw;
  raw.data = frame;
  raw.wire_length = static_cast<std::uint32_t>(frame.size());
  raw.timestamp_ns = 1'700'000'000'000'000'000;
  PacketDecoder decoder;
  DecodedPacket packet;
  ASSERT_TRUE(decoder.decode(raw, packet));

  const signatures::Rule rule = signatures::RuleParser(signatures::RuleVariables::withDefaults())
                                    .parse(R"(alert udp any any -> any any (msg:"x"; content:"cd"; sid:1;))");
  AlertHit hit;
  hit.rule = &rule;
  hit.packet = &packet;
  hit.timestamp_ns = raw.timestamp_ns;
  hit.ip_proto = 17;
  hit.excerpt = "matched buffer";

  // Without the options: the matched buffer's excerpt, no payload.
  nlohmann::json r = alertRecord(hit, {});
  EXPECT_EQ(r["payload_printable"], "matched buffer");
  EXPECT_FALSE(r.contains("payload"));

  EveOptions options;
  options.alert_payload = true;
  options.alert_payload_printable = true;
  r = alertRecord(hit, options);
  EXPECT_EQ(r["payload"], "YWIBDQpjZP8=");
  EXPECT_EQ(r["payload_printable"], "ab.\r\ncd.");  // CR and LF kept, the rest unprintable as '.'
  EXPECT_EQ(r["stream"], 0);

  // A match on stream data: the inspected bytes stand for the segments.
  hit.from_stream = true;
  r = alertRecord(hit, options);
  EXPECT_EQ(r["payload_printable"], "matched buffer");
}

}  // namespace
}  // namespace gsoc::sensor
