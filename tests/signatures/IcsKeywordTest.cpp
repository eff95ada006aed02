// The enip and modbus rule protocols and their keywords: enip_command by number and name,
// enip.status, the enip.* unsigned integers, cip_service with a class and an attribute, and
// Suricata's modbus forms (function by code, sub-function and category, access with an address
// range, unit), tested on the buffers the sensor fills (Buffer.hpp).
#include <string>

#include <gtest/gtest.h>

#include "TestRules.hpp"
#include "gsoc/signatures/RuleParser.hpp"

namespace gsoc::signatures {
namespace {

using namespace testing;

Rule parseRule(std::string_view text) {
  const RuleVariables vars = RuleVariables::withDefaults();
  return RuleParser(vars).parse(text);
}

std::string be(std::uint64_t v, int bytes) {
  std::string out;
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>(v >> (8 * i));
  return out;
}

TEST(EnipKeywords, CommandStatusAndIdentity) {
  EXPECT_EQ(parseRule("alert enip any any -> any any (enip_command:99; sid:1;)").app, AppProto::Enip);
  const auto rs = compileRules(R"(
alert enip any any -> any any (enip_command:99; sid:1;)
alert enip any any -> any any (enip_command:list_identity; sid:2;)
alert enip any any -> any any (enip.command:>100; sid:3;)
alert enip any any -> any any (enip.status:success; sid:4;)
alert enip any any -> any any (enip.revision:0x403; sid:5;)
alert enip any any -> any any (enip.serial:0x524D8E; sid:6;)
alert enip any any -> any any (enip.product_name; content:"1756-ENBT/A"; sid:7;)
)");
  Detector d(rs);
  MatchInput tx = tcpInput();
  tx.meta.app = AppProto::Enip;
  const std::string command = be(0x63, 2), status = be(0, 4), revision = be(0x0403, 2), serial = be(0x524d8e, 4);
  tx.buffers.set(BufferId::EnipCommandNumber, command);
  tx.buffers.set(BufferId::EnipStatusNumber, status);
  EXPECT_EQ(fire(d, tx), Sids({1, 2, 4}));
  tx.buffers.set(BufferId::EnipRevisionNumber, revision);
  tx.buffers.set(BufferId::EnipSerialNumber, serial);
  tx.buffers.set(BufferId::EnipProductName, "1756-ENBT/A");
  EXPECT_EQ(fire(d, tx), Sids({1, 2, 4, 5, 6, 7}));
  const std::string send_unit_data = be(0x70, 2);
  tx.buffers.clear();
  tx.buffers.set(BufferId::EnipCommandNumber, send_unit_data);
  EXPECT_EQ(fire(d, tx), Sids({3}));
}

TEST(EnipKeywords, CipServiceClassAndAttribute) {
  const auto rs = compileRules(R"(
alert enip any any -> any any (cip_service:14; sid:1;)
alert enip any any -> any any (cip_service:14,1; sid:2;)
alert enip any any -> any any (cip_service:14,1,7; sid:3;)
alert enip any any -> any any (cip_service:14,2; sid:4;)
alert enip any any -> any any (cip_service:14,1,!5; sid:5;)
alert enip any any -> any any (enip.cip_class:1; enip.cip_attribute:7; sid:6;)
)");
  Detector d(rs);
  MatchInput tx = tcpInput();
  tx.meta.app = AppProto::Enip;
  // Get Attributes Single on class 1, attribute 7: one instance per (class, attribute) pair,
  // "none" (0xffffffff) standing for either.
  const std::string none = be(0xffffffff, 4);
  const std::string both = be(14, 1) + be(1, 4) + be(7, 4), class_only = be(14, 1) + be(1, 4) + none,
                    attr_only = be(14, 1) + none + be(7, 4), bare = be(14, 1) + none + none;
  for (const std::string* s : {&both, &class_only, &attr_only, &bare}) tx.buffers.add(BufferId::EnipCipServiceNumber, *s);
  const std::string cls = be(1, 4), attr = be(7, 4);
  tx.buffers.set(BufferId::EnipCipClassNumber, cls);
  tx.buffers.set(BufferId::EnipCipAttributeNumber, attr);
  EXPECT_EQ(fire(d, tx), Sids({1, 2, 3, 5, 6}));
  EXPECT_THROW(parseRule("alert enip any any -> any any (cip_service:200; sid:1;)"), RuleParseError);
}

// The modbus record: unit, function, access, category, diagnostic flag and sub-function,
// address flag, first and last address.
std::string modbusRecord(std::uint8_t unit, std::uint8_t function, std::uint8_t access, std::uint8_t category,
                         int subfunction = -1, int first = -1, int last = -1) {
  std::string r = be(unit, 1) + be(function, 1) + be(access, 1) + be(category, 1);
  r += subfunction >= 0 ? be(1, 1) + be(static_cast<std::uint64_t>(subfunction), 2) : be(0, 3);
  r += first >= 0 ? be(1, 1) + be(static_cast<std::uint64_t>(first), 2) + be(static_cast<std::uint64_t>(last), 2) : be(0, 5);
  return r;
}

TEST(ModbusKeyword, SuricataForms) {
  EXPECT_EQ(parseRule("alert modbus any any -> any any (modbus: function 1; sid:1;)").app, AppProto::Modbus);
  const auto rs = compileRules(R"(
alert modbus any any -> any any (modbus: function 1; sid:1;)
alert modbus any any -> any any (modbus: function assigned; sid:2;)
alert modbus any any -> any any (modbus: access read; sid:3;)
alert modbus any any -> any any (modbus: unit 10; sid:4;)
alert modbus any any -> any any (modbus: unit >9, access read coils, address 0<>2; sid:5;)
alert modbus any any -> any any (modbus: access write; sid:6;)
alert modbus any any -> any any (modbus: function 8, subfunction 4; sid:7;)
alert modbus any any -> any any (modbus: function !reserved; sid:8;)
)");
  Detector d(rs);
  MatchInput tx = tcpInput();
  tx.meta.app = AppProto::Modbus;
  // Read Coils at address 0 (coil 1), quantity 1, unit 10.
  const std::string read_coils = modbusRecord(10, 1, 1 | 8, 1, -1, 1, 1);
  tx.buffers.set(BufferId::ModbusRequestNumber, read_coils);
  EXPECT_EQ(fire(d, tx), Sids({1, 2, 3, 4, 5, 8}));
  // Read Coils at address 2 (coil 3): outside 0<>2.
  const std::string far = modbusRecord(10, 1, 1 | 8, 1, -1, 3, 3);
  tx.buffers.set(BufferId::ModbusRequestNumber, far);
  EXPECT_EQ(fire(d, tx), Sids({1, 2, 3, 4, 8}));
  // Diagnostic, Force Listen Only Mode, unit 10.
  const std::string diagnostic = modbusRecord(10, 8, 0, 1, 4);
  tx.buffers.set(BufferId::ModbusRequestNumber, diagnostic);
  EXPECT_EQ(fire(d, tx), Sids({2, 4, 7, 8}));
  // Write Single Register, unit 1, a reserved sub-function category is not involved.
  const std::string write = modbusRecord(1, 6, 2 | 32 | 64, 1, -1, 6, 6);
  tx.buffers.set(BufferId::ModbusRequestNumber, write);
  EXPECT_EQ(fire(d, tx), Sids({2, 6, 8}));
  EXPECT_THROW(parseRule("alert modbus any any -> any any (modbus: access write input; sid:1;)"), RuleParseError);
  EXPECT_THROW(parseRule("alert modbus any any -> any any (modbus: function bogus; sid:1;)"), RuleParseError);
}

}  // namespace
}  // namespace gsoc::signatures
