// Correlation rules and the CampaignCorrelator on simulated event time: exact hits for known
// campaigns, the same hits in shuffled arrival orders, suppression and updates, late events, and
// rule files refused with file, line, column and reason.
#include "collector/correlate/CampaignCorrelator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

using namespace gsoc::collector;

namespace {

constexpr std::int64_t kHour = 3600LL * 1000000000LL;
constexpr std::int64_t kT0 = 1790000000LL * 1000000000LL;

constexpr const char* kRules = R"(rules:
  - id: targeted-mail-same-attachment
    title: Same mail attachment at several agencies
    type: value_count
    match: {kind: smtp}
    group_by: [smtp.attachments.sha256]
    field: agency_id
    gte: 2
    timespan: 24h
    severity: high
  - id: foothold-after-mail
    type: temporal_ordered
    group_by: [agency_id]
    timespan: 3d
    stages:
      - {name: mail, match: {kind: smtp}}
      - {name: c2, match: {alert.classtype: trojan-activity}}
  - id: scanner
    type: event_count
    match: {kind: alert, alert.classtype: web-application-attack}
    group_by: [tuple.src_ip]
    gte: 5
    timespan: 10m
)";

int g_seq = 0;

gsoc::v1::Event mail(const std::string& agency, std::int64_t ts, const std::string& sha256) {
  gsoc::v1::Event e;
  e.set_event_id(agency + "-s:1:" + std::to_string(++g_seq));
  e.set_agency_id(agency);
  e.set_timestamp_ns(ts);
  e.mutable_smtp()->set_mail_from("joho-kyoyu@freemail.example");
  e.mutable_smtp()->add_attachments()->set_sha256(sha256);
  return e;
}

gsoc::v1::Event alert(const std::string& agency, std::int64_t ts, const std::string& classtype, const std::string& src) {
  gsoc::v1::Event e;
  e.set_event_id(agency + "-s:1:" + std::to_string(++g_seq));
  e.set_agency_id(agency);
  e.set_timestamp_ns(ts);
  e.mutable_tuple()->set_src_ip(src);
  e.mutable_alert()->set_classtype(classtype);
  return e;
}

std::string describe(const CorrelationHit& h) {
  std::string s = h.rule_id + (h.update ? " update" : " new") + " [";
  for (const auto& g : h.group) s += g + ";";
  s += "] values=";
  for (const auto& v : h.values) s += v + ",";
  return s + " events=" + std::to_string(h.events);
}

std::vector<std::string> run(std::vector<gsoc::v1::Event> events, std::int64_t lateness, CorrelatorCounters* counters = nullptr) {
  CampaignCorrelator c(parseCorrelationRules(kRules, "test.yaml"), lateness);
  for (auto& e : events) c.add(std::move(e));
  c.flush();
  std::vector<std::string> out;
  for (const auto& h : c.takeHits()) out.push_back(describe(h));
  if (counters != nullptr) *counters = c.counters();
  return out;
}

// A phishing wave with one attachment reaching four ministries within three hours, the same
// attachment twice at one of them, noise mails, and a foothold at MOFA two hours after its mail.
std::vector<gsoc::v1::Event> campaign() {
  const std::string wave = "9f2c0e1b5d7a4f3e8c6b2a1d0e9f8c7b6a5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f";
  std::vector<gsoc::v1::Event> v;
  v.push_back(mail("MOFA", kT0, wave));
  v.push_back(mail("MOFA", kT0 + kHour / 2, wave));
  v.push_back(mail("MOD", kT0 + kHour, wave));
  v.push_back(mail("MIC", kT0 + 2 * kHour, wave));
  v.push_back(mail("NPA", kT0 + 3 * kHour, wave));
  v.push_back(mail("MOJ", kT0 + kHour, "aaaa"));
  v.push_back(mail("MOF", kT0 + kHour, "bbbb"));
  v.push_back(alert("MOFA", kT0 + 2 * kHour, "trojan-activity", std::string("\xc0\x00\x02\x07", 4)));
  v.push_back(alert("DA", kT0, "trojan-activity", std::string("\xc0\x00\x02\x08", 4)));  // c2 before any mail at DA
  for (int i = 0; i < 12; ++i) {
    v.push_back(alert("MLIT", kT0 + i * 20LL * 1000000000LL, "web-application-attack", std::string("\xcb\x00\x71\x09", 4)));
  }
  return v;
}

