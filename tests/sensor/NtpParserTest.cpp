// NTP as NtpState reads it, on the messages of suricata-verify's ntp-keywords capture: a
// version 4 request (client, stratum 0, zero reference id) and its reply (server, stratum 2,
// "LOCL"), a version 3 request; a short datagram and an unknown version counted as malformed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/NtpParser.hpp"

using gsoc::sensor::NtpMessage;
using gsoc::sensor::NtpState;

namespace {

std::vector<std::uint8_t> message(std::uint8_t first, std::uint8_t stratum, std::string_view reference) {
  std::vector<std::uint8_t> m(48, 0);
  m[0] = first;
  m[1] = stratum;
  std::copy(reference.begin(), reference.end(), m.begin() + 12);
  const std::uint8_t transmit[] = {0x18, 0x57, 0xab, 0xc3, 0x4a, 0x5f, 0x2c, 0xfe};
  std::copy(std::begin(transmit), std::end(transmit), m.begin() + 40);
  return m;
}

}  // namespace

TEST(NtpParser, RequestAndReplyOfTheCapture) {
  NtpMessage m;
  ASSERT_TRUE(gsoc::sensor::parseNtpMessage(message(0x23, 0, std::string(4, '\0')), m));
  EXPECT_EQ(m.version, 4);
  EXPECT_EQ(m.mode, 3);
  EXPECT_EQ(m.stratum, 0);
  EXPECT_EQ(m.referenceId(), std::string(4, '\0'));
  ASSERT_TRUE(gsoc::sensor::parseNtpMessage(message(0x24, 2, "LOCL"), m));
  EXPECT_EQ(m.version, 4);
  EXPECT_EQ(m.mode, 4);
  EXPECT_EQ(m.stratum, 2);
  EXPECT_EQ(m.referenceId(), "LOCL");
  ASSERT_TRUE(gsoc::sensor::parseNtpMessage(message(0x1b, 0, std::string(4, '\0')), m));
  EXPECT_EQ(m.version, 3);
  EXPECT_EQ(m.mode, 3);
  EXPECT_EQ(gsoc::sensor::ntpModeByName("server"), 4);
  EXPECT_EQ(gsoc::sensor::ntpModeByName("client"), 3);
  EXPECT_EQ(gsoc::sensor::ntpModeByName("bogus"), -1);
}

TEST(NtpParser, StateNumbersMessagesAndCountsMalformed) {
  NtpState state;
  std::vector<std::string> seen;
  const auto sink = [&](const NtpMessage& m) { seen.push_back(std::to_string(m.tx_id) + ":" + std::to_string(m.mode)); };
  state.datagram(message(0x23, 0, std::string(4, '\0')), sink);
  state.datagram(message(0x24, 2, "LOCL"), sink);
  const std::vector<std::uint8_t> short_message(47, 0x23);
  state.datagram(short_message, sink);
  state.datagram(message(0x13, 0, "LOCL"), sink);  // version 2
  EXPECT_EQ(seen, (std::vector<std::string>{"0:3", "1:4"}));
  EXPECT_EQ(state.errors(), 2U);
  EXPECT_TRUE(state.events.test(gsoc::signatures::AnomalyEvent::NtpMalformedData));
}
