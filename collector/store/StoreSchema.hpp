#pragma once
// StoreSchema: the one table layout both EventStore backends create, written once with the few
// type names that differ between SQLite and PostgreSQL filled in, plus the queries they share.

#include <string>
#include <vector>

namespace gsoc::collector {

enum class SqlDialect { Sqlite, Postgres };

std::string schemaSql(SqlDialect dialect);

// The sensor registry joined with its streams' counters; columns in SensorRow order.
extern const char* const kSensorsQuery;
// Events from a time on ($1, or ?1 in SQLite), for rebuilding correlation windows.
extern const char* const kEventsSinceQuery;
// kEventsSinceQuery for events of these kinds only ("alert", "smtp", ...; empty: every kind).
// Throws std::invalid_argument for a name that is not a kind.
std::string eventsSinceQueryFor(const std::vector<std::string>& kinds);
// Retro-hunt: the same columns, for candidate events since $2 that may carry the value $1: by
// the indexed indicator column; for an address also by source and destination (a scan); for a
// file hash also every mail (attachments are inside the record). Candidates are then checked
// with eventCarries().
const char* huntQueryFor(const std::string& value);
// Publications updated at or after $1, oldest update first: kind, id, number, campaign_id,
// agency_id, updated_ns, json.
extern const char* const kPublicationsSinceQuery;
// True when the text is an IPv4 or IPv6 address (hunts for it scan the address columns).
bool isAddressText(const std::string& value);

}  // namespace gsoc::collector
