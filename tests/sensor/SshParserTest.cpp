// SSH's cleartext opening as SshState reads it: banners (versions, comments, CRLF or LF), the
// KEXINIT's HASSH of each side's own direction, segments split anywhere, NEWKEYS ending the
// parse, SSH-1, and malformed input counted without a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gsoc/signatures/Buffer.hpp"
#include "sensor/app/SshParser.hpp"
#include "sensor/app/TlsParser.hpp"

using gsoc::sensor::SshEndpoint;
using gsoc::sensor::SshStage;
using gsoc::sensor::SshState;
using gsoc::signatures::FlowDirection;

namespace {

void put32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// One binary packet (no MAC: before NEWKEYS) with `payload` (message code first) and 4 bytes
// of padding.
std::string packet(const std::string& payload) {
  std::string out;
  put32(out, static_cast<std::uint32_t>(payload.size() + 1 + 4));
  out.push_back(4);
  out += payload;
  out += std::string(4, '\0');
  return out;
}

std::string kexInit(const std::vector<std::string>& lists) {
  std::string payload(1, '\x14');
  payload += std::string(16, 'C');  // cookie
  for (const std::string& list : lists) {
    put32(payload, static_cast<std::uint32_t>(list.size()));
    payload += list;
  }
  payload += std::string(5, '\0');  // first_kex_packet_follows, reserved
  return packet(payload);
}

const std::vector<std::string> kLists = {
    "curve25519-sha256,diffie-hellman-group14-sha256", "ssh-ed25519,rsa-sha2-512",
    "aes128-ctr,aes256-ctr",  // encryption client to server
    "chacha20-poly1305@openssh.com",
    "hmac-sha2-256",  // MAC client to server
    "umac-64@openssh.com",
    "none",  // compression client to server
    "none,zlib@openssh.com",
    "",
    ""};

struct SshRun {
  SshState state;
  std::vector<std::pair<FlowDirection, SshStage>> stages;
  void feed(FlowDirection dir, const std::string& bytes, std::size_t piece = 0) {
    if (piece == 0) piece = bytes.size();
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
      const std::string part = bytes.substr(at, piece);
      state.feed(dir, {reinterpret_cast<const std::uint8_t*>(part.data()), part.size()},
                 [&](FlowDirection d, SshStage s) { stages.emplace_back(d, s); });
    }
  }
};

TEST(SshParser, BannersAndHasshOfEachSide) {
  SshRun run;
  run.feed(FlowDirection::ToServer, "SSH-2.0-OpenSSH_for_Windows_7.7\r\n" + kexInit(kLists));
  run.feed(FlowDirection::ToClient, "SSH-1.99-OpenSSH_7.4 Debian-10\r\n" + kexInit(kLists));
  const SshEndpoint& client = run.state.client();
  const SshEndpoint& server = run.state.server();
  EXPECT_EQ(client.proto_version, "2.0");
  EXPECT_EQ(client.software_version, "OpenSSH_for_Windows_7.7");
  EXPECT_EQ(server.proto_version, "1.99");
  EXPECT_EQ(server.software_version, "OpenSSH_7.4");  // the comment is not part of it
  EXPECT_EQ(client.hassh_string, "curve25519-sha256,diffie-hellman-group14-sha256;aes128-ctr,aes256-ctr;hmac-sha2-256;none");
  EXPECT_EQ(server.hassh_string,
            "curve25519-sha256,diffie-hellman-group14-sha256;chacha20-poly1305@openssh.com;umac-64@openssh.com;none,zlib@openssh.com");
  EXPECT_EQ(client.hassh, gsoc::sensor::md5Hex(client.hassh_string));
  EXPECT_EQ(server.hassh, gsoc::sensor::md5Hex(server.hassh_string));
  const std::vector<std::pair<FlowDirection, SshStage>> expected = {{FlowDirection::ToServer, SshStage::Banner},
                                                                    {FlowDirection::ToServer, SshStage::KexInit},
                                                                    {FlowDirection::ToClient, SshStage::Banner},
                                                                    {FlowDirection::ToClient, SshStage::KexInit}};
  EXPECT_EQ(run.stages, expected);
  EXPECT_EQ(run.state.errors(), 0u);
  EXPECT_FALSE(run.state.finished());  // no NEWKEYS yet
}

TEST(SshParser, SegmentsSplitAnywhereGiveTheSameSession) {
  SshRun whole, split;
  whole.feed(FlowDirection::ToServer, "SSH-2.0-PuTTY_Release_0.78\n" + kexInit(kLists));
  split.feed(FlowDirection::ToServer, "SSH-2.0-PuTTY_Release_0.78\n" + kexInit(kLists), 1);
  EXPECT_EQ(split.state.client().software_version, "PuTTY_Release_0.78");
  EXPECT_EQ(split.state.client().hassh, whole.state.client().hassh);
  EXPECT_EQ(split.stages, whole.stages);
  EXPECT_EQ(split.state.errors(), 0u);
}

