#include "collector/store/PostgresEventStore.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <map>

#include <google/protobuf/util/json_util.h>

#include "collector/store/EventColumns.hpp"
#include "collector/store/EventQuerySql.hpp"
#include "collector/store/StoreSchema.hpp"
#include "collector/store/StreamUpdate.hpp"
#include "gsoc/v1/ingest.pb.h"
#include "gsoc/v1/status.pb.h"

namespace gsoc::collector {
namespace {


// COPY text format: backslash, tab, newline and carriage return are escaped; NULL is \N.
void copyText(std::string& out, std::string_view v) {
  for (const char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out.push_back(c);
    }
  }
}
void copyTextOrNull(std::string& out, std::string_view v) {
  if (v.empty()) out += "\\N";
  else copyText(out, v);
}
void copyBytea(std::string& out, std::string_view v) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\\\x";  // the bytea hex prefix \x, its backslash escaped for COPY
  for (const char c : v) {
    out.push_back(kHex[(static_cast<unsigned char>(c) >> 4) & 0xf]);
    out.push_back(kHex[static_cast<unsigned char>(c) & 0xf]);
  }
}

}  // namespace

// A PGresult, cleared on destruction.
class PostgresEventStore::Result {
 public:
  explicit Result(PGresult* r) : r_(r) {}
  ~Result() { PQclear(r_); }
  Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  [[nodiscard]] ExecStatusType status() const { return PQresultStatus(r_); }
  [[nodiscard]] std::string error() const { return PQresultErrorMessage(r_); }
  [[nodiscard]] int rows() const { return PQntuples(r_); }
  [[nodiscard]] std::string text(int row, int col) const { return PQgetvalue(r_, row, col); }
  [[nodiscard]] std::int64_t integer(int row, int col) const { return std::stoll(PQgetvalue(r_, row, col)); }
  [[nodiscard]] std::uint64_t affected() const { return std::stoull(PQcmdTuples(r_)[0] != '\0' ? PQcmdTuples(r_) : "0"); }

 private:
  PGresult* r_;
};

PostgresEventStore::PostgresEventStore(std::string dsn) : dsn_(std::move(dsn)) {
  conn_ = PQconnectdb(dsn_.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string message = PQerrorMessage(conn_);
    PQfinish(conn_);
    conn_ = nullptr;
    throw StoreError("postgresql '" + dsn_ + "': cannot connect: " + message);
  }
  exec("SET client_min_messages = warning");
  exec(schemaSql(SqlDialect::Postgres));
  // A database written before publications had a status column gets it, filled from the JSON.
  if (exec("SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'publications' AND column_name = 'status' "
           "AND table_schema = current_schema()").integer(0, 0) == 0) {
    exec("BEGIN");
    try {
      exec("ALTER TABLE publications ADD COLUMN status TEXT NOT NULL DEFAULT ''");
      exec(publicationStatusBackfillSql(SqlDialect::Postgres));
      exec("COMMIT");
    } catch (const StoreError&) {
      exec("ROLLBACK");
      throw;
    }
  }
  exec(kPublicationIndexesSql);
}

PostgresEventStore::~PostgresEventStore() { PQfinish(conn_); }

std::string PostgresEventStore::describe() const { return "postgresql " + dsn_; }