const std::vector<std::string> kExpected = {
    "scanner new [203.0.113.9;] values= events=5",
    "scanner update [203.0.113.9;] values= events=10",
    "targeted-mail-same-attachment new [9f2c0e1b5d7a4f3e8c6b2a1d0e9f8c7b6a5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f;] values=MOD,MOFA, events=3",
    "targeted-mail-same-attachment update [9f2c0e1b5d7a4f3e8c6b2a1d0e9f8c7b6a5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f;] values=MIC,MOD,MOFA, events=4",
    // Same time as MIC's mail: ties are broken by event id, so the order is fixed too.
    "foothold-after-mail new [MOFA;] values= events=3",
    "targeted-mail-same-attachment update [9f2c0e1b5d7a4f3e8c6b2a1d0e9f8c7b6a5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f;] values=MIC,MOD,MOFA,NPA, events=5",
};

}  // namespace

TEST(CampaignCorrelatorTest, KnownCampaignGivesExactlyTheseHits) { EXPECT_EQ(run(campaign(), 6 * kHour), kExpected); }

TEST(CampaignCorrelatorTest, ShuffledArrivalWithinTheLatenessGivesTheSameHits) {
  std::mt19937 rng(2026);
  for (int round = 0; round < 20; ++round) {
    auto events = campaign();
    std::shuffle(events.begin(), events.end(), rng);
    CorrelatorCounters counters;
    EXPECT_EQ(run(events, 6 * kHour, &counters), kExpected) << "round " << round;
    EXPECT_EQ(counters.late_events, 0U);
  }
}

TEST(CampaignCorrelatorTest, SuppressionRaisesAgainOnlyAfterTheInterval) {
  std::vector<gsoc::v1::Event> v;
  for (int day = 0; day < 3; ++day) {
    v.push_back(mail("MOFA", kT0 + day * 30 * kHour, "cccc"));
    v.push_back(mail("MOD", kT0 + day * 30 * kHour + kHour, "cccc"));
  }
  const auto hits = run(v, kHour);
  ASSERT_EQ(hits.size(), 3U);  // one per day-apart wave: the 24 h window and suppression expired
  for (const auto& h : hits) EXPECT_NE(h.find("targeted-mail-same-attachment new"), std::string::npos) << h;
}

TEST(CampaignCorrelatorTest, EventsBehindTheFrontierAreCorrelatedLateNotDropped) {
  std::vector<gsoc::v1::Event> v;
  v.push_back(mail("MOFA", kT0 + 10 * kHour, "dddd"));
  v.push_back(mail("NPA", kT0 + 12 * kHour, "eeee"));  // moves the watermark past MOFA's mail: processed
  v.push_back(mail("MOD", kT0, "dddd"));  // older than what was processed: still within MOFA's 24 h window
  CorrelatorCounters counters;
  CampaignCorrelator c(parseCorrelationRules(kRules, "test.yaml"), kHour);
  for (auto& e : v) c.add(e);
  c.flush();
  const auto hits = c.takeHits();
  ASSERT_EQ(hits.size(), 1U);
  EXPECT_EQ(describe(hits[0]), "targeted-mail-same-attachment new [dddd;] values=MOD,MOFA, events=2");
  EXPECT_TRUE(hits[0].late);
  EXPECT_EQ(hits[0].first_ns, kT0);
  EXPECT_EQ(c.counters().late_events, 1U);
  EXPECT_EQ(c.counters().late_unplaced, 0U);
  EXPECT_EQ(c.counters().events, 3U);
}

