// Protocol detection per direction, as Suricata's: the client's and the server's first data are
// probed each on its own; where they disagree (an HTTP client answered by an SSH server) the
// flow keeps its parser, records both protocols (EVE app_proto / app_proto_tc) and raises
// applayer_mismatch_protocol_both_directions once.
#include <gtest/gtest.h>

#include "sensor/app/AppLayer.hpp"

namespace gsoc::sensor {
namespace {

using signatures::AnomalyEvent;
using signatures::AppProto;
using signatures::FlowDirection;

std::span<const std::uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

Flow tcpFlow(std::uint16_t server_port) {
  DecodedPacket first;
  first.src = *IpAddress::parse("10.0.0.1");
  first.dst = *IpAddress::parse("10.0.0.2");
  first.src_port = 40000;
  first.dst_port = server_port;
  first.ip_proto = 6;
  first.tcp_flags = tcp_flag::kSyn;
  return Flow(1, FlowKey::of(first), first, 1 << 16);
}

struct Detection {
  AppLayer app{[](Flow&, FlowDirection, signatures::MatchInput&) {}};
  Detection() { app.setStreamInline(true); }
  bool mismatchRaised(Flow& flow) {
    signatures::EventSet events;
    app.takeEvents(flow, events);
    return events.test(AnomalyEvent::ApplayerMismatchProtocolBothDirections);
  }
};

TEST(ProtocolMismatch, HttpClientAnsweredBySshServer) {
  Detection d;
  Flow flow = tcpFlow(80);
  d.app.onStream(flow, FlowDirection::ToServer, bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
  EXPECT_FALSE(d.mismatchRaised(flow));
  d.app.onStream(flow, FlowDirection::ToClient, bytes("SSH-2.0-OpenSSH_8.9\r\n"), 0);
  EXPECT_TRUE(d.mismatchRaised(flow));
  EXPECT_EQ(flow.app, AppProto::Http);  // the parser stays
  EXPECT_EQ(flow.app_layer.probed[Flow::kToServer], AppProto::Http);
  EXPECT_EQ(flow.app_layer.probed[Flow::kToClient], AppProto::Ssh);
  d.app.onStream(flow, FlowDirection::ToClient, bytes("more bytes\r\n"), 0);
  EXPECT_FALSE(d.mismatchRaised(flow));  // once per flow
  d.app.releaseState(flow);
}

TEST(ProtocolMismatch, AgreeingSidesRaiseNothing) {
  Detection d;
  Flow flow = tcpFlow(80);
  d.app.onStream(flow, FlowDirection::ToServer, bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
  d.app.onStream(flow, FlowDirection::ToClient, bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 0);
  EXPECT_FALSE(d.mismatchRaised(flow));
  EXPECT_EQ(flow.app_layer.probed[Flow::kToClient], AppProto::None);  // only a disagreeing side is kept
  d.app.releaseState(flow);
  // A server speaking first (SMTP's greeting) and a client whose first line no probe knows.
  Flow smtp = tcpFlow(25);
  d.app.onStream(smtp, FlowDirection::ToClient, bytes("220 mail.example ESMTP\r\n"), 0);
  d.app.onStream(smtp, FlowDirection::ToServer, bytes("NOOP\r\n"), 0);
  EXPECT_FALSE(d.mismatchRaised(smtp));
  EXPECT_EQ(smtp.app, AppProto::Smtp);
  d.app.releaseState(smtp);
}

}  // namespace
}  // namespace gsoc::sensor
