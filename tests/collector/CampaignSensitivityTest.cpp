// The shipped analytics (packaging/config/correlation.yaml) on the campaigns issue 14 found them
// blind to, and on the look-alikes they must stay quiet on: C2 beaconing over HTTP, DNS and raw
// TCP with +-30 % jitter and missed check-ins; a small agency's night surge against its own
// hour-of-day normal, and a normal busy morning that is not one; new destinations after the
// learning period, and neither a popular new SaaS nor a new name of a known site. Then one
// campaign per activity: a scan's signatures and a phishing wave's sender join the campaign of
// the same activity, with one warning.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include "collector/correlate/CampaignCorrelator.hpp"
#include "collector/notify/CentrePublications.hpp"
#include "collector/store/SqliteEventStore.hpp"
#include "tests/collector/SimulatedTime.hpp"

#include <google/protobuf/util/json_util.h>

namespace gsoc::collector {
namespace {

using namespace testing;


std::vector<CorrelationRule> shipped(std::initializer_list<const char*> ids) {
  auto rules = loadCorrelationRules(GSOC_SOURCE_DIR "/packaging/config/correlation.yaml");
  std::erase_if(rules, [&](const CorrelationRule& r) { return std::find(ids.begin(), ids.end(), r.id) == ids.end(); });
  EXPECT_EQ(rules.size(), ids.size());
  return rules;
}

struct Traffic {
  std::vector<gsoc::v1::Event> events;
  std::map<std::string, std::uint64_t> next;
  gsoc::v1::Event& add(const std::string& agency, std::int64_t ts, const std::string& src, const std::string& dst) {
    gsoc::v1::Event& e = events.emplace_back();
    const std::string sensor = agency + "-1";
    e.set_event_id(sensor + ":1:" + std::to_string(next[sensor]++));
    e.set_agency_id(agency);
    e.set_sensor_id(sensor);
    e.set_timestamp_ns(ts);
    e.mutable_tuple()->set_src_ip(src);
    e.mutable_tuple()->set_dst_ip(dst);
    return e;
  }
  std::vector<CorrelationHit> correlate(std::vector<CorrelationRule> rules) {
    std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.timestamp_ns() < b.timestamp_ns(); });
    CampaignCorrelator c(std::move(rules), 10 * kMinute);
    for (const auto& e : events) c.add(e);
    c.flush();
    return c.takeHits();
  }
};

std::vector<std::string> newHits(const std::vector<CorrelationHit>& hits) {
  std::vector<std::string> out;
  for (const auto& h : hits) {
    if (h.update) continue;
    std::string g;
    for (const auto& v : h.group) g += (g.empty() ? "" : "|") + v;
    out.push_back(h.rule_id + " " + g);
  }
  return out;
}


// An implant checking in every 10 minutes, +-30 % (uniform), skipping a fifth of its check-ins
// and sleeping from 22:00 to 06:00, over two days: `checkin` writes one check-in.
template <typename CheckIn>
void implant(std::uint64_t seed, CheckIn checkin) {
  std::mt19937_64 rng(seed);
  std::int64_t t = kT0 + 6 * kHour;
  while (t < kT0 + 2 * kDay) {
    t += static_cast<std::int64_t>(static_cast<double>(10 * kMinute) * (0.7 + 0.6 * static_cast<double>(rng() % 1000) / 1000.0));
    const std::int64_t hour = (t - kT0) % kDay / kHour;
    if (hour >= 22 || hour < 6) continue;  // asleep
    if (rng() % 5 == 0) continue;          // missed
    checkin(t);
  }
}

