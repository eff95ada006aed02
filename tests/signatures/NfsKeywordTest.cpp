// The nfs rule protocol (TCP and UDP) and its keywords: nfs_procedure and nfs_version (alias
// nfs.version) in the unsigned integer syntax, bound to nfs; and filestore, which makes a rule
// match only an input that carries a file.
#include <string>

#include <gtest/gtest.h>

#include "TestRules.hpp"
#include "gsoc/signatures/RuleParser.hpp"

namespace gsoc::signatures {
namespace {

using namespace testing;

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

Rule parseRule(std::string_view text) {
  const RuleVariables vars = RuleVariables::withDefaults();
  return RuleParser(vars).parse(text);
}

TEST(NfsKeywords, ProcedureAndVersion) {
  const auto rs = compileRules(R"(
alert nfs any any -> any any (nfs_version:<3; sid:1;)
alert nfs any any -> any any (nfs_version:>3; sid:2;)
alert nfs any any -> any any (nfs_version:3; sid:3;)
alert nfs any any -> any any (nfs.version:2<>4; sid:6;)
alert nfs any any -> any any (nfs_procedure:<3; sid:10;)
alert nfs any any -> any any (nfs_procedure:>3; sid:11;)
alert nfs any any -> any any (nfs_procedure:3; sid:12;)
alert nfs any any -> any any (nfs_procedure:2<>4; sid:15;)
)");
  Detector d(rs);
  const std::string getattr = be32(1), lookup = be32(3), read = be32(6), v3 = be32(3);
  MatchInput tx = tcpInput();
  tx.meta.app = AppProto::Nfs;
  const std::string setattr = be32(2), access = be32(4);
  tx.buffers.set(BufferId::NfsProcedureNumber, getattr);
  tx.buffers.set(BufferId::NfsVersionNumber, v3);
  EXPECT_EQ(fire(d, tx), Sids({3, 6, 10}));
  // nfs_procedure's range takes both ends, as Suricata's (nfs3-01: SETATTR and ACCESS match 2<>4).
  tx.buffers.set(BufferId::NfsProcedureNumber, setattr);
  EXPECT_EQ(fire(d, tx), Sids({3, 6, 10, 15}));
  tx.buffers.set(BufferId::NfsProcedureNumber, access);
  EXPECT_EQ(fire(d, tx), Sids({3, 6, 11, 15}));
  tx.buffers.set(BufferId::NfsProcedureNumber, lookup);
  EXPECT_EQ(fire(d, tx), Sids({3, 6, 12, 15}));
  tx.buffers.set(BufferId::NfsProcedureNumber, read);
  EXPECT_EQ(fire(d, tx), Sids({3, 6, 11}));
  tx.meta.app = AppProto::Dcerpc;  // bound to nfs
  EXPECT_EQ(fire(d, tx), Sids({}));
}

TEST(NfsKeywords, RuleProtocolOverBothTransports) {
  const Rule r = parseRule(R"(alert nfs any any -> any any (nfs_procedure:6; sid:1;))");
  EXPECT_EQ(r.app, AppProto::Nfs);
  EXPECT_EQ(r.transport, Transport::Any);
  EXPECT_TRUE(CompiledRuleset::appValidOn(Transport::Udp, AppProto::Nfs));
  EXPECT_TRUE(CompiledRuleset::appValidOn(Transport::Tcp, AppProto::Nfs));
}

TEST(NfsKeywords, FilestoreMatchesOnlyWithAFile) {
  const auto rs = compileRules(R"(
alert nfs any any -> any any (filestore; sid:1;)
)");
  Detector d(rs);
  MatchInput tx = tcpInput();
  tx.meta.app = AppProto::Nfs;  // a datagram's input: its packet and the transaction it made
  const std::string proc = be32(1);
  tx.buffers.set(BufferId::NfsProcedureNumber, proc);
  EXPECT_EQ(fire(d, tx), Sids({}));
  tx.buffers.set(BufferId::FileName, "bln");
  EXPECT_EQ(fire(d, tx), Sids({1}));
}

}  // namespace
}  // namespace gsoc::signatures
