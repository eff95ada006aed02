#include <gtest/gtest.h>

#include "gsoc/signatures/RuleVariables.hpp"

namespace gsoc::signatures {
namespace {

bool in(const AddressSet& set, const char* address) { return set.contains(IpAddress::parse(address)->value()); }

TEST(AddressExpression, AnyCoversBothFamilies) {
  const auto vars = RuleVariables::withDefaults();
  const AddressSet any = vars.parseAddresses("any");
  EXPECT_TRUE(in(any, "0.0.0.0"));
  EXPECT_TRUE(in(any, "255.255.255.255"));
  EXPECT_TRUE(in(any, "2001:db8::1"));
}

TEST(AddressExpression, CidrListAndNegation) {
  const auto vars = RuleVariables::withDefaults();
  const AddressSet set = vars.parseAddresses("[192.0.2.0/24, !192.0.2.128/25, 198.51.100.7]");
  EXPECT_TRUE(in(set, "192.0.2.1"));
  EXPECT_TRUE(in(set, "192.0.2.127"));
  EXPECT_FALSE(in(set, "192.0.2.128"));
  EXPECT_FALSE(in(set, "192.0.2.255"));
  EXPECT_TRUE(in(set, "198.51.100.7"));
  EXPECT_FALSE(in(set, "198.51.100.8"));
}

TEST(AddressExpression, NegatedOnlyListMeansEverythingElse) {
  const auto vars = RuleVariables::withDefaults();
  const AddressSet set = vars.parseAddresses("[!192.0.2.0/24,!203.0.113.9]");
  EXPECT_FALSE(in(set, "192.0.2.44"));
  EXPECT_FALSE(in(set, "203.0.113.9"));
  EXPECT_TRUE(in(set, "203.0.113.10"));
  EXPECT_TRUE(in(set, "2001:db8::5"));
}

TEST(AddressExpression, VariablesNestAndNegate) {
  RuleVariables vars = RuleVariables::withDefaults();
  vars.setAddressGroup("HOME_NET", "[192.0.2.0/24,2001:db8:1::/48]");
  vars.setAddressGroup("DMZ", "[$HOME_NET,!192.0.2.200]");
  const AddressSet home = vars.parseAddresses("$HOME_NET");
  const AddressSet external = vars.parseAddresses("$EXTERNAL_NET");
  const AddressSet dmz = vars.parseAddresses("$DMZ");
  EXPECT_TRUE(in(home, "2001:db8:1::99"));
  EXPECT_FALSE(in(external, "192.0.2.9"));
  EXPECT_TRUE(in(external, "203.0.113.9"));
  EXPECT_TRUE(in(external, "2001:db8:2::1"));
  EXPECT_TRUE(in(dmz, "192.0.2.199"));
  EXPECT_FALSE(in(dmz, "192.0.2.200"));
  const AddressSet mixed = vars.parseAddresses("[$HOME_NET,!$DMZ]");
  EXPECT_TRUE(in(mixed, "192.0.2.200"));
  EXPECT_FALSE(in(mixed, "192.0.2.1"));
}

TEST(AddressExpression, DottedNetmask) {
  const auto vars = RuleVariables::withDefaults();
  const AddressSet set = vars.parseAddresses("10.1.0.0/255.255.0.0");
  EXPECT_TRUE(in(set, "10.1.200.3"));
  EXPECT_FALSE(in(set, "10.2.0.0"));
}

TEST(AddressExpression, ErrorsNameTheProblemAndOffset) {
  const auto vars = RuleVariables::withDefaults();
  try {
    (void)vars.parseAddresses("[192.0.2.0/24,$NOPE]");
    FAIL() << "expected an error";
  } catch (const ExpressionError& e) {
    EXPECT_EQ(e.offset(), 14u);
    EXPECT_STREQ(e.what(), "unknown address variable $NOPE");
  }
  EXPECT_THROW((void)vars.parseAddresses("192.0.2.0/33"), ExpressionError);
  EXPECT_THROW((void)vars.parseAddresses("[192.0.2.1"), ExpressionError);
  EXPECT_THROW((void)vars.parseAddresses("[]"), ExpressionError);
  RuleVariables loop;
  loop.setAddressGroup("A", "$B");
  loop.setAddressGroup("B", "[$A]");
  EXPECT_THROW((void)loop.parseAddresses("$A"), ExpressionError);
}

TEST(PortExpression, RangesListsNegationVariables) {
  RuleVariables vars = RuleVariables::withDefaults();
  vars.setPortGroup("HTTP_PORTS", "[80,8000:8099]");
  const PortSet http = vars.parsePorts("$HTTP_PORTS");
  EXPECT_TRUE(http.contains(80));
  EXPECT_TRUE(http.contains(8050));
  EXPECT_FALSE(http.contains(8100));
  const PortSet high = vars.parsePorts("1024:");
  EXPECT_FALSE(high.contains(1023));
  EXPECT_TRUE(high.contains(65535));
  const PortSet low = vars.parsePorts(":1023");
  EXPECT_TRUE(low.contains(0));
  EXPECT_FALSE(low.contains(1024));
  const PortSet not_http = vars.parsePorts("![$HTTP_PORTS,443]");
  EXPECT_FALSE(not_http.contains(443));
  EXPECT_FALSE(not_http.contains(8001));
  EXPECT_TRUE(not_http.contains(22));
  const PortSet shell = vars.parsePorts("$SHELLCODE_PORTS");  // !80 by default
  EXPECT_FALSE(shell.contains(80));
  EXPECT_TRUE(shell.contains(81));
}

TEST(PortExpression, Errors) {
  const auto vars = RuleVariables::withDefaults();
  EXPECT_THROW((void)vars.parsePorts("65536"), ExpressionError);
  EXPECT_THROW((void)vars.parsePorts("90:80"), ExpressionError);
  EXPECT_THROW((void)vars.parsePorts("http"), ExpressionError);
  EXPECT_THROW((void)vars.parsePorts("$NO_PORTS"), ExpressionError);
}

}  // namespace
}  // namespace gsoc::signatures
