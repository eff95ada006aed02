// RFB as RfbState reads it: a 3.8 handshake with VNC authentication to ServerInit, a 3.3 one
// where the server imposes the type, an unimplemented security type (the event, and the
// transaction as far as it got), and a malformed banner counted without a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gsoc/signatures/AnomalyEvent.hpp"
#include "sensor/app/RfbParser.hpp"

using gsoc::sensor::RfbState;
using gsoc::sensor::RfbTransaction;
using gsoc::signatures::AnomalyEvent;
using gsoc::signatures::FlowDirection;

namespace {

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}
std::string be16(std::uint16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v)}; }
std::string serverInit(const std::string& name) {
  std::string pf = {32, 24, 0, 1};
  pf += be16(255) + be16(255) + be16(255) + std::string{16, 8, 0} + std::string(3, '\0');
  return be16(1280) + be16(800) + pf + be32(static_cast<std::uint32_t>(name.size())) + name;
}

class RfbParserTest : public ::testing::Test {
 protected:
  void send(FlowDirection dir, const std::string& bytes) {
    rfb.pending(dir).append({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
    rfb.pending(dir).release();
    rfb.parse(dir, sink);
  }
  RfbState rfb;
  std::vector<RfbTransaction> seen;
  std::function<void(FlowDirection, const RfbTransaction&)> record = [this](FlowDirection, const RfbTransaction& tx) { seen.push_back(tx); };
  RfbState::TransactionSink sink = record;
};

TEST_F(RfbParserTest, Version38WithVncAuthentication) {
  send(FlowDirection::ToClient, "RFB 003.008\n");
  send(FlowDirection::ToServer, "RFB 003.008\n");
  send(FlowDirection::ToClient, std::string{2, 1, 2});
  send(FlowDirection::ToServer, std::string{2});
  send(FlowDirection::ToClient, std::string(16, '\x11'));
  send(FlowDirection::ToServer, std::string(16, '\x22'));
  send(FlowDirection::ToClient, be32(0));
  send(FlowDirection::ToServer, std::string{1});
  EXPECT_TRUE(seen.empty());
  send(FlowDirection::ToClient, serverInit("desk"));
  ASSERT_EQ(seen.size(), 1u);
  const RfbTransaction& tx = seen[0];
  EXPECT_EQ(tx.server_minor, "008");
  EXPECT_EQ(tx.client_major, "003");
  EXPECT_EQ(tx.security_type, 2u);
  EXPECT_EQ(tx.challenge[0], 0x11);
  EXPECT_EQ(tx.response[15], 0x22);
  EXPECT_TRUE(tx.has_security_result);
  EXPECT_EQ(tx.security_result, 0u);
  EXPECT_TRUE(tx.shared);
  EXPECT_EQ(tx.width, 1280);
  EXPECT_EQ(tx.height, 800);
  EXPECT_EQ(tx.pixel_format.bits_per_pixel, 32);
  EXPECT_EQ(tx.pixel_format.red_shift, 16);
  EXPECT_EQ(tx.name, "desk");
  EXPECT_FALSE(rfb.events.any());
  rfb.close(sink);
  EXPECT_EQ(seen.size(), 1u);  // logged once
}

TEST_F(RfbParserTest, Version33ServerImposesNoAuthentication) {
  send(FlowDirection::ToClient, "RFB 003.003\n");
  send(FlowDirection::ToServer, "RFB 003.003\n");
  send(FlowDirection::ToClient, be32(1));
  send(FlowDirection::ToServer, std::string{0});
  send(FlowDirection::ToClient, serverInit("x"));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].security_type, 1u);
  EXPECT_FALSE(seen[0].has_security_result);  // 3.3 sends none for None
  EXPECT_FALSE(seen[0].shared);
  EXPECT_EQ(seen[0].name, "x");
}

TEST_F(RfbParserTest, UnimplementedSecurityTypeEndsTheParse) {
  send(FlowDirection::ToClient, "RFB 003.889\n");
  send(FlowDirection::ToServer, "RFB 003.008\n");
  send(FlowDirection::ToClient, std::string{1, 30});
  send(FlowDirection::ToServer, std::string{30});
  EXPECT_TRUE(rfb.events.test(AnomalyEvent::RfbUnimplementedSecurityType));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].security_type, 30u);
  EXPECT_EQ(seen[0].server_minor, "889");
  send(FlowDirection::ToClient, std::string(100, '\x7f'));  // whatever follows is not parsed
  EXPECT_EQ(rfb.errors(), 0u);
}

TEST_F(RfbParserTest, MalformedBannerIsCounted) {
  send(FlowDirection::ToClient, "RFB 0x3.008\n");
  EXPECT_EQ(rfb.errors(), 1u);
  EXPECT_TRUE(rfb.events.test(AnomalyEvent::RfbMalformedMessage));
  rfb.close(sink);
  EXPECT_TRUE(seen.empty());
}

}  // namespace