TEST(CampaignSensitivity, BeaconingIsFoundWhateverTheProtocol) {
  Traffic tr;
  const std::string resolver = v4(192, 0, 2, 53);
  implant(1, [&](std::int64_t t) {  // HTTP, with the lookup a moment before each check-in
    tr.add("MOFA", t - kSecond, v4(192, 0, 2, 31), resolver).mutable_dns()->set_query("Updates.Example-Cdn.example");
    tr.add("MOFA", t, v4(192, 0, 2, 31), v4(203, 0, 113, 31)).mutable_http()->set_host("updates.example-cdn.example:8080");
  });
  implant(2, [&](std::int64_t t) {  // DNS alone (a DNS tunnel: a new label each time), and the resolver's answers
    tr.add("MOD", t, v4(192, 0, 2, 32), resolver).mutable_dns()->set_query(std::to_string(t % 99991) + ".tunnel.example");
    auto* answer = tr.add("MOD", t + kSecond / 10, resolver, v4(192, 0, 2, 32)).mutable_dns();
    answer->set_query(std::to_string(t % 99991) + ".tunnel.example");
    answer->set_response(true);
  });
  // A tunnel under a dynamic-DNS zone whose other names are looked up at four agencies: the
  // zone is no rare destination, the implant's own name under it is.
  implant(5, [&](std::int64_t t) {
    tr.add("MEXT", t, v4(192, 0, 2, 36), resolver).mutable_dns()->set_query(std::to_string(t % 99991) + ".upd25.dyn-zone.example");
  });
  for (const char* agency : {"MOF", "MOD", "MIC", "NPA"}) {
    for (int i = 0; i < 30; ++i) tr.add(agency, kT0 + i * 97 * kMinute, v4(192, 0, 2, 60), resolver).mutable_dns()->set_query("www.dyn-zone.example");
  }
  implant(3, [&](std::int64_t t) {  // raw TCP to a port no parser knows
    auto& e = tr.add("MIC", t, v4(192, 0, 2, 33), v4(198, 51, 100, 33));
    e.mutable_tuple()->set_dst_port(4444);
    e.mutable_flow()->set_packets_to_server(4);
  });
  implant(4, [&](std::int64_t t) {  // TLS
    tr.add("NPA", t, v4(192, 0, 2, 34), v4(203, 0, 113, 34)).mutable_tls()->set_sni("telemetry.example");
  });
  // A slow implant: every 2 hours +-10 % during office hours (08:00-20:00), two days: 12
  // check-ins at most, the shipped `slow` range.
  std::mt19937_64 rng(9);
  for (std::int64_t day = 0; day < 2; ++day) {
    for (std::int64_t t = kT0 + day * kDay + 8 * kHour; t < kT0 + day * kDay + 20 * kHour; t += 2 * kHour) {
      const auto jitter = static_cast<std::int64_t>(rng() % (24 * kMinute)) - 12 * kMinute;
      tr.add("MOJ", t + jitter, v4(192, 0, 2, 35), v4(203, 0, 113, 35)).mutable_tls()->set_sni("slow-sync.example");
    }
  }
  // A loose slow implant: every 3 hours +-30 %, day and night, three days. Too loose for the
  // `slow` tier; its 24 check-ins meet the ordinary one.
  for (std::int64_t t = kT0 + kHour; t < kT0 + 3 * kDay;) {
    tr.add("MHLW", t, v4(192, 0, 2, 37), v4(203, 0, 113, 37)).mutable_tls()->set_sni("loose-sync.example");
    t += static_cast<std::int64_t>(static_cast<double>(3 * kHour) * (0.7 + 0.6 * static_cast<double>(rng() % 1000) / 1000.0));
  }
  // Not beacons: a person visiting a rare site at random times, or a few times an office day at
  // irregular hours (as many visits as the slow implant, 40 minutes to 3 hours apart); a flow of
  // a known protocol (its record names the destination); ten hosts polling one popular service
  // every 5 minutes.
  for (std::int64_t day = 0; day < 2; ++day) {
    for (std::int64_t t = kT0 + day * kDay + 8 * kHour; t < kT0 + day * kDay + 20 * kHour;) {
      tr.add("MOJ", t, v4(192, 0, 2, 42), v4(203, 0, 113, 42)).mutable_tls()->set_sni("news-desk.example");
      t += 40 * kMinute + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(140 * kMinute));
    }
  }
  for (int i = 0; i < 80; ++i) {
    tr.add("MOJ", kT0 + static_cast<std::int64_t>(rng() % (2 * kDay)), v4(192, 0, 2, 40), v4(203, 0, 113, 40)).mutable_tls()->set_sni("rare-blog.example");
  }
  for (int i = 0; i < 80; ++i) {
    auto& e = tr.add("MOJ", kT0 + i * 10 * kMinute, v4(192, 0, 2, 41), v4(203, 0, 113, 41));
    e.set_app_proto("tls");
    e.mutable_flow();
  }
  for (int h = 0; h < 10; ++h) {
    for (int i = 0; i < 200; ++i) tr.add("MOF", kT0 + h * kSecond + i * 5 * kMinute, v4(192, 0, 2, 50 + h), v4(203, 0, 113, 50)).mutable_tls()->set_sni("push.example.com");
  }
  const auto hits = tr.correlate(shipped({"c2-beaconing"}));
  auto found = newHits(hits);
  std::sort(found.begin(), found.end());
  // MOFA's implant twice: its lookups (of the registered domain: tunnels vary the first label)
  // and its connections. The publisher makes them one campaign (OneCampaignAndOneWarningPerActivity).
  EXPECT_EQ(found, (std::vector<std::string>{
                       "c2-beaconing MEXT|192.0.2.36|upd25.dyn-zone.example",
                       "c2-beaconing MHLW|192.0.2.37|loose-sync.example",
                       "c2-beaconing MIC|192.0.2.33|198.51.100.33:4444",
                       "c2-beaconing MOD|192.0.2.32|tunnel.example",
                       "c2-beaconing MOFA|192.0.2.31|example-cdn.example",
                       "c2-beaconing MOFA|192.0.2.31|updates.example-cdn.example",
                       "c2-beaconing MOJ|192.0.2.35|slow-sync.example",
                       "c2-beaconing NPA|192.0.2.34|telemetry.example",
                   }));
  // Published: one notice per implant, MOFA's two hits in one campaign.
  TempDir dir("gsoc-beacon-publish");
  SqliteEventStore store((dir.path / "events.db").string());
  CentrePublications centre(shipped({"c2-beaconing"}), store);
  for (const auto& h : hits) centre.publisher.publish(h);
  std::map<std::string, int> notices;
  for (const auto& p : store.publications(0)) notices[p.agency_id] += p.kind == "notice" ? 1 : 0;
  EXPECT_EQ(notices, (std::map<std::string, int>{{"", 0}, {"MEXT", 1}, {"MHLW", 1}, {"MIC", 1}, {"MOD", 1}, {"MOFA", 1}, {"MOJ", 1}, {"NPA", 1}}));
}

