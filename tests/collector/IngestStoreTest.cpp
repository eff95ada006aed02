// BatchWriter over the real SQLite store: exactly-once storage across replays, overlaps, gaps,
// rejected batches and a restart (marks are read back from the file).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>

#include "collector/ingest/BatchWriter.hpp"
#include "collector/store/SqliteEventStore.hpp"
#include "tests/collector/TempSqliteFile.hpp"
#include "gsoc/v1/status.pb.h"

using namespace gsoc::collector;

namespace {

constexpr std::int64_t kNow = 1790000000LL * 1000000000LL;

std::unique_ptr<gsoc::v1::EventBatch> batch(const std::string& sensor, std::uint64_t epoch, std::uint64_t first, int n) {
  auto b = std::make_unique<gsoc::v1::EventBatch>();
  b->set_sensor_id(sensor);
  b->set_epoch(epoch);
  b->set_first_sequence(first);
  for (int i = 0; i < n; ++i) {
    auto* e = b->add_events();
    e->set_timestamp_ns(kNow + i);
    e->mutable_tuple()->set_src_ip(std::string("\xc0\x00\x02\x07", 4));
    e->mutable_tuple()->set_dst_ip(std::string("\xcb\x00\x71\x05", 4));
    if (i % 2 == 0) {
      e->mutable_alert()->set_sid(2100000 + static_cast<std::uint32_t>(i));
      e->mutable_alert()->mutable_indicator()->set_value("c2.example.net");
    } else {
      e->mutable_dns()->set_query("www.mofa.example.go.jp");
    }
  }
  return b;
}

class IngestStoreTest : public ::testing::Test {
 protected:
  gsoc::v1::BatchAck submit(BatchWriter& w, const SensorIdentity& id, std::unique_ptr<gsoc::v1::EventBatch> b, std::string rejected = {}) {
    auto f = w.submit(id, std::move(b), std::chrono::seconds(5), std::move(rejected));
    EXPECT_TRUE(f.has_value());
    WriteResult r = f->get();
    EXPECT_TRUE(r.stored) << r.error;
    return r.ack;
  }
  std::int64_t query(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr);
    std::int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
  }
  TempSqliteFile db_{"gsoc-ingest"};
  const std::string path_ = db_.path();
  SensorIdentity mofa_{"MOFA", "mofa-1", "1000", "test"};
  SensorIdentity mod_{"MOD", "mod-1", "1001", "test"};
};

}  // namespace

