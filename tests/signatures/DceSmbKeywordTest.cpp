// The DCERPC and SMB keywords: dcerpc.iface (dce_iface), dcerpc.opnum (dce_opnum),
// dcerpc.stub_data (dce_stub_data), smb.named_pipe, smb.share and smb.version, as parsed (their
// values, the protocol they bind a rule to, the conflicts refused) and as matched on transaction
// facts: an interface the server accepted on the request's context, from a first-fragment BIND
// unless any_frag; dcerpc rules on SMB flows (DCERPC in named pipes) as Suricata's.
#include <gtest/gtest.h>

#include "TestRules.hpp"
#include "gsoc/signatures/RuleParser.hpp"

namespace gsoc::signatures {
namespace {

using namespace testing;

Rule parse(std::string_view text) { return RuleParser(RuleVariables::withDefaults()).parse(text); }

std::string parseError(std::string_view text) {
  try {
    (void)parse(text);
  } catch (const RuleParseError& e) {
    return e.what();
  }
  return "";
}

constexpr std::array<std::uint8_t, 16> kSvcctl = {0x36, 0x7a, 0xbb, 0x81, 0x98, 0x44, 0x35, 0xf1,
                                                  0xad, 0x32, 0x98, 0xf0, 0x38, 0x00, 0x10, 0x03};

TEST(DceKeywords, IfaceOpnumAndStubDataParse) {
  const Rule r = parse(
      "alert tcp any any -> any any (dce_iface:367abb81-9844-35F1-ad32-98f038001003,>=2,any_frag; "
      "dcerpc.opnum:1,5-7; dce_stub_data; content:\"x\"; sid:1;)");
  EXPECT_EQ(r.app, AppProto::Dcerpc);  // an alert tcp rule becomes a dcerpc rule, as Suricata's
  ASSERT_EQ(r.dce_ifaces.size(), 1u);
  EXPECT_EQ(r.dce_ifaces[0].uuid, kSvcctl);
  ASSERT_TRUE(r.dce_ifaces[0].version);
  EXPECT_EQ(r.dce_ifaces[0].version->op, SizeCheck::Op::Ge);
  EXPECT_EQ(r.dce_ifaces[0].version->a, 2u);
  EXPECT_TRUE(r.dce_ifaces[0].any_frag);
  ASSERT_EQ(r.dce_opnums.size(), 1u);
  EXPECT_EQ(r.dce_opnums[0].ranges, (std::vector<std::pair<std::uint16_t, std::uint16_t>>{{1, 1}, {5, 7}}));
  ASSERT_EQ(r.inspections.size(), 1u);
  EXPECT_EQ(r.inspections[0].buffer, BufferId::DceStubData);
  EXPECT_TRUE(r.inspects_app_buffer);
  EXPECT_FALSE(r.ip_only);

  const Rule compare = parse("alert dcerpc any any -> any any (dcerpc.opnum:>3; sid:2;)");
  ASSERT_TRUE(compare.dce_opnums[0].compare);
  EXPECT_EQ(compare.dce_opnums[0].compare->op, SizeCheck::Op::Gt);
  // A dcerpc keyword in an smb rule keeps the rule on SMB (DCERPC over named pipes).
  EXPECT_EQ(parse("alert smb any any -> any any (dcerpc.iface:367abb81-9844-35f1-ad32-98f038001003; sid:3;)").app, AppProto::Smb);
}

TEST(DceKeywords, BadValuesAndConflictsAreRefused) {
  EXPECT_NE(parseError("alert tcp any any -> any any (dce_iface:367abb81-9844-35f1-ad32; sid:1;)"), "");
  EXPECT_NE(parseError("alert tcp any any -> any any (dce_iface:367abb81-9844-35f1-ad32-98f03800100g; sid:1;)"), "");
  EXPECT_NE(parseError("alert tcp any any -> any any (dce_iface:367abb81-9844-35f1-ad32-98f038001003,any_frag,1; sid:1;)"), "");
  EXPECT_NE(parseError("alert tcp any any -> any any (dce_opnum:7-5; sid:1;)"), "");
  EXPECT_NE(parseError("alert tcp any any -> any any (dce_opnum:70000; sid:1;)"), "");
  // Another protocol's rule: a conflict, not a missing keyword.
  const std::string conflict = parseError("alert dns any any -> any any (dce_stub_data; content:\"0\"; sid:1;)");
  EXPECT_NE(conflict.find("dcerpc keyword"), std::string::npos) << conflict;
  EXPECT_NE(parseError("alert dcerpc any any -> any any (smb.share; content:\"C$\"; sid:1;)"), "");
}

TEST(SmbKeywords, VersionOnceNamedPipeAndShare) {
  EXPECT_EQ(parse("alert smb any any -> any any (smb.version:1; sid:1;)").smb_version, std::optional<std::uint8_t>(1));
  EXPECT_NE(parseError("alert smb any any -> any any (smb.version:3; sid:1;)"), "");
  const std::string twice = parseError("alert smb any any -> any any (smb.version:2; smb.version:1; sid:1;)");
  EXPECT_NE(twice.find("2 or more smb.version"), std::string::npos) << twice;
  const Rule pipe = parse("alert tcp any any -> any any (smb_named_pipe; content:\"IPC$\"; smb.share; content:\"C$\"; sid:2;)");
  EXPECT_EQ(pipe.app, AppProto::Smb);
  ASSERT_EQ(pipe.inspections.size(), 2u);
  EXPECT_EQ(pipe.inspections[0].buffer, BufferId::SmbNamedPipe);
  EXPECT_EQ(pipe.inspections[1].buffer, BufferId::SmbShare);
}

// A DCERPC request transaction on context 1, the connection having bound svcctl 2.0 on context
// 1 (accepted) and on context 0 (rejected).
struct DceRequest {
  std::array<DceInterface, 2> interfaces{};
  DceFacts facts;
  MatchInput input = tcpInput();
  explicit DceRequest(AppProto app = AppProto::Dcerpc, std::uint16_t opnum = 15) {
    interfaces[0] = DceInterface{kSvcctl, 2, 0, 0, 7, true, true, 2, 0};
    interfaces[1] = DceInterface{kSvcctl, 2, 0, 1, 7, true, true, 0, 0};
    facts = DceFacts{interfaces, true, opnum, 1};
    input.meta.app = app;
    input.meta.dst_port = 445;
    input.meta.has_packet = false;
    input.meta.is_transaction = true;
    input.meta.facts.dce = &facts;
    input.meta.facts.smb_version = app == AppProto::Smb ? 2 : 0;
    input.buffers.set(BufferId::DceStubData, std::string_view("\x15\x00\x00\x00stub", 8));
  }
};

TEST(DceKeywords, MatchOnTheRequestsContextAndTheServersAnswer) {
  const auto rs = compileRules(R"(
alert tcp any any -> any any (dce_iface:367abb81-9844-35f1-ad32-98f038001003; sid:1;)
alert dcerpc any any -> any any (dcerpc.iface:367abb81-9844-35f1-ad32-98f038001003,=2; dcerpc.opnum:15; sid:2;)
alert dcerpc any any -> any any (dcerpc.iface:367abb81-9844-35f1-ad32-98f038001003,>2; sid:3;)
alert dcerpc any any -> any any (dcerpc.opnum:10-14,16; sid:4;)
alert dcerpc any any -> any any (dcerpc.stub_data; content:"|15 00 00 00|"; startswith; dcerpc.opnum:15; sid:5;)
alert smb any any -> any any (dcerpc.opnum:15; sid:6;)
alert smb any any -> any any (smb.version:2; sid:7;)
alert dcerpc any any -> any any (dcerpc.iface:11111111-2222-3333-4444-555555555555; sid:8;)
)");
  Detector d(rs);
  DceRequest tcp;
  EXPECT_EQ(fire(d, tcp.input), Sids({1, 2, 5}));
  // Over SMB: the dcerpc and tcp rules apply too (Suricata's AppProtoEquals), and smb.version.
  DceRequest smb(AppProto::Smb);
  EXPECT_EQ(fire(d, smb.input), Sids({1, 2, 5, 6, 7}));
  // The accepted binding is on context 1: a request on context 0 (rejected there) matches no
  // interface, but its opnum still does.
  tcp.facts.context_id = 0;
  EXPECT_EQ(fire(d, tcp.input), Sids({5}));
  tcp.facts.context_id = 1;
  // A BIND without the first-fragment flag binds only for any_frag rules.
  tcp.interfaces[1].first_frag = false;
  EXPECT_EQ(fire(d, tcp.input), Sids({5}));
  tcp.interfaces[1].first_frag = true;
  // Not answered yet: not bound.
  tcp.interfaces[1].acked = false;
  EXPECT_EQ(fire(d, tcp.input), Sids({5}));
  // A transaction that is no request (a BIND): no opnum, no interface.
  DceRequest bind;
  bind.facts.request = false;
  EXPECT_EQ(fire(d, bind.input), Sids({}));
  // The keywords need a transaction's facts: a packet never matches them.
  EXPECT_EQ(fire(d, tcpInput("\x15\x00\x00\x00")), Sids({}));
}

TEST(SmbKeywords, VersionOfTheTransaction) {
  const auto rs = compileRules(R"(
alert smb any any -> any any (smb.version:1; sid:1;)
alert smb any any -> any any (smb.version:2; sid:2;)
alert smb any any -> any any (smb.named_pipe; content:"IPC$"; sid:3;)
)");
  Detector d(rs);
  MatchInput in = tcpInput();
  in.meta.app = AppProto::Smb;
  in.meta.has_packet = false;
  in.meta.is_transaction = true;
  in.meta.facts.smb_version = 1;
  EXPECT_EQ(fire(d, in), Sids({1}));
  in.meta.facts.smb_version = 2;
  in.buffers.set(BufferId::SmbNamedPipe, "\\\\10.0.0.1\\IPC$");
  EXPECT_EQ(fire(d, in), Sids({2, 3}));
}

}  // namespace
}  // namespace gsoc::signatures
