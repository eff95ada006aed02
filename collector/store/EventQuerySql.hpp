#pragma once
// EventQuerySql: an EventQuery as SQL over the row layout both SQL backends share (StoreSchema),
// with its values as bound parameters, never spliced into the text. A query with a `term` selects
// candidates by the indexed indicator column (and the address columns, or every mail for a file
// hash); the backend keeps those that carry the term (eventCarries), so counts with a term are
// made by visiting (countByVisiting).

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "collector/store/EventQuery.hpp"
#include "collector/store/SqlWhereClause.hpp"
#include "collector/store/StoreSchema.hpp"

namespace gsoc::collector {

// Columns: sensor_id, epoch, sequence, agency_id, event; in (ts_ns, id) order. LIMIT only when
// the query has no term (the term's final check is the backend's).
SqlQuery eventSelectSql(const EventQuery& query, SqlDialect dialect);
// Columns: one per dimension (as text), then the count; the query must have no term.
SqlQuery eventCountSql(const EventQuery& query, std::span<const EventDimension> by, SqlDialect dialect);

}  // namespace gsoc::collector
