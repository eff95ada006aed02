// The built-in analytics beyond single rules, on simulated event time: C2 beaconing (regular,
// jitter-tolerant, rare destination), a new destination shared across agencies, and access
// concentration (per-agency rate baselines, simultaneous surges). Golden: exactly these hits and
// the warnings and notices they publish, in shuffled arrival orders within the lateness, and
// across a collector restart (CorrelationService and CampaignPublisher over a real SQLite store).
// Then analysts' intelligence reports linked to later campaigns.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "collector/correlate/CampaignCorrelator.hpp"
#include "collector/correlate/CorrelationService.hpp"
#include "collector/notify/CentrePublications.hpp"
#include "collector/store/SqliteEventStore.hpp"
#include "tests/collector/SimulatedTime.hpp"
#include "gsoc/v1/ingest.pb.h"

#include <google/protobuf/util/json_util.h>

namespace gsoc::collector {
namespace {

using namespace testing;

constexpr const char* kRules = R"(rules:
  - id: c2-beaconing
    type: beaconing
    match: {kind: tls}
    group_by: [agency_id, tuple.src_ip]
    field: tls.sni
    gte: 24
    timespan: 2d
    suppress: 7d
    raises: notice
  - id: new-destination
    type: new_value
    match: {kind: dns}
    group_by: [dns.query]
    field: agency_id
    gte: 3
    timespan: 24h
    baseline: 2d
    raises: information
  - id: access-surge
    type: rate_surge
    match: {kind: http}
    group_by: [agency_id]
    bucket: 10m
    baseline: 24h
    factor: 5
    min_events: 100
    gte: 2
    timespan: 1h
    suppress: 6h
    raises: warning
)";

const std::vector<std::string> kAgencies = {"MOFA", "MOD", "MIC", "NPA", "MOJ", "MOF", "MLIT", "DA"};



// Events carry their sensor's stream position, as the store gives them: "sensor:epoch:seq".
struct Recorder {
  std::map<std::string, std::uint64_t> next;
  std::vector<gsoc::v1::Event> events;
  gsoc::v1::Event& add(const std::string& agency, std::int64_t ts) {
    gsoc::v1::Event& e = events.emplace_back();
    const std::string sensor = agency + "-1";
    e.set_event_id(sensor + ":1:" + std::to_string(next[sensor]++));
    e.set_agency_id(agency);
    e.set_sensor_id(sensor);
    e.set_timestamp_ns(ts);
    return e;
  }
  void tls(const std::string& agency, std::int64_t ts, const std::string& host, const std::string& sni) {
    auto& e = add(agency, ts);
    e.mutable_tuple()->set_src_ip(host);
    e.mutable_tuple()->set_dst_ip(v4(203, 0, 113, 44));
    e.mutable_tls()->set_sni(sni);
  }
  void dns(const std::string& agency, std::int64_t ts, const std::string& name) {
    auto& e = add(agency, ts);
    e.mutable_tuple()->set_src_ip(v4(192, 0, 2, 53));
    e.mutable_dns()->set_query(name);
  }
  void http(const std::string& agency, std::int64_t ts, int client) {
    auto& e = add(agency, ts);
    e.mutable_tuple()->set_src_ip(v4(198, 51, 100, client % 250 + 1));
    e.mutable_tuple()->set_dst_ip(v4(192, 0, 2, 10));
    e.mutable_http()->set_host("www.example.go.jp");
  }
};

// Four days at eight agencies with the three analytics' campaigns embedded, and the look-alikes
// that must not raise anything.
std::vector<gsoc::v1::Event> scenario() {
  Recorder r;
  std::mt19937_64 rng(7);
  // Beaconing: MIC's 192.0.2.77 contacts a rare host every 10 minutes, up to a minute off.
  for (int i = 0; i < 60; ++i) {
    r.tls("MIC", kT0 + kDay + i * 10 * kMinute + (((i * 37) % 121) - 60) * kSecond, v4(192, 0, 2, 77), "telemetry.cloud-sync.example");
  }
  // Not beacons: a person browsing at random times; ten hosts polling one popular CDN.
  for (int i = 0; i < 60; ++i) r.tls("MIC", kT0 + kDay + static_cast<std::int64_t>(rng() % (2 * kDay)), v4(192, 0, 2, 20), "news.example.com");
  for (int h = 0; h < 10; ++h) {
    for (int i = 0; i < 60; ++i) r.tls("MOFA", kT0 + kDay + h * kSecond + i * 5 * kMinute, v4(192, 0, 2, 100 + h), "cdn.example.net");
  }
  // DNS: every agency resolves the usual names every hour of the four days.
  for (std::int64_t t = 0; t < 4 * kDay; t += kHour) {
    for (std::size_t a = 0; a < kAgencies.size(); ++a) r.dns(kAgencies[a], kT0 + t + static_cast<std::int64_t>(a) * kMinute, "www.example.com");
  }
  for (int a = 0; a < 3; ++a) r.dns(kAgencies[a], kT0 + 10 * kHour + a * kMinute, "early.example.org");  // while learning
  r.dns("MOJ", kT0 + 12 * kHour, "portal.example.org");  // seen before: not new at day 2
  for (int a = 0; a < 3; ++a) r.dns(kAgencies[a], kT0 + 2 * kDay + 3 * kHour + a * kMinute, "portal.example.org");
  for (int a : {2, 1, 3, 0}) r.dns(kAgencies[static_cast<std::size_t>(a)], kT0 + 3 * kDay + (a + 1) * kHour, "sync.newsfeed-cdn.example");
  for (int a : {4, 5}) r.dns(kAgencies[static_cast<std::size_t>(a)], kT0 + 3 * kDay + kHour, "only-two.example");
  // HTTP to each agency's web server: three requests per 10 minutes, all four days.
  for (std::int64_t t = 0; t < 4 * kDay; t += 200 * kSecond) {
    for (std::size_t a = 0; a < kAgencies.size(); ++a) r.http(kAgencies[a], kT0 + t + static_cast<std::int64_t>(a) * kSecond, static_cast<int>(t / kSecond));
  }
  // A surge in the first day is not one: no baseline yet. A night surge at MOD and NPA on day 2
  // is; MOJ's surge on day 3 is alone.
  for (int i = 0; i < 300; ++i) r.http("MOF", kT0 + 5 * kHour + i * kSecond, i);
  for (int i = 0; i < 300; ++i) r.http("MOD", kT0 + 2 * kDay + 2 * kHour + 60 * kSecond + i * kSecond, i);
  for (int i = 0; i < 300; ++i) r.http("NPA", kT0 + 2 * kDay + 2 * kHour + 180 * kSecond + i * kSecond, i);
  for (int i = 0; i < 300; ++i) r.http("MOJ", kT0 + 3 * kDay + 14 * kHour + 60 * kSecond + i * kSecond, i);
  std::sort(r.events.begin(), r.events.end(), [](const auto& a, const auto& b) { return a.timestamp_ns() < b.timestamp_ns(); });
  return std::move(r.events);
}

std::string describe(const CorrelationHit& h) {
  std::string s = h.rule_id + (h.update ? " update" : " new") + " [";
  for (const auto& g : h.group) s += g + ";";
  s += "] values=";
  for (const auto& v : h.values) s += v + ",";
  s += " agencies=";
  for (const auto& a : h.agencies) s += a + ",";
  return s + " events=" + std::to_string(h.events);
}

const std::vector<std::string> kExpected = {
    "c2-beaconing new [MIC;192.0.2.77;telemetry.cloud-sync.example;] values= agencies=MIC, events=24",
    "c2-beaconing update [MIC;192.0.2.77;telemetry.cloud-sync.example;] values= agencies=MIC, events=48",
    // MOD surges from its 100th request in the bucket; NPA's 100th makes it two agencies.
    "access-surge new [] values=MOD,NPA, agencies=MOD,NPA, events=122",
    "new-destination new [sync.newsfeed-cdn.example;] values=MIC,MOD,MOFA, agencies=MIC,MOD,MOFA, events=3",
    "new-destination update [sync.newsfeed-cdn.example;] values=MIC,MOD,MOFA,NPA, agencies=MIC,MOD,MOFA,NPA, events=4",
};

// Arrival order: each event delayed by up to `delay`, as links and spools do.
std::vector<gsoc::v1::Event> arrivals(std::vector<gsoc::v1::Event> events, std::int64_t delay, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::pair<std::int64_t, std::size_t>> order;
  for (std::size_t i = 0; i < events.size(); ++i) order.emplace_back(events[i].timestamp_ns() + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(delay)), i);
  std::sort(order.begin(), order.end());
  std::vector<gsoc::v1::Event> out;
  for (const auto& [at, i] : order) out.push_back(std::move(events[i]));
  return out;
}