TEST(SshParser, NewKeysEndsTheCleartextPart) {
  SshRun run;
  // Other packets are skipped whole; after NEWKEYS the rest is ciphertext, never an error.
  run.feed(FlowDirection::ToServer, "SSH-2.0-x\r\n" + packet("\x1e" + std::string(40, 'k')) + kexInit(kLists) +
                                        packet(std::string("\x15", 1)) + std::string(300, '\xff'));
  run.feed(FlowDirection::ToClient, "SSH-2.0-y\r\n" + packet(std::string("\x15", 1)));
  EXPECT_TRUE(run.state.client().kexinit_done);
  EXPECT_TRUE(run.state.finished());
  EXPECT_EQ(run.state.errors(), 0u);
}

TEST(SshParser, Ssh1HasNoBinaryPackets) {
  SshRun run;
  run.feed(FlowDirection::ToClient, "SSH-1.5-Cisco-1.25\n" + std::string(64, '\x01'));
  EXPECT_EQ(run.state.server().proto_version, "1.5");
  EXPECT_EQ(run.state.server().software_version, "Cisco-1.25");
  EXPECT_TRUE(run.state.server().finished);
  EXPECT_EQ(run.state.errors(), 0u);
}

TEST(SshParser, MalformedInputIsCountedAndTheSideStops) {
  SshRun no_banner;
  no_banner.feed(FlowDirection::ToServer, "GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(no_banner.state.errors(), 1u);
  EXPECT_FALSE(no_banner.state.client().banner_done);
  EXPECT_TRUE(no_banner.stages.empty());

  SshRun endless_line;
  endless_line.feed(FlowDirection::ToServer, "SSH-2.0-" + std::string(SshState::kMaxBannerBytes, 'a'));
  EXPECT_EQ(endless_line.state.errors(), 1u);

  SshRun huge_packet;
  std::string header;
  put32(header, SshState::kMaxPacketBytes + 1);
  huge_packet.feed(FlowDirection::ToClient, "SSH-2.0-z\r\n" + header + "\x04\x14");
  EXPECT_EQ(huge_packet.state.errors(), 1u);
  EXPECT_TRUE(huge_packet.state.server().finished);

  SshRun cut_lists;  // a list length running past the packet
  std::string payload(1, '\x14');
  payload += std::string(16, 'C');
  put32(payload, 1000);
  payload += "abc";
  cut_lists.feed(FlowDirection::ToServer, "SSH-2.0-z\r\n" + packet(payload));
  EXPECT_EQ(cut_lists.state.errors(), 1u);
  EXPECT_FALSE(cut_lists.state.client().kexinit_done);
}

TEST(SshParser, ResetForgetsTheSession) {
  SshRun run;
  run.feed(FlowDirection::ToServer, "SSH-2.0-a\r\n" + kexInit(kLists));
  run.state.logged = true;
  run.state.reset();
  EXPECT_FALSE(run.state.client().banner_done);
  EXPECT_TRUE(run.state.client().hassh.empty());
  EXPECT_FALSE(run.state.logged);
  run.feed(FlowDirection::ToServer, "SSH-2.0-b\r\n");
  EXPECT_EQ(run.state.client().software_version, "b");
}

TEST(SshParser, RuleKeywordsNameTheSshBuffers) {
  using gsoc::signatures::BufferId;
  using gsoc::signatures::findBufferKeyword;
  EXPECT_EQ(findBufferKeyword("ssh.proto")->buffer, BufferId::SshProto);
  EXPECT_EQ(findBufferKeyword("ssh_proto")->buffer, BufferId::SshProto);
  EXPECT_EQ(findBufferKeyword("ssh.software")->buffer, BufferId::SshSoftware);
  EXPECT_EQ(findBufferKeyword("ssh_software")->buffer, BufferId::SshSoftware);
  EXPECT_EQ(findBufferKeyword("ssh.hassh")->buffer, BufferId::SshHassh);
  EXPECT_EQ(findBufferKeyword("ssh.hassh.string")->buffer, BufferId::SshHasshString);
  EXPECT_EQ(findBufferKeyword("ssh.hassh.server")->buffer, BufferId::SshHasshServer);
  EXPECT_EQ(findBufferKeyword("ssh.hassh.server.string")->buffer, BufferId::SshHasshServerString);
}

}  // namespace