// Requests from outside to one agency's web server over nine days: `per_hour(hour)` on average
// (Poisson-like spread), plus `extra` requests spread over [from, from + span); with `staff`, the
// agency's own staff browsing out at the same time (what the surge rules must not count).
void webServer(Traffic& tr, const std::string& agency, std::uint64_t seed, double (*per_hour)(int), std::int64_t from = 0,
               int extra = 0, std::int64_t span = 0, double (*staff)(int) = nullptr) {
  std::mt19937_64 rng(seed);
  auto request = [&](std::int64_t t, const std::string& client, const std::string& server, gsoc::v1::Locality locality) {
    gsoc::v1::Event& e = tr.add(agency, t, client, server);
    e.set_locality(locality);
    e.mutable_http()->set_host("www.example.go.jp");
  };
  for (std::int64_t h = 0; h < 9 * 24; ++h) {
    std::poisson_distribution<int> n(per_hour(static_cast<int>(h % 24)));
    const int k = n(rng);
    for (int i = 0; i < k; ++i) {
      const std::int64_t t = kT0 + h * kHour + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(kHour));
      request(t, v4(198, 51, 100, static_cast<int>(rng() % 250)), v4(192, 0, 2, 10), gsoc::v1::LOCALITY_INBOUND);
    }
    if (staff == nullptr) continue;
    // Quiet weekends; the nine days start on a Saturday, so the first Monday has only a weekend before it.
    std::poisson_distribution<int> out(staff(static_cast<int>(h % 24)) * (h / 24 % 7 < 2 ? 0.1 : 1.0));
    for (int i = out(rng); i > 0; --i) {
      const std::int64_t t = kT0 + h * kHour + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(kHour));
      request(t, v4(192, 0, 2, 100 + static_cast<int>(rng() % 100)), v4(198, 51, 100, 7), gsoc::v1::LOCALITY_OUTBOUND);
    }
  }
  for (int i = 0; i < extra; ++i) request(from + span * i / extra, v4(203, 0, 113, i % 250), v4(192, 0, 2, 10), gsoc::v1::LOCALITY_INBOUND);
}

