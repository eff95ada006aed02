// FTP data connections: the transfer a RETR or STOR sets up after PORT (active) or PASV
// (passive), the direction its file goes in the data connection, the expectation a new flow
// between the same hosts to the negotiated port claims, and end to end through the app layer:
// the data flow is ftp-data, inspected once each way at its end (the file the way it went) and
// logged with its command and file name; with a file store forced, hashed, sized (filesize) and
// written to the store.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sensor/app/AppLayer.hpp"
#include "sensor/app/FtpData.hpp"
#include "sensor/app/FtpParser.hpp"

namespace gsoc::sensor {
namespace {

using signatures::AppProto;
using signatures::BufferId;
using signatures::FlowDirection;

std::span<const std::uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

void feed(FtpState& state, FlowDirection dir, std::string_view text) {
  state.feed(dir, bytes(text), [](const FtpTransaction&) {});
}

Flow tcpFlow(const char* client, std::uint16_t client_port, const char* server, std::uint16_t server_port) {
  DecodedPacket first;
  first.src = *IpAddress::parse(client);
  first.dst = *IpAddress::parse(server);
  first.src_port = client_port;
  first.dst_port = server_port;
  first.ip_proto = 6;
  first.tcp_flags = tcp_flag::kSyn;  // the opening SYN: its sender is the client
  return Flow(1, FlowKey::of(first), first, 1 << 16);
}

TEST(FtpData, ActiveRetrAfterPortReply) {
  FtpState state;
  FtpTransfer t;
  feed(state, FlowDirection::ToServer, "PORT 10,0,0,1,4,1\r\n");
  EXPECT_FALSE(state.takeTransfer(t));  // not answered yet
  feed(state, FlowDirection::ToClient, "200 PORT command successful.\r\n");
  feed(state, FlowDirection::ToServer, "RETR index.html\r\n");
  ASSERT_TRUE(state.takeTransfer(t));
  EXPECT_EQ(t.command, FtpTransfer::Command::Retr);
  EXPECT_TRUE(t.active);
  EXPECT_EQ(t.port, 1025);
  EXPECT_EQ(t.file_name, "index.html");
  EXPECT_EQ(ftpDataDirection(t), FlowDirection::ToServer);  // the server connects and sends
  EXPECT_FALSE(state.takeTransfer(t));  // once
  feed(state, FlowDirection::ToServer, "RETR again.txt\r\n");
  EXPECT_FALSE(state.takeTransfer(t));  // the port was used
}

TEST(FtpData, ActiveRetrAfterGreeting) {
  FtpState state;
  FtpTransfer t;
  feed(state, FlowDirection::ToClient, "220 ready\r\n");
  feed(state, FlowDirection::ToServer, "PORT 10,0,0,1,4,1\r\n");
  feed(state, FlowDirection::ToClient, "200 ok\r\n");
  feed(state, FlowDirection::ToServer, "RETR passwd\r\n");
  ASSERT_TRUE(state.takeTransfer(t));
  EXPECT_EQ(t.port, 1025);
}

TEST(FtpData, PassiveStorAfter227) {
  FtpState state;
  FtpTransfer t;
  feed(state, FlowDirection::ToServer, "PASV\r\n");
  feed(state, FlowDirection::ToClient, "227 Entering Passive Mode (10,0,0,2,195,80).\r\n");
  feed(state, FlowDirection::ToServer, "STOR up.bin\r\n");
  ASSERT_TRUE(state.takeTransfer(t));
  EXPECT_EQ(t.command, FtpTransfer::Command::Stor);
  EXPECT_FALSE(t.active);
  EXPECT_EQ(t.port, 50000);
  EXPECT_EQ(ftpDataDirection(t), FlowDirection::ToServer);  // the client connects and sends
  t.active = true;
  EXPECT_EQ(ftpDataDirection(t), FlowDirection::ToClient);
}

TEST(FtpData, NoTransferWithoutPortOrName) {
  FtpState state;
  FtpTransfer t;
  feed(state, FlowDirection::ToServer, "RETR x.txt\r\n");
  EXPECT_FALSE(state.takeTransfer(t));
  feed(state, FlowDirection::ToServer, "EPSV\r\n");
  feed(state, FlowDirection::ToClient, "229 Entering Extended Passive Mode (|||6446|)\r\n");
  feed(state, FlowDirection::ToServer, "RETR\r\n");
  EXPECT_FALSE(state.takeTransfer(t));
}

TEST(FtpData, ExpectationClaimedOnceBySameHostsAndPort) {
  FtpDataExpectations expected;
  const Flow control = tcpFlow("10.0.0.1", 40000, "10.0.0.2", 21);
  FtpTransfer t;
  t.port = 50000;
  t.file_name = "f";
  expected.expect(control, t);
  FtpTransfer out;
  EXPECT_FALSE(expected.claim(tcpFlow("10.0.0.1", 40001, "10.0.0.3", 50000), out));  // other host
  EXPECT_FALSE(expected.claim(tcpFlow("10.0.0.1", 40001, "10.0.0.2", 50001), out));  // other port
  ASSERT_TRUE(expected.claim(tcpFlow("10.0.0.1", 40001, "10.0.0.2", 50000), out));
  EXPECT_EQ(out.file_name, "f");
  EXPECT_TRUE(expected.empty());
  EXPECT_FALSE(expected.claim(tcpFlow("10.0.0.1", 40002, "10.0.0.2", 50000), out));
}

TEST(FtpData, AppLayerActiveDownload) {
  struct Seen {
    FlowDirection dir;
    bool has_data;
    std::string name;
    char command;
  };
  std::vector<Seen> inspected;
  std::vector<std::string> records;
  AppLayer app([&](Flow& flow, FlowDirection dir, signatures::MatchInput& input) {
    if (flow.app != AppProto::FtpData) return;
    const auto data = input.buffers.get(BufferId::FileData);
    const auto name = input.buffers.get(BufferId::FileName);
    const auto command = input.buffers.get(BufferId::FtpDataCommandNumber);
    inspected.push_back({dir, !data.empty() && data[0] == "root:x:0:0", name.empty() ? "" : std::string(name[0]),
                         command.empty() ? '\0' : command[0][0]});
  });
  app.setStreamInline(true);
  app.setMetadataSink([&](const AppMetadata& r) {
    if (r.kind == AppMetadata::Kind::FtpData) records.push_back(r.ftp_data->transfer().file_name);
  });
  Flow control = tcpFlow("10.0.0.1", 40000, "10.0.0.2", 21);
  app.onStream(control, FlowDirection::ToClient, bytes("220 ready\r\n"), 0);
  app.onStream(control, FlowDirection::ToServer, bytes("PORT 10,0,0,1,4,1\r\n"), 0);
  app.onStream(control, FlowDirection::ToClient, bytes("200 ok\r\n"), 0);
  app.onStream(control, FlowDirection::ToServer, bytes("RETR passwd\r\n"), 0);
  ASSERT_EQ(control.app, AppProto::Ftp);
  Flow data = tcpFlow("10.0.0.2", 20, "10.0.0.1", 1025);  // the server connects back
  app.onStream(data, FlowDirection::ToServer, bytes("root:x:0:0"), 0);
  EXPECT_EQ(data.app, AppProto::FtpData);
  app.onFlowEnd(data);
  ASSERT_EQ(inspected.size(), 2u);
  EXPECT_EQ(inspected[0].dir, FlowDirection::ToServer);
  EXPECT_TRUE(inspected[0].has_data);
  EXPECT_FALSE(inspected[1].has_data);  // the file went the other way
  for (const Seen& s : inspected) {
    EXPECT_EQ(s.name, "passwd");
    EXPECT_EQ(s.command, 1);  // RETR
  }
  EXPECT_EQ(records, (std::vector<std::string>{"passwd"}));
  app.releaseState(data);
  app.onFlowEnd(control);
  app.releaseState(control);
}

TEST(FtpData, AppLayerStoresHashesAndSizesTheFile) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "gsoc-ftp-filestore";
  std::filesystem::remove_all(dir);
  std::vector<std::string> sha256s, sizes;
  std::string md5, sha256;
  bool stored = false;
  std::uint64_t size = 0;
  AppLayer app([&](Flow& flow, FlowDirection, signatures::MatchInput& input) {
    if (flow.app != AppProto::FtpData) return;
    for (const std::string_view s : input.buffers.get(BufferId::FileSha256)) sha256s.emplace_back(s);
    for (const std::string_view s : input.buffers.get(BufferId::FileSizeNumber)) sizes.emplace_back(s);
  });
  app.setStreamInline(true);
  app.setFileHashing(false);  // the store hashes anyway: files are named by their SHA-256
  app.setFileStore(dir);
  app.setMetadataSink([&](const AppMetadata& r) {
    if (r.kind != AppMetadata::Kind::FtpData) return;
    md5 = r.ftp_data->md5;
    sha256 = r.ftp_data->sha256;
    stored = r.ftp_data->stored;
    size = r.ftp_data->size();
  });
  Flow control = tcpFlow("10.0.0.1", 40000, "10.0.0.2", 21);
  app.onStream(control, FlowDirection::ToClient, bytes("220 ready\r\n"), 0);
  app.onStream(control, FlowDirection::ToServer, bytes("PASV\r\n"), 0);
  app.onStream(control, FlowDirection::ToClient, bytes("227 Entering Passive Mode (10,0,0,2,195,80).\r\n"), 0);
  app.onStream(control, FlowDirection::ToServer, bytes("STOR abc.txt\r\n"), 0);
  Flow data = tcpFlow("10.0.0.1", 40001, "10.0.0.2", 50000);
  app.onStream(data, FlowDirection::ToServer, bytes("ab"), 0);
  app.onStream(data, FlowDirection::ToServer, bytes("c"), 0);
  app.onFlowEnd(data);
  EXPECT_EQ(size, 3u);
  EXPECT_EQ(md5, "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(stored);
  // The file.sha256 buffer, only the way the file went.
  EXPECT_EQ(sha256s, std::vector<std::string>{sha256});
  // filesize's buffer: eight bytes, big-endian 3.
  EXPECT_EQ(sizes, std::vector<std::string>{std::string("\0\0\0\0\0\0\0\3", 8)});
  std::ifstream in(dir / "ba" / sha256, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), "abc");
  ASSERT_NE(app.fileStore(), nullptr);
  EXPECT_EQ(app.fileStore()->counters().stored, 1u);
  app.releaseState(data);
  app.onFlowEnd(control);
  app.releaseState(control);
  std::filesystem::remove_all(dir);
}

TEST(FtpData, StreamDepthDropsTheCrossingChunkAndAllAfter) {
  const auto upload = [] {
    FtpTransfer t;
    t.command = FtpTransfer::Command::Stor;  // passive STOR: the file goes to_server
    t.file_name = "f";
    return t;
  };
  FtpTransfer t = upload();
  FtpDataState state;
  state.start(t);
  state.limitToDepth(10);
  state.feed(FlowDirection::ToServer, bytes("1234"));
  state.feed(FlowDirection::ToServer, bytes("5678"));
  EXPECT_FALSE(state.truncated());
  state.feed(FlowDirection::ToServer, bytes("9ab"));  // would end at 11
  state.feed(FlowDirection::ToServer, bytes("c"));    // after the depth was reached
  EXPECT_TRUE(state.truncated());
  EXPECT_EQ(state.size(), 8u);
  EXPECT_EQ(state.data(), "12345678");
  state.reset();
  t = upload();
  state.start(t);
  state.feed(FlowDirection::ToServer, bytes("123456789abc"));  // no depth after a reset
  EXPECT_FALSE(state.truncated());
  EXPECT_EQ(state.size(), 12u);
}

}  // namespace
}  // namespace gsoc::sensor
