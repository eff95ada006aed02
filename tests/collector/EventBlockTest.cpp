// The SQLite store's block layout (collector/store/EventBlock.hpp): events come back in event-time
// order across blocks written by different commits, a commit larger than a block is split, the
// term index finds observables and scoped terms, retention is exact on blocks that straddle the
// cutoff, a database written in the row layout is moved into blocks on open, and a damaged block
// is reported with its id rather than skipped.
#include <gtest/gtest.h>
#include <sqlite3.h>


#include "collector/store/EventBlock.hpp"
#include "collector/store/SqliteEventStore.hpp"
#include "tests/collector/TempSqliteFile.hpp"
#include "gsoc/v1/ingest.pb.h"

using namespace gsoc::collector;

namespace {

constexpr std::int64_t kT0 = 1790000000LL * 1000000000LL;

gsoc::v1::Event dnsEvent(std::int64_t ts, const std::string& query) {
  gsoc::v1::Event e;
  e.set_timestamp_ns(ts);
  e.mutable_tuple()->set_src_ip(std::string("\xc0\x00\x02\x07", 4));
  e.mutable_tuple()->set_dst_ip(std::string("\xcb\x00\x71\x05", 4));
  e.mutable_dns()->set_query(query);
  return e;
}

class EventBlockTest : public ::testing::Test {
 protected:
  // One commit of one batch: events at the given times (ns after kT0), sequences from `first`.
  void commit(SqliteEventStore& store, const SensorIdentity& who, std::uint64_t first, const std::vector<std::int64_t>& offsets,
              const std::string& query = "www.example.go.jp") {
    gsoc::v1::EventBatch batch;
    batch.set_sensor_id(who.sensor_id);
    batch.set_epoch(1);
    batch.set_first_sequence(first);
    for (const auto off : offsets) *batch.add_events() = dnsEvent(kT0 + off, query);
    CommitBatch b;
    b.identity = &who;
    b.batch = &batch;
    b.acked_through = first + offsets.size() - 1;
    store.commit(std::span<const CommitBatch>(&b, 1));
  }
  std::vector<std::string> ids(SqliteEventStore& store, const EventQuery& q = {}) {
    std::vector<std::string> out;
    store.forEachEvent(q, [&](gsoc::v1::Event&& e) { out.push_back(e.event_id()); });
    return out;
  }
  void sql(const std::string& text) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }
  TempSqliteFile db_{"gsoc-blocks"};
  const std::string path_ = db_.path();
  SensorIdentity mofa_{"MOFA", "mofa-1", "1000", "test"};
  SensorIdentity mod_{"MOD", "mod-1", "1001", "test"};
};

}  // namespace

TEST_F(EventBlockTest, EventsComeBackInTimeOrderAcrossBlocks) {
  SqliteEventStore store(path_);
  commit(store, mofa_, 1, {30, 10, 50});  // out of order inside a batch: sorted in the block
  commit(store, mod_, 1, {20, 40, 60});   // a later commit overlapping the first block's range
  EXPECT_EQ(ids(store), (std::vector<std::string>{"mofa-1:1:2", "mod-1:1:1", "mofa-1:1:1", "mod-1:1:2", "mofa-1:1:3", "mod-1:1:3"}));
  EventQuery q;
  q.since_ns = kT0 + 20;
  q.until_ns = kT0 + 50;
  q.agencies = {"MOD"};
  EXPECT_EQ(ids(store, q), (std::vector<std::string>{"mod-1:1:1", "mod-1:1:2"}));
  q = {};
  q.limit = 4;
  EXPECT_EQ(ids(store, q).size(), 4U);
}