double smallAgency(int hour) { return hour >= 8 && hour < 20 ? 60.0 : 3.0; }   // 3 an hour at night
double largeAgency(int hour) { return hour >= 8 && hour < 20 ? 3000.0 : 300.0; }
double officeBrowsing(int hour) { return hour >= 8 && hour < 20 ? 400.0 : 10.0; }

TEST(CampaignSensitivity, SurgesAreMeasuredAgainstTheirOwnTimeOfDay) {
  // Day 8, 02:00-03:00: the small agency gets 20x its night rate (60 requests), the large one 3x
  // (900): small in absolute terms, both far outside their own night.
  {
    Traffic tr;
    webServer(tr, "SMALL", 1, smallAgency, kT0 + 8 * kDay + 2 * kHour, 57, kHour);
    webServer(tr, "LARGE", 2, largeAgency, kT0 + 8 * kDay + 2 * kHour, 600, kHour);
    EXPECT_EQ(newHits(tr.correlate(shipped({"access-surge-at-several-agencies"}))),
              std::vector<std::string>{"access-surge-at-several-agencies "});
  }
  // The same nine days without the surge: every morning the small agency goes from 3 to 60 an
  // hour and the large from 300 to 3000; that is their normal, not a surge.
  {
    Traffic tr;
    webServer(tr, "SMALL", 1, smallAgency);
    webServer(tr, "LARGE", 2, largeAgency);
    EXPECT_EQ(newHits(tr.correlate(shipped({"access-surge-at-several-agencies"}))), std::vector<std::string>{});
  }
  // A mild surge for an hour: 6x the small agency's night (18 requests instead of 3) is three
  // in any ten minutes, nothing, but the hour's sum is unlikely (the 1h span); 2x is not raised.
  for (const auto& [extra, raised] : std::vector<std::pair<int, bool>>{{15, true}, {3, false}}) {
    Traffic tr;
    webServer(tr, "SMALL", 1, smallAgency, kT0 + 8 * kDay + 2 * kHour, extra, kHour);
    EXPECT_EQ(newHits(tr.correlate(shipped({"access-surge-at-an-agency"}))),
              raised ? std::vector<std::string>{"access-surge-at-an-agency SMALL"} : std::vector<std::string>{})
        << extra;
  }
  // One scanner's burst at the small agency's quiet night: forty requests from one address in
  // two minutes are a scan (other rules' business), not an access surge of many sources.
  {
    Traffic tr;
    webServer(tr, "SMALL", 1, smallAgency);
    for (int i = 0; i < 40; ++i) {
      gsoc::v1::Event& e = tr.add("SMALL", kT0 + 8 * kDay + 2 * kHour + i * 3 * kSecond, v4(203, 0, 113, 45), v4(192, 0, 2, 10));
      e.set_locality(gsoc::v1::LOCALITY_INBOUND);
      e.mutable_http()->set_uri("/wls-wsat/CoordinatorPortType");
    }
    EXPECT_EQ(newHits(tr.correlate(shipped({"access-surge-at-an-agency"}))), std::vector<std::string>{});
  }
  // The staff browsing out through the same uplink, busy on weekdays and quiet at weekends,
  // does not count: a Monday morning is not a surge at the agency's servers.
  {
    Traffic tr;
    webServer(tr, "SMALL", 1, smallAgency, 0, 0, 0, officeBrowsing);
    webServer(tr, "MEDIUM", 2, smallAgency, 0, 0, 0, officeBrowsing);
    EXPECT_EQ(newHits(tr.correlate(shipped({"access-surge-at-an-agency", "access-surge-at-several-agencies"}))), std::vector<std::string>{});
  }
}