PostgresEventStore::Result PostgresEventStore::exec(const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  Result r(params.empty() ? PQexec(conn_, sql.c_str())
                          : PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
  if (r.status() != PGRES_COMMAND_OK && r.status() != PGRES_TUPLES_OK) {
    throw StoreError("postgresql: " + r.error() + " (in: " + sql.substr(0, 60) + ")");
  }
  return r;
}

std::map<StreamKey, std::uint64_t> PostgresEventStore::streamMarks() {
  std::lock_guard lock(mutex_);
  std::map<StreamKey, std::uint64_t> marks;
  Result r = exec("SELECT sensor_id, epoch, acked_through FROM streams");
  for (int i = 0; i < r.rows(); ++i) marks[StreamKey{r.text(i, 0), std::stoull(r.text(i, 1))}] = static_cast<std::uint64_t>(r.integer(i, 2));
  return marks;
}

void PostgresEventStore::copyEvents(std::span<const CommitBatch> batches) {
  Result start(PQexec(conn_,
                      "COPY events(agency_id,sensor_id,epoch,sequence,ts_ns,received_ns,kind,sid,severity,src_ip,src_port,dst_ip,"
                      "dst_port,ip_proto,app_proto,community_id,indicator,event) FROM STDIN"));
  if (start.status() != PGRES_COPY_IN) throw StoreError("postgresql: COPY refused: " + start.error());
  std::string rows;
  EventColumns columns;
  std::string blob;
  auto flushRows = [&] {
    if (!rows.empty() && PQputCopyData(conn_, rows.data(), static_cast<int>(rows.size())) != 1) {
      throw StoreError("postgresql: COPY failed: " + std::string(PQerrorMessage(conn_)));
    }
    rows.clear();
  };
  for (const CommitBatch& b : batches) {
    if (b.rejected || b.events_elsewhere) continue;
    const auto& events = b.batch->events();
    for (int i = b.skip; i < events.size(); ++i) {
      const gsoc::v1::Event& e = events[i];
      deriveColumns(e, columns);
      blob.clear();
      e.SerializeToString(&blob);
      copyText(rows, b.identity->agency_id);
      rows += '\t';
      copyText(rows, b.identity->sensor_id);
      rows += '\t' + std::to_string(b.batch->epoch()) + '\t' + std::to_string(b.batch->first_sequence() + static_cast<std::uint64_t>(i)) +
              '\t' + std::to_string(e.timestamp_ns()) + '\t' + std::to_string(b.received_ns) + '\t' + columns.kind + '\t' +
              (columns.sid >= 0 ? std::to_string(columns.sid) : std::string("\\N")) + '\t' + std::to_string(columns.severity) + '\t';
      copyTextOrNull(rows, columns.src_ip);
      rows += '\t' + std::to_string(e.tuple().src_port()) + '\t';
      copyTextOrNull(rows, columns.dst_ip);
      rows += '\t' + std::to_string(e.tuple().dst_port()) + '\t' + std::to_string(e.tuple().ip_proto()) + '\t';
      copyTextOrNull(rows, e.app_proto());
      rows += '\t';
      copyTextOrNull(rows, e.community_id());
      rows += '\t';
      copyTextOrNull(rows, columns.indicator);
      rows += '\t';
      copyBytea(rows, blob);
      rows += '\n';
      if (rows.size() > (1U << 20)) flushRows();
    }
  }
  flushRows();
  if (PQputCopyEnd(conn_, nullptr) != 1) throw StoreError("postgresql: COPY end failed: " + std::string(PQerrorMessage(conn_)));
  Result done(PQgetResult(conn_));
  if (done.status() != PGRES_COMMAND_OK) throw StoreError("postgresql: COPY failed: " + done.error());
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
}

template <typename Body>
void PostgresEventStore::transaction(Body&& body) {
  exec("BEGIN");
  try {
    body();
    exec("COMMIT");
  } catch (...) {
    PQclear(PQexec(conn_, "ROLLBACK"));
    throw;
  }
}

void PostgresEventStore::commit(std::span<const CommitBatch> batches) {
  std::lock_guard lock(mutex_);
  transaction([&] {
    copyEvents(batches);
    const bool settles = std::any_of(batches.begin(), batches.end(), [](const CommitBatch& b) { return b.events_elsewhere; });
    for (const std::uint64_t n : commitNumbers(batches)) {
      exec(kSetCommitStateSql, {std::to_string(static_cast<int>(CommitState::Done)), std::to_string(n)});
    }
    for (const StreamUpdate& u : foldStreams(batches)) {
      if (settles) exec(kForgetPendingSql, {u.identity->sensor_id, std::to_string(u.epoch)});
      exec("INSERT INTO streams(sensor_id,epoch,acked_through,events,gap_events,rejected_events) VALUES($1,$2,$3,$4,$5,$6) "
           "ON CONFLICT(sensor_id,epoch) DO UPDATE SET acked_through=excluded.acked_through, events=streams.events+excluded.events, "
           "gap_events=streams.gap_events+excluded.gap_events, rejected_events=streams.rejected_events+excluded.rejected_events",
           {u.identity->sensor_id, std::to_string(u.epoch), std::to_string(u.acked_through), std::to_string(u.events),
            std::to_string(u.gap_events), std::to_string(u.rejected_events)});
      exec("INSERT INTO agencies(agency_id,first_seen_ns) VALUES($1,$2) ON CONFLICT DO NOTHING",
           {u.identity->agency_id, std::to_string(u.received_ns)});
      exec("INSERT INTO sensors(sensor_id,agency_id,first_seen_ns,last_seen_ns) VALUES($1,$2,$3,$3) ON CONFLICT(sensor_id) DO UPDATE "
           "SET last_seen_ns=GREATEST(sensors.last_seen_ns,excluded.last_seen_ns), agency_id=excluded.agency_id",
           {u.identity->sensor_id, u.identity->agency_id, std::to_string(u.received_ns)});
    }
  });
}

namespace {

// A stream's session lock key: FNV-1a of "sensor:epoch" as a signed 64-bit advisory lock id (a
// collision only makes two streams wait for each other).
std::int64_t streamLockKey(const StreamKey& k) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : k.sensor_id + ":" + std::to_string(k.epoch)) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return static_cast<std::int64_t>(h);
}

}  // namespace