TEST_F(IngestStoreTest, StoresOnceAcrossReplaysOverlapsAndRestart) {
  {
    SqliteEventStore store(path_);
    BatchWriter writer(store, {}, [] { return kNow; });
    auto ack = submit(writer, mofa_, batch("mofa-1", 5, 1, 100));
    EXPECT_EQ(ack.status(), gsoc::v1::BatchAck::STATUS_COMMITTED);
    EXPECT_EQ(ack.acked_through(), 100U);
    EXPECT_EQ(ack.stored_events(), 100U);
    // The same batch again (its ack was lost): acknowledged, stored once.
    ack = submit(writer, mofa_, batch("mofa-1", 5, 1, 100));
    EXPECT_EQ(ack.status(), gsoc::v1::BatchAck::STATUS_DUPLICATE);
    EXPECT_EQ(ack.acked_through(), 100U);
    // An overlapping resend [51, 150]: only 101..150 are new.
    ack = submit(writer, mofa_, batch("mofa-1", 5, 51, 100));
    EXPECT_EQ(ack.status(), gsoc::v1::BatchAck::STATUS_COMMITTED);
    EXPECT_EQ(ack.stored_events(), 50U);
    EXPECT_EQ(ack.acked_through(), 150U);
    // Another sensor is independent.
    submit(writer, mod_, batch("mod-1", 9, 1, 10));
    writer.stop();
    EXPECT_EQ(writer.counters().events_stored, 160U);
    EXPECT_EQ(writer.counters().events_duplicate, 150U);
  }
  {
    SqliteEventStore store(path_);  // a restarted collector
    BatchWriter writer(store, {}, [] { return kNow; });
    auto ack = submit(writer, mofa_, batch("mofa-1", 5, 101, 50));
    EXPECT_EQ(ack.status(), gsoc::v1::BatchAck::STATUS_DUPLICATE);
    // A gap (the sensor's spool dropped 151..160) is accepted and counted.
    ack = submit(writer, mofa_, batch("mofa-1", 5, 161, 5));
    EXPECT_EQ(ack.acked_through(), 165U);
    // A rejected batch is settled, not stored.
    ack = submit(writer, mofa_, batch("mofa-1", 5, 166, 4), "timestamp out of range");
    EXPECT_EQ(ack.status(), gsoc::v1::BatchAck::STATUS_REJECTED);
    EXPECT_EQ(ack.acked_through(), 169U);
    // A new epoch (the sensor lost its spool) starts again at 1.
    submit(writer, mofa_, batch("mofa-1", 6, 1, 3));
    writer.stop();
    EXPECT_EQ(store.eventCount(), 168U);
    const auto sensors = store.sensors();
    ASSERT_EQ(sensors.size(), 2U);
    EXPECT_EQ(sensors[1].sensor_id, "mofa-1");
    EXPECT_EQ(sensors[1].events, 158U);
    EXPECT_EQ(sensors[1].gap_events, 10U);
    EXPECT_EQ(sensors[1].rejected_events, 4U);
  }
  // Read back through the query API, as every reader does.
  SqliteEventStore store(path_);
  std::set<std::string> ids;
  std::uint64_t epoch5 = 0;
  std::uint64_t last5 = 0;
  std::uint64_t all = 0;
  store.forEachEvent({}, [&](gsoc::v1::Event&& e) {
    ++all;
    ids.insert(e.event_id());
    if (e.event_id().starts_with("mofa-1:5:")) {
      ++epoch5;
      last5 = std::max<std::uint64_t>(last5, std::stoull(e.event_id().substr(9)));
    }
  });
  EXPECT_EQ(all, 168U);
  EXPECT_EQ(ids.size(), all);  // each (sensor, epoch, sequence) once
  EXPECT_EQ(epoch5, 155U);
  EXPECT_EQ(last5, 165U);
  EventQuery alerts;
  alerts.kinds = {"alert"};
  alerts.term = "c2.example.net";
  const std::vector<EventDimension> none;
  EXPECT_EQ(store.countEvents(alerts, none).at(0).events, 85U);
  EventQuery dns;
  dns.kinds = {"dns"};
  dns.term = "203.0.113.5";
  EXPECT_EQ(store.countEvents(dns, none).at(0).events, 83U);
  EventQuery mod;
  mod.agencies = {"MOD"};
  EXPECT_EQ(store.countEvents(mod, none).at(0).events, 10U);
}

