// The public suffix list behind the domain and tld transforms: the list's own algorithm on a
// small list (rules, wildcards, exceptions), then Debian's list through the transforms.
#include <gtest/gtest.h>

#include "TestRules.hpp"
#include "gsoc/signatures/PublicSuffixList.hpp"

namespace gsoc::signatures {
namespace {

using namespace testing;

TEST(PublicSuffixList, LongestRuleWildcardsAndExceptions) {
  const PublicSuffixList list("// comment\ncom\nuk\nco.uk\n*.ck\n!www.ck\ngithub.io\n\n");
  EXPECT_EQ(list.suffix("www.bbc.co.uk"), "co.uk");
  EXPECT_EQ(list.registrableDomain("www.bbc.co.uk"), "bbc.co.uk");
  EXPECT_EQ(list.registrableDomain("bbc.co.uk."), "bbc.co.uk");  // a trailing dot is the same name
  EXPECT_EQ(list.suffix("a.b.example.com"), "com");
  EXPECT_EQ(list.registrableDomain("a.b.example.com"), "example.com");
  EXPECT_EQ(list.suffix("foo.bar.ck"), "bar.ck");  // *.ck
  EXPECT_EQ(list.registrableDomain("foo.bar.ck"), "foo.bar.ck");
  EXPECT_EQ(list.suffix("www.ck"), "ck");  // !www.ck
  EXPECT_EQ(list.registrableDomain("www.ck"), "www.ck");
  EXPECT_EQ(list.suffix("site.example"), "example");  // no rule: the last label
  EXPECT_EQ(list.registrableDomain("co.uk"), "");     // only a public suffix
  EXPECT_EQ(list.suffix(""), "");
  EXPECT_EQ(list.registrableDomain("user.github.io"), "user.github.io");
}

TEST(PublicSuffixList, DomainAndTldTransformsUseDebiansList) {
  if (PublicSuffixList::system() == nullptr) GTEST_SKIP() << "no " << PublicSuffixList::kDebianPath << " (package publicsuffix)";
  const auto rs = compileRules(R"(
alert dns any any -> any any (dns.query; domain; content:"bbc.co.uk"; startswith; endswith; sid:1;)
alert dns any any -> any any (dns.query; tld; content:"co.uk"; startswith; endswith; sid:2;)
alert dns any any -> any any (dns.query; tld; content:"uk"; startswith; endswith; sid:3;)
)");
  Detector d(rs);
  MatchInput in = tcpInput();
  in.meta.transport = Transport::Udp;
  in.meta.app = AppProto::Dns;
  in.meta.is_transaction = true;
  in.buffers.set(BufferId::DnsQuery, "News.BBC.co.uk");
  EXPECT_EQ(fire(d, in), Sids({1, 2}));
}

}  // namespace
}  // namespace gsoc::signatures