PendingInsert PostgresEventStore::pendingRow(const Result& r, int i) {
  return PendingInsert{r.text(i, 0), std::stoull(r.text(i, 1)), static_cast<std::uint64_t>(r.integer(i, 2)),
                       static_cast<std::uint64_t>(r.integer(i, 3)), static_cast<std::uint64_t>(r.integer(i, 4)),
                       static_cast<int>(r.integer(i, 5)), r.text(i, 6), r.integer(i, 7), r.integer(i, 8),
                       static_cast<std::uint64_t>(r.integer(i, 9))};
}

StreamClaim PostgresEventStore::claimStreams(std::span<const StreamKey> keys) {
  std::lock_guard lock(mutex_);
  // Session locks, taken in key order so two front-ends claiming overlapping sets cannot
  // deadlock; held across the insert into the other store, and released by releaseStreams() or
  // by the session's end when this process dies.
  std::vector<std::int64_t> ids;
  for (const StreamKey& k : keys) ids.push_back(streamLockKey(k));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (const std::int64_t id : ids) {
    exec("SELECT pg_advisory_lock($1)", {std::to_string(id)});
    held_locks_.push_back(id);
  }
  StreamClaim claim;
  for (const StreamKey& k : keys) {
    Result r = exec(kStreamMarkSql, {k.sensor_id, std::to_string(k.epoch)});
    claim.marks[k] = r.rows() > 0 ? static_cast<std::uint64_t>(r.integer(0, 0)) : 0;
    Result p = exec(kStreamPendingSql, {k.sensor_id, std::to_string(k.epoch)});
    for (int i = 0; i < p.rows(); ++i) claim.pending.push_back(pendingRow(p, i));
  }
  return claim;
}

void PostgresEventStore::releaseStreams() {
  std::lock_guard lock(mutex_);
  for (const std::int64_t id : held_locks_) exec("SELECT pg_advisory_unlock($1)", {std::to_string(id)});
  held_locks_.clear();
}

