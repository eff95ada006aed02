// SNMP as SnmpState reads it: a v2c GetRequest with its community and variable, a v1 trap's
// enterprise and agent address, a v3 message's USM user and scoped PDU, an encrypted v3 message,
// the probe, and malformed messages counted without a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/SnmpParser.hpp"

using gsoc::sensor::looksLikeSnmp;
using gsoc::sensor::parseSnmpMessage;
using gsoc::sensor::SnmpMessage;
using gsoc::sensor::SnmpState;
using gsoc::signatures::FlowDirection;

namespace {

std::string tlv(std::uint8_t tag, const std::string& content) {
  std::string out(1, static_cast<char>(tag));
  out += static_cast<char>(content.size());  // short form: the tests' elements stay under 128
  return out + content;
}
std::string integer(std::uint8_t v) { return tlv(0x02, std::string(1, static_cast<char>(v))); }
std::string octets(const std::string& s) { return tlv(0x04, s); }
// 1.3.6.1.2.1.1.1.0
const std::string kSysDescr = tlv(0x06, std::string("\x2b\x06\x01\x02\x01\x01\x01\x00", 8));

std::span<const std::uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

std::string varbinds() { return tlv(0x30, tlv(0x30, kSysDescr + std::string("\x05\x00", 2))); }

std::string v2cGet(const std::string& community) {
  return tlv(0x30, integer(1) + octets(community) + tlv(0xa0, integer(7) + integer(0) + integer(0) + varbinds()));
}

std::string v3(const std::string& user, const std::string& data) {
  const std::string global = tlv(0x30, integer(1) + integer(100) + octets(std::string(1, '\x04')) + integer(3));
  const std::string usm = tlv(0x30, octets("engine") + integer(1) + integer(2) + octets(user) + octets("") + octets(""));
  return tlv(0x30, integer(3) + global + octets(usm) + data);
}

}  // namespace

TEST(SnmpParser, V2cGetRequest) {
  SnmpMessage m;
  ASSERT_TRUE(parseSnmpMessage(bytes(v2cGet("public")), m));
  EXPECT_EQ(m.version, 2);
  EXPECT_TRUE(m.has_community);
  EXPECT_EQ(m.community, "public");
  ASSERT_TRUE(m.has_pdu);
  EXPECT_EQ(m.pdu_type, 0);
  EXPECT_EQ(gsoc::sensor::snmpPduTypeName(m.pdu_type), "get_request");
  ASSERT_EQ(m.vars.size(), 1u);
  EXPECT_EQ(m.vars[0], "1.3.6.1.2.1.1.1.0");
  EXPECT_FALSE(m.has_usm);
  EXPECT_TRUE(looksLikeSnmp(bytes(v2cGet("public"))));
}

TEST(SnmpParser, V1Trap) {
  const std::string enterprise = tlv(0x06, std::string("\x2b\x06\x01\x04\x01\x04\x01\x02\x15", 9));  // 1.3.6.1.4.1.4.1.2.21
  const std::string trap = tlv(0xa4, enterprise + tlv(0x40, std::string("\x7f\x00\x00\x01", 4)) + integer(6) + integer(1) +
                                         tlv(0x43, std::string(1, '\x10')) + varbinds());
  SnmpMessage m;
  ASSERT_TRUE(parseSnmpMessage(bytes(tlv(0x30, integer(0) + octets("public") + trap)), m));
  EXPECT_EQ(m.version, 1);
  EXPECT_EQ(m.pdu_type, 4);
  ASSERT_TRUE(m.has_trap);
  EXPECT_EQ(m.trap_oid, "1.3.6.1.4.1.4.1.2.21");
  EXPECT_EQ(m.trap_address, "127.0.0.1");
  EXPECT_EQ(gsoc::sensor::snmpTrapTypeName(m.trap_type), "EnterpriseSpecific");
}

TEST(SnmpParser, V3UsmAndScopedPdu) {
  const std::string scoped = tlv(0x30, octets("engine") + octets("") + tlv(0xa5, integer(1) + integer(0) + integer(10) + varbinds()));
  SnmpMessage m;
  ASSERT_TRUE(parseSnmpMessage(bytes(v3("admin", scoped)), m));
  EXPECT_EQ(m.version, 3);
  EXPECT_TRUE(m.has_usm);
  EXPECT_EQ(m.usm, "admin");
  EXPECT_FALSE(m.has_community);
  EXPECT_FALSE(m.encrypted);
  EXPECT_EQ(m.pdu_type, 5);  // GetBulkRequest
  EXPECT_EQ(m.error_status, 0);
  ASSERT_EQ(m.vars.size(), 1u);
}

TEST(SnmpParser, V3Encrypted) {
  SnmpMessage m;
  ASSERT_TRUE(parseSnmpMessage(bytes(v3("admin", octets("\x8a\x11\x22"))), m));
  EXPECT_TRUE(m.encrypted);
  EXPECT_FALSE(m.has_pdu);
  EXPECT_EQ(m.usm, "admin");
}

TEST(SnmpParser, StateCountsMalformedAndNumbersMessages) {
  SnmpState state;
  std::vector<std::uint64_t> ids;
  const auto sink = [&](FlowDirection, const SnmpMessage& m) { ids.push_back(m.tx_id); };
  const std::string good = v2cGet("private");
  state.datagram(FlowDirection::ToServer, bytes(good), sink);
  // Cut short, a version SNMP does not have, and a sequence that is not one.
  state.datagram(FlowDirection::ToServer, bytes(good.substr(0, good.size() - 3)), sink);
  state.datagram(FlowDirection::ToServer, bytes(tlv(0x30, integer(2) + octets("x"))), sink);
  state.datagram(FlowDirection::ToServer, bytes(std::string("\x30\x84\xff\xff\xff\xff", 6)), sink);
  state.datagram(FlowDirection::ToClient, bytes(good), sink);
  EXPECT_EQ(ids, (std::vector<std::uint64_t>{0, 1}));
  EXPECT_EQ(state.errors(), 3u);
  EXPECT_FALSE(looksLikeSnmp(bytes(tlv(0x30, integer(2)))));
}
