#include "collector/store/SqliteEventStore.hpp"

#include <sqlite3.h>

#include <google/protobuf/util/json_util.h>

#include "collector/store/EventColumns.hpp"
#include "collector/store/EventQuerySql.hpp"
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
  // The four event indexes are written at random positions on every commit: with SQLite's 2 MiB
  // default cache most of those pages are re-read from the file (measured: 53k -> 75k events/s
  // with 256 MiB, gsoc_bench_transport).
  exec("PRAGMA cache_size=-262144");
  exec(schemaSql(SqlDialect::Sqlite).c_str());
  insert_event_ = std::make_unique<Statement>(*this,
      "INSERT INTO events(agency_id,sensor_id,epoch,sequence,ts_ns,received_ns,kind,sid,severity,src_ip,src_port,dst_ip,"
      "dst_port,ip_proto,app_proto,community_id,indicator,event) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  upsert_stream_ = std::make_unique<Statement>(*this,
      "INSERT INTO streams(sensor_id,epoch,acked_through,events,gap_events,rejected_events) VALUES(?,?,?,?,?,?) "
      "ON CONFLICT(sensor_id,epoch) DO UPDATE SET acked_through=excluded.acked_through, events=events+excluded.events, "
      "gap_events=gap_events+excluded.gap_events, rejected_events=rejected_events+excluded.rejected_events");
  upsert_agency_ = std::make_unique<Statement>(*this, "INSERT OR IGNORE INTO agencies(agency_id,first_seen_ns) VALUES(?,?)");
  touch_sensor_ = std::make_unique<Statement>(*this,
      "INSERT INTO sensors(sensor_id,agency_id,first_seen_ns,last_seen_ns) VALUES(?,?,?,?) "
      "ON CONFLICT(sensor_id) DO UPDATE SET last_seen_ns=MAX(last_seen_ns,excluded.last_seen_ns), agency_id=excluded.agency_id");
}

