#include "collector/store/SqliteEventStore.hpp"

#include <arpa/inet.h>
#include <sqlite3.h>

#include <algorithm>
#include <iostream>
#include <queue>
#include <tuple>
#include <type_traits>

#include <google/protobuf/util/json_util.h>

#include "collector/store/EventColumns.hpp"
#include "collector/store/StoreSchema.hpp"
#include "collector/store/StreamUpdate.hpp"
#include "gsoc/v1/ingest.pb.h"
#include "gsoc/v1/status.pb.h"

namespace gsoc::collector {

// A prepared statement, finalized on destruction; bind/step report errors through the store.
// Bound text and blobs are not copied (SQLITE_STATIC): they must live until run() or reset().
class SqliteEventStore::Statement {
 public:
  Statement(const SqliteEventStore& store, const char* sql) : store_(store) {
    if (sqlite3_prepare_v3(store.db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
      store.fail(std::string("prepare ") + sql);
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
  Statement& bind(int i, std::string_view v) {
    return check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
  }
  Statement& bindOrNull(int i, std::string_view v) { return v.empty() ? check(sqlite3_bind_null(stmt_, i)) : bind(i, v); }
  Statement& bindBlob(int i, std::string_view v) {
    return check(sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
  }
  Statement& bindNull(int i) { return check(sqlite3_bind_null(stmt_, i)); }
  // Steps once; true while a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) store_.fail("step");
    return false;
  }
  void run() {
    while (step()) {
    }
    reset();
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string_view blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p != nullptr ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string_view();
  }
  std::string text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p != nullptr ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }

 private:
  Statement& check(int rc) {
    if (rc != SQLITE_OK) store_.fail("bind");
    return *this;
  }
  const SqliteEventStore& store_;
  sqlite3_stmt* stmt_ = nullptr;
};

SqliteEventStore::SqliteEventStore(std::string path) : path_(std::move(path)) {
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("sqlite " + path_ + ": cannot open: " + message);
  }
  sqlite3_busy_timeout(db_, 5000);  // readers (gsocctl, sqlite3) may hold the file briefly
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");   // an ack must survive power loss
  exec("PRAGMA foreign_keys=OFF");
  // The term index is written at random positions on every commit: with SQLite's 2 MiB default
  // cache most of those pages would be re-read from the file.
  exec("PRAGMA cache_size=-262144");
  exec(schemaSql(SqlDialect::Sqlite).c_str());
  migratePublicationStatus();
  exec(kPublicationIndexesSql);
  insert_block_ = std::make_unique<Statement>(*this,
      "INSERT INTO event_blocks(min_ts_ns,max_ts_ns,events,kinds,raw_bytes,payload) VALUES(?,?,?,?,?,?)");
  insert_term_ = std::make_unique<Statement>(*this, "INSERT INTO event_terms(term,bucket,blocks) VALUES(?,?,?)");
  upsert_stream_ = std::make_unique<Statement>(*this,
      "INSERT INTO streams(sensor_id,epoch,acked_through,events,gap_events,rejected_events) VALUES(?,?,?,?,?,?) "
      "ON CONFLICT(sensor_id,epoch) DO UPDATE SET acked_through=excluded.acked_through, events=events+excluded.events, "
      "gap_events=gap_events+excluded.gap_events, rejected_events=rejected_events+excluded.rejected_events");
  upsert_agency_ = std::make_unique<Statement>(*this, "INSERT OR IGNORE INTO agencies(agency_id,first_seen_ns) VALUES(?,?)");
  touch_sensor_ = std::make_unique<Statement>(*this,
      "INSERT INTO sensors(sensor_id,agency_id,first_seen_ns,last_seen_ns) VALUES(?,?,?,?) "
      "ON CONFLICT(sensor_id) DO UPDATE SET last_seen_ns=MAX(last_seen_ns,excluded.last_seen_ns), agency_id=excluded.agency_id");
  // The term tail: the blocks stored since the last sealed bucket.
  std::int64_t sealed_through = 0;
  {
    Statement q(*this, "SELECT COALESCE(MAX(last_block), 0) FROM event_term_buckets");
    if (q.step()) sealed_through = q.integer(0);
  }
  std::vector<std::int64_t> tail_blocks;
  {
    Statement q(*this, "SELECT id FROM event_blocks WHERE id > ? ORDER BY id");
    q.bind(1, sealed_through);
    while (q.step()) tail_blocks.push_back(q.integer(0));
  }
  std::vector<std::string> terms;
  std::vector<std::string_view> views;
  for (const auto id : tail_blocks) {
    terms.clear();
    try {
      forEachStoredEvent(id, [&](std::string_view, const gsoc::v1::Event& e) {
        forEachTerm(e, e.agency_id(), e.sensor_id(), [&](std::string_view t) { terms.emplace_back(t); });
      });
    } catch (const StoreError& error) {
      // The collector still starts; a query that reads the block reports it.
      std::cerr << "gsoc-collector: " << error.what() << "; its events cannot be found by term\n";
    }
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    views.assign(terms.begin(), terms.end());
    tail_.add(id, views);
    tail_.commit();
  }
  migrateEventRows();
}

SqliteEventStore::~SqliteEventStore() {
  insert_block_.reset();
  insert_term_.reset();
  upsert_stream_.reset();
  upsert_agency_.reset();
  touch_sensor_.reset();
  sqlite3_close(db_);
}

void SqliteEventStore::fail(const std::string& what) const {
  throw StoreError("sqlite " + path_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

void SqliteEventStore::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    throw StoreError("sqlite " + path_ + ": " + message);
  }
}

std::map<StreamKey, std::uint64_t> SqliteEventStore::streamMarks() {
  std::lock_guard lock(mutex_);
  std::map<StreamKey, std::uint64_t> marks;
  Statement q(*this, "SELECT sensor_id, epoch, acked_through FROM streams");
  while (q.step()) marks[StreamKey{q.text(0), static_cast<std::uint64_t>(q.integer(1))}] = static_cast<std::uint64_t>(q.integer(2));
  return marks;
}

// One write transaction: on any failure it rolls back, the term tail and the prepared statements
// with it, and rethrows.
template <typename Body>
void SqliteEventStore::writeTransaction(Body&& body) {
  exec("BEGIN IMMEDIATE");
  try {
    body();
    exec("COMMIT");
    committed();
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    rolledBack();
    throw;
  }
}

void SqliteEventStore::commit(std::span<const CommitBatch> batches) {
  std::lock_guard lock(mutex_);
  writeTransaction([&] {
    blocks_.clear();
    for (const CommitBatch& b : batches) {
      const SensorIdentity& who = *b.identity;
      const auto& events = b.batch->events();
      if (b.rejected || b.events_elsewhere) continue;
      for (int i = b.skip; i < events.size(); ++i) {
        blocks_.add(events[i], who.sensor_id, b.batch->epoch(), b.batch->first_sequence() + static_cast<std::uint64_t>(i), who.agency_id);
      }
    }
    blocks_.seal([this](const SealedBlock& block) { storeBlock(block); });
    sealTermsIfFull();
    const bool settles = std::any_of(batches.begin(), batches.end(), [](const CommitBatch& b) { return b.events_elsewhere; });
    std::optional<Statement> forget;
    if (settles) {
      forget.emplace(*this, kForgetPendingSql);
      Statement done(*this, kSetCommitStateSql);
      for (const std::uint64_t n : commitNumbers(batches)) done.bind(1, static_cast<std::int64_t>(CommitState::Done)).bind(2, static_cast<std::int64_t>(n)).run();
    }
    for (const StreamUpdate& u : foldStreams(batches)) {
      const SensorIdentity& who = *u.identity;
      if (forget) forget->bind(1, who.sensor_id).bind(2, static_cast<std::int64_t>(u.epoch)).run();
      upsert_stream_->bind(1, who.sensor_id).bind(2, static_cast<std::int64_t>(u.epoch));
      upsert_stream_->bind(3, static_cast<std::int64_t>(u.acked_through)).bind(4, u.events);
      upsert_stream_->bind(5, u.gap_events).bind(6, u.rejected_events);
      upsert_stream_->run();
      upsert_agency_->bind(1, who.agency_id).bind(2, u.received_ns).run();
      touch_sensor_->bind(1, who.sensor_id).bind(2, who.agency_id).bind(3, u.received_ns).bind(4, u.received_ns).run();
    }
  });
}

StreamClaim SqliteEventStore::claimStreams(std::span<const StreamKey> keys) {
  // One process writes a SQLite file: nothing to lock against.
  std::lock_guard lock(mutex_);
  StreamClaim claim;
  Statement mark(*this, kStreamMarkSql);
  Statement pending(*this, kStreamPendingSql);
  for (const StreamKey& k : keys) {
    mark.bind(1, k.sensor_id).bind(2, static_cast<std::int64_t>(k.epoch));
    claim.marks[k] = mark.step() ? static_cast<std::uint64_t>(mark.integer(0)) : 0;
    mark.reset();
    pending.bind(1, k.sensor_id).bind(2, static_cast<std::int64_t>(k.epoch));
    while (pending.step()) claim.pending.push_back(pendingRow(pending));
    pending.reset();
  }
  return claim;
}

PendingInsert SqliteEventStore::pendingRow(const Statement& q) {
  return PendingInsert{q.text(0), static_cast<std::uint64_t>(q.integer(1)), static_cast<std::uint64_t>(q.integer(2)),
                       static_cast<std::uint64_t>(q.integer(3)), static_cast<std::uint64_t>(q.integer(4)), static_cast<int>(q.integer(5)),
                       q.text(6), q.integer(7), q.integer(8), static_cast<std::uint64_t>(q.integer(9))};
}

void SqliteEventStore::recordPendingInserts(std::span<PendingInsert> inserts) {
  std::lock_guard lock(mutex_);
  writeTransaction([&] {
    std::map<int, std::uint64_t> numbers;  // one commit number per shard
    Statement number(*this, kNewCommitSql);
    Statement s(*this, kRecordPendingSql);
    for (PendingInsert& p : inserts) {
      auto [it, fresh] = numbers.try_emplace(p.shard, 0);
      if (fresh) {
        number.bind(1, nowNs());
        if (!number.step()) fail("no commit number");
        it->second = static_cast<std::uint64_t>(number.integer(0));
        number.reset();
      }
      p.commit_no = it->second;
      s.bind(1, p.sensor_id).bind(2, static_cast<std::int64_t>(p.epoch)).bind(3, static_cast<std::int64_t>(p.first_sequence));
      s.bind(4, static_cast<std::int64_t>(p.last_sequence)).bind(5, static_cast<std::int64_t>(p.events)).bind(6, std::int64_t{p.shard});
      s.bind(7, p.agency_id).bind(8, p.min_ts_ns).bind(9, p.max_ts_ns).bind(10, static_cast<std::int64_t>(p.commit_no)).run();
    }
  });
}

std::vector<PendingInsert> SqliteEventStore::pendingInserts() {
  std::lock_guard lock(mutex_);
  std::vector<PendingInsert> out;
  Statement q(*this, kListPendingSql);
  while (q.step()) out.push_back(pendingRow(q));
  return out;
}

void SqliteEventStore::settlePendingInsert(const PendingInsert& p, bool landed) {
  std::lock_guard lock(mutex_);
  writeTransaction([&] {
    if (landed) {
      Statement s(*this, kLandedPendingSql);
      s.bind(1, p.sensor_id).bind(2, static_cast<std::int64_t>(p.epoch)).bind(3, static_cast<std::int64_t>(p.last_sequence));
      s.bind(4, static_cast<std::int64_t>(p.events)).run();
    }
    Statement state(*this, kSetCommitStateSql);
    state.bind(1, static_cast<std::int64_t>(landed ? CommitState::Done : CommitState::Void)).bind(2, static_cast<std::int64_t>(p.commit_no)).run();
    Statement forget(*this, kForgetPendingSql);
    forget.bind(1, p.sensor_id).bind(2, static_cast<std::int64_t>(p.epoch)).run();
  });
}

std::vector<CommitLogEntry> SqliteEventStore::commitLog(std::uint64_t after, std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<CommitLogEntry> out;
  Statement q(*this, kCommitLogSql);
  q.bind(1, static_cast<std::int64_t>(after)).bind(2, static_cast<std::int64_t>(limit));
  while (q.step()) out.push_back(CommitLogEntry{static_cast<std::uint64_t>(q.integer(0)), static_cast<CommitState>(q.integer(1)), q.integer(2)});
  return out;
}

std::uint64_t SqliteEventStore::commitTail() {
  std::lock_guard lock(mutex_);
  Statement q(*this, kCommitTailSql);
  return q.step() ? static_cast<std::uint64_t>(q.integer(0)) : 0;
}

void SqliteEventStore::setCommitTail(std::uint64_t through) {
  std::lock_guard lock(mutex_);
  Statement s(*this, kSetCommitTailSql);
  s.bind(1, static_cast<std::int64_t>(through)).run();
}

void SqliteEventStore::recordSensorStatus(const SensorIdentity& identity, const gsoc::v1::SensorStatus& status,
                                          std::int64_t received_ns) {
  std::lock_guard lock(mutex_);
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(status, &json, options);  // cannot fail for a parsed message
  Statement s(*this,
      "INSERT INTO sensors(sensor_id,agency_id,first_seen_ns,last_seen_ns,software_version,ruleset_version,clock_offset_ns,"
      "spool_depth,spool_dropped,status_json) VALUES(?,?,?,?,?,?,?,?,?,?) ON CONFLICT(sensor_id) DO UPDATE SET "
      "agency_id=excluded.agency_id, last_seen_ns=excluded.last_seen_ns, software_version=excluded.software_version, "
      "ruleset_version=excluded.ruleset_version, clock_offset_ns=excluded.clock_offset_ns, spool_depth=excluded.spool_depth, "
      "spool_dropped=excluded.spool_dropped, status_json=excluded.status_json");
  s.bind(1, identity.sensor_id).bind(2, identity.agency_id).bind(3, received_ns).bind(4, received_ns);
  s.bind(5, status.software_version()).bind(6, status.ruleset_version()).bind(7, status.clock_offset_ns());
  s.bind(8, static_cast<std::int64_t>(status.spool_depth_events())).bind(9, static_cast<std::int64_t>(status.spool_dropped_events()));
  s.bind(10, json).run();
}

void SqliteEventStore::recordRefusal(std::int64_t at_ns, const SensorIdentity& identity, std::string_view reason) {
  std::lock_guard lock(mutex_);
  Statement s(*this, "INSERT INTO refusals(at_ns,peer,agency_id,sensor_id,reason) VALUES(?,?,?,?,?)");
  s.bind(1, at_ns).bind(2, identity.peer).bind(3, identity.agency_id).bind(4, identity.sensor_id).bind(5, reason).run();
}

void SqliteEventStore::storeBlock(const SealedBlock& block) {
  insert_block_->bind(1, block.min_ts_ns).bind(2, block.max_ts_ns).bind(3, static_cast<std::int64_t>(block.events));
  insert_block_->bind(4, static_cast<std::int64_t>(block.kinds)).bind(5, static_cast<std::int64_t>(block.raw_bytes));
  insert_block_->bindBlob(6, block.payload).run();
  tail_.add(sqlite3_last_insert_rowid(db_), block.terms);
}

void SqliteEventStore::sealTermsIfFull() {
  if (tail_.blocks() < kSealBlocks) return;
  std::int64_t bucket = 1;
  {
    Statement q(*this, "SELECT COALESCE(MAX(bucket), 0) + 1 FROM event_term_buckets");
    if (q.step()) bucket = q.integer(0);
  }
  std::int64_t first = INT64_MAX;
  std::int64_t last = 0;
  std::string encoded;
  tail_.forEachRow([&](std::string_view term, const std::vector<std::int64_t>& ids) {
    first = std::min(first, ids.front());
    last = std::max(last, ids.back());
    encoded.clear();
    encodeBlockIds(ids, encoded);
    insert_term_->bind(1, term).bind(2, bucket).bindBlob(3, encoded).run();
  });
  Statement b(*this, "INSERT INTO event_term_buckets(bucket, first_block, last_block) VALUES(?,?,?)");
  b.bind(1, bucket).bind(2, first).bind(3, last).run();
  sealing_ = true;
}

void SqliteEventStore::committed() {
  if (sealing_) tail_.clear();
  else tail_.commit();
  sealing_ = false;
}

void SqliteEventStore::rolledBack() {
  tail_.rollback();
  sealing_ = false;
  for (auto* statement : {insert_block_.get(), insert_term_.get(), upsert_stream_.get(), upsert_agency_.get(), touch_sensor_.get()}) {
    statement->reset();
  }
}

std::unordered_set<std::int64_t> SqliteEventStore::blocksWithAny(const std::vector<std::string>& terms, std::int64_t first_block,
                                                                  std::int64_t last_block) {
  std::vector<std::int64_t> buckets;
  {
    Statement q(*this, "SELECT bucket FROM event_term_buckets WHERE last_block >= ? AND first_block <= ? ORDER BY bucket");
    q.bind(1, first_block).bind(2, last_block);
    while (q.step()) buckets.push_back(q.integer(0));
  }
  std::unordered_set<std::int64_t> out;
  Statement q(*this, "SELECT blocks FROM event_terms WHERE bucket = ? AND term = ?");
  for (const auto& t : terms) {
    for (const auto bucket : buckets) {
      q.bind(1, bucket).bind(2, t);
      if (q.step()) decodeBlockIds(q.blob(0), out);
      q.reset();
    }
    tail_.blocksWith(t, out);
  }
  return out;
}

void SqliteEventStore::forEachStoredEvent(std::int64_t block_id,
                                          const std::function<void(std::string_view, const gsoc::v1::Event&)>& record,
                                          std::string_view must_contain) {
  Statement q(*this, "SELECT payload FROM event_blocks WHERE id = ?");
  q.bind(1, block_id);
  if (!q.step()) return;
  gsoc::v1::Event e;
  try {
    forEachRecord(q.blob(0), scratch_, [&](std::string_view bytes) {
      // Protobuf keeps strings and addresses as raw bytes: a record without them cannot match.
      if (!must_contain.empty() && bytes.find(must_contain) == std::string_view::npos) return;
      e.Clear();
      if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) throw std::runtime_error("a record is not a gsoc.v1.Event");
      record(bytes, e);
    });
  } catch (const std::runtime_error& error) {
    throw StoreError("sqlite " + path_ + ": event block " + std::to_string(block_id) + ": " + error.what());
  }
}

void SqliteEventStore::dropBlock(std::int64_t block_id) {
  Statement del(*this, "DELETE FROM event_blocks WHERE id = ?");
  del.bind(1, block_id).run();
}

// Whole blocks before the cutoff go; the few that straddle it are rewritten with the events at
// or after it, so retention is exact at the cost of re-encoding those blocks.
std::uint64_t SqliteEventStore::deleteEventsBefore(std::int64_t cutoff_ns) {
  std::lock_guard lock(mutex_);
  std::uint64_t removed = 0;
  for (;;) {
    std::vector<std::int64_t> chunk;
    {
      Statement q(*this, "SELECT id FROM event_blocks WHERE min_ts_ns < ? ORDER BY id LIMIT 256");
      q.bind(1, cutoff_ns);
      while (q.step()) chunk.push_back(q.integer(0));
    }
    if (chunk.empty()) break;
    writeTransaction([&] {
      blocks_.clear();
      for (const std::int64_t id : chunk) {
        forEachStoredEvent(id, [&](std::string_view bytes, const gsoc::v1::Event& e) {
          if (e.timestamp_ns() >= cutoff_ns) blocks_.addStored(bytes, e);
          else ++removed;
        });
        dropBlock(id);
      }
      // Rewritten blocks start at or after the cutoff: the next round does not select them.
      blocks_.seal([this](const SealedBlock& block) { storeBlock(block); });
      sealTermsIfFull();
    });
  }
  // Buckets none of whose blocks are left: their term rows go (ids of single dropped blocks in
  // a live bucket stay listed and are skipped, as no such block exists).
  exec("DELETE FROM event_terms WHERE bucket IN (SELECT bucket FROM event_term_buckets "
       "WHERE last_block < (SELECT COALESCE(MIN(id), 9223372036854775807) FROM event_blocks))");
  exec("DELETE FROM event_term_buckets WHERE last_block < (SELECT COALESCE(MIN(id), 9223372036854775807) FROM event_blocks)");
  return removed;
}

std::uint64_t SqliteEventStore::eventCount() {
  std::lock_guard lock(mutex_);
  Statement q(*this, "SELECT COALESCE(SUM(events), 0) FROM event_blocks");
  return q.step() ? static_cast<std::uint64_t>(q.integer(0)) : 0;
}

// A store written before publications had a status column gets it, filled from the JSON.
void SqliteEventStore::migratePublicationStatus() {
  {
    Statement q(*this, "SELECT COUNT(*) FROM pragma_table_info('publications') WHERE name = 'status'");
    if (q.step() && q.integer(0) > 0) return;
  }
  writeTransaction([&] {
    exec("ALTER TABLE publications ADD COLUMN status TEXT NOT NULL DEFAULT ''");
    exec(publicationStatusBackfillSql(SqlDialect::Sqlite).c_str());
  });
}

// Chunk by chunk, each in its own transaction that also deletes the rows it moved, so a crash
// part way leaves every event stored exactly once, in one layout or the other.
void SqliteEventStore::migrateEventRows() {
  {
    Statement q(*this, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'");
    if (!q.step() || q.integer(0) == 0) return;
  }
  std::uint64_t moved = 0;
  gsoc::v1::Event e;
  for (bool more = true; more;) {
    writeTransaction([&] {
      blocks_.clear();
      std::int64_t last = -1;
      {
        Statement q(*this, "SELECT id, sensor_id, epoch, sequence, agency_id, event FROM events ORDER BY id LIMIT 20000");
        while (q.step()) {
          last = q.integer(0);
          const std::string_view blob = q.blob(5);
          e.Clear();
          if (!e.ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
            throw StoreError("sqlite " + path_ + ": event row " + std::to_string(last) + " is not a gsoc.v1.Event; not migrated");
          }
          blocks_.add(e, q.text(1), static_cast<std::uint64_t>(q.integer(2)), static_cast<std::uint64_t>(q.integer(3)), q.text(4));
          ++moved;
        }
      }
      if (last < 0) {
        exec("DROP TABLE events");
        more = false;
      } else {
        blocks_.seal([this](const SealedBlock& block) { storeBlock(block); });
        sealTermsIfFull();
        Statement del(*this, "DELETE FROM events WHERE id <= ?");
        del.bind(1, last).run();
      }
    });
  }
  std::cerr << "gsoc-collector: " << path_ << ": moved " << moved << " stored events from the row layout into blocks\n";
}

std::vector<SensorRow> SqliteEventStore::sensors() {
  std::lock_guard lock(mutex_);
  std::vector<SensorRow> rows;
  Statement q(*this, kSensorsQuery);
  while (q.step()) {
    SensorRow r;
    r.sensor_id = q.text(0);
    r.agency_id = q.text(1);
    r.first_seen_ns = q.integer(2);
    r.last_seen_ns = q.integer(3);
    r.software_version = q.text(4);
    r.ruleset_version = q.text(5);
    r.clock_offset_ns = q.integer(6);
    r.spool_depth = static_cast<std::uint64_t>(q.integer(7));
    r.spool_dropped = static_cast<std::uint64_t>(q.integer(8));
    r.events = static_cast<std::uint64_t>(q.integer(9));
    r.gap_events = static_cast<std::uint64_t>(q.integer(10));
    r.rejected_events = static_cast<std::uint64_t>(q.integer(11));
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace gsoc::collector

namespace gsoc::collector {

bool SqliteEventStore::recordHit(const StoredHit& h) {
  std::lock_guard lock(mutex_);
  Statement s(*this,
      "INSERT OR IGNORE INTO correlation_hits(rule_id,group_key,last_ns,first_ns,is_update,title,severity,events,values_json,"
      "evidence_json) VALUES(?,?,?,?,?,?,?,?,?,?)");
  s.bind(1, h.rule_id).bind(2, h.group).bind(3, h.last_ns).bind(4, h.first_ns).bind(5, h.update ? 1 : 0).bind(6, h.title);
  s.bind(7, h.severity).bind(8, static_cast<std::int64_t>(h.events)).bind(9, h.values_json).bind(10, h.evidence_json).run();
  return sqlite3_changes(db_) > 0;
}

std::int64_t SqliteEventStore::correlatorProgress() {
  std::lock_guard lock(mutex_);
  Statement q(*this, "SELECT processed_through_ns FROM correlator_state WHERE id = 1");
  return q.step() ? q.integer(0) : INT64_MIN;
}

void SqliteEventStore::setCorrelatorProgress(std::int64_t ts_ns) {
  std::lock_guard lock(mutex_);
  Statement s(*this, "INSERT INTO correlator_state(id, processed_through_ns) VALUES(1, ?) "
                     "ON CONFLICT(id) DO UPDATE SET processed_through_ns = excluded.processed_through_ns");
  s.bind(1, ts_ns).run();
}

// Candidate blocks come from the time range, the kinds mask and the term index; their events are
// checked exactly and merged across blocks into (time, block, position) order, opening a block
// only once the merge reaches its first event time, so memory holds the blocks that overlap.
void SqliteEventStore::forEachEvent(const EventQuery& query, const std::function<void(gsoc::v1::Event&&)>& visit) {
  validateQuery(query);
  std::string sql = "SELECT id, min_ts_ns FROM event_blocks WHERE max_ts_ns >= ?1 AND min_ts_ns < ?2";
  std::uint32_t kinds = 0;
  for (const auto& k : query.kinds) kinds |= kindBit(k);
  if (kinds != 0) sql += " AND (kinds & " + std::to_string(kinds) + ") != 0";  // a number we made: safe as text
  sql += " ORDER BY min_ts_ns, id";
  // Each condition with terms narrows the candidates to the blocks the term index lists for it.
  std::vector<std::vector<std::string>> conditions;
  if (!query.term.empty()) conditions.push_back({query.term});
  auto scoped = [&](const char* prefix, const auto& values) {
    if (values.empty()) return;
    auto& terms = conditions.emplace_back();
    for (const auto& v : values) {
      if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) terms.push_back(prefix + v);
      else terms.push_back(prefix + std::to_string(v));
    }
  };
  scoped("agency:", query.agencies);
  scoped("sensor:", query.sensors);
  scoped("sid:", query.sids);

  // The bytes a record must contain to carry the term: an address in its raw form.
  std::string needle = query.term;
  unsigned char raw[16];
  if (inet_pton(AF_INET, query.term.c_str(), raw) == 1) needle.assign(reinterpret_cast<const char*>(raw), 4);
  else if (inet_pton(AF_INET6, query.term.c_str(), raw) == 1) needle.assign(reinterpret_cast<const char*>(raw), 16);

  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::int64_t, std::int64_t>> candidates;  // (min_ts_ns, id)
  {
    Statement q(*this, sql.c_str());
    q.bind(1, query.since_ns).bind(2, query.until_ns);
    while (q.step()) candidates.emplace_back(q.integer(1), q.integer(0));
  }
  if (!conditions.empty() && !candidates.empty()) {
    std::int64_t first = INT64_MAX;
    std::int64_t last = INT64_MIN;
    for (const auto& c : candidates) {
      first = std::min(first, c.second);
      last = std::max(last, c.second);
    }
    std::vector<std::unordered_set<std::int64_t>> allowed;
    for (const auto& terms : conditions) allowed.push_back(blocksWithAny(terms, first, last));
    std::erase_if(candidates, [&allowed](const auto& c) {
      return !std::all_of(allowed.begin(), allowed.end(), [&c](const auto& set) { return set.contains(c.second); });
    });
  }
  using Cursor = std::tuple<std::int64_t, std::int64_t, std::size_t, std::size_t>;  // ts, block, position, slot
  std::priority_queue<Cursor, std::vector<Cursor>, std::greater<>> merge;
  std::vector<std::vector<gsoc::v1::Event>> slots;
  std::vector<std::size_t> free_slots;
  std::uint64_t left = query.limit == 0 ? UINT64_MAX : query.limit;
  std::size_t next = 0;
  while (left != 0) {
    while (next < candidates.size() && (merge.empty() || candidates[next].first <= std::get<0>(merge.top()))) {
      const std::int64_t id = candidates[next++].second;
      std::size_t slot = slots.size();
      if (!free_slots.empty()) {
        slot = free_slots.back();
        free_slots.pop_back();
      } else {
        slots.emplace_back();
      }
      auto& events = slots[slot];
      forEachStoredEvent(
          id, [&](std::string_view, const gsoc::v1::Event& e) {
            if (eventMatches(query, e)) events.push_back(e);
          },
          needle);
      if (events.empty()) free_slots.push_back(slot);
      else merge.emplace(events.front().timestamp_ns(), id, 0, slot);
    }
    if (merge.empty()) break;
    const Cursor top = merge.top();
    merge.pop();
    const std::size_t position = std::get<2>(top);
    auto& events = slots[std::get<3>(top)];
    if (position + 1 < events.size()) merge.emplace(events[position + 1].timestamp_ns(), std::get<1>(top), position + 1, std::get<3>(top));
    visit(std::move(events[position]));
    --left;
    if (position + 1 == events.size()) {
      events.clear();
      free_slots.push_back(std::get<3>(top));
    }
  }
}

std::vector<EventCount> SqliteEventStore::countEvents(const EventQuery& query, std::span<const EventDimension> by) {
  return countByVisiting([&](const std::function<void(gsoc::v1::Event&&)>& visit) { forEachEvent(query, visit); }, by);
}

}  // namespace gsoc::collector

namespace gsoc::collector {

void SqliteEventStore::upsertPublication(const Publication& p) {
  std::lock_guard lock(mutex_);
  Statement s(*this,
      "INSERT INTO publications(kind,id,number,campaign_id,agency_id,updated_ns,json,status) VALUES(?,?,?,?,?,?,?,?) "
      "ON CONFLICT(kind,id) DO UPDATE SET number=excluded.number, campaign_id=excluded.campaign_id, "
      "agency_id=excluded.agency_id, updated_ns=excluded.updated_ns, json=excluded.json, status=excluded.status");
  s.bind(1, p.kind).bind(2, p.id).bind(3, p.number).bind(4, p.campaign_id).bind(5, p.agency_id).bind(6, p.updated_ns).bind(7, p.json)
      .bind(8, p.status).run();
}

std::optional<Publication> SqliteEventStore::publication(const std::string& kind, const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement q(*this, "SELECT number, campaign_id, agency_id, updated_ns, json, status FROM publications WHERE kind = ? AND id = ?");
  q.bind(1, kind).bind(2, id);
  if (!q.step()) return std::nullopt;
  return Publication{kind, id, q.text(0), q.text(1), q.text(2), q.integer(3), q.text(4), q.text(5)};
}

std::uint64_t SqliteEventStore::publicationCount(const std::string& kind, const std::string& number_prefix) {
  std::lock_guard lock(mutex_);
  Statement q(*this, "SELECT COUNT(*) FROM publications WHERE kind = ? AND substr(number, 1, length(?)) = ?");
  q.bind(1, kind).bind(2, number_prefix).bind(3, number_prefix);
  return q.step() ? static_cast<std::uint64_t>(q.integer(0)) : 0;
}

void SqliteEventStore::bindAll(Statement& q, const SqlQuery& sql) {
  int at = 1;
  for (const auto& p : sql.params) {
    if (const auto* text = std::get_if<std::string>(&p)) q.bind(at++, *text);
    else q.bind(at++, std::get<std::int64_t>(p));
  }
}

std::vector<Publication> SqliteEventStore::selectPublications(const PublicationQuery& query) {
  const SqlQuery sql = publicationSelectSql(query, SqlDialect::Sqlite);
  std::lock_guard lock(mutex_);
  Statement q(*this, sql.sql.c_str());
  bindAll(q, sql);
  std::vector<Publication> out;
  while (q.step()) out.push_back(Publication{q.text(0), q.text(1), q.text(2), q.text(3), q.text(4), q.integer(5), q.text(6), q.text(7)});
  return out;
}

std::vector<PublicationTally> SqliteEventStore::tallyPublications(const std::string& kind) {
  const SqlQuery sql = publicationTallySql(kind, SqlDialect::Sqlite);
  std::lock_guard lock(mutex_);
  Statement q(*this, sql.sql.c_str());
  bindAll(q, sql);
  std::vector<PublicationTally> out;
  while (q.step()) out.push_back(PublicationTally{q.text(0), q.text(1), static_cast<std::uint64_t>(q.integer(2))});
  return out;
}

}  // namespace gsoc::collector
