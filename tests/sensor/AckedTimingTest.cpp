// The app layer's timing for HTTP/1, SSH and SMTP (issue 15), as Suricata in IDS mode: a side's
// bytes are parsed once the other side acknowledges them, and their transactions inspected at
// the next packet of their own direction (seeing what the other side answered by then); with
// stream.inline, as the bytes arrive. Bytes never acknowledged are parsed at the flow's end.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/AppLayer.hpp"

namespace gsoc::sensor {
namespace {

using signatures::BufferId;
using signatures::FlowDirection;

std::span<const std::uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

constexpr auto ts = FlowDirection::ToServer;
constexpr auto tc = FlowDirection::ToClient;

// One inspection: the packet it came with, its direction, a buffer's first value and what the
// transaction's record knew of the other side.
struct Inspection {
  int packet;
  FlowDirection dir;
  std::string value;
  std::string other;
  bool operator==(const Inspection&) const = default;
};

class AckedTiming : public ::testing::Test {
 protected:
  void open(std::uint16_t port) {
    DecodedPacket first;
    first.src = *IpAddress::parse("10.0.0.1");
    first.dst = *IpAddress::parse("10.0.0.2");
    first.src_port = 50000;
    first.dst_port = port;
    first.ip_proto = 6;
    flow = std::make_unique<Flow>(1, FlowKey::of(first), first, 1 << 16);
  }
  // A packet as DetectionStage hands it on: what it acknowledges first, then its data.
  void packet(FlowDirection dir, std::string_view data, std::uint64_t unacked = 0) {
    ++packets;
    ++flow->counters[dir == ts ? Flow::kToServer : Flow::kToClient].packets;
    app.onPacket(*flow, dir, unacked);
    if (!data.empty()) {
      flow->detect.inspected[dir == ts ? 0 : 1] += data.size();
      app.onStream(*flow, dir, bytes(data), 0);
    }
  }

