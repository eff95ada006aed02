// A rule's references as the URLs Suricata 8's alerts list.
#include "gsoc/signatures/ReferenceUrl.hpp"

#include <gtest/gtest.h>

namespace gsoc::signatures {
namespace {

TEST(ReferenceUrl, SystemPrefixThenId) {
  EXPECT_EQ(referenceUrl("cve,2014-0160"), "https://cve.mitre.org/cgi-bin/cvename.cgi?name=2014-0160");
  EXPECT_EQ(referenceUrl("url,github.com/corelight/zerologon"), "https://github.com/corelight/zerologon");
  EXPECT_EQ(referenceUrl("URL, example.org/a"), "https://example.org/a");  // systems ignore case, ids are trimmed
  EXPECT_EQ(referenceUrl("md5,d41d8cd98f00b204e9800998ecf8427e"), "https://www.threatexpert.com/report.aspx?md5=d41d8cd98f00b204e9800998ecf8427e");
}

TEST(ReferenceUrl, AnAddressStaysAsWrittenAndUnknownSystemsGiveTheId) {
  EXPECT_EQ(referenceUrl("url,foobar://github.com/corelight/zerologon"), "foobar://github.com/corelight/zerologon");
  EXPECT_EQ(referenceUrl("acme,TICKET-7"), "TICKET-7");
  EXPECT_EQ(referenceUrl("no-comma"), "no-comma");
}

}  // namespace
}  // namespace gsoc::signatures
