// The ClickHouse store's exactly-once settlement (collector/store/ClickHouseEventStore.hpp)
// against real servers: tests/collector/clickhouse_store_test.py starts two shards and passes
// their URLs in GSOC_CLICKHOUSE_SHARDS (cluster `gsoc`); without it these tests are skipped.
// A collector that dies after a shard took an insert and before the stream's mark was committed
// must neither lose nor store twice: the next start (or the stream's next commit) counts the
// events on the shard and moves the mark on; one that dies before the insert leaves the mark
// where it was, so the sensor's resend is stored.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "collector/store/ClickHouseEventStore.hpp"
#include "collector/store/RowBinary.hpp"
#include "collector/store/SqliteEventStore.hpp"
#include "gsoc/v1/ingest.pb.h"

using namespace gsoc::collector;

namespace {

constexpr std::int64_t kT0 = 1790000000LL * 1000000000LL;

// The state store, with a crash injected: the commit of the marks, or everything after the
// pending inserts are recorded, fails as a killed process would never reach it.
class CrashingState final : public EventStore {
 public:
  enum class Crash { None, BeforeMarks, BeforeInsert };
  CrashingState(std::string path, Crash c) : crash(c), inner_(std::move(path)) {}
  Crash crash;
  std::string describe() const override { return inner_.describe(); }
  std::map<StreamKey, std::uint64_t> streamMarks() override { return inner_.streamMarks(); }
  void commit(std::span<const CommitBatch> b) override {
    if (crash == Crash::BeforeMarks) throw StoreError("killed before the marks");
    inner_.commit(b);
  }
  StreamClaim claimStreams(std::span<const StreamKey> keys) override { return inner_.claimStreams(keys); }
  void releaseStreams() override { inner_.releaseStreams(); }
  void recordPendingInserts(std::span<PendingInsert> p) override {
    inner_.recordPendingInserts(p);
    if (crash == Crash::BeforeInsert) throw StoreError("killed before the insert");
  }
  std::vector<PendingInsert> pendingInserts() override { return inner_.pendingInserts(); }
  void settlePendingInsert(const PendingInsert& p, bool landed) override { inner_.settlePendingInsert(p, landed); }
  std::vector<CommitLogEntry> commitLog(std::uint64_t after, std::size_t limit) override { return inner_.commitLog(after, limit); }
  std::uint64_t commitTail() override { return inner_.commitTail(); }
  void setCommitTail(std::uint64_t through) override { inner_.setCommitTail(through); }
  void recordSensorStatus(const SensorIdentity& i, const gsoc::v1::SensorStatus& s, std::int64_t r) override { inner_.recordSensorStatus(i, s, r); }
  void recordRefusal(std::int64_t a, const SensorIdentity& i, std::string_view r) override { inner_.recordRefusal(a, i, r); }
  std::uint64_t deleteEventsBefore(std::int64_t c) override { return inner_.deleteEventsBefore(c); }
  std::uint64_t eventCount() override { return inner_.eventCount(); }
  std::vector<SensorRow> sensors() override { return inner_.sensors(); }
  bool recordHit(const StoredHit& h) override { return inner_.recordHit(h); }
  std::int64_t correlatorProgress() override { return inner_.correlatorProgress(); }
  void setCorrelatorProgress(std::int64_t t) override { inner_.setCorrelatorProgress(t); }
  void forEachEvent(const EventQuery& q, const std::function<void(gsoc::v1::Event&&)>& v) override { inner_.forEachEvent(q, v); }
  std::vector<EventCount> countEvents(const EventQuery& q, std::span<const EventDimension> by) override { return inner_.countEvents(q, by); }
  void upsertPublication(const Publication& p) override { inner_.upsertPublication(p); }
  std::optional<Publication> publication(const std::string& k, const std::string& i) override { return inner_.publication(k, i); }
  std::uint64_t publicationCount(const std::string& k, const std::string& n) override { return inner_.publicationCount(k, n); }
  std::vector<Publication> selectPublications(const PublicationQuery& q) override { return inner_.selectPublications(q); }
  std::vector<PublicationTally> tallyPublications(const std::string& k) override { return inner_.tallyPublications(k); }

 private:
  SqliteEventStore inner_;
};

class ClickHouseStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* shards = std::getenv("GSOC_CLICKHOUSE_SHARDS");
    if (shards == nullptr || *shards == '\0') GTEST_SKIP() << "GSOC_CLICKHOUSE_SHARDS not set (clickhouse_store_test.py sets it)";
    const std::string list = shards;
    for (std::size_t at = 0; at < list.size();) {
      const std::size_t comma = std::min(list.find(',', at), list.size());
      options_.shard_urls.push_back(list.substr(at, comma - at));
      at = comma + 1;
    }
    options_.cluster = options_.shard_urls.size() > 1 ? "gsoc" : "";
    // A database per test, so tests do not see each other's events.
    options_.database = "t" + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    state_path_ = (std::filesystem::temp_directory_path() / (options_.database + ".db")).string();
    who_ = SensorIdentity{"MOFA", "mofa-1", "01", "test"};
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(state_path_ + suffix);
    for (const auto& url : options_.shard_urls) ClickHouseClient(url).query("DROP DATABASE IF EXISTS " + options_.database);
  }
  std::unique_ptr<ClickHouseEventStore> open(CrashingState::Crash crash = CrashingState::Crash::None) {
    return std::make_unique<ClickHouseEventStore>(options_, std::make_unique<CrashingState>(state_path_, crash));
  }
  // Events first..last of mofa-1's epoch 1, one a second.
  gsoc::v1::EventBatch batch(std::uint64_t first, std::uint64_t last) {
    gsoc::v1::EventBatch b;
    b.set_sensor_id(who_.sensor_id);
    b.set_epoch(1);
    b.set_first_sequence(first);
    for (std::uint64_t s = first; s <= last; ++s) {
      gsoc::v1::Event* e = b.add_events();
      e->set_timestamp_ns(kT0 + static_cast<std::int64_t>(s) * 1000000000LL);
      e->mutable_dns()->set_query("q" + std::to_string(s) + ".example.go.jp");
    }
    return b;
  }
  void commit(EventStore& store, const gsoc::v1::EventBatch& b, int skip = 0) {
    CommitBatch c;
    c.identity = &who_;
    c.batch = &b;
    c.skip = skip;
    c.acked_through = b.first_sequence() + static_cast<std::uint64_t>(b.events_size()) - 1;
    store.commit(std::span<const CommitBatch>(&c, 1));
  }
  std::uint64_t mark(EventStore& store) { return store.streamMarks()[StreamKey{"mofa-1", 1}]; }

  ClickHouseOptions options_;
  std::string state_path_;
  SensorIdentity who_;
};