TEST_F(EventBlockTest, ACommitLargerThanABlockIsSplit) {
  SqliteEventStore store(path_);
  std::vector<std::int64_t> offsets;
  for (std::size_t i = 0; i < 2 * kBlockEvents + 10; ++i) offsets.push_back(static_cast<std::int64_t>(i));
  commit(store, mofa_, 1, offsets);
  EXPECT_EQ(store.eventCount(), offsets.size());
  const auto all = ids(store);
  ASSERT_EQ(all.size(), offsets.size());
  EXPECT_EQ(all.front(), "mofa-1:1:1");
  EXPECT_EQ(all.back(), "mofa-1:1:" + std::to_string(offsets.size()));
  sqlite3* db = nullptr;
  sqlite3_open(path_.c_str(), &db);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM event_blocks", -1, &s, nullptr);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(s, 0), 3);
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST_F(EventBlockTest, TheTermIndexFindsObservablesAndScopes) {
  SqliteEventStore store(path_);
  commit(store, mofa_, 1, {1, 2}, "c2.example.net");
  commit(store, mod_, 1, {3}, "www.mod.example.go.jp");
  gsoc::v1::EventBatch mail;
  mail.set_sensor_id("mod-1");
  mail.set_epoch(1);
  mail.set_first_sequence(2);
  auto* e = mail.add_events();
  e->set_timestamp_ns(kT0 + 4);
  e->mutable_smtp()->set_mail_from("hr@example.org");
  e->mutable_smtp()->add_attachments()->set_sha256(std::string(64, 'a'));
  CommitBatch b;
  b.identity = &mod_;
  b.batch = &mail;
  b.acked_through = 2;
  store.commit(std::span<const CommitBatch>(&b, 1));
  EventQuery q;
  q.term = "c2.example.net";
  EXPECT_EQ(ids(store, q), (std::vector<std::string>{"mofa-1:1:1", "mofa-1:1:2"}));
  q.term = std::string(64, 'a');
  EXPECT_EQ(ids(store, q), (std::vector<std::string>{"mod-1:1:2"}));
  q.term = "203.0.113.5";  // a destination address
  EXPECT_EQ(ids(store, q).size(), 3U);
  q = {};
  q.sensors = {"mod-1"};
  q.kinds = {"smtp"};
  EXPECT_EQ(ids(store, q), (std::vector<std::string>{"mod-1:1:2"}));
  q.kinds = {"alert"};
  EXPECT_TRUE(ids(store, q).empty());
}

TEST_F(EventBlockTest, RetentionIsExactOnAStraddlingBlock) {
  SqliteEventStore store(path_);
  commit(store, mofa_, 1, {0, 1, 2, 3});
  commit(store, mofa_, 5, {10, 11, 12, 13});
  EXPECT_EQ(store.deleteEventsBefore(kT0 + 12), 6U);
  EXPECT_EQ(store.eventCount(), 2U);
  EXPECT_EQ(ids(store), (std::vector<std::string>{"mofa-1:1:7", "mofa-1:1:8"}));
  EventQuery q;
  q.term = "www.example.go.jp";
  EXPECT_EQ(ids(store, q).size(), 2U);  // the rewritten block is in the term index
  EXPECT_EQ(store.deleteEventsBefore(kT0 + 12), 0U);
}

TEST_F(EventBlockTest, ARowLayoutDatabaseIsMovedIntoBlocks) {
  sql("CREATE TABLE events(id INTEGER PRIMARY KEY, agency_id TEXT NOT NULL, sensor_id TEXT NOT NULL, epoch INTEGER NOT NULL, "
      "sequence INTEGER NOT NULL, ts_ns INTEGER NOT NULL, received_ns INTEGER NOT NULL, kind TEXT NOT NULL, sid INTEGER, "
      "severity INTEGER NOT NULL, src_ip TEXT, src_port INTEGER, dst_ip TEXT, dst_port INTEGER, ip_proto INTEGER, app_proto TEXT, "
      "community_id TEXT, indicator TEXT, event BLOB NOT NULL)");
  std::string rows;
  for (int i = 0; i < 3; ++i) {
    std::string hex;
    for (unsigned char c : dnsEvent(kT0 + i, "old.example.jp").SerializeAsString()) {
      static const char* digits = "0123456789abcdef";
      hex += digits[c >> 4];
      hex += digits[c & 15];
    }
    rows += (rows.empty() ? "" : ",") + std::string("('MIC','mic-1',4,") + std::to_string(i + 1) + "," + std::to_string(kT0 + i) +
            ",0,'dns',NULL,0,'192.0.2.7',0,'203.0.113.5',53,17,NULL,NULL,'old.example.jp',x'" + hex + "')";
  }
  sql("INSERT INTO events(agency_id,sensor_id,epoch,sequence,ts_ns,received_ns,kind,sid,severity,src_ip,src_port,dst_ip,dst_port,"
      "ip_proto,app_proto,community_id,indicator,event) VALUES" + rows);
  SqliteEventStore store(path_);
  EventQuery q;
  q.term = "old.example.jp";
  q.agencies = {"MIC"};
  EXPECT_EQ(ids(store, q), (std::vector<std::string>{"mic-1:4:1", "mic-1:4:2", "mic-1:4:3"}));
  EXPECT_EQ(store.eventCount(), 3U);
}

TEST_F(EventBlockTest, ADamagedBlockIsReportedNotSkipped) {
  {
    SqliteEventStore store(path_);
    commit(store, mofa_, 1, {1});
  }
  sql("UPDATE event_blocks SET payload = x'28b52ffd0000'");
  SqliteEventStore store(path_);
  try {
    ids(store);
    FAIL() << "a damaged block was read";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("event block 1"), std::string::npos) << e.what();
  }
}

// Past kSealBlocks blocks the tail's terms are sealed into a bucket; a term is found in both,
// again after a restart (the tail rebuilt from its blocks), and retention drops a bucket's rows
// once none of its blocks is left.
TEST_F(EventBlockTest, SealedBucketsAndTheTailAreBothSearched) {
  const int blocks = static_cast<int>(kSealBlocks) + 6;
  auto offsets = [](int block) {
    std::vector<std::int64_t> out;
    for (std::size_t i = 0; i < kBlockEvents; ++i) out.push_back(static_cast<std::int64_t>(block) * 1000000 + static_cast<std::int64_t>(i));
    return out;
  };
  {
    SqliteEventStore store(path_);
    for (int b = 0; b < blocks; ++b) {
      const bool needle = b == 3 || b == blocks - 2;
      commit(store, mofa_, static_cast<std::uint64_t>(b) * kBlockEvents + 1, offsets(b), needle ? "needle.example" : "www.example.go.jp");
    }
    EventQuery q;
    q.term = "needle.example";
    q.limit = 1;
    EXPECT_EQ(ids(store, q), (std::vector<std::string>{"mofa-1:1:" + std::to_string(3 * kBlockEvents + 1)}));
    q.limit = 0;
    EXPECT_EQ(ids(store, q).size(), 2 * kBlockEvents);
  }
  auto buckets = [&] {
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM event_term_buckets", -1, &s, nullptr);
    const std::int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
  };
  EXPECT_EQ(buckets(), 1);
  SqliteEventStore store(path_);
  EventQuery q;
  q.term = "needle.example";
  EXPECT_EQ(ids(store, q).size(), 2 * kBlockEvents);
  EXPECT_EQ(store.deleteEventsBefore(kT0 + static_cast<std::int64_t>(kSealBlocks) * 1000000), kSealBlocks * kBlockEvents);
  EXPECT_EQ(buckets(), 0);
  EXPECT_EQ(ids(store, q).size(), kBlockEvents);  // the tail's needle block is left
}
