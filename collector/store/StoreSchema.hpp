#pragma once
// StoreSchema: the tables both EventStore backends create (streams, sensors, publications,
// correlation state, refusals), written once with the few type names that differ between SQLite
// and PostgreSQL filled in, plus each one's event layout: rows in PostgreSQL, compressed blocks
// and a term index in SQLite (EventBlock.hpp); and the queries they share.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace gsoc::collector {

enum class SqlDialect { Sqlite, Postgres };

// Wall time, ns: when a commit number was handed out (the tail settles ones pending too long).
inline std::int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string schemaSql(SqlDialect dialect);

// The sensor registry joined with its streams' counters; columns in SensorRow order.
extern const char* const kSensorsQuery;
// The publications table's indexes (created after publicationStatusBackfillSql has run on a
// store written before the status column), and the statements that fill that column from the
// stored JSON.
extern const char* const kPublicationIndexesSql;
std::string publicationStatusBackfillSql(SqlDialect dialect);
// Pending inserts (EventStore::recordPendingInserts), numbered parameters in order of first use
// (SQLite binds "$N" by position as PostgreSQL does): record ($1..$10 in PendingInsert order),
// list (the same columns), forget ($1 sensor, $2 epoch), and advance a stream's mark to $3 and
// count $4 events when its insert landed. The commit log: a new commit number (pending, created
// at $1), its state set ($1 CommitState, $2 number; only from pending), the log after $1 (at most
// $2 rows: number, state, created_ns), and the tail's position.
extern const char* const kRecordPendingSql;
extern const char* const kListPendingSql;
extern const char* const kForgetPendingSql;
extern const char* const kLandedPendingSql;
extern const char* const kStreamPendingSql;  // one stream's ($1 sensor, $2 epoch), the same columns
extern const char* const kStreamMarkSql;     // one stream's acked_through
extern const char* const kNewCommitSql;
extern const char* const kSetCommitStateSql;
extern const char* const kCommitLogSql;
extern const char* const kCommitTailSql;
extern const char* const kSetCommitTailSql;
// True when the text is an IPv4 or IPv6 address (hunts for it scan the address columns).
bool isAddressText(const std::string& value);

}  // namespace gsoc::collector
