// DHCP as DhcpState reads it: a request's header, client id, host name and parameter list; an
// ACK's times, mask, DNS servers and routers; options running past the datagram (truncated, the
// event raised); datagrams without the cookie counted without a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/DhcpParser.hpp"

using gsoc::sensor::DhcpMessage;
using gsoc::sensor::DhcpState;
using gsoc::sensor::parseDhcpMessage;

namespace {

std::span<const std::uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

// A BOOTP header (opcode, xid 0x01020304, yiaddr 10.0.0.5, chaddr 00:11:22:33:44:55) with the
// cookie, then `options`.
std::string message(std::uint8_t opcode, const std::string& options) {
  std::string m(236, '\0');
  m[0] = static_cast<char>(opcode);
  m[1] = 1;
  m[2] = 6;
  m[4] = 1, m[5] = 2, m[6] = 3, m[7] = 4;
  m[16] = 10, m[19] = 5;
  const char mac[] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
  m.replace(28, 6, mac, 6);
  return m + std::string("\x63\x82\x53\x63", 4) + options;
}

}  // namespace

TEST(DhcpParser, Request) {
  const std::string options = std::string("\x35\x01\x03", 3) + std::string("\x3d\x07\x01\x00\x11\x22\x33\x44\x55", 9) +
                              std::string("\x0c\x04nas1", 6) + std::string("\x37\x04\x01\x03\x0f\x06", 6) +
                              std::string("\x3c\x08MSFT 5.0", 10) + "\xff";
  DhcpMessage m;
  ASSERT_TRUE(parseDhcpMessage(bytes(message(1, options)), m));
  EXPECT_EQ(m.opcode, 1);
  EXPECT_EQ(m.xid, 0x01020304u);
  EXPECT_EQ(m.client_mac, std::string("\x00\x11\x22\x33\x44\x55", 6));
  EXPECT_EQ(m.your_ip, (DhcpMessage::Address{10, 0, 0, 5}));
  ASSERT_TRUE(m.dhcp_type);
  EXPECT_EQ(gsoc::sensor::dhcpTypeName(*m.dhcp_type), "request");
  EXPECT_TRUE(m.has_client_id);
  EXPECT_EQ(m.client_id, std::string("\x00\x11\x22\x33\x44\x55", 6));  // the type octet left out
  EXPECT_EQ(m.hostname, "nas1");
  EXPECT_EQ(m.params, std::string("\x01\x03\x0f\x06", 4));
  EXPECT_EQ(gsoc::sensor::dhcpParameterName(15), "domain");
  EXPECT_EQ(m.vendor_class, "MSFT 5.0");
  EXPECT_FALSE(m.truncated_options);
}

TEST(DhcpParser, AckTimesAndAddresses) {
  const std::string options = std::string("\x35\x01\x05", 3) + std::string("\x33\x04\x00\x00\x0e\x10", 6) +
                              std::string("\x3a\x04\x00\x00\x06\x91", 6) + std::string("\x3b\x04\x00\x00\x0b\xd7", 6) +
                              std::string("\x01\x04\xff\xff\x00\x00", 6) + std::string("\x06\x08\x0a\x10\x01\x01\x08\x08\x08\x08", 10) +
                              std::string("\x03\x04\x0a\x10\x01\x01", 6) + "\xff";
  DhcpMessage m;
  ASSERT_TRUE(parseDhcpMessage(bytes(message(2, options)), m));
  ASSERT_TRUE(m.lease_time && m.renewal_time && m.rebinding_time);
  EXPECT_EQ(*m.lease_time, 3600u);
  EXPECT_EQ(*m.renewal_time, 1681u);
  EXPECT_EQ(*m.rebinding_time, 3031u);
  EXPECT_EQ(m.subnet_mask, std::string("\xff\xff\x00\x00", 4));
  EXPECT_EQ(m.dns_servers.size(), 8u);
  EXPECT_EQ(m.routers, std::string("\x0a\x10\x01\x01", 4));
}

TEST(DhcpParser, TruncatedOptionsAndMalformed) {
  DhcpState state;
  std::vector<std::uint64_t> ids;
  bool truncated = false;
  const auto sink = [&](const DhcpMessage& m) {
    ids.push_back(m.tx_id);
    truncated = m.truncated_options;
  };
  state.datagram(bytes(message(1, std::string("\x35\x01\x01\x0c\x20short", 10))), sink);
  EXPECT_TRUE(truncated);
  EXPECT_TRUE(state.events.test(gsoc::signatures::AnomalyEvent::DhcpTruncatedOptions));
  std::string no_cookie = message(1, "\xff");
  no_cookie[236] = 0;
  state.datagram(bytes(no_cookie), sink);
  state.datagram(bytes(std::string(100, '\x01')), sink);
  state.datagram(bytes(message(2, "\xff")), sink);
  EXPECT_FALSE(truncated);
  EXPECT_EQ(ids, (std::vector<std::uint64_t>{0, 1}));
  EXPECT_EQ(state.errors(), 2u);
}