// The query API's conditions and groupings, each against a count made by hand.
TEST_F(IngestStoreTest, QueriesSelectAndCount) {
  SqliteEventStore store(path_);
  BatchWriter writer(store, {}, [] { return kNow; });
  submit(writer, mofa_, batch("mofa-1", 1, 1, 10));  // ts kNow+0..9: alerts (sid 2100000+i) at even i, DNS at odd
  submit(writer, mod_, batch("mod-1", 1, 1, 4));
  writer.stop();
  const std::vector<EventDimension> none;
  auto count = [&](const EventQuery& q) { return store.countEvents(q, none).at(0).events; };
  EventQuery q;
  EXPECT_EQ(count(q), 14U);
  q.since_ns = kNow + 2;
  q.until_ns = kNow + 5;  // 2, 3, 4 of mofa-1; 2, 3 of mod-1
  EXPECT_EQ(count(q), 5U);
  q.sensors = {"mod-1"};
  EXPECT_EQ(count(q), 2U);
  q = {};
  q.sids = {2100002, 2100004};
  EXPECT_EQ(count(q), 3U);  // mofa-1's two and mod-1's 2100002
  q = {};
  q.term = "www.mofa.example.go.jp";
  EXPECT_EQ(count(q), 7U);
  q.limit = 3;
  std::vector<std::string> seen;
  store.forEachEvent(q, [&](gsoc::v1::Event&& e) { seen.push_back(e.event_id()); });
  EXPECT_EQ(seen, (std::vector<std::string>{"mofa-1:1:2", "mod-1:1:2", "mofa-1:1:4"}));  // time order, then arrival
  q = {};
  q.limit = 2;
  seen.clear();
  store.forEachEvent(q, [&](gsoc::v1::Event&& e) { seen.push_back(e.event_id() + "@" + e.agency_id()); });
  EXPECT_EQ(seen, (std::vector<std::string>{"mofa-1:1:1@MOFA", "mod-1:1:1@MOD"}));

  const std::vector<EventDimension> by{EventDimension::Agency, EventDimension::Kind};
  std::vector<std::string> rows;
  for (const auto& c : store.countEvents({}, by)) rows.push_back(c.key.at(0) + "/" + c.key.at(1) + "=" + std::to_string(c.events));
  EXPECT_EQ(rows, (std::vector<std::string>{"MOD/alert=2", "MOD/dns=2", "MOFA/alert=5", "MOFA/dns=5"}));
  // With a term the count is made by visiting: the same groups, the same order.
  q = {};
  q.term = "192.0.2.7";
  rows.clear();
  for (const auto& c : store.countEvents(q, by)) rows.push_back(c.key.at(0) + "/" + c.key.at(1) + "=" + std::to_string(c.events));
  EXPECT_EQ(rows, (std::vector<std::string>{"MOD/alert=2", "MOD/dns=2", "MOFA/alert=5", "MOFA/dns=5"}));
  const std::vector<EventDimension> by_sid{EventDimension::Sid, EventDimension::Day};
  const auto sids = store.countEvents({}, by_sid);
  ASSERT_EQ(sids.size(), 6U);
  EXPECT_EQ(sids[0].key, (std::vector<std::string>{"", std::to_string(kNow / 86400000000000LL)}));  // DNS records have no sid
  EXPECT_EQ(sids[0].events, 7U);
  EXPECT_EQ(sids[1].key.at(0), "2100000");
  EXPECT_EQ(sids[1].events, 2U);
  q = {};
  q.kinds = {"dns'; DROP TABLE events; --"};
  EXPECT_THROW(count(q), std::invalid_argument);
  q = {};
  q.since_ns = kNow;
  q.until_ns = kNow;
  EXPECT_THROW(count(q), std::invalid_argument);
}

TEST_F(IngestStoreTest, SensorStatusAndRefusalsAreRecorded) {
  SqliteEventStore store(path_);
  gsoc::v1::SensorStatus status;
  status.set_software_version("0.1.0");
  status.set_ruleset_version("abc123");
  status.set_clock_offset_ns(-2500000);
  status.set_spool_depth_events(42);
  store.recordSensorStatus(mofa_, status, kNow);
  store.recordRefusal(kNow, mod_, "batch claims sensor 'mofa-1'");
  const auto sensors = store.sensors();
  ASSERT_EQ(sensors.size(), 1U);
  EXPECT_EQ(sensors[0].ruleset_version, "abc123");
  EXPECT_EQ(sensors[0].clock_offset_ns, -2500000);
  EXPECT_EQ(sensors[0].spool_depth, 42U);
  EXPECT_EQ(query("SELECT COUNT(*) FROM refusals WHERE sensor_id='mod-1'"), 1);
}

TEST_F(IngestStoreTest, RetentionDeletesByEventTime) {
  SqliteEventStore store(path_);
  BatchWriter writer(store, {}, [] { return kNow; });
  submit(writer, mofa_, batch("mofa-1", 5, 1, 10));
  writer.stop();
  EXPECT_EQ(store.deleteEventsBefore(kNow + 5), 5U);
  EXPECT_EQ(store.eventCount(), 5U);
}

// A restart replays only the kinds its rules can select: the store filters them.
TEST_F(IngestStoreTest, ReplayReadsOnlyTheKindsAsked) {
  SqliteEventStore store(path_);
  BatchWriter writer(store, {}, [] { return kNow; });
  submit(writer, mofa_, batch("mofa-1", 5, 1, 10));  // 5 alerts, 5 DNS records
  writer.stop();
  auto count = [&](const std::vector<std::string>& kinds) {
    std::uint64_t n = 0;
    EventQuery query;
    query.since_ns = kNow;
    query.kinds = kinds;
    store.forEachEvent(query, [&](gsoc::v1::Event&&) { ++n; });
    return n;
  };
  EXPECT_EQ(count({}), 10U);
  EXPECT_EQ(count({"dns"}), 5U);
  EXPECT_EQ(count({"alert", "dns"}), 10U);
  EXPECT_EQ(count({"flow"}), 0U);
  EXPECT_THROW(count({"dns'; DROP TABLE events; --"}), std::invalid_argument);
}