TEST(CampaignSensitivity, NewDestinationsOnlyWhenNewToEveryoneAndFewHosts) {
  Traffic tr;
  const std::vector<std::string> agencies = {"MOFA", "MOD", "MIC", "NPA", "MOJ"};
  const std::string resolver = v4(192, 0, 2, 53);
  auto lookup = [&](std::size_t a, std::int64_t t, int host, const std::string& name) {
    tr.add(agencies[a], t, v4(192, 0, 2, host), resolver).mutable_dns()->set_query(name);
  };
  for (std::int64_t t = 0; t < 5 * kDay; t += kHour) {  // the usual names, every hour
    for (std::size_t a = 0; a < agencies.size(); ++a) lookup(a, kT0 + t, 100, "www.example.com");
  }
  for (std::size_t a = 0; a < 3; ++a) lookup(a, kT0 + kDay + a * kHour, 101, "learning.example");  // in the learning period
  // Day 3: a new C2 name contacted by one host at three agencies: raised.
  for (std::size_t a = 0; a < 3; ++a) lookup(a, kT0 + 3 * kDay + a * kHour, 77, "cdn.update-check.example");
  // Day 3: a popular new SaaS, twenty hosts at each agency within the hour: not raised.
  for (std::size_t a = 0; a < agencies.size(); ++a) {
    for (int h = 0; h < 20; ++h) lookup(a, kT0 + 3 * kDay + 2 * kHour + h * kMinute, 120 + h, "app.new-saas.example");
  }
  // Day 4: a new name of a site everybody knows (a CDN change): not raised.
  for (std::size_t a = 0; a < 3; ++a) lookup(a, kT0 + 4 * kDay + a * kHour, 102, "edge7.example.com");
  const auto found = newHits(tr.correlate(shipped({"new-destination-at-several-agencies"})));
  EXPECT_EQ(found, std::vector<std::string>{"new-destination-at-several-agencies cdn.update-check.example"});
}


// A scan from one address trips four rare signatures at four agencies; a phishing wave carries
// one attachment from a listed sender to three. Each is one campaign and one warning, with every
// rule that saw it; a second scan from elsewhere a day later is a campaign of its own.
TEST(CampaignSensitivity, OneCampaignAndOneWarningPerActivity) {
  Traffic tr;
  const std::vector<std::string> agencies = {"MOFA", "MOD", "MIC", "NPA"};
  for (int d = 0; d < 8; ++d) {  // a week of one everyday signature: learned, never rare
    for (std::size_t a = 0; a < agencies.size(); ++a) {
      auto& e = tr.add(agencies[a], kT0 + d * kDay + static_cast<std::int64_t>(a) * kHour, v4(192, 0, 2, 9), v4(203, 0, 113, 9));
      e.mutable_alert()->set_gid(1);
      e.mutable_alert()->set_sid(2013028);
      e.mutable_alert()->set_classtype("policy-violation");
    }
  }
  auto scan = [&](std::int64_t at, const std::string& scanner) {
    for (std::size_t a = 0; a < agencies.size(); ++a) {
      for (std::uint32_t sid : {2016922u, 2016923u, 2017001u, 2019000u}) {
        auto& e = tr.add(agencies[a], at + static_cast<std::int64_t>(a) * kMinute + sid % 7 * kSecond, scanner, v4(192, 0, 2, 10));
        e.mutable_alert()->set_gid(1);
        e.mutable_alert()->set_sid(sid);
        e.mutable_alert()->set_classtype("web-application-attack");
      }
    }
  };
  scan(kT0 + 7 * kDay + 3 * kHour, v4(203, 0, 113, 71));
  scan(kT0 + 8 * kDay + 3 * kHour, v4(198, 51, 100, 99));
  for (std::size_t a = 0; a < 3; ++a) {
    const std::int64_t t = kT0 + 7 * kDay + 9 * kHour + static_cast<std::int64_t>(a) * 20 * kMinute;
    auto& mail = tr.add(agencies[a], t, v4(203, 0, 113, 90), v4(192, 0, 2, 25));
    mail.mutable_smtp()->set_mail_from("joho-kyoyu@freemail.example");
    mail.mutable_smtp()->add_attachments()->set_sha256(std::string(64, 'a'));
    auto& listed = tr.add(agencies[a], t, v4(203, 0, 113, 90), v4(192, 0, 2, 25));
    listed.mutable_alert()->set_gid(9000);
    listed.mutable_alert()->mutable_indicator()->set_value("joho-kyoyu@freemail.example");
  }
  const auto rules = shipped({"targeted-mail-same-attachment", "targeted-mail-same-sender", "signature-at-several-agencies",
                              "indicator-at-several-agencies", "scanner-across-agencies"});
  const auto hits = tr.correlate(rules);
  TempDir dir("gsoc-campaign-merge");
  SqliteEventStore store((dir.path / "events.db").string());
  CentrePublications centre(rules, store);
  for (const auto& h : hits) centre.publisher.publish(h);

  std::vector<std::string> campaigns;
  std::vector<std::string> warnings;
  int absorbed = 0;
  for (const auto& p : store.publications(0)) {
    if (p.kind == "campaign") {
      gsoc::v1::Campaign c;
      ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(p.json, &c).ok());
      if (!c.merged_into().empty()) {  // absorbed once a hit showed it was part of a bigger one
        EXPECT_EQ(c.status(), gsoc::v1::Campaign::STATUS_CLOSED);
        ++absorbed;
        continue;
      }
      std::string line = c.title() + ":";
      for (const auto& r : c.correlation_rules()) line += " " + r;
      campaigns.push_back(line);
    } else if (p.kind == "warning") {
      gsoc::v1::Warning w;
      ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(p.json, &w).ok());
      std::string line = w.title() + ":";
      for (const auto& i : w.indicators()) line += " " + i.value();
      warnings.push_back(line);
    }
  }
  std::sort(campaigns.begin(), campaigns.end());
  std::sort(warnings.begin(), warnings.end());
  // The second scan's signatures fired a day before: not rare any more, so no campaign of theirs.
  EXPECT_EQ(campaigns, (std::vector<std::string>{
                           "One source probing several agencies' servers: scanner-across-agencies",
                           "One source probing several agencies' servers: scanner-across-agencies signature-at-several-agencies",
                           "The same mail attachment reached several agencies: indicator-at-several-agencies targeted-mail-same-attachment "
                           "targeted-mail-same-sender",
                       }));
  EXPECT_EQ(absorbed, 3);  // three of the first scan's four signature campaigns, raised before the scanner's
  EXPECT_EQ(warnings, (std::vector<std::string>{
                          "One source probing several agencies' servers: 198.51.100.99",
                          "One source probing several agencies' servers: 203.0.113.71",
                          "The same mail attachment reached several agencies: " + std::string(64, 'a') + " joho-kyoyu@freemail.example",
                      }));
}