// Three agencies see a scanner within an hour; the fourth agency's sensor was down and replays
// its spool a day later, after the others have sent another day of traffic. Its part joins the
// same campaign (an update, marked late), and its own later mail is correlated in order.
TEST(CampaignCorrelatorTest, ADayOldBacklogJoinsItsCampaignLate) {
  constexpr const char* kScanRules = R"(rules:
  - id: scanner-across-agencies
    type: value_count
    match: {kind: alert}
    group_by: [tuple.src_ip]
    field: agency_id
    gte: 3
    timespan: 1h
    suppress: 24h
)";
  const std::string scanner("\xcb\x00\x71\x47", 4);
  CampaignCorrelator c(parseCorrelationRules(kScanRules, "test.yaml"), 60LL * 1000000000LL);
  const std::vector<std::string> three = {"MOFA", "MOD", "MIC"};
  for (std::size_t k = 0; k < three.size(); ++k) {
    c.add(alert(three[k], kT0 + static_cast<std::int64_t>(k) * 60LL * 1000000000LL, "attempted-recon", scanner));
  }
  // Another day of the three sensors' traffic: time moves on for everybody but NPA.
  for (int m = 0; m < 24 * 60; m += 5) c.add(alert("MOFA", kT0 + kHour + m * 60LL * 1000000000LL, "misc", std::string("\xc0\x00\x02\x01", 4)));
  auto before = c.takeHits();
  ASSERT_EQ(before.size(), 1U);
  EXPECT_EQ(describe(before[0]), "scanner-across-agencies new [203.0.113.71;] values=MIC,MOD,MOFA, events=3");
  EXPECT_FALSE(before[0].late);
  // NPA's spool: the scan reached it too, 24 hours ago.
  c.add(alert("NPA", kT0 + 30LL * 1000000000LL, "attempted-recon", scanner));
  c.add(alert("NPA", kT0 + 2 * kHour, "misc", std::string("\xc0\x00\x02\x02", 4)));  // its own watermark passes the scan
  const auto after = c.takeHits();
  ASSERT_EQ(after.size(), 1U);
  EXPECT_EQ(describe(after[0]), "scanner-across-agencies update [203.0.113.71;] values=MIC,MOD,MOFA,NPA, events=4");
  EXPECT_TRUE(after[0].late);
  EXPECT_EQ(after[0].raised_ns, before[0].raised_ns);  // the same campaign, revised
  EXPECT_EQ(c.counters().late_unplaced, 0U);
}

// One sensor an hour behind the others (within the lag it is allowed) holds the watermark: its
// events are correlated in order, not late. A sensor that went silent does not hold it.
TEST(CampaignCorrelatorTest, EachSensorHasItsOwnWatermarkAndASilentOneHoldsNobodyBack) {
  const std::int64_t minute = 60LL * 1000000000LL;
  CampaignCorrelator c(parseCorrelationRules(kRules, "test.yaml"), 10 * minute, 3 * kHour);
  for (int m = 0; m < 120; ++m) {
    c.add(mail("MOFA", kT0 + kHour + m * minute, "n" + std::to_string(m)));  // MOFA is an hour ahead of MOD
    c.add(mail("MOD", kT0 + m * minute, "n" + std::to_string(m)));
  }
  EXPECT_EQ(c.counters().late_events, 0U);
  EXPECT_GT(c.counters().buffered, 0U);  // held for MOD
  EXPECT_EQ(c.takeHits().size(), 50U);  // n0..n49: MOFA's mails up to MOD's watermark (its 109th minute)
  // MOD goes silent; MOFA and MIC carry on for four hours: MOD falls behind by more than the lag.
  for (int m = 0; m < 240; ++m) {
    c.add(mail("MOFA", kT0 + 3 * kHour + m * minute, "x" + std::to_string(m)));
    c.add(mail("MIC", kT0 + 3 * kHour + m * minute, "x" + std::to_string(m)));
  }
  std::size_t x = 0;  // raised without waiting for MOD
  for (const auto& h : c.takeHits()) x += h.group.front().starts_with('x') ? 1 : 0;
  EXPECT_GE(x, 200U);
  EXPECT_EQ(c.counters().lagging_sources, 1U);
  EXPECT_LE(c.counters().buffered, 22U);  // MOFA's and MIC's last ten minutes only
}

