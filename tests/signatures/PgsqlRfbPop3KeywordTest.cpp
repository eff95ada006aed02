// The pgsql, rfb and pop3 rule protocols and their keywords: pgsql.query, rfb.name, rfb.sectype
// and rfb.secresult (names and numbers), pop3.command/args/response/status, each bound to its
// protocol.
#include <array>

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

MatchInput appInput(AppProto app) {
  MatchInput in = tcpInput();
  in.meta.app = app;
  return in;
}

TEST(PgsqlRfbPop3Keywords, PgsqlQuery) {
  const auto rs = compileRules(R"(
alert pgsql any any -> any any (msg:"delete"; pgsql.query; content:"delete"; nocase; sid:1;)
)");
  Detector d(rs);
  MatchInput q = appInput(AppProto::Pgsql);
  q.buffers.set(BufferId::PgsqlQuery, "DELETE FROM t;");
  EXPECT_EQ(fire(d, q), Sids({1}));
  q.meta.app = AppProto::None;
  EXPECT_EQ(fire(d, q), Sids({}));
}

TEST(PgsqlRfbPop3Keywords, RfbNameSectypeSecresult) {
  const auto rs = compileRules(R"(
alert rfb any any -> any any (msg:"name"; rfb.name; content:".localdomain"; sid:1;)
alert rfb any any -> any any (msg:"vnc auth"; rfb.sectype:2; sid:2;)
alert rfb any any -> any any (msg:"sectype>3"; rfb.sectype:>3; sid:3;)
alert rfb any any -> any any (msg:"ok"; rfb.secresult:ok; sid:4;)
alert rfb any any -> any any (msg:"unknown"; rfb.secresult:unknown; sid:5;)
alert rfb any any -> any any (msg:"not 0"; rfb.secresult:!0; sid:6;)
)");
  Detector d(rs);
  std::array<std::string, 2> numbers = {be32(2), be32(0)};
  MatchInput hs = appInput(AppProto::Rfb);
  hs.buffers.set(BufferId::RfbName, "me@host.localdomain");
  hs.buffers.set(BufferId::RfbSecTypeNumber, numbers[0]);
  hs.buffers.set(BufferId::RfbSecResultNumber, numbers[1]);
  EXPECT_EQ(fire(d, hs), Sids({1, 2, 4}));
  numbers = {be32(30), be32(7)};
  MatchInput other = appInput(AppProto::Rfb);
  other.buffers.set(BufferId::RfbSecTypeNumber, numbers[0]);
  other.buffers.set(BufferId::RfbSecResultNumber, numbers[1]);
  EXPECT_EQ(fire(d, other), Sids({3, 5, 6}));
}

TEST(PgsqlRfbPop3Keywords, Pop3Buffers) {
  const auto rs = compileRules(R"(
alert pop3 any any -> any any (msg:"user"; pop3.command; content:"USER"; pop3.args; content:"admin"; sid:1;)
alert pop3 any any -> any any (msg:"err"; pop3.status; content:"ERR"; pop3.response; content:"incorrect"; sid:2;)
)");
  Detector d(rs);
  MatchInput cmd = appInput(AppProto::Pop3);
  cmd.buffers.set(BufferId::Pop3Command, "USER");
  cmd.buffers.add(BufferId::Pop3Args, "admin");
  EXPECT_EQ(fire(d, cmd), Sids({1}));
  MatchInput answer = appInput(AppProto::Pop3);
  answer.meta.direction = FlowDirection::ToClient;
  answer.buffers.set(BufferId::Pop3Status, "ERR");
  answer.buffers.add(BufferId::Pop3Response, "the password incorrect");
  EXPECT_EQ(fire(d, answer), Sids({2}));
}

TEST(PgsqlRfbPop3Keywords, KeywordsBindTheirProtocol) {
  EXPECT_THROW(parseRule("alert http any any -> any any (pgsql.query; content:\"x\"; sid:1;)"), RuleParseError);
  EXPECT_THROW(parseRule("alert pop3 any any -> any any (rfb.secresult:ok; sid:1;)"), RuleParseError);
  EXPECT_EQ(parseRule("alert tcp any any -> any any (rfb.sectype:1; sid:1;)").app, AppProto::Rfb);
  EXPECT_EQ(parseRule("alert tcp any any -> any any (pop3.command; content:\"QUIT\"; sid:1;)").app, AppProto::Pop3);
}

}  // namespace
}  // namespace gsoc::signatures
