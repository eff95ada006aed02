#pragma once
// StoreSchema: the tables both EventStore backends create (streams, sensors, publications,
// correlation state, refusals), written once with the few type names that differ between SQLite
// and PostgreSQL filled in, plus each one's event layout: rows in PostgreSQL, compressed blocks
// and a term index in SQLite (EventBlock.hpp); and the queries they share.

#include <string>
#include <vector>

namespace gsoc::collector {

enum class SqlDialect { Sqlite, Postgres };

std::string schemaSql(SqlDialect dialect);

// The sensor registry joined with its streams' counters; columns in SensorRow order.
extern const char* const kSensorsQuery;
// Publications updated at or after $1, oldest update first: kind, id, number, campaign_id,
// agency_id, updated_ns, json.
extern const char* const kPublicationsSinceQuery;
// Pending inserts (EventStore::recordPendingInserts), numbered parameters in order of first use
// (SQLite binds "$N" by position as PostgreSQL does): record ($1..$9 in PendingInsert order),
// list (the same columns), forget ($1 sensor, $2 epoch), and advance a stream's mark to $3 and
// count $4 events when its insert landed.
extern const char* const kRecordPendingSql;
extern const char* const kListPendingSql;
extern const char* const kForgetPendingSql;
extern const char* const kLandedPendingSql;
// True when the text is an IPv4 or IPv6 address (hunts for it scan the address columns).
bool isAddressText(const std::string& value);

}  // namespace gsoc::collector