void PostgresEventStore::recordPendingInserts(std::span<PendingInsert> inserts) {
  std::lock_guard lock(mutex_);
  transaction([&] {
    // Numbers become visible in number order (the lock is held to this transaction's end), so a
    // tail that has seen number N will never find a smaller one appear later.
    exec("LOCK TABLE commit_log IN EXCLUSIVE MODE");
    std::map<int, std::uint64_t> numbers;  // one commit number per shard
    for (PendingInsert& p : inserts) {
      auto [it, fresh] = numbers.try_emplace(p.shard, 0);
      if (fresh) it->second = static_cast<std::uint64_t>(exec(kNewCommitSql, {std::to_string(nowNs())}).integer(0, 0));
      p.commit_no = it->second;
      exec(kRecordPendingSql, {p.sensor_id, std::to_string(p.epoch), std::to_string(p.first_sequence), std::to_string(p.last_sequence),
                               std::to_string(p.events), std::to_string(p.shard), p.agency_id, std::to_string(p.min_ts_ns),
                               std::to_string(p.max_ts_ns), std::to_string(p.commit_no)});
    }
  });
}

std::vector<PendingInsert> PostgresEventStore::pendingInserts() {
  std::lock_guard lock(mutex_);
  std::vector<PendingInsert> out;
  Result r = exec(kListPendingSql);
  for (int i = 0; i < r.rows(); ++i) out.push_back(pendingRow(r, i));
  return out;
}

void PostgresEventStore::settlePendingInsert(const PendingInsert& p, bool landed) {
  std::lock_guard lock(mutex_);
  transaction([&] {
    if (landed) exec(kLandedPendingSql, {p.sensor_id, std::to_string(p.epoch), std::to_string(p.last_sequence), std::to_string(p.events)});
    exec(kSetCommitStateSql, {std::to_string(static_cast<int>(landed ? CommitState::Done : CommitState::Void)), std::to_string(p.commit_no)});
    exec(kForgetPendingSql, {p.sensor_id, std::to_string(p.epoch)});
  });
}

std::vector<CommitLogEntry> PostgresEventStore::commitLog(std::uint64_t after, std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<CommitLogEntry> out;
  Result r = exec(kCommitLogSql, {std::to_string(after), std::to_string(limit)});
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(CommitLogEntry{static_cast<std::uint64_t>(r.integer(i, 0)), static_cast<CommitState>(r.integer(i, 1)), r.integer(i, 2)});
  }
  return out;
}

std::uint64_t PostgresEventStore::commitTail() {
  std::lock_guard lock(mutex_);
  Result r = exec(kCommitTailSql);
  return r.rows() > 0 ? static_cast<std::uint64_t>(r.integer(0, 0)) : 0;
}

void PostgresEventStore::setCommitTail(std::uint64_t through) {
  std::lock_guard lock(mutex_);
  exec(kSetCommitTailSql, {std::to_string(through)});
}

void PostgresEventStore::recordSensorStatus(const SensorIdentity& identity, const gsoc::v1::SensorStatus& status,
                                            std::int64_t received_ns) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(status, &json, options);  // cannot fail for a parsed message
  std::lock_guard lock(mutex_);
  exec("INSERT INTO sensors(sensor_id,agency_id,first_seen_ns,last_seen_ns,software_version,ruleset_version,clock_offset_ns,"
       "spool_depth,spool_dropped,status_json) VALUES($1,$2,$3,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT(sensor_id) DO UPDATE SET "
       "agency_id=excluded.agency_id, last_seen_ns=excluded.last_seen_ns, software_version=excluded.software_version, "
       "ruleset_version=excluded.ruleset_version, clock_offset_ns=excluded.clock_offset_ns, spool_depth=excluded.spool_depth, "
       "spool_dropped=excluded.spool_dropped, status_json=excluded.status_json",
       {identity.sensor_id, identity.agency_id, std::to_string(received_ns), status.software_version(), status.ruleset_version(),
        std::to_string(status.clock_offset_ns()), std::to_string(status.spool_depth_events()),
        std::to_string(status.spool_dropped_events()), json});
}

void PostgresEventStore::recordRefusal(std::int64_t at_ns, const SensorIdentity& identity, std::string_view reason) {
  std::lock_guard lock(mutex_);
  exec("INSERT INTO refusals(at_ns,peer,agency_id,sensor_id,reason) VALUES($1,$2,$3,$4,$5)",
       {std::to_string(at_ns), identity.peer, identity.agency_id, identity.sensor_id, std::string(reason)});
}

