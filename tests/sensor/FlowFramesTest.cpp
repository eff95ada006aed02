// Frames as FlowFrames delimits them: MQTT packets with their header and data, SSH records up to
// NEWKEYS, NBSS and SMB1 PDUs, SMTP command lines (first as far as the stream goes, then without
// the end of line), reply lines and mail data, DNS over TCP and UDP, SIP's parts, HTTP/1 messages
// with bodies, stream offsets across chunks, and incomplete frames at the flow's end.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gsoc/signatures/Buffer.hpp"
#include "sensor/app/FlowFrames.hpp"

using gsoc::sensor::FlowFrames;
using gsoc::sensor::Frame;
using gsoc::signatures::AppProto;
using gsoc::signatures::BufferId;
using gsoc::signatures::FlowDirection;

namespace {

struct Seen {
  BufferId type;
  std::uint64_t offset;
  std::string bytes;
  bool complete;
  bool provisional;
};

class Collector {
 public:
  gsoc::sensor::FrameSink sink = [this](const Frame& f) {
    seen.push_back({f.type, f.stream_offset, std::string(f.bytes), f.complete, f.provisional});
  };
  std::vector<Seen> seen;
};

void stream(FlowFrames& frames, AppProto app, FlowDirection dir, const std::string& bytes, Collector& c) {
  frames.onStream(app, dir, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, c.sink);
}

}  // namespace

TEST(FlowFrames, MqttPduHeaderAndDataAcrossChunks) {
  FlowFrames frames;
  Collector c;
  const std::string connack("\x20\x02\x00\x00", 4);
  const std::string publish = std::string("\x30\x05\x00\x01t", 5) + "hi";
  stream(frames, AppProto::Mqtt, FlowDirection::ToClient, connack + publish.substr(0, 3), c);
  ASSERT_EQ(c.seen.size(), 3u);
  EXPECT_EQ(c.seen[0].type, BufferId::FrameMqttPdu);
  EXPECT_EQ(c.seen[0].bytes, connack);
  EXPECT_EQ(c.seen[1].type, BufferId::FrameMqttHeader);
  EXPECT_EQ(c.seen[1].bytes, connack.substr(0, 2));
  EXPECT_EQ(c.seen[2].type, BufferId::FrameMqttData);
  stream(frames, AppProto::Mqtt, FlowDirection::ToClient, publish.substr(3), c);
  ASSERT_EQ(c.seen.size(), 6u);
  EXPECT_EQ(c.seen[3].bytes, publish);
  EXPECT_EQ(c.seen[3].offset, 4u);
}

TEST(FlowFrames, IncompleteMqttPduAtTheEnd) {
  FlowFrames frames;
  Collector c;
  stream(frames, AppProto::Mqtt, FlowDirection::ToServer, std::string("\x10\x1c\x00\x04MQ", 6), c);
  EXPECT_TRUE(c.seen.empty());
  frames.onEnd(AppProto::Mqtt, c.sink);
  ASSERT_EQ(c.seen.size(), 1u);
  EXPECT_EQ(c.seen[0].type, BufferId::FrameMqttPdu);
  EXPECT_FALSE(c.seen[0].complete);
  EXPECT_EQ(c.seen[0].bytes.size(), 6u);
}

TEST(FlowFrames, SshRecordsUntilNewkeys) {
  FlowFrames frames;
  Collector c;
  const std::string newkeys("\x00\x00\x00\x0c\x0a\x15\0\0\0\0\0\0\0\0\0\0", 16);
  stream(frames, AppProto::Ssh, FlowDirection::ToServer, "SSH-2.0-test\r\n" + newkeys + "\x00\x00\x00\x08garbage!", c);
  ASSERT_EQ(c.seen.size(), 3u);
  EXPECT_EQ(c.seen[0].type, BufferId::FrameSshRecordPdu);
  EXPECT_EQ(c.seen[0].offset, 14u);
  EXPECT_EQ(c.seen[1].type, BufferId::FrameSshRecordHdr);
  EXPECT_EQ(c.seen[1].bytes, newkeys.substr(0, 6));
  EXPECT_EQ(c.seen[2].type, BufferId::FrameSshRecordData);
}

TEST(FlowFrames, NbssAndSmb1) {
  FlowFrames frames;
  Collector c;
  std::string smb("\xffSMB\x72", 5);
  smb.resize(32, '\0');
  smb += "DATA";
  const std::string nbss = std::string("\x00\x00\x00", 3) + static_cast<char>(smb.size()) + smb;
  stream(frames, AppProto::Smb, FlowDirection::ToServer, nbss, c);
  ASSERT_EQ(c.seen.size(), 5u);
  EXPECT_EQ(c.seen[0].type, BufferId::FrameNbssPdu);
  EXPECT_EQ(c.seen[1].type, BufferId::FrameNbssHdr);
  EXPECT_EQ(c.seen[2].type, BufferId::FrameSmb1Pdu);
  EXPECT_EQ(c.seen[3].type, BufferId::FrameSmb1Hdr);
  EXPECT_EQ(c.seen[3].offset, 4u);
  EXPECT_EQ(c.seen[3].bytes.size(), 32u);
  EXPECT_EQ(c.seen[4].type, BufferId::FrameSmb1Data);
  EXPECT_EQ(c.seen[4].bytes, "DATA");
}

