// gsoc.v1.Event output: envelope fields, alert body, contiguous sequence numbers given by the
// shared sink (also under several writing threads), records byte for byte those of the whole
// message, reused per-kind messages that carry nothing over, and the length-delimited file read
// back with protobuf's own reader.
#include <gtest/gtest.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/util/delimited_message_util.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <thread>

#include "bench/traffic/FrameBuilder.hpp"
#include "gsoc/v1/event.pb.h"
#include "sensor/decode/PacketDecoder.hpp"
#include "sensor/export/EventEncoder.hpp"
#include "sensor/export/EventFile.hpp"
#include "sensor/export/EventSink.hpp"
#include "signatures/TestRules.hpp"

namespace gsoc::sensor {
namespace {

using namespace traffic;

// A frame built from `spec` and decoded (the packet views the frame's bytes, kept here).
struct DecodedFrame {
  explicit DecodedFrame(const PacketSpec& spec) : frame(ethernetFrame(spec)) {
    RawPacket raw;
    raw.data = frame;
    raw.wire_length = static_cast<std::uint32_t>(frame.size());
    PacketDecoder decoder;
    ok = decoder.decode(raw, packet);
  }
  Bytes frame;
  DecodedPacket packet;
  bool ok = false;
};

TEST(EventFile, AlertAndFlowEventsRoundTrip) {
  const auto rs = signatures::testing::compileRules(
      R"(alert tcp any any -> any any (msg:"test alert"; content:"x"; classtype:trojan-activity; reference:url,example.com; metadata:stage foothold; sid:42; rev:3;))");
  PacketSpec spec;
  spec.vlans = {7};
  const Bytes frame = ethernetFrame(spec);
  RawPacket raw;
  raw.data = frame;
  raw.wire_length = static_cast<std::uint32_t>(frame.size());
  raw.timestamp_ns = 1'700'000'000'123'456'789;
  PacketDecoder decoder;
  DecodedPacket packet;
  ASSERT_TRUE(decoder.decode(raw, packet));
  Flow flow(17, FlowKey::of(packet), packet, 1024);
  flow.account(packet, signatures::FlowDirection::ToServer);

  AlertHit hit;
  hit.rule = &rs->rules()[0];
  hit.flow = &flow;
  hit.direction = signatures::FlowDirection::ToServer;
  hit.timestamp_ns = raw.timestamp_ns;
  hit.excerpt = "xyz";

  const std::string path = (std::filesystem::temp_directory_path() / "gsoc-events-test.pb").string();
  std::string alert_body;
  {
    EventEncoder encoder(EventBuilder("mofa-uplink-1", "MOFA", "v-test"));
    EventFileWriter writer(path);
    EventSink sink("mofa-uplink-1", 1700000000, 0, &writer, nullptr);
    alert_body = std::string(encoder.alert(hit, "A Network Trojan was detected"));
    sink.write(alert_body);
    sink.write(encoder.flow(flow, FlowEndReason::Timeout));
    writer.flush();
    EXPECT_EQ(sink.nextSequence(), 2u);
  }
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  google::protobuf::io::FileInputStream input(fd);
  gsoc::v1::Event alert, record;
  ASSERT_TRUE(google::protobuf::util::ParseDelimitedFromZeroCopyStream(&alert, &input, nullptr));
  ASSERT_TRUE(google::protobuf::util::ParseDelimitedFromZeroCopyStream(&record, &input, nullptr));
  gsoc::v1::Event extra;
  EXPECT_FALSE(google::protobuf::util::ParseDelimitedFromZeroCopyStream(&extra, &input, nullptr));
  ::close(fd);
  std::filesystem::remove(path);

  EXPECT_EQ(alert.event_id(), "mofa-uplink-1:1700000000:0");
  EXPECT_EQ(record.event_id(), "mofa-uplink-1:1700000000:1");
  EXPECT_EQ(alert.agency_id(), "MOFA");
  EXPECT_EQ(alert.timestamp_ns(), 1'700'000'000'123'456'789);
  EXPECT_EQ(alert.flow_id(), 17u);
  EXPECT_EQ(alert.vlan_id(), 7);
  EXPECT_EQ(alert.tuple().src_ip(), std::string("\xc0\x00\x02\x0a", 4));
  EXPECT_EQ(alert.tuple().dst_port(), 80u);
  EXPECT_TRUE(alert.community_id().starts_with("1:"));
  ASSERT_TRUE(alert.has_alert());
  EXPECT_EQ(alert.alert().sid(), 42u);
  EXPECT_EQ(alert.alert().rev(), 3u);
  EXPECT_EQ(alert.alert().msg(), "test alert");
  EXPECT_EQ(alert.alert().priority(), 1u);
  EXPECT_EQ(alert.alert().severity(), gsoc::v1::SEVERITY_HIGH);
  EXPECT_EQ(alert.alert().ruleset_version(), "v-test");
  EXPECT_EQ(alert.alert().excerpt(), "xyz");
  EXPECT_EQ(alert.alert().references(0), "url,example.com");
  EXPECT_EQ(alert.alert().metadata().at("stage"), "foothold");
  ASSERT_TRUE(record.has_flow());
  EXPECT_EQ(record.flow().packets_to_server(), 1u);
  EXPECT_EQ(record.flow().end_reason(), "timeout");
  // The sink's record (id in front of the encoder's bytes) is the message serialized at once.
  gsoc::v1::Event whole;
  ASSERT_TRUE(whole.ParseFromString(alert_body));
  whole.set_event_id("mofa-uplink-1:1700000000:0");
  EXPECT_EQ(whole.SerializeAsString(), alert.SerializeAsString());
}

// A worker's encoder reuses one message per body kind: nothing of an earlier record of the same
// kind survives into the next (an indicator alert after a rule alert, a flow without a home
// network after one with it).
TEST(EventFile, ReusedMessagesCarryNothingOver) {
  const auto rs = signatures::testing::compileRules(
      R"(alert tcp any any -> any any (msg:"rule"; content:"x"; reference:url,example.com; metadata:stage foothold; sid:42;))");
  const DecodedFrame decoded{PacketSpec{}};
  ASSERT_TRUE(decoded.ok);
  const DecodedPacket& packet = decoded.packet;
  Flow flow(3, FlowKey::of(packet), packet, 1024);
  AlertHit by_rule;
  by_rule.rule = &rs->rules()[0];
  by_rule.flow = &flow;
  by_rule.excerpt = "xyz";
  signatures::Indicator ioc;
  ioc.type = signatures::IndicatorType::Domain;
  ioc.value = "bad.example";
  AlertHit by_indicator = by_rule;
  by_indicator.rule = nullptr;
  by_indicator.indicator = &ioc;

  EventEncoder encoder(EventBuilder("s", "A", "v"));
  auto parsed = [](std::string_view bytes) {
    gsoc::v1::Event e;
    EXPECT_TRUE(e.ParseFromString(std::string(bytes)));
    return e;
  };
  encoder.setHomeNet(signatures::RuleVariables::withDefaults().parseAddresses("[192.0.2.0/24]"));
  (void)encoder.alert(by_rule, "");
  const gsoc::v1::Event second = parsed(encoder.alert(by_indicator, ""));
  EXPECT_EQ(second.alert().gid(), 9000u);
  EXPECT_EQ(second.alert().references_size(), 0);
  EXPECT_TRUE(second.alert().metadata().empty());
  EXPECT_EQ(second.alert().indicator().value(), "bad.example");
  const gsoc::v1::Event third = parsed(encoder.alert(by_rule, ""));
  EXPECT_FALSE(third.alert().has_indicator());
  EXPECT_EQ(third.alert().sid(), 42u);
  EXPECT_EQ(third.alert().references_size(), 1);
  EXPECT_NE(third.locality(), gsoc::v1::LOCALITY_UNSPECIFIED);
  EXPECT_EQ(third.alert().ruleset_version(), "v");
  // A reload: the lane's alerts name the new ruleset from then on.
  encoder.setRulesetVersion("v2");
  EXPECT_EQ(parsed(encoder.alert(by_rule, "")).alert().ruleset_version(), "v2");
  EventEncoder no_home(EventBuilder("s", "A", "v"));
  EXPECT_EQ(parsed(no_home.flow(flow, FlowEndReason::Timeout)).locality(), gsoc::v1::LOCALITY_UNSPECIFIED);
  EXPECT_TRUE(parsed(encoder.flow(flow, FlowEndReason::Timeout)).event_id().empty());  // the sink's to give
}

// Workers write through one sink at once: every sequence is given exactly once and every record
// reaches the file whole.
TEST(EventFile, SinkNumbersConcurrentWritersOnce) {
  const DecodedFrame decoded{PacketSpec{}};
  ASSERT_TRUE(decoded.ok);
  const DecodedPacket& packet = decoded.packet;
  const Flow flow(9, FlowKey::of(packet), packet, 1024);
  const std::string path = (std::filesystem::temp_directory_path() / "gsoc-events-sink-test.pb").string();
  constexpr int kThreads = 4;
  constexpr int kEach = 2000;
  {
    EventFileWriter writer(path);
    EventSink sink("s", 5, 100, &writer, nullptr);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        EventEncoder encoder(EventBuilder("s", "A", "v"));
        for (int i = 0; i < kEach; ++i) sink.write(encoder.flow(flow, FlowEndReason::Timeout));
      });
    }
    for (auto& t : threads) t.join();
    writer.flush();
  }
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  google::protobuf::io::FileInputStream input(fd);
  std::set<std::string> ids;
  gsoc::v1::Event e;
  while (google::protobuf::util::ParseDelimitedFromZeroCopyStream(&e, &input, nullptr)) {
    EXPECT_EQ(e.flow_id(), 9u);
    ids.insert(e.event_id());
  }
  ::close(fd);
  std::filesystem::remove(path);
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kEach));
  for (int seq = 100; seq < 100 + kThreads * kEach; ++seq) EXPECT_TRUE(ids.count("s:5:" + std::to_string(seq))) << seq;
}

