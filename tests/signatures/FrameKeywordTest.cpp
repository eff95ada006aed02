// The frame: sticky buffer and the WebSocket keywords as parsed: a frame type written alone in a
// rule of its protocol or prefixed by the protocol (http for http1), the protocol it binds an
// alert tcp rule to, <proto>.stream as the protocol's stream, unknown types refused; the
// websocket.opcode names, websocket.flags bits and websocket.mask comparisons.
#include <gtest/gtest.h>

#include "TestRules.hpp"
#include "gsoc/signatures/Frame.hpp"
#include "gsoc/signatures/RuleParser.hpp"

namespace gsoc::signatures {
namespace {

Rule parse(std::string_view text) { return RuleParser(RuleVariables::withDefaults()).parse(text); }

bool refused(std::string_view text) {
  try {
    (void)parse(text);
  } catch (const RuleParseError&) {
    return true;
  }
  return false;
}

TEST(FrameKeyword, TypeAloneOrPrefixed) {
  const Rule mqtt = parse(R"(alert mqtt any any -> any any (frame:pdu; content:"|10|"; sid:1;))");
  ASSERT_EQ(mqtt.inspections.size(), 1u);
  EXPECT_EQ(mqtt.inspections[0].buffer, BufferId::FrameMqttPdu);
  const Rule dns = parse(R"(alert tcp any any -> any any (frame:dns.pdu; content:"x"; sid:2;))");
  EXPECT_EQ(dns.inspections[0].buffer, BufferId::FrameDnsPdu);
  EXPECT_EQ(dns.app, AppProto::Dns);
  const Rule http = parse(R"(alert http any any -> any any (frame:http.request; content:"GET"; sid:3;))");
  EXPECT_EQ(http.inspections[0].buffer, BufferId::FrameHttp1Request);
  const Rule ssh = parse(R"(alert ssh any any -> any any (frame:ssh.record.hdr; content:"|15|"; sid:4;))");
  EXPECT_EQ(ssh.inspections[0].buffer, BufferId::FrameSshRecordHdr);
  const Rule smb = parse(R"(alert smb any any -> any any (frame:smb1.hdr; content:"|ff|SMB"; sid:5;))");
  EXPECT_EQ(smb.inspections[0].buffer, BufferId::FrameSmb1Hdr);
  EXPECT_TRUE(smb.inspects_app_buffer);
  EXPECT_EQ(frameTypeOf(BufferId::FrameSmb1Hdr)->name, "smb1.hdr");
}

TEST(FrameKeyword, StreamIsTheProtocolsStream) {
  const Rule r = parse(R"(alert smtp any any -> any any (frame:smtp.stream; content:"|0d 0a|.|0d 0a|"; sid:1;))");
  EXPECT_EQ(r.inspections[0].buffer, BufferId::Payload);
  EXPECT_TRUE(r.stream_only);
  EXPECT_EQ(r.app, AppProto::Smtp);
}

TEST(FrameKeyword, UnknownTypesAndConflictsRefused) {
  EXPECT_TRUE(refused(R"(alert tcp any any -> any any (frame:nosuch.pdu; content:"x"; sid:1;))"));
  EXPECT_TRUE(refused(R"(alert mqtt any any -> any any (frame:request.line; content:"x"; sid:2;))"));
  EXPECT_TRUE(refused(R"(alert dns any any -> any any (frame:mqtt.pdu; content:"x"; sid:3;))"));
}

TEST(WebsocketKeywords, OpcodeFlagsMask) {
  Rule r = parse(
      R"(alert websocket any any -> any any (websocket.opcode:!text; websocket.flags:fin,!comp; websocket.mask:>0; sid:1;))");
  EXPECT_EQ(r.app, AppProto::Websocket);
  ASSERT_NE(r.findInspection(BufferId::WebsocketOpcodeNumber), nullptr);
  const auto& op = std::get<ByteTest>(r.findInspection(BufferId::WebsocketOpcodeNumber)->items.at(0));
  EXPECT_EQ(op.value, 1u);
  EXPECT_TRUE(op.negated);
  ASSERT_NE(r.findInspection(BufferId::WebsocketFlagsNumber), nullptr);
  EXPECT_EQ(r.findInspection(BufferId::WebsocketFlagsNumber)->items.size(), 2u);
  const auto& mask = std::get<ByteTest>(r.findInspection(BufferId::WebsocketMaskNumber)->items.at(0));
  EXPECT_EQ(mask.bytes, 4);
  EXPECT_EQ(mask.op, ByteTest::Op::Gt);
  const Rule payload = parse(R"(alert tcp any any -> any any (websocket.payload; content:"x"; sid:2;))");
  EXPECT_EQ(payload.app, AppProto::Websocket);
}

}  // namespace
}  // namespace gsoc::signatures