TEST(FlowFrames, SmtpLinesAndData) {
  FlowFrames frames;
  Collector c;
  stream(frames, AppProto::Smtp, FlowDirection::ToServer, "MAIL FROM:<a@b>\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n", c);
  ASSERT_EQ(c.seen.size(), 7u);
  EXPECT_TRUE(c.seen[0].provisional);
  EXPECT_EQ(c.seen[0].bytes, "MAIL FROM:<a@b>\r\n");
  EXPECT_FALSE(c.seen[1].provisional);
  EXPECT_EQ(c.seen[1].bytes, "MAIL FROM:<a@b>");
  EXPECT_EQ(c.seen[3].bytes, "DATA");
  EXPECT_EQ(c.seen[4].type, BufferId::FrameSmtpData);
  EXPECT_EQ(c.seen[4].bytes, "Subject: x\r\n\r\nbody\r\n.\r\n");
  EXPECT_EQ(c.seen[6].bytes, "QUIT");
  Collector r;
  stream(frames, AppProto::Smtp, FlowDirection::ToClient, "250 ok\r\n354 go", r);
  ASSERT_EQ(r.seen.size(), 1u);
  EXPECT_EQ(r.seen[0].type, BufferId::FrameSmtpResponseLine);
  EXPECT_EQ(r.seen[0].bytes, "250 ok\r\n");
}

TEST(FlowFrames, DnsOverTcpAndUdp) {
  FlowFrames frames;
  Collector c;
  const std::string message("\x12\x34\x01\x20\x00\x01\x00\x00\x00\x00\x00\x00", 12);
  stream(frames, AppProto::Dns, FlowDirection::ToServer, std::string("\x00\x0c", 2) + message, c);
  ASSERT_EQ(c.seen.size(), 1u);
  EXPECT_EQ(c.seen[0].bytes, message);
  EXPECT_EQ(c.seen[0].offset, 2u);
  frames.onDatagram(AppProto::Dns, FlowDirection::ToServer, {reinterpret_cast<const std::uint8_t*>(message.data()), message.size()},
                    c.sink);
  ASSERT_EQ(c.seen.size(), 2u);
  EXPECT_EQ(c.seen[1].bytes, message);
}

TEST(FlowFrames, SipRequestParts) {
  FlowFrames frames;
  Collector c;
  const std::string head = "REGISTER sip:x SIP/2.0\r\nVia: a\r\nContent-Length: 3\r\n\r\n";
  stream(frames, AppProto::Sip, FlowDirection::ToServer, head + "v=0", c);
  ASSERT_EQ(c.seen.size(), 4u);
  EXPECT_EQ(c.seen[0].type, BufferId::FrameSipPdu);
  EXPECT_EQ(c.seen[0].bytes, head + "v=0");
  EXPECT_EQ(c.seen[1].type, BufferId::FrameSipRequestLine);
  EXPECT_EQ(c.seen[1].bytes, "REGISTER sip:x SIP/2.0\r\n");
  EXPECT_EQ(c.seen[2].type, BufferId::FrameSipRequestHeaders);
  EXPECT_EQ(c.seen[2].bytes, "Via: a\r\nContent-Length: 3\r\n");
  EXPECT_EQ(c.seen[3].type, BufferId::FrameSipRequestBody);
  EXPECT_EQ(c.seen[3].bytes, "v=0");
}

TEST(FlowFrames, HttpMessagesWithBodies) {
  FlowFrames frames;
  Collector c;
  const std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  const std::string second = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  stream(frames, AppProto::Http, FlowDirection::ToClient, first + second + "HTTP/1.1 200 OK\r\n\r\nto the end", c);
  ASSERT_EQ(c.seen.size(), 2u);
  EXPECT_EQ(c.seen[0].type, BufferId::FrameHttp1Response);
  EXPECT_EQ(c.seen[0].bytes, first);
  EXPECT_EQ(c.seen[1].bytes, second);
  frames.onEnd(AppProto::Http, c.sink);
  ASSERT_EQ(c.seen.size(), 3u);
  EXPECT_EQ(c.seen[2].bytes, "HTTP/1.1 200 OK\r\n\r\nto the end");
}

TEST(FlowFrames, GarbageIsSkippedNotFatal) {
  FlowFrames frames;
  Collector c;
  stream(frames, AppProto::Dcerpc, FlowDirection::ToServer, "not dcerpc at all, not at all", c);
  stream(frames, AppProto::Ldap, FlowDirection::ToClient, std::string("\x30\x85\x01", 3), c);
  EXPECT_TRUE(c.seen.empty());
}
