#pragma once
// StoreSchema: the one table layout both EventStore backends create, written once with the few
// type names that differ between SQLite and PostgreSQL filled in, plus the queries they share.

#include <string>

namespace gsoc::collector {

enum class SqlDialect { Sqlite, Postgres };

std::string schemaSql(SqlDialect dialect);

// The sensor registry joined with its streams' counters; columns in SensorRow order.
extern const char* const kSensorsQuery;
// Events from a time on ($1, or ?1 in SQLite), for rebuilding correlation windows.
extern const char* const kEventsSinceQuery;

}  // namespace gsoc::collector