std::vector<std::string> correlate(std::vector<gsoc::v1::Event> events, std::int64_t lateness, CorrelatorCounters* counters = nullptr,
                                   std::vector<CorrelationHit>* hits = nullptr) {
  CampaignCorrelator c(parseCorrelationRules(kRules, "analytics.yaml"), lateness);
  for (auto& e : events) c.add(std::move(e));
  c.flush();
  std::vector<std::string> out;
  for (auto& h : c.takeHits()) {
    out.push_back(describe(h));
    if (hits != nullptr) hits->push_back(std::move(h));
  }
  if (counters != nullptr) *counters = c.counters();
  return out;
}

// What the store holds as published, one line per warning and notice, sorted. A warning must
// never name an agency.
std::vector<std::string> publicationsIn(EventStore& store) {
  std::vector<std::string> out;
  for (const Publication& p : store.publications(0)) {
    if (p.kind == "warning") {
      gsoc::v1::Warning w;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(p.json, &w).ok());
      std::string line = "warning " + w.number() + " rev " + std::to_string(w.revision()) + " " + gsoc::v1::Warning::Class_Name(w.class_()) + " " +
                         w.title() + " [";
      for (const auto& i : w.indicators()) line += i.value() + ";";
      out.push_back(line + "]");
      for (const auto& a : kAgencies) EXPECT_EQ(p.json.find("\"" + a + "\""), std::string::npos) << "warning names " << a << ": " << p.json;
    } else if (p.kind == "notice") {
      gsoc::v1::Notice n;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(p.json, &n).ok());
      out.push_back("notice " + n.number() + " to " + n.agency_id() + " " + n.title() + " " + n.internal_host() + " -> " + n.external_peer());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

const std::vector<std::string> kPublished = {
    "notice N-2026-0001 to MIC c2-beaconing 192.0.2.77 -> 203.0.113.44",
    "warning W-2026-0001 rev 1 CLASS_WARNING access-surge []",
    "warning W-2026-0002 rev 2 CLASS_INFORMATION new-destination [sync.newsfeed-cdn.example;]",
};


TEST(Analytics, KnownScenarioGivesExactlyTheseHits) { EXPECT_EQ(correlate(scenario(), kHour), kExpected); }

TEST(Analytics, TheHitsPublishExactlyTheseWarningsAndNotices) {
  std::vector<CorrelationHit> hits;
  correlate(scenario(), kHour, nullptr, &hits);
  TempDir dir("gsoc-analytics-publish");
  SqliteEventStore store((dir.path / "events.db").string());
  CentrePublications centre(parseCorrelationRules(kRules, "analytics.yaml"), store);
  for (const auto& h : hits) centre.publisher.publish(h);
  EXPECT_EQ(publicationsIn(store), kPublished);
}

TEST(Analytics, ShuffledArrivalWithinTheLatenessGivesTheSameHits) {
  for (std::uint64_t round = 1; round <= 5; ++round) {
    CorrelatorCounters counters;
    EXPECT_EQ(correlate(arrivals(scenario(), kHour, round), kHour, &counters), kExpected) << "round " << round;
    EXPECT_EQ(counters.late_events, 0U);
  }
}

// Restart: the first part arrives at one CorrelationService, which stops; a second one rebuilds
// from the store and takes the rest. Together they raise exactly the hits, none twice.
TEST(Analytics, RestartRebuildsFromTheStoreAndRaisesNothingTwice) {
  const auto dir = std::filesystem::temp_directory_path() / ("gsoc-analytics-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto events = arrivals(scenario(), kHour, 99);
  const std::size_t cut = events.size() * 3 / 5;  // after the surge and the first beaconing hit
  std::vector<std::string> raised;
  std::map<std::string, std::uint64_t> marks;
  auto feed = [&](SqliteEventStore& store, CorrelationService& service, std::size_t from, std::size_t to) {
    // One batch per event and sensor stream, committed and then handed on, as ingest does.
    std::vector<CommittedBatch> committed;
    for (std::size_t i = from; i < to; ++i) {
      const gsoc::v1::Event& e = events[i];
      auto batch = std::make_unique<gsoc::v1::EventBatch>();
      batch->set_sensor_id(e.sensor_id());
      batch->set_epoch(1);
      batch->set_first_sequence(marks[e.sensor_id()]++);
      *batch->add_events() = e;
      committed.push_back(CommittedBatch{SensorIdentity{e.agency_id(), e.sensor_id(), "01", "test"}, std::move(batch), 0});
      if (committed.size() == 512 || i + 1 == to) {
        std::vector<CommitBatch> group;
        for (const auto& c : committed) group.push_back(CommitBatch{&c.identity, c.batch.get(), 0, false, c.batch->first_sequence() + 1, 0, 0});
        store.commit(group);
        service.submit(std::exchange(committed, {}));
      }
    }
  };
  // Stream positions must follow arrival order per sensor: renumber the events as they arrive.
  std::map<std::string, std::uint64_t> seq;
  for (auto& e : events) e.set_event_id(e.sensor_id() + ":1:" + std::to_string(seq[e.sensor_id()]++));
  std::unique_ptr<CentrePublications> centre;  // one per run, as each collector process has
  auto sink = [&](const CorrelationHit& h) {
    raised.push_back(describe(h));
    centre->publisher.publish(h);
  };
  {
    SqliteEventStore store((dir / "events.db").string());
    centre = std::make_unique<CentrePublications>(parseCorrelationRules(kRules, "analytics.yaml"), store);
    CorrelationService service(parseCorrelationRules(kRules, "analytics.yaml"), kHour, store, sink);
    service.rebuild();
    feed(store, service, 0, cut);
    service.stop();
    centre.reset();
  }
  const std::size_t first_run = raised.size();
  std::vector<std::string> published;
  {
    SqliteEventStore store((dir / "events.db").string());
    centre = std::make_unique<CentrePublications>(parseCorrelationRules(kRules, "analytics.yaml"), store);
    // The idle flush processes what waits for lateness once the input ends.
    CorrelationService service(parseCorrelationRules(kRules, "analytics.yaml"), kHour, store, sink, std::chrono::milliseconds(1500));
    service.rebuild();
    feed(store, service, cut, events.size());
    for (int i = 0; i < 1000 && raised.size() < kExpected.size(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    service.stop();
    EXPECT_GT(service.counters().replayed, 0U);
    published = publicationsIn(store);
    centre.reset();
  }
  std::filesystem::remove_all(dir);
  EXPECT_GE(first_run, 2U);
  EXPECT_LT(first_run, kExpected.size());
  EXPECT_EQ(raised, kExpected);
  EXPECT_EQ(published, kPublished);
}

// An analyst's report names targets and a window; later campaigns on those targets link to it.
TEST(Analytics, IntelReportsLinkLaterCampaignsOnTheirTargets) {
  const auto dir = std::filesystem::temp_directory_path() / ("gsoc-intel-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    SqliteEventStore store((dir / "events.db").string());
    std::vector<Publication> published;
    CentrePublications centre(parseCorrelationRules(kRules, "analytics.yaml"), store, [&](const Publication& p) { published.push_back(p); });
    gsoc::v1::IntelReport report;
    report.set_actor("AnonGov-JP");
    report.set_summary("announced a DDoS on defence and police sites");
    report.add_targets("MOD");
    report.add_targets("NPA");
    report.set_window_start_ns(kT0 + 2 * kDay);
    report.set_window_end_ns(kT0 + 3 * kDay);
    const auto reply = centre.hunter.addIntel(report, "duty", 0, kT0 + 2 * kDay);
    const std::string rid = reply.report().id();

    CorrelationHit surge;
    surge.rule_id = "access-surge";
    surge.title = "surge";
    surge.agencies = {"MOD", "NPA"};
    surge.values = surge.agencies;
    surge.first_ns = kT0 + 2 * kDay + 2 * kHour;
    surge.last_ns = surge.first_ns + 5 * kMinute;
    surge.raised_ns = surge.last_ns;
    surge.events = 189;
    const auto lines = centre.publisher.publish(surge);
    ASSERT_FALSE(lines.empty());
    EXPECT_NE(lines.front().find("intel " + rid + " (AnonGov-JP) linked"), std::string::npos) << lines.front();

    CorrelationHit later = surge;  // the same targets after the window: not linked
    later.last_ns = later.raised_ns = kT0 + 4 * kDay;
    for (const auto& l : centre.publisher.publish(later)) EXPECT_EQ(l.find("intel "), std::string::npos) << l;

    const auto stored = centre.ledger.find(rid);
    ASSERT_TRUE(stored.has_value());
    gsoc::v1::IntelReport linked;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(stored->json, &linked).ok());
    EXPECT_EQ(linked.linked_hits(), 1U);
    EXPECT_EQ(std::vector<std::string>(linked.linked_agencies().begin(), linked.linked_agencies().end()), (std::vector<std::string>{"MOD", "NPA"}));
    ASSERT_EQ(linked.linked_campaigns_size(), 1);
    const auto campaign = centre.ledger.find(linked.linked_campaigns(0));
    ASSERT_TRUE(campaign.has_value());
    EXPECT_NE(campaign->json.find(rid), std::string::npos);
    bool cited = false;
    for (const auto& p : published) cited = cited || (p.kind == "warning" && p.json.find("intelligence report " + rid) != std::string::npos);
    EXPECT_TRUE(cited);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gsoc::collector
