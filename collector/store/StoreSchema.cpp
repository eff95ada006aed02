#include "collector/store/StoreSchema.hpp"

#include <stdexcept>

#include <arpa/inet.h>

namespace gsoc::collector {
namespace {

constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS agencies(
  agency_id TEXT PRIMARY KEY,
  first_seen_ns @INT NOT NULL);
CREATE TABLE IF NOT EXISTS sensors(
  sensor_id TEXT PRIMARY KEY,
  agency_id TEXT NOT NULL,
  first_seen_ns @INT NOT NULL,
  last_seen_ns @INT NOT NULL,
  software_version TEXT NOT NULL DEFAULT '',
  ruleset_version TEXT NOT NULL DEFAULT '',
  clock_offset_ns @INT NOT NULL DEFAULT 0,
  spool_depth @INT NOT NULL DEFAULT 0,
  spool_dropped @INT NOT NULL DEFAULT 0,
  status_json TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS streams(
  sensor_id TEXT NOT NULL,
  epoch @U64 NOT NULL,
  acked_through @INT NOT NULL,
  events @INT NOT NULL DEFAULT 0,
  gap_events @INT NOT NULL DEFAULT 0,
  rejected_events @INT NOT NULL DEFAULT 0,
  PRIMARY KEY(sensor_id, epoch));
CREATE TABLE IF NOT EXISTS correlation_hits(
  rule_id TEXT NOT NULL,
  group_key TEXT NOT NULL,
  last_ns @INT NOT NULL,
  first_ns @INT NOT NULL,
  is_update INTEGER NOT NULL,
  title TEXT NOT NULL,
  severity TEXT NOT NULL,
  events @INT NOT NULL,
  values_json TEXT NOT NULL,
  evidence_json TEXT NOT NULL,
  PRIMARY KEY(rule_id, group_key, last_ns));
CREATE TABLE IF NOT EXISTS correlator_state(
  id INTEGER PRIMARY KEY,
  processed_through_ns @INT NOT NULL);
CREATE TABLE IF NOT EXISTS publications(
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  number TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  agency_id TEXT NOT NULL,
  updated_ns @INT NOT NULL,
  json TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(kind, id));
CREATE TABLE IF NOT EXISTS pending_inserts(
  sensor_id TEXT NOT NULL,
  epoch @U64 NOT NULL,
  first_sequence @INT NOT NULL,
  last_sequence @INT NOT NULL,
  events @INT NOT NULL,
  shard INTEGER NOT NULL,
  agency_id TEXT NOT NULL,
  min_ts_ns @INT NOT NULL,
  max_ts_ns @INT NOT NULL,
  commit_no @INT NOT NULL,
  PRIMARY KEY(sensor_id, epoch));
CREATE TABLE IF NOT EXISTS commit_log(
  commit_no @SERIAL PRIMARY KEY,
  state INTEGER NOT NULL,
  created_ns @INT NOT NULL);
CREATE TABLE IF NOT EXISTS commit_tail(
  id INTEGER PRIMARY KEY,
  through @INT NOT NULL);
CREATE TABLE IF NOT EXISTS refusals(
  at_ns @INT NOT NULL,
  peer TEXT NOT NULL,
  agency_id TEXT NOT NULL,
  sensor_id TEXT NOT NULL,
  reason TEXT NOT NULL);
)SQL";

// PostgreSQL: one row per event, indexed by time, agency, signature and main observable.
constexpr const char* kEventRows = R"SQL(
CREATE TABLE IF NOT EXISTS events(
  id @SERIAL PRIMARY KEY,
  agency_id TEXT NOT NULL,
  sensor_id TEXT NOT NULL,
  epoch @U64 NOT NULL,
  sequence @INT NOT NULL,
  ts_ns @INT NOT NULL,
  received_ns @INT NOT NULL,
  kind TEXT NOT NULL,
  sid @INT,
  severity INTEGER NOT NULL,
  src_ip TEXT, src_port INTEGER, dst_ip TEXT, dst_port INTEGER, ip_proto INTEGER,
  app_proto TEXT, community_id TEXT,
  indicator TEXT,
  event @BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS events_ts ON events(ts_ns);
CREATE INDEX IF NOT EXISTS events_agency_ts ON events(agency_id, ts_ns);
CREATE INDEX IF NOT EXISTS events_sid ON events(sid) WHERE sid IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_indicator ON events(indicator) WHERE indicator IS NOT NULL;
)SQL";

// SQLite: compressed blocks of events and a term index (EventBlock.hpp). `kinds` is a bit mask
// (kindBit). The term index is written a bucket of blocks at a time (TermTail.hpp): one row per
// term and bucket, listing the bucket's blocks that hold it. Keyed by bucket first, a new bucket
// is appended at the end of the B-tree whatever the history's size (keyed by term first, every
// seal touched pages all over the index: ingest fell from 190k to 122k events/s between one and
// five million events); a lookup seeks once per bucket.
constexpr const char* kEventBlocks = R"SQL(
CREATE TABLE IF NOT EXISTS event_blocks(
  id INTEGER PRIMARY KEY,
  min_ts_ns INTEGER NOT NULL,
  max_ts_ns INTEGER NOT NULL,
  events INTEGER NOT NULL,
  kinds INTEGER NOT NULL,
  raw_bytes INTEGER NOT NULL,
  payload BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS event_blocks_max_ts ON event_blocks(max_ts_ns);
CREATE TABLE IF NOT EXISTS event_terms(
  term TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  blocks BLOB NOT NULL,
  PRIMARY KEY(bucket, term)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_term_buckets(
  bucket INTEGER PRIMARY KEY,
  first_block INTEGER NOT NULL,
  last_block INTEGER NOT NULL);
)SQL";

void replaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

}  // namespace

// Pages newest first over all kinds (the feed) or one kind and its statuses (the notices page),
// tallies per kind, agency and status (the agencies page), one campaign's records (exports),
// one record by the number people quote (acknowledgements).
const char* const kPublicationIndexesSql =
    "CREATE INDEX IF NOT EXISTS publications_updated ON publications(updated_ns);"
    "CREATE INDEX IF NOT EXISTS publications_kind_status ON publications(kind, status, updated_ns, id);"
    "CREATE INDEX IF NOT EXISTS publications_kind_agency ON publications(kind, agency_id, status, updated_ns, id);"
    "CREATE INDEX IF NOT EXISTS publications_campaign ON publications(campaign_id);"
    "CREATE INDEX IF NOT EXISTS publications_number ON publications(number);";

std::string publicationStatusBackfillSql(SqlDialect dialect) {
  // The proto's JSON names enum values in full (STATE_NEW, STATUS_ACTIVE) and leaves out the
  // unspecified one, which stays "".
  const bool pg = dialect == SqlDialect::Postgres;
  const std::string state = pg ? "(json::jsonb->>'state')" : "json_extract(json, '$.state')";
  const std::string status = pg ? "(json::jsonb->>'status')" : "json_extract(json, '$.status')";
  return "UPDATE publications SET status = COALESCE(lower(substr(" + state + ", 7)), '') WHERE kind = 'notice';"
         "UPDATE publications SET status = COALESCE(lower(substr(" + status + ", 8)), '') WHERE kind = 'campaign';";
}

const char* const kRecordPendingSql =
    "INSERT INTO pending_inserts(sensor_id,epoch,first_sequence,last_sequence,events,shard,agency_id,min_ts_ns,max_ts_ns,commit_no) "
    "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT(sensor_id,epoch) DO UPDATE SET first_sequence=excluded.first_sequence, "
    "last_sequence=excluded.last_sequence, events=excluded.events, shard=excluded.shard, agency_id=excluded.agency_id, "
    "min_ts_ns=excluded.min_ts_ns, max_ts_ns=excluded.max_ts_ns, commit_no=excluded.commit_no";
const char* const kListPendingSql =
    "SELECT sensor_id,epoch,first_sequence,last_sequence,events,shard,agency_id,min_ts_ns,max_ts_ns,commit_no FROM pending_inserts "
    "ORDER BY sensor_id, epoch";
const char* const kStreamPendingSql =
    "SELECT sensor_id,epoch,first_sequence,last_sequence,events,shard,agency_id,min_ts_ns,max_ts_ns,commit_no FROM pending_inserts "
    "WHERE sensor_id = $1 AND epoch = $2";
const char* const kStreamMarkSql = "SELECT acked_through FROM streams WHERE sensor_id = $1 AND epoch = $2";
const char* const kNewCommitSql = "INSERT INTO commit_log(state, created_ns) VALUES(0, $1) RETURNING commit_no";
const char* const kSetCommitStateSql = "UPDATE commit_log SET state = $1 WHERE commit_no = $2 AND state = 0";
const char* const kCommitLogSql = "SELECT commit_no, state, created_ns FROM commit_log WHERE commit_no > $1 ORDER BY commit_no LIMIT $2";
const char* const kCommitTailSql = "SELECT through FROM commit_tail WHERE id = 1";
const char* const kSetCommitTailSql =
    "INSERT INTO commit_tail(id, through) VALUES(1, $1) ON CONFLICT(id) DO UPDATE SET through = excluded.through";
const char* const kForgetPendingSql = "DELETE FROM pending_inserts WHERE sensor_id=$1 AND epoch=$2";
const char* const kLandedPendingSql =
    "INSERT INTO streams(sensor_id,epoch,acked_through,events) VALUES($1,$2,$3,$4) ON CONFLICT(sensor_id,epoch) DO UPDATE SET "
    "acked_through=CASE WHEN excluded.acked_through > streams.acked_through THEN excluded.acked_through ELSE streams.acked_through END, "
    "events=streams.events+excluded.events";

bool isAddressText(const std::string& value) {
  unsigned char buf[16];
  return inet_pton(AF_INET, value.c_str(), buf) == 1 || inet_pton(AF_INET6, value.c_str(), buf) == 1;
}

const char* const kSensorsQuery =
    "SELECT s.sensor_id, s.agency_id, s.first_seen_ns, s.last_seen_ns, s.software_version, s.ruleset_version, "
    "s.clock_offset_ns, s.spool_depth, s.spool_dropped, COALESCE(SUM(t.events),0), COALESCE(SUM(t.gap_events),0), "
    "COALESCE(SUM(t.rejected_events),0) FROM sensors s LEFT JOIN streams t ON t.sensor_id = s.sensor_id "
    "GROUP BY s.sensor_id ORDER BY s.agency_id, s.sensor_id";

std::string schemaSql(SqlDialect dialect) {
  const bool pg = dialect == SqlDialect::Postgres;
  std::string sql = std::string(kSchema) + (pg ? kEventRows : kEventBlocks);
  // SQLite integers are 64-bit whatever the name; PostgreSQL needs BIGINT, and NUMERIC for the
  // unsigned 64-bit epoch. INTEGER PRIMARY KEY is SQLite's rowid.
  replaceAll(sql, "@SERIAL", pg ? "BIGSERIAL" : "INTEGER");
  replaceAll(sql, "@U64", pg ? "NUMERIC(20)" : "INTEGER");
  replaceAll(sql, "@INT", pg ? "BIGINT" : "INTEGER");
  replaceAll(sql, "@BLOB", pg ? "BYTEA" : "BLOB");
  return sql;
}

}  // namespace gsoc::collector