TEST_F(ClickHouseStoreTest, AnInsertThatLandedBeforeACrashAdvancesTheMarkOnTheNextStart) {
  commit(*open(), batch(1, 10));
  EXPECT_THROW(commit(*open(CrashingState::Crash::BeforeMarks), batch(11, 20)), StoreError);
  auto store = open();  // settles the pending insert: the shard has all ten
  EXPECT_EQ(mark(*store), 20U);
  EXPECT_TRUE(store->pendingInserts().empty());
  EXPECT_EQ(store->eventCount(), 20U);
  EXPECT_EQ(store->sensors().at(0).events, 20U);
}

TEST_F(ClickHouseStoreTest, AnInsertThatNeverHappenedLeavesTheMarkForTheResend) {
  commit(*open(), batch(1, 10));
  EXPECT_THROW(commit(*open(CrashingState::Crash::BeforeInsert), batch(11, 20)), StoreError);
  auto store = open();
  EXPECT_EQ(mark(*store), 10U);
  EXPECT_TRUE(store->pendingInserts().empty());
  commit(*store, batch(11, 20));  // the sensor's resend
  EXPECT_EQ(mark(*store), 20U);
  EXPECT_EQ(store->eventCount(), 20U);
}

TEST_F(ClickHouseStoreTest, AResendAfterAFailedMarkCommitIsTrimmedNotStoredTwice) {
  // One process: the state store fails once after the insert landed (its disk full, say); the
  // writer's resend carries the same events with the same skip.
  auto owned = std::make_unique<CrashingState>(state_path_, CrashingState::Crash::None);
  CrashingState* state = owned.get();  // observed; the store owns it
  ClickHouseEventStore store(options_, std::move(owned));
  commit(store, batch(1, 10));
  state->crash = CrashingState::Crash::BeforeMarks;
  EXPECT_THROW(commit(store, batch(11, 20)), StoreError);
  state->crash = CrashingState::Crash::None;
  commit(store, batch(11, 20));
  EXPECT_EQ(mark(store), 20U);
  EXPECT_EQ(store.eventCount(), 20U);
  EXPECT_EQ(store.sensors().at(0).events, 20U);
}

TEST_F(ClickHouseStoreTest, QueriesReadEveryShard) {
  auto store = open();
  commit(*store, batch(1, 10));
  SensorIdentity other{"MOD", "mod-1", "02", "test"};
  gsoc::v1::EventBatch b = batch(1, 5);
  b.set_sensor_id("mod-1");
  CommitBatch c;
  c.identity = &other;
  c.batch = &b;
  c.acked_through = 5;
  store->commit(std::span<const CommitBatch>(&c, 1));
  EXPECT_NE(store->shardOf("mofa-1"), store->shardOf("mod-1"));
  EXPECT_EQ(store->eventCount(), 15U);
  EventQuery q;
  q.term = "q3.example.go.jp";
  std::vector<std::string> ids;
  store->forEachEvent(q, [&](gsoc::v1::Event&& e) { ids.push_back(e.event_id()); });
  EXPECT_EQ(ids, (std::vector<std::string>{"mod-1:1:3", "mofa-1:1:3"}));  // one time: by sensor
  const EventDimension by[] = {EventDimension::Agency};
  const auto counts = store->countEvents(EventQuery{}, by);
  ASSERT_EQ(counts.size(), 2U);
  EXPECT_EQ(counts[0].key, std::vector<std::string>{"MOD"});
  EXPECT_EQ(counts[0].events, 5U);
  EXPECT_EQ(store->deleteEventsBefore(kT0 + 86400LL * 1000000000LL * 3), 15U);
  EXPECT_EQ(store->eventCount(), 0U);
}

}  // namespace

TEST(RowBinary, WritesAndReadsBackStringsAndIntegers) {
  std::string out;
  RowBinaryWriter(out).str("abc").u64(0x0102030405060708ULL).str(std::string(300, 'x'));
  EXPECT_EQ(out.substr(0, 4), std::string("\x03" "abc"));
  RowBinaryReader r(out);
  EXPECT_EQ(r.str().value(), "abc");
  EXPECT_EQ(r.u64().value(), 0x0102030405060708ULL);
  EXPECT_EQ(r.str().value().size(), 300U);  // a two-byte length
  RowBinaryReader cut(std::string_view(out).substr(0, out.size() - 1), 12);
  EXPECT_FALSE(cut.str().has_value());  // the row continues in the next chunk
  EXPECT_EQ(cut.position(), 12U);
}