std::uint64_t PostgresEventStore::deleteEventsBefore(std::int64_t cutoff_ns) {
  std::lock_guard lock(mutex_);
  return exec("DELETE FROM events WHERE ts_ns < $1", {std::to_string(cutoff_ns)}).affected();
}

std::uint64_t PostgresEventStore::eventCount() {
  std::lock_guard lock(mutex_);
  return static_cast<std::uint64_t>(exec("SELECT COUNT(*) FROM events").integer(0, 0));
}

std::vector<SensorRow> PostgresEventStore::sensors() {
  std::lock_guard lock(mutex_);
  Result r = exec(kSensorsQuery);
  std::vector<SensorRow> rows;
  for (int i = 0; i < r.rows(); ++i) {
    SensorRow row;
    row.sensor_id = r.text(i, 0);
    row.agency_id = r.text(i, 1);
    row.first_seen_ns = r.integer(i, 2);
    row.last_seen_ns = r.integer(i, 3);
    row.software_version = r.text(i, 4);
    row.ruleset_version = r.text(i, 5);
    row.clock_offset_ns = r.integer(i, 6);
    row.spool_depth = static_cast<std::uint64_t>(r.integer(i, 7));
    row.spool_dropped = static_cast<std::uint64_t>(r.integer(i, 8));
    row.events = static_cast<std::uint64_t>(r.integer(i, 9));
    row.gap_events = static_cast<std::uint64_t>(r.integer(i, 10));
    row.rejected_events = static_cast<std::uint64_t>(r.integer(i, 11));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace gsoc::collector

namespace gsoc::collector {

bool PostgresEventStore::recordHit(const StoredHit& h) {
  std::lock_guard lock(mutex_);
  return exec("INSERT INTO correlation_hits(rule_id,group_key,last_ns,first_ns,is_update,title,severity,events,values_json,"
              "evidence_json) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING",
              {h.rule_id, h.group, std::to_string(h.last_ns), std::to_string(h.first_ns), h.update ? "1" : "0", h.title, h.severity,
               std::to_string(h.events), h.values_json, h.evidence_json})
             .affected() > 0;
}

std::int64_t PostgresEventStore::correlatorProgress() {
  std::lock_guard lock(mutex_);
  Result r = exec("SELECT processed_through_ns FROM correlator_state WHERE id = 1");
  return r.rows() > 0 ? r.integer(0, 0) : INT64_MIN;
}

void PostgresEventStore::setCorrelatorProgress(std::int64_t ts_ns) {
  std::lock_guard lock(mutex_);
  exec("INSERT INTO correlator_state(id, processed_through_ns) VALUES(1, $1) "
       "ON CONFLICT(id) DO UPDATE SET processed_through_ns = excluded.processed_through_ns",
       {std::to_string(ts_ns)});
}

void PostgresEventStore::visitEvents(const char* query, const std::vector<std::string>& params,
                                     const std::function<void(gsoc::v1::Event&&)>& visit) {
  std::lock_guard lock(mutex_);
  // Text results: the bytea column arrives hex-escaped.
  Result r = exec(query, params);
  for (int i = 0; i < r.rows(); ++i) {
    std::size_t n = 0;
    unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(r.text(i, 4).c_str()), &n);
    gsoc::v1::Event e;
    const bool ok = raw != nullptr && e.ParseFromArray(raw, static_cast<int>(n));
    PQfreemem(raw);
    if (!ok) continue;
    e.set_sensor_id(r.text(i, 0));
    e.set_agency_id(r.text(i, 3));
    e.set_event_id(r.text(i, 0) + ":" + r.text(i, 1) + ":" + r.text(i, 2));
    visit(std::move(e));
  }
}

namespace {

std::vector<std::string> textParams(const SqlQuery& sql) {
  std::vector<std::string> out;
  for (const auto& p : sql.params) {
    out.push_back(std::holds_alternative<std::string>(p) ? std::get<std::string>(p) : std::to_string(std::get<std::int64_t>(p)));
  }
  return out;
}

}  // namespace

void PostgresEventStore::forEachEvent(const EventQuery& query, const std::function<void(gsoc::v1::Event&&)>& visit) {
  const SqlQuery sql = eventSelectSql(query, SqlDialect::Postgres);
  if (query.term.empty()) {
    visitEvents(sql.sql.c_str(), textParams(sql), visit);
    return;
  }
  std::uint64_t left = query.limit == 0 ? UINT64_MAX : query.limit;
  visitEvents(sql.sql.c_str(), textParams(sql), [&](gsoc::v1::Event&& e) {
    if (left != 0 && eventCarries(e, query.term)) {
      --left;
      visit(std::move(e));
    }
  });
}

std::vector<EventCount> PostgresEventStore::countEvents(const EventQuery& query, std::span<const EventDimension> by) {
  if (!query.term.empty()) {
    return countByVisiting([&](const std::function<void(gsoc::v1::Event&&)>& visit) { forEachEvent(query, visit); }, by);
  }
  const SqlQuery sql = eventCountSql(query, by, SqlDialect::Postgres);
  std::lock_guard lock(mutex_);
  Result r = exec(sql.sql, textParams(sql));
  std::vector<EventCount> out;
  const int n = static_cast<int>(by.size());
  for (int i = 0; i < r.rows(); ++i) {
    EventCount c;
    for (int j = 0; j < n; ++j) c.key.push_back(r.text(i, j));
    c.events = std::stoull(r.text(i, n));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace gsoc::collector

namespace gsoc::collector {

void PostgresEventStore::upsertPublication(const Publication& p) {
  std::lock_guard lock(mutex_);
  exec("INSERT INTO publications(kind,id,number,campaign_id,agency_id,updated_ns,json,status) VALUES($1,$2,$3,$4,$5,$6,$7,$8) "
       "ON CONFLICT(kind,id) DO UPDATE SET number=excluded.number, campaign_id=excluded.campaign_id, "
       "agency_id=excluded.agency_id, updated_ns=excluded.updated_ns, json=excluded.json, status=excluded.status",
       {p.kind, p.id, p.number, p.campaign_id, p.agency_id, std::to_string(p.updated_ns), p.json, p.status});
}

std::optional<Publication> PostgresEventStore::publication(const std::string& kind, const std::string& id) {
  std::lock_guard lock(mutex_);
  Result r = exec("SELECT number, campaign_id, agency_id, updated_ns, json, status FROM publications WHERE kind = $1 AND id = $2", {kind, id});
  if (r.rows() == 0) return std::nullopt;
  return Publication{kind, id, r.text(0, 0), r.text(0, 1), r.text(0, 2), r.integer(0, 3), r.text(0, 4), r.text(0, 5)};
}

std::uint64_t PostgresEventStore::publicationCount(const std::string& kind, const std::string& number_prefix) {
  std::lock_guard lock(mutex_);
  return static_cast<std::uint64_t>(
      exec("SELECT COUNT(*) FROM publications WHERE kind = $1 AND starts_with(number, $2)", {kind, number_prefix}).integer(0, 0));
}

std::vector<Publication> PostgresEventStore::selectPublications(const PublicationQuery& query) {
  const SqlQuery sql = publicationSelectSql(query, SqlDialect::Postgres);
  std::lock_guard lock(mutex_);
  Result r = exec(sql.sql, textParams(sql));
  std::vector<Publication> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(Publication{r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.integer(i, 5), r.text(i, 6), r.text(i, 7)});
  }
  return out;
}

std::vector<PublicationTally> PostgresEventStore::tallyPublications(const std::string& kind) {
  const SqlQuery sql = publicationTallySql(kind, SqlDialect::Postgres);
  std::lock_guard lock(mutex_);
  Result r = exec(sql.sql, textParams(sql));
  std::vector<PublicationTally> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(PublicationTally{r.text(i, 0), r.text(i, 1), static_cast<std::uint64_t>(r.integer(i, 2))});
  return out;
}

}  // namespace gsoc::collector