SqliteEventStore::~SqliteEventStore() {
  insert_event_.reset();
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

void SqliteEventStore::commit(std::span<const CommitBatch> batches) {
  std::lock_guard lock(mutex_);
  exec("BEGIN IMMEDIATE");
  try {
    EventColumns columns;
    std::string blob;
    for (const CommitBatch& b : batches) {
      const SensorIdentity& who = *b.identity;
      const auto& events = b.batch->events();
      if (!b.rejected) {
        for (int i = b.skip; i < events.size(); ++i) {
          const gsoc::v1::Event& e = events[i];
          deriveColumns(e, columns);
          blob.clear();
          e.SerializeToString(&blob);
          Statement& s = *insert_event_;
          s.bind(1, who.agency_id).bind(2, who.sensor_id).bind(3, static_cast<std::int64_t>(b.batch->epoch()));
          s.bind(4, static_cast<std::int64_t>(b.batch->first_sequence()) + i).bind(5, e.timestamp_ns()).bind(6, b.received_ns);
          s.bind(7, columns.kind);
          if (columns.sid >= 0) s.bind(8, columns.sid); else s.bindNull(8);
          s.bind(9, columns.severity).bindOrNull(10, columns.src_ip).bind(11, e.tuple().src_port()).bindOrNull(12, columns.dst_ip);
          s.bind(13, e.tuple().dst_port()).bind(14, e.tuple().ip_proto()).bindOrNull(15, e.app_proto()).bindOrNull(16, e.community_id());
          s.bindOrNull(17, columns.indicator).bindBlob(18, blob);
          s.run();
        }
      }
    }
    for (const StreamUpdate& u : foldStreams(batches)) {
      const SensorIdentity& who = *u.identity;
      upsert_stream_->bind(1, who.sensor_id).bind(2, static_cast<std::int64_t>(u.epoch));
      upsert_stream_->bind(3, static_cast<std::int64_t>(u.acked_through)).bind(4, u.events);
      upsert_stream_->bind(5, u.gap_events).bind(6, u.rejected_events);
      upsert_stream_->run();
      upsert_agency_->bind(1, who.agency_id).bind(2, u.received_ns).run();
      touch_sensor_->bind(1, who.sensor_id).bind(2, who.agency_id).bind(3, u.received_ns).bind(4, u.received_ns).run();
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    insert_event_->reset();
    upsert_stream_->reset();
    upsert_agency_->reset();
    touch_sensor_->reset();
    throw;
  }
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

std::uint64_t SqliteEventStore::deleteEventsBefore(std::int64_t cutoff_ns) {
  std::lock_guard lock(mutex_);
  Statement s(*this, "DELETE FROM events WHERE ts_ns < ?");
  s.bind(1, cutoff_ns).run();
  return static_cast<std::uint64_t>(sqlite3_changes64(db_));
}

std::uint64_t SqliteEventStore::eventCount() {
  std::lock_guard lock(mutex_);
  Statement q(*this, "SELECT COUNT(*) FROM events");
  return q.step() ? static_cast<std::uint64_t>(q.integer(0)) : 0;
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

void SqliteEventStore::visitEvents(Statement& q, const std::function<void(gsoc::v1::Event&&)>& visit) {
  while (q.step()) {
    gsoc::v1::Event e;
    const std::string_view blob = q.blob(4);
    if (!e.ParseFromArray(blob.data(), static_cast<int>(blob.size()))) continue;  // written by this collector; cannot fail
    e.set_sensor_id(q.text(0));
    e.set_agency_id(q.text(3));
    e.set_event_id(q.text(0) + ":" + q.text(1) + ":" + q.text(2));
    visit(std::move(e));
  }
}

void SqliteEventStore::forEachEvent(const EventQuery& query, const std::function<void(gsoc::v1::Event&&)>& visit) {
  const SqlQuery sql = eventSelectSql(query, SqlDialect::Sqlite);
  std::lock_guard lock(mutex_);
  Statement q(*this, sql.sql.c_str());
  bindAll(q, sql);
  if (query.term.empty()) {
    visitEvents(q, visit);
    return;
  }
  std::uint64_t left = query.limit == 0 ? UINT64_MAX : query.limit;
  visitEvents(q, [&](gsoc::v1::Event&& e) {
    if (left != 0 && eventCarries(e, query.term)) {
      --left;
      visit(std::move(e));
    }
  });
}

std::vector<EventCount> SqliteEventStore::countEvents(const EventQuery& query, std::span<const EventDimension> by) {
  if (!query.term.empty()) {
    return countByVisiting([&](const std::function<void(gsoc::v1::Event&&)>& visit) { forEachEvent(query, visit); }, by);
  }
  const SqlQuery sql = eventCountSql(query, by, SqlDialect::Sqlite);
  std::lock_guard lock(mutex_);
  Statement q(*this, sql.sql.c_str());
  bindAll(q, sql);
  std::vector<EventCount> out;
  const int n = static_cast<int>(by.size());
  while (q.step()) {
    EventCount c;
    for (int i = 0; i < n; ++i) c.key.push_back(q.text(i));
    c.events = static_cast<std::uint64_t>(q.integer(n));
    out.push_back(std::move(c));
  }
  return out;
}

void SqliteEventStore::bindAll(Statement& q, const SqlQuery& sql) {
  for (std::size_t i = 0; i < sql.params.size(); ++i) {
    std::visit([&](const auto& v) { q.bind(static_cast<int>(i + 1), v); }, sql.params[i]);
  }
}

}  // namespace gsoc::collector

namespace gsoc::collector {

void SqliteEventStore::upsertPublication(const Publication& p) {
  std::lock_guard lock(mutex_);
  Statement s(*this,
      "INSERT INTO publications(kind,id,number,campaign_id,agency_id,updated_ns,json) VALUES(?,?,?,?,?,?,?) "
      "ON CONFLICT(kind,id) DO UPDATE SET number=excluded.number, campaign_id=excluded.campaign_id, "
      "agency_id=excluded.agency_id, updated_ns=excluded.updated_ns, json=excluded.json");
  s.bind(1, p.kind).bind(2, p.id).bind(3, p.number).bind(4, p.campaign_id).bind(5, p.agency_id).bind(6, p.updated_ns).bind(7, p.json).run();
}

std::optional<Publication> SqliteEventStore::publication(const std::string& kind, const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement q(*this, "SELECT number, campaign_id, agency_id, updated_ns, json FROM publications WHERE kind = ? AND id = ?");
  q.bind(1, kind).bind(2, id);
  if (!q.step()) return std::nullopt;
  return Publication{kind, id, q.text(0), q.text(1), q.text(2), q.integer(3), q.text(4)};
}

std::uint64_t SqliteEventStore::publicationCount(const std::string& kind, const std::string& number_prefix) {
  std::lock_guard lock(mutex_);
  Statement q(*this, "SELECT COUNT(*) FROM publications WHERE kind = ? AND substr(number, 1, length(?)) = ?");
  q.bind(1, kind).bind(2, number_prefix).bind(3, number_prefix);
  return q.step() ? static_cast<std::uint64_t>(q.integer(0)) : 0;
}

std::vector<Publication> SqliteEventStore::publications(std::int64_t updated_since_ns) {
  std::lock_guard lock(mutex_);
  Statement q(*this, kPublicationsSinceQuery);
  q.bind(1, updated_since_ns);
  std::vector<Publication> out;
  while (q.step()) out.push_back(Publication{q.text(0), q.text(1), q.text(2), q.text(3), q.text(4), q.integer(5), q.text(6)});
  return out;
}

}  // namespace gsoc::collector