// Event.locality: which side of the flow is the agency's, from the ruleset's HOME_NET; nothing
// claimed before a home network is known.
TEST(EventFile, LocalitySaysWhichSideIsHome) {
  auto flowEvent = [](const std::string& client, const std::string& server, const std::string* home) {
    PacketSpec spec;
    spec.src = client;
    spec.dst = server;
    const DecodedFrame decoded(spec);
    EXPECT_TRUE(decoded.ok);
    Flow flow(1, FlowKey::of(decoded.packet), decoded.packet, 1024);
    EventBuilder builder("s", "A", "v");
    if (home != nullptr) builder.setHomeNet(signatures::RuleVariables::withDefaults().parseAddresses(*home));
    gsoc::v1::Event event;
    builder.flow(flow, FlowEndReason::Timeout, event);
    return event.locality();
  };
  const std::string home = "[192.0.2.0/24,2001:db8::/32]";
  EXPECT_EQ(flowEvent("192.0.2.10", "198.51.100.20", &home), gsoc::v1::LOCALITY_OUTBOUND);
  EXPECT_EQ(flowEvent("198.51.100.20", "192.0.2.10", &home), gsoc::v1::LOCALITY_INBOUND);
  EXPECT_EQ(flowEvent("192.0.2.10", "192.0.2.53", &home), gsoc::v1::LOCALITY_INTERNAL);
  EXPECT_EQ(flowEvent("198.51.100.20", "203.0.113.5", &home), gsoc::v1::LOCALITY_EXTERNAL);
  EXPECT_EQ(flowEvent("2001:db8::5", "2001:4860::8888", &home), gsoc::v1::LOCALITY_OUTBOUND);
  EXPECT_EQ(flowEvent("198.51.100.20", "192.0.2.10", nullptr), gsoc::v1::LOCALITY_UNSPECIFIED);
}

}  // namespace
}  // namespace gsoc::sensor
