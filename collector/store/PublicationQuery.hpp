#pragma once
// PublicationQuery: which stored publications to read (kinds, statuses, agency, campaign, update
// window), in which order and how many, as SQL over the publications table both SQL backends
// share (StoreSchema). The console's feed, notices and agencies pages and the exports ask for a
// page or a tally instead of decoding every publication kept: a centre that has published a
// hundred thousand notices must still answer a page in milliseconds.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collector/store/SqlWhereClause.hpp"

namespace gsoc::collector {

struct PublicationQuery {
  std::vector<std::string> kinds;     // "campaign", "warning", "notice", "intel"; empty: all
  std::vector<std::string> statuses;  // Publication::status values; empty: any
  std::string agency_id;              // "": any (notices carry theirs; other kinds have none)
  std::string campaign_id;            // "": any
  std::string number;                 // "": any ("W-2026-0001", "N-2026-0001")
  std::int64_t updated_since_ns = 0;  // updated at or after
  std::int64_t updated_before_ns = 0; // updated before (0: no bound)
  bool newest_first = false;          // else oldest update first
  // Where a page continues: after this record in the query's order (keyset paging, as cheap on
  // the thousandth page as on the first, where `offset` reads and drops every row before it).
  struct Cursor {
    std::int64_t updated_ns = 0;
    std::string kind;
    std::string id;
  };
  std::optional<Cursor> after;
  std::size_t offset = 0;
  std::size_t limit = 0;              // 0: all
};

// How many publications of a kind there are per agency and status.
struct PublicationTally {
  std::string agency_id;
  std::string status;
  std::uint64_t count = 0;
};

// Columns: kind, id, number, campaign_id, agency_id, updated_ns, json, status. A page of several
// statuses is one index-ordered scan per status, merged: ordering them all at once sorts every
// row they select (a third of a second at 100,000 open notices).
SqlQuery publicationSelectSql(const PublicationQuery& query, SqlDialect dialect);
// Columns: agency_id, status, count; ordered by agency and status.
SqlQuery publicationTallySql(const std::string& kind, SqlDialect dialect);

}  // namespace gsoc::collector