  int packets = 0;
  std::vector<Inspection> seen;
  std::vector<std::string> records;
  AppLayer app{[this](Flow&, FlowDirection dir, signatures::MatchInput& input) {
    Inspection i{packets, dir, {}, {}};
    const AppMetadata* r = app.transactionRecord();
    if (const auto uri = input.buffers.get(BufferId::HttpUri); !uri.empty()) {
      i.value = std::string(uri[0]);
      if (r != nullptr && r->response != nullptr) i.other = r->response->status_code;
    } else if (const auto stat = input.buffers.get(BufferId::HttpStatCode); !stat.empty()) {
      i.value = std::string(stat[0]);
      if (r != nullptr && r->request != nullptr) i.other = r->request->raw_uri;
    } else if (const auto sw = input.buffers.get(BufferId::SshSoftware); !sw.empty()) {
      i.value = std::string(sw[0]);
      if (r != nullptr && r->ssh != nullptr) i.other = (dir == ts ? r->ssh->server() : r->ssh->client()).software_version;
    } else if (const auto from = input.buffers.get(BufferId::SmtpMailFrom); !from.empty()) {
      i.value = std::string(from[0]);
    } else {
      return;  // another stage's buffers (an SSH KEXINIT)
    }
    seen.push_back(i);
  }};
  std::unique_ptr<Flow> flow;
};

constexpr std::string_view kRequest = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
constexpr std::string_view kResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

TEST_F(AckedTiming, HttpRequestInspectedAtTheClientsNextPacketWithItsResponse) {
  open(80);
  app.setMetadataSink([&](const AppMetadata& r) {
    if (r.kind == AppMetadata::Kind::Http && r.response != nullptr) records.push_back("http@" + std::to_string(packets));
  });
  packet(tc, "");         // 1: the SYN/ACK, the server is on this link
  packet(ts, kRequest);   // 2
  packet(tc, "");         // 3: acknowledges the request: parsed, not inspected
  EXPECT_TRUE(seen.empty());
  packet(tc, kResponse);  // 4
  packet(ts, "");         // 5: acknowledges the response; the request is inspected, seeing it
  packet(tc, "");         // 6: the response is inspected
  EXPECT_EQ(seen, (std::vector<Inspection>{{5, ts, "/a", "200"}, {6, tc, "200", "/a"}}));
  EXPECT_EQ(records, (std::vector<std::string>{"http@5"}));  // logged when parsed
  app.onFlowEnd(*flow);
  EXPECT_EQ(seen.size(), 2u);
  app.releaseState(*flow);
}

// Pipelined requests wait for their inspection together (their summaries made from the queued
// messages when needed, issue 17): each response's record and alerts still pair it with its own
// request, and a request left unanswered is logged at the flow's end.
TEST_F(AckedTiming, PipelinedRequestsKeepTheirOrderAndPairWithTheirResponses) {
  open(80);
  app.setMetadataSink([&](const AppMetadata& r) {
    if (r.kind != AppMetadata::Kind::Http || r.request == nullptr) return;
    records.push_back(r.request->raw_uri + ">" + (r.response != nullptr ? r.response->status_code : "-") + "@" + std::to_string(packets));
  });
  packet(tc, "");  // 1
  packet(ts, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n");  // 2
  packet(tc, "");  // 3: acknowledges the three requests: parsed, queued
  packet(tc, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");  // 4
  packet(ts, "");  // 5: acknowledges two responses; the requests are inspected
  packet(tc, "");  // 6: the responses are inspected with their requests
  EXPECT_EQ(seen, (std::vector<Inspection>{{5, ts, "/a", "200"}, {5, ts, "/b", "404"}, {5, ts, "/c", ""},
                                           {6, tc, "200", "/a"}, {6, tc, "404", "/b"}}));
  EXPECT_EQ(records, (std::vector<std::string>{"/a>200@5", "/b>404@5"}));
  app.onFlowEnd(*flow);
  EXPECT_EQ(records, (std::vector<std::string>{"/a>200@5", "/b>404@5", "/c>-@6"}));
  app.releaseState(*flow);
}

TEST_F(AckedTiming, HttpInlineInspectsOnArrival) {
  open(80);
  app.setStreamInline(true);
  packet(tc, "");
  packet(ts, kRequest);
  packet(tc, kResponse);
  // Without records kept, a response's alerts know no request.
  EXPECT_EQ(seen, (std::vector<Inspection>{{2, ts, "/a", ""}, {3, tc, "200", ""}}));
}

TEST_F(AckedTiming, UnacknowledgedBytesWaitAndTheFlowsEndParsesThem) {
  open(80);
  packet(tc, "");
  packet(ts, kRequest);
  packet(tc, "", kRequest.size());      // acknowledges none of it
  packet(ts, "");
  packet(tc, "", kRequest.size() - 4);  // part of the head only: still no request
  packet(ts, "");
  EXPECT_TRUE(seen.empty());
  app.onFlowEnd(*flow);
  EXPECT_EQ(seen, (std::vector<Inspection>{{6, ts, "/a", ""}}));
}

TEST_F(AckedTiming, OneSidedCaptureParsesOnArrival) {
  open(80);
  packet(ts, kRequest);  // the server is never seen: nothing will acknowledge
  EXPECT_EQ(seen, (std::vector<Inspection>{{1, ts, "/a", ""}}));
}

TEST_F(AckedTiming, SshBannerInspectedWithTheOtherSidesAcknowledgedBanner) {
  open(22);
  packet(ts, "");                      // 1: the SYN
  packet(tc, "");                      // 2: the SYN/ACK
  packet(tc, "SSH-2.0-Server_1\r\n");  // 3
  packet(ts, "SSH-2.0-Client_1\r\n");  // 4: acknowledges the server's banner: parsed
  packet(tc, "");                      // 5: the server's banner is inspected; the client's parsed
  packet(ts, "");                      // 6: the client's is inspected, seeing the server's
  EXPECT_EQ(seen, (std::vector<Inspection>{{5, tc, "Server_1", "Client_1"}, {6, ts, "Client_1", "Server_1"}}));
}

TEST_F(AckedTiming, SmtpMailInspectedAtTheClientsPacketAfterItsAcknowledgement) {
  open(25);
  packet(tc, "220 mx\r\n");
  packet(ts, "EHLO a\r\n");
  packet(tc, "250 ok\r\n");
  packet(ts, "MAIL FROM:<a@b>\r\n");
  packet(tc, "250 ok\r\n");
  packet(ts, "RCPT TO:<c@d>\r\n");
  packet(tc, "250 ok\r\n");
  packet(ts, "DATA\r\n");
  packet(tc, "354 go\r\n");
  packet(ts, "Subject: x\r\n\r\nbody\r\n.\r\n");  // 10
  EXPECT_TRUE(seen.empty());
  packet(tc, "250 queued\r\n");  // 11: acknowledges the message
  EXPECT_TRUE(seen.empty());
  packet(ts, "QUIT\r\n");        // 12: the mail is inspected here
  EXPECT_EQ(seen, (std::vector<Inspection>{{12, ts, "<a@b>", ""}}));
}

}  // namespace
}  // namespace gsoc::sensor
