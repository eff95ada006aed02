#include <gtest/gtest.h>

#include <algorithm>

#include "TestRules.hpp"
#include "gsoc/signatures/Indicators.hpp"

namespace gsoc::signatures {
namespace {

using namespace testing;

IndicatorSet sampleIndicators() {
  IndicatorSet set;
  set.loadText(IndicatorType::Ip, "# C2 servers\nip-1\t198.51.100.0/24\tC2 range\nip-2\t198.51.100.77\thost in range\nip-3\t2001:db8:bad::/48\n", "ips.tsv");
  set.loadText(IndicatorType::Domain, "d-1\tevil.example\texact only\nd-2\t.c2.example\twith subdomains\nd-3\t*.wild.example\n", "domains.tsv");
  set.loadText(IndicatorType::Url, "u-1\thttp://drop.example/files/loader.bin\tstage 2\n", "urls.tsv");
  set.loadText(IndicatorType::Hash, "h-1\t" + std::string(64, 'a') + "\tlure.docx.exe\n", "hashes.tsv");
  set.loadText(IndicatorType::Email, "e-1\tsoumu-info@freemail.example\tlure sender\ne-2\t@spoof.example\n", "senders.tsv");
  return set;
}

std::vector<std::string> hitIds(Detector& d, const MatchInput& in) {
  (void)d.match(in, nullptr);
  std::vector<std::string> ids;
  for (const IndicatorHit& h : d.indicatorHits()) ids.push_back(d.ruleset().indicators()->set().entries()[h.indicator].id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(IndicatorSet, ParsesEveryTypeAndReportsBadLines) {
  IndicatorSet set = sampleIndicators();
  EXPECT_EQ(set.entries().size(), 10u);
  EXPECT_TRUE(set.errors().empty());
  set.loadText(IndicatorType::Ip, "x\t300.1.1.1\nno-tab-here\n", "bad.tsv");
  set.loadText(IndicatorType::Hash, "h\tnothex\n", "badhash.tsv");
  ASSERT_EQ(set.errors().size(), 3u);
  EXPECT_EQ(set.errors()[0], "bad.tsv:1: invalid address or CIDR '300.1.1.1'");
  EXPECT_EQ(set.errors()[1], "bad.tsv:2: expected 'ID<TAB>VALUE[<TAB>DESCRIPTION]'");
  EXPECT_EQ(set.errors()[2], "badhash.tsv:1: expected an MD5, SHA-1 or SHA-256 hex digest, got 'nothex'");
}

// Issue 16: a malformed line is reported escaped, so that it cannot drive the terminal of whoever
// reads the errors (here: clear the screen, retitle the window).
TEST(IndicatorSet, BadLinesAreReportedEscaped) {
  IndicatorSet set;
  set.loadText(IndicatorType::Domain, "d\tevil\x1b[2J\x1b]0;owned\x07.example\n", "domains.tsv");
  set.loadText(IndicatorType::Email, "e\tme@\xc2\x9b" "31m\\x\n", "senders.tsv");
  ASSERT_EQ(set.errors().size(), 2u);
  EXPECT_EQ(set.errors()[0], "domains.tsv:1: invalid domain 'evil\\x1b[2J\\x1b]0;owned\\x07.example'");
  EXPECT_EQ(set.errors()[1], "senders.tsv:1: invalid e-mail address 'me@\\xc2\\x9b31m\\x5cx'");
  for (const auto& e : set.errors()) {
    EXPECT_TRUE(std::all_of(e.begin(), e.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) << e;
  }
}

TEST(PrefixTable, LongestPrefixWins) {
  PrefixTable table;
  table.insert(*parseCidr("198.51.100.0/24"), 1);
  table.insert(*parseCidr("198.51.100.77"), 2);
  table.insert(*parseCidr("2001:db8::/32"), 3);
  EXPECT_EQ(table.lookup(*IpAddress::parse("198.51.100.77")), 2u);
  EXPECT_EQ(table.lookup(*IpAddress::parse("198.51.100.78")), 1u);
  EXPECT_EQ(table.lookup(*IpAddress::parse("2001:db8:1::1")), 3u);
  EXPECT_FALSE(table.lookup(*IpAddress::parse("198.51.101.1")));
}

TEST(IndicatorMatcher, AddressesDomainsUrlsHashesSenders) {
  Detector d(compileRules("", sampleIndicators()));
  MatchInput in = tcpInput();
  in.meta.dst = *IpAddress::parse("198.51.100.77");
  EXPECT_EQ(hitIds(d, in), (std::vector<std::string>{"ip-2"}));

  MatchInput dns = tcpInput();
  dns.buffers.set(BufferId::DnsQuery, "EVIL.example");
  EXPECT_EQ(hitIds(d, dns), (std::vector<std::string>{"d-1"}));
  dns.buffers.set(BufferId::DnsQuery, "www.evil.example");  // exact-only entry
  EXPECT_EQ(hitIds(d, dns), (std::vector<std::string>{}));
  dns.buffers.set(BufferId::DnsQuery, "a.b.c2.example");
  EXPECT_EQ(hitIds(d, dns), (std::vector<std::string>{"d-2"}));
  dns.buffers.set(BufferId::DnsQuery, "c2.example");
  EXPECT_EQ(hitIds(d, dns), (std::vector<std::string>{"d-2"}));
  dns.buffers.set(BufferId::DnsQuery, "notc2.example");
  EXPECT_EQ(hitIds(d, dns), (std::vector<std::string>{}));

  MatchInput tls = tcpInput();
  tls.buffers.set(BufferId::TlsSni, "x.wild.example");
  EXPECT_EQ(hitIds(d, tls), (std::vector<std::string>{"d-3"}));

  MatchInput http = httpInput("GET", "/files/loader.bin", "drop.example:8080");
  EXPECT_EQ(hitIds(d, http), (std::vector<std::string>{"u-1"}));
  http = httpInput("GET", "/files/loader.bin", "other.example");
  EXPECT_EQ(hitIds(d, http), (std::vector<std::string>{}));

  MatchInput mail = tcpInput();
  const std::string digest(64, 'A');  // buffers are views: the bytes must outlive the match
  mail.buffers.add(BufferId::EmailAttachmentSha256, digest);
  mail.buffers.set(BufferId::SmtpMailFrom, "<Soumu-Info@freemail.example>");
  mail.buffers.set(BufferId::EmailFrom, "Minister <minister@spoof.example>");
  EXPECT_EQ(hitIds(d, mail), (std::vector<std::string>{"e-1", "e-2", "h-1"}));
}

}  // namespace
}  // namespace gsoc::signatures