TEST(CampaignCorrelatorTest, BadRulesNameFileLineAndReason) {
  auto error = [](const std::string& text) {
    try {
      parseCorrelationRules(text, "rules.yaml");
    } catch (const CorrelationRuleError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error("rules:\n  - id: a\n    type: event_count\n    timespan: 1h\n    group_by: [smtp.attachment.sha256]\n"),
            "rules.yaml:5:15: rule 'a': unknown field 'smtp.attachment.sha256': gsoc.v1.SmtpRecord has no field 'attachment'");
  EXPECT_EQ(error("rules:\n  - id: a\n    type: event_count\n    timspan: 1h\n"), "rules.yaml:4:5: rule 'a': unknown key 'timspan'");
  EXPECT_EQ(error("rules:\n  - id: a\n    type: event_count\n"), "rules.yaml:2:5: rule 'a': 'timespan' is required (e.g. 24h)");
  EXPECT_EQ(error("rules:\n  - id: a\n    type: sometimes\n    timespan: 1h\n"),
            "rules.yaml:3:11: rule 'a': unknown type 'sometimes' (event_count, value_count, temporal, temporal_ordered, beaconing, new_value, rate_surge)");
  EXPECT_EQ(error("rules:\n  - id: a\n    type: event_count\n    timespan: 1 week\n"),
            "rules.yaml:4:15: rule 'a': 'timespan': '1 week' is not a positive duration (90s, 15m, 24h, 7d)");
  EXPECT_EQ(error("rules:\n  - id: a\n    type: value_count\n    timespan: 1h\n"),
            "rules.yaml:2:5: rule 'a': value_count needs 'field' (whose distinct values are counted)");
  EXPECT_EQ(error("rules:\n  - {id: a, type: event_count, timespan: 1h}\n  - {id: a, type: event_count, timespan: 2h}\n"),
            "rules.yaml:3:5: rule 'a': duplicate id");
  EXPECT_EQ(error("rules:\n  - id: a\n    type: event_count\n    timespan: 1h\n    group_by: [smtp]\n"),
            "rules.yaml:5:15: rule 'a': unknown field 'smtp' is a message (gsoc.v1.SmtpRecord), not a value");
  // The analytics' own keys (tests/collector/AnalyticsTest.cpp has their behaviour).
  EXPECT_EQ(error("rules:\n  - {id: a, type: beaconing, timespan: 1d, gte: 10}\n"),
            "rules.yaml:2:5: rule 'a': beaconing needs 'field' (the destination contacted)");
  EXPECT_EQ(error("rules:\n  - {id: a, type: beaconing, timespan: 1d, field: tls.sni, gte: 10, jitter: 150%}\n"),
            "rules.yaml:2:77: rule 'a': 'jitter' must be above 0 and at most 100%");
  EXPECT_EQ(error("rules:\n  - {id: a, type: beaconing, timespan: 1d, field: tls.sni, gte: 10, slow: {gte: 20}}\n"),
            "rules.yaml:2:81: rule 'a': 'slow.gte' must be at least 3 and at most 'gte'");
  EXPECT_EQ(error("rules:\n  - {id: a, type: new_value, timespan: 1d, field: agency_id}\n"),
            "rules.yaml:2:5: rule 'a': new_value needs 'baseline' (e.g. 14d)");
  EXPECT_EQ(error("rules:\n  - {id: a, type: rate_surge, timespan: 1h, baseline: 1d}\n"), "rules.yaml:2:5: rule 'a': rate_surge needs 'bucket' (e.g. 10m)");
  EXPECT_EQ(error("rules:\n  - {id: a, type: rate_surge, timespan: 1h, baseline: 1d, bucket: 10m, spans: [10m, 25m]}\n"),
            "rules.yaml:2:85: rule 'a': 'spans' must be whole numbers of buckets");
  EXPECT_EQ(error("rules:\n  - {id: a, type: rate_surge, timespan: 1h, baseline: 1d, bucket: 10m, max_per_value: 3}\n"),
            "rules.yaml:2:87: rule 'a': 'max_per_value' needs 'field' (the source, e.g. tuple.src_ip)");
  EXPECT_EQ(error("rules:\n  - {id: a, type: event_count, timespan: 1h, bucket: 5m}\n"),
            "rules.yaml:2:54: rule 'a': 'bucket' belongs to rate_surge rules");
  EXPECT_EQ(error("rules: [a\n").rfind("rules.yaml:", 0), 0U);
}
