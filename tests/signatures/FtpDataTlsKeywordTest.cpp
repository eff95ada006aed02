// ftpdata_command (the command of an ftp-data connection's transfer) and ssl_version (a TLS
// side's version among a list, or with "!" not among it; an unknown version never matches),
// and their refusals.
#include <gtest/gtest.h>

#include "TestRules.hpp"
#include "gsoc/signatures/RuleParser.hpp"

namespace gsoc::signatures {
namespace {

using namespace testing;

MatchInput appInput(AppProto app) {
  MatchInput in = tcpInput();
  in.meta.app = app;
  return in;
}

TEST(FtpDataTlsKeywords, FtpdataCommand) {
  const auto rs = compileRules(R"(
alert ftp-data any any -> any any (msg:"retr"; ftpdata_command:retr; sid:1;)
alert ftp-data any any -> any any (msg:"stor"; ftpdata_command:STOR; sid:2;)
)");
  Detector d(rs);
  const char retr = 1;
  const char stor = 2;
  MatchInput in = appInput(AppProto::FtpData);
  in.buffers.set(BufferId::FtpDataCommandNumber, std::string_view(&retr, 1));
  EXPECT_EQ(fire(d, in), Sids({1}));
  MatchInput up = appInput(AppProto::FtpData);
  up.buffers.set(BufferId::FtpDataCommandNumber, std::string_view(&stor, 1));
  EXPECT_EQ(fire(d, up), Sids({2}));
}

TEST(FtpDataTlsKeywords, SslVersionListAndNegation) {
  const auto rs = compileRules(R"(
alert tcp any any -> any any (ssl_version:!sslv3; sid:1;)
alert tcp any any -> any any (ssl_version:!tls1.3,tls1.2; sid:2;)
alert tcp any any -> any any (ssl_version:tls1.0; sid:3;)
alert tcp any any -> any any (ssl_version:!tls1.0; sid:4;)
alert tcp any any -> any any (ssl_version:tls1.0,tls1.1; sid:5;)
)");
  Detector d(rs);
  const char tls10 = 4;
  const char tls13 = 32;
  MatchInput in = appInput(AppProto::Tls);
  in.buffers.set(BufferId::SslVersionNumber, std::string_view(&tls10, 1));
  EXPECT_EQ(fire(d, in), Sids({1, 2, 3, 5}));
  MatchInput v13 = appInput(AppProto::Tls);
  v13.buffers.set(BufferId::SslVersionNumber, std::string_view(&tls13, 1));
  EXPECT_EQ(fire(d, v13), Sids({1, 4}));
  // No version known (not TLS, or a version outside the list's names): nothing matches.
  EXPECT_EQ(fire(d, appInput(AppProto::Tls)), Sids({}));
}

TEST(FtpDataTlsKeywords, Refusals) {
  const RuleVariables vars = RuleVariables::withDefaults();
  EXPECT_THROW(RuleParser(vars).parse("alert tcp any any -> any any (ssl_version:tls2; sid:1;)"), RuleParseError);
  EXPECT_THROW(RuleParser(vars).parse("alert tcp any any -> any any (ssl_version:tls1.0,tls1.0; sid:1;)"), RuleParseError);
  EXPECT_THROW(RuleParser(vars).parse("alert ftp-data any any -> any any (ftpdata_command:list; sid:1;)"), RuleParseError);
}

}  // namespace
}  // namespace gsoc::signatures
