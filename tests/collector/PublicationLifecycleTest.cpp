// Notice lifecycle, warning acknowledgements, feed filters and the feed's bounded queues.
#include <gtest/gtest.h>

#include "collector/api/PublicationFeed.hpp"
#include "collector/api/PublicationRecord.hpp"
#include "collector/notify/Acknowledgement.hpp"
#include "collector/notify/PublicationFormat.hpp"

namespace gsoc::collector {
namespace {

using gsoc::v1::Notice;

TEST(Acknowledgement, NoticeMovesForwardOnlyAndRecordsWho) {
  Notice n;
  n.set_number("N-2026-0001");
  n.set_state(Notice::STATE_NEW);
  EXPECT_EQ(advanceNotice(n, Notice::STATE_DELIVERED, "duty", 10), "");
  EXPECT_EQ(advanceNotice(n, Notice::STATE_CLOSED, "duty", 20), "");  // a step may be skipped
  EXPECT_NE(advanceNotice(n, Notice::STATE_ACKNOWLEDGED, "duty", 30), "");
  EXPECT_NE(advanceNotice(n, Notice::STATE_NEW, "duty", 30), "");
  ASSERT_EQ(n.history_size(), 2);
  EXPECT_EQ(n.history(1).state(), Notice::STATE_CLOSED);
  EXPECT_EQ(n.history(1).at_ns(), 20);
  EXPECT_EQ(n.state(), Notice::STATE_CLOSED);
}

TEST(Acknowledgement, WarningKeepsFirstAcknowledgementPerAgency) {
  gsoc::v1::Warning w;
  EXPECT_EQ(acknowledgeWarning(w, "MOFA", "duty", 5), "");
  EXPECT_EQ(acknowledgeWarning(w, "MOFA", "night", 9), "");
  EXPECT_NE(acknowledgeWarning(w, "", "duty", 9), "");
  ASSERT_EQ(w.acknowledgements_size(), 1);
  EXPECT_EQ(w.acknowledgements(0).acknowledged_ns(), 5);
}

TEST(Acknowledgement, StateNamesRoundTrip) {
  for (const auto s : {Notice::STATE_NEW, Notice::STATE_DELIVERED, Notice::STATE_ACKNOWLEDGED, Notice::STATE_CLOSED}) {
    EXPECT_EQ(noticeStateFromName(noticeStateName(s)), s);
  }
  EXPECT_EQ(noticeStateFromName("bogus"), Notice::STATE_UNSPECIFIED);
}

gsoc::v1::Publication notice(const std::string& agency, gsoc::v1::Severity severity, std::int64_t at) {
  gsoc::v1::Publication p;
  p.set_kind("notice");
  p.set_id("N:" + agency);
  p.set_updated_ns(at);
  p.mutable_notice()->set_agency_id(agency);
  p.mutable_notice()->set_severity(severity);
  p.mutable_notice()->set_state(Notice::STATE_NEW);
  return p;
}

TEST(PublicationRecord, FilterByAgencySeverityStatusAndTime) {
  const auto p = notice("MOFA", gsoc::v1::SEVERITY_HIGH, 100);
  gsoc::v1::Filter f;
  EXPECT_TRUE(matches(f, p));
  f.add_agencies("MOD");
  EXPECT_FALSE(matches(f, p));
  f.add_agencies("MOFA");
  EXPECT_TRUE(matches(f, p));
  f.set_min_severity(gsoc::v1::SEVERITY_CRITICAL);
  EXPECT_FALSE(matches(f, p));
  f.set_min_severity(gsoc::v1::SEVERITY_HIGH);
  f.set_status("new");
  EXPECT_TRUE(matches(f, p));
  f.set_since_ns(101);
  EXPECT_FALSE(matches(f, p));
  f.set_since_ns(100);
  f.set_until_ns(100);
  EXPECT_FALSE(matches(f, p));  // until is exclusive
  gsoc::v1::Filter only_warnings;
  only_warnings.add_kinds("warning");
  EXPECT_FALSE(matches(only_warnings, p));
}

TEST(PublicationRecord, WarningsGoToEveryAgency) {
  gsoc::v1::Publication w;
  w.set_kind("warning");
  w.mutable_warning()->set_class_(gsoc::v1::Warning::CLASS_URGENT_WARNING);
  gsoc::v1::Filter f;
  f.add_agencies("ANY");
  f.set_min_severity(gsoc::v1::SEVERITY_CRITICAL);
  EXPECT_TRUE(matches(f, w));
}

TEST(PublicationRecord, StoredJsonDecodes) {
  const auto p = notice("MOFA", gsoc::v1::SEVERITY_HIGH, 100);
  const auto back = toRecord(Publication{"notice", "N:MOFA", "N-1", "C-1", "MOFA", 100, toJson(p.notice()), "new"});
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->notice().agency_id(), "MOFA");
  EXPECT_FALSE(toRecord(Publication{"notice", "x", "", "", "", 0, "{not json", ""}).has_value());
}

TEST(PublicationFeed, DeliversMatchingAndFlagsOverflow) {
  PublicationFeed feed(2);
  gsoc::v1::Filter mofa;
  mofa.add_agencies("MOFA");
  auto sub = feed.subscribe(mofa);
  auto all = feed.subscribe({});
  feed.publish(notice("MOD", gsoc::v1::SEVERITY_LOW, 1));
  feed.publish(notice("MOFA", gsoc::v1::SEVERITY_LOW, 2));
  gsoc::v1::Publication out;
  ASSERT_EQ(sub->next(out, std::chrono::milliseconds(0)), PublicationFeed::Subscription::Next::kItem);
  EXPECT_EQ(out.updated_ns(), 2);
  EXPECT_EQ(sub->next(out, std::chrono::milliseconds(0)), PublicationFeed::Subscription::Next::kTimeout);
  feed.publish(notice("MOFA", gsoc::v1::SEVERITY_LOW, 3));  // the unfiltered subscriber is now 3 behind: over its limit of 2
  EXPECT_EQ(all->next(out, std::chrono::milliseconds(0)), PublicationFeed::Subscription::Next::kOverflowed);
  EXPECT_EQ(feed.subscribers(), 2U);
  all.reset();
  EXPECT_EQ(feed.subscribers(), 1U);
}

TEST(PublicationFormat, NameBasedUuidsAreStableVersion5) {
  const std::string a = uuid5("campaign:C-1");
  EXPECT_EQ(a, uuid5("campaign:C-1"));
  EXPECT_NE(a, uuid5("campaign:C-2"));
  ASSERT_EQ(a.size(), 36U);
  EXPECT_EQ(a[14], '5');
  EXPECT_NE(std::string("89ab").find(a[19]), std::string::npos);
  EXPECT_EQ(rfc3339(1700000000123456789LL), "2023-11-14T22:13:20.123Z");
}

}  // namespace
}  // namespace gsoc::collector
