#include "collector/store/PublicationQuery.hpp"

namespace gsoc::collector {
namespace {

constexpr const char* kColumns = "kind, id, number, campaign_id, agency_id, updated_ns, json, status";

}  // namespace

SqlQuery publicationSelectSql(const PublicationQuery& q, SqlDialect dialect) {
  SqlQuery out;
  SqlWhereClause where(out, dialect);
  where.anyOf("kind", q.kinds);
  if (!q.agency_id.empty()) where.add("agency_id = " + where.param(q.agency_id));
  if (!q.campaign_id.empty()) where.add("campaign_id = " + where.param(q.campaign_id));
  if (!q.number.empty()) where.add("number = " + where.param(q.number));
  if (q.updated_since_ns != 0) where.add("updated_ns >= " + where.param(q.updated_since_ns));
  if (q.updated_before_ns != 0) where.add("updated_ns < " + where.param(q.updated_before_ns));
  if (q.after) {
    // The plain bound on updated_ns lets the index range scan; the row value settles ties.
    const std::string at = where.param(q.after->updated_ns);
    const char* op = q.newest_first ? " < " : " > ";
    where.add("updated_ns" + std::string(q.newest_first ? " <= " : " >= ") + at);
    where.add("(updated_ns, kind, id)" + std::string(op) + "(" + at + ", " + where.param(q.after->kind) + ", " + where.param(q.after->id) + ")");
  }
  // (kind, id) breaks ties, so pages of one order neither repeat nor skip a row.
  const std::string order = q.newest_first ? " ORDER BY updated_ns DESC, kind DESC, id DESC" : " ORDER BY updated_ns, kind, id";
  if (q.limit > 0 && q.statuses.size() > 1) {
    // Placeholders may be used more than once: every branch shares the conditions above.
    const std::string conditions = where.text().empty() ? " WHERE " : where.text() + " AND ";
    const std::string branch_limit = where.param(static_cast<std::int64_t>(q.offset + q.limit));
    std::string branches;
    for (std::size_t i = 0; i < q.statuses.size(); ++i) {
      if (i > 0) branches += " UNION ALL ";
      branches += "SELECT * FROM (SELECT " + std::string(kColumns) + " FROM publications" + conditions + "status = " +
                  where.param(q.statuses[i]) + order + " LIMIT " + branch_limit + ") AS s" + std::to_string(i);
    }
    out.sql = "SELECT " + std::string(kColumns) + " FROM (" + branches + ") AS page" + order;
  } else {
    where.anyOf("status", q.statuses);
    out.sql = "SELECT " + std::string(kColumns) + " FROM publications" + where.text() + order;
  }
  if (q.limit > 0) out.sql += " LIMIT " + where.param(static_cast<std::int64_t>(q.limit));
  if (q.offset > 0) {
    if (q.limit == 0) out.sql += dialect == SqlDialect::Postgres ? " LIMIT ALL" : " LIMIT -1";
    out.sql += " OFFSET " + where.param(static_cast<std::int64_t>(q.offset));
  }
  return out;
}

SqlQuery publicationTallySql(const std::string& kind, SqlDialect dialect) {
  SqlQuery out;
  SqlWhereClause where(out, dialect);
  where.add("kind = " + where.param(kind));
  out.sql = "SELECT agency_id, status, COUNT(*) FROM publications" + where.text() + " GROUP BY agency_id, status ORDER BY agency_id, status";
  return out;
}

}  // namespace gsoc::collector
