#include <gtest/gtest.h>

#include <array>

#include "gsoc/signatures/RuleParser.hpp"
#include "sensor/detect/PacketTagger.hpp"
#include "sensor/flow/FlowKey.hpp"

namespace gsoc::sensor {
namespace {

using signatures::IpAddress;

const std::array<std::uint8_t, 60> kFrame{};

DecodedPacket packet(std::uint32_t src, std::uint32_t dst, std::int64_t second = 0) {
  DecodedPacket p;
  p.ip_version = 4;
  p.ip_proto = 6;
  p.src = IpAddress::fromV4(src);
  p.dst = IpAddress::fromV4(dst);
  p.src_port = 40000;
  p.dst_port = 22;
  p.timestamp_ns = second * 1'000'000'000;
  p.frame = kFrame;
  return p;
}

signatures::Rule rule(std::string_view options) {
  const auto vars = signatures::RuleVariables::withDefaults();
  return signatures::RuleParser(vars).parse("alert tcp any any -> any any (" + std::string(options) + " sid:1;)");
}

constexpr std::uint32_t kA = 0x0a000001;  // 10.0.0.1
constexpr std::uint32_t kB = 0x0a000002;
constexpr std::uint32_t kC = 0x0a000003;

TEST(PacketTagger, ParsesSuricatasForms) {
  const auto r = rule("tag:session; tag:host,9,packets,src; tag:host,10,seconds;");
  ASSERT_EQ(r.tags.size(), 3u);
  EXPECT_EQ(r.tags[0].scope, signatures::Tag::Scope::Session);
  EXPECT_EQ(r.tags[0].count, signatures::Tag::kDefaultPackets);
  EXPECT_EQ(r.tags[1].scope, signatures::Tag::Scope::Host);
  EXPECT_TRUE(r.tags[1].host_is_src);
  EXPECT_EQ(r.tags[1].count, 9u);
  EXPECT_EQ(r.tags[2].metric, signatures::Tag::Metric::Seconds);
  EXPECT_FALSE(r.tags[2].host_is_src);  // a host tag follows the destination by default
  EXPECT_THROW(rule("tag:flow;"), signatures::RuleParseError);
  EXPECT_THROW(rule("tag:session,5;"), signatures::RuleParseError);
  EXPECT_THROW(rule("tag:session,5,packets,src;"), signatures::RuleParseError);
  EXPECT_THROW(rule("tag:host,5,frames;"), signatures::RuleParseError);
}

TEST(PacketTagger, SessionTagCoversTheFollowingPacketsOfItsFlowOnly) {
  PacketTagger tagger;
  const auto r = rule("tag:session,3,packets;");
  const DecodedPacket first = packet(kA, kB);
  const Flow flow(7, FlowKey::of(first), first, 0);
  const Flow other(8, FlowKey::of(packet(kA, kC)), packet(kA, kC), 0);
  tagger.onAlert(r, first, &flow);
  EXPECT_FALSE(tagger.onPacket(first, &flow));  // the alerting packet: its alert logs it
  EXPECT_FALSE(tagger.onPacket(packet(kA, kC), &other));
  EXPECT_TRUE(tagger.onPacket(packet(kB, kA), &flow));  // packets 2 and 3 of the count
  EXPECT_TRUE(tagger.onPacket(packet(kA, kB), &flow));
  EXPECT_FALSE(tagger.onPacket(packet(kA, kB), &flow));  // the 4th: expired
  EXPECT_TRUE(tagger.empty());
}

TEST(PacketTagger, HostTagCoversEitherDirectionOfThatHost) {
  PacketTagger tagger;
  const auto r = rule("tag:host,9,packets,dst;");
  const DecodedPacket first = packet(kA, kB);
  tagger.onAlert(r, first, nullptr);
  EXPECT_FALSE(tagger.onPacket(first, nullptr));
  int tagged = 0;
  for (int i = 0; i < 12; ++i) {
    if (tagger.onPacket(packet(kC, kA), nullptr)) ADD_FAILURE() << "10.0.0.1 is not tagged";
    tagged += tagger.onPacket(i % 2 ? packet(kB, kC) : packet(kC, kB), nullptr) ? 1 : 0;
  }
  EXPECT_EQ(tagged, 8);  // the count includes the alerting packet
}

TEST(PacketTagger, SecondsAndBytesMetricsAndRestarts) {
  PacketTagger tagger;
  const DecodedPacket first = packet(kA, kB, 100);
  tagger.onAlert(rule("tag:host,2,seconds,src;"), first, nullptr);
  EXPECT_FALSE(tagger.onPacket(first, nullptr));
  EXPECT_TRUE(tagger.onPacket(packet(kA, kC, 102), nullptr));
  EXPECT_FALSE(tagger.onPacket(packet(kA, kC, 103), nullptr));

  const auto bytes = rule("tag:host,130,bytes,src;");  // two more 60-byte frames fit
  tagger.onAlert(bytes, first, nullptr);
  EXPECT_FALSE(tagger.onPacket(first, nullptr));
  EXPECT_TRUE(tagger.onPacket(packet(kA, kC), nullptr));
  tagger.onAlert(bytes, first, nullptr);  // the same rule again: the count restarts
  EXPECT_TRUE(tagger.onPacket(packet(kA, kC), nullptr));
  EXPECT_TRUE(tagger.onPacket(packet(kA, kC), nullptr));
  EXPECT_FALSE(tagger.onPacket(packet(kA, kC), nullptr));
}

TEST(PacketTagger, HostTagsAreBoundedAndCounted) {
  PacketTagger tagger;
  const auto r = rule("tag:host,5,packets,dst;");
  for (std::uint32_t i = 0; i <= PacketTagger::kMaxHosts; ++i) tagger.onAlert(r, packet(kA, 0x0b000000 + i), nullptr);
  EXPECT_EQ(tagger.hostTagsDropped(), 1u);
  tagger.onAlert(r, packet(kA, 0x0b000000), nullptr);  // a host already tagged: restarted, not dropped
  EXPECT_EQ(tagger.hostTagsDropped(), 1u);
}

}  // namespace
}  // namespace gsoc::sensor