// A kit that repacks its payload per recipient: one new sender, the same subject and attachment
// name, a different hash at each of two agencies. Not a lure: a new partner writing to two
// ministries about different things, a ministry's own office (go.jp) sending the same circular,
// and the lure's sender before the learning day is over.
TEST(CampaignSensitivity, TheSameLureAtTwoAgenciesWhateverItsBytes) {
  Traffic tr;
  auto mail = [&](const std::string& agency, std::int64_t t, const std::string& from, const std::string& subject, const std::string& file,
                  char hash) {
    auto* smtp = tr.add(agency, t, v4(203, 0, 113, 90), v4(192, 0, 2, 25)).mutable_smtp();
    smtp->set_mail_from(from);
    smtp->set_subject(subject);
    auto* attachment = smtp->add_attachments();
    attachment->set_filename(file);
    attachment->set_sha256(std::string(64, hash));
  };
  const std::int64_t day2 = kT0 + 2 * kDay + 9 * kHour;
  mail("MOJ", day2, "kenkyukai@forum-seminar.example", "講演依頼", "講演依頼.doc", 'a');
  mail("MOFA", day2 + 3 * kHour, "kenkyukai@forum-seminar.example", "講演依頼", "講演依頼.doc", 'b');
  mail("MOJ", day2, "tanaka@partner-lab.example", "議事録", "議事録.pdf", 'c');
  mail("MIC", day2 + kHour, "tanaka@partner-lab.example", "見積書", "見積書.xlsx", 'd');
  mail("MOJ", day2, "somu@mof.example.go.jp", "通知", "通知.pdf", 'e');
  mail("MIC", day2 + kHour, "somu@mof.example.go.jp", "通知", "通知.pdf", 'f');
  mail("MOJ", kT0 + 2 * kHour, "news@early-lure.example", "案内", "案内.zip", '1');  // within the learning day
  mail("MIC", kT0 + 3 * kHour, "news@early-lure.example", "案内", "案内.zip", '2');
  EXPECT_EQ(newHits(tr.correlate(shipped({"targeted-mail-same-lure", "targeted-mail-same-attachment", "targeted-mail-same-sender"}))),
            std::vector<std::string>{"targeted-mail-same-lure kenkyukai@forum-seminar.example|講演依頼|講演依頼.doc"});
}

}  // namespace
}  // namespace gsoc::collector
