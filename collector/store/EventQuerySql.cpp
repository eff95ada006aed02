#include "collector/store/EventQuerySql.hpp"

#include "gsoc/v1/event.pb.h"
#include "collector/store/EventColumns.hpp"

namespace gsoc::collector {
namespace {

bool isHashText(const std::string& value) {
  return (value.size() == 64 || value.size() == 32) && value.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
}

std::string whereFor(const EventQuery& q, SqlQuery& out, SqlDialect dialect) {
  validateQuery(q);
  SqlWhereClause where(out, dialect);
  if (q.since_ns != std::numeric_limits<std::int64_t>::min()) where.add("ts_ns >= " + where.param(q.since_ns));
  if (q.until_ns != std::numeric_limits<std::int64_t>::max()) where.add("ts_ns < " + where.param(q.until_ns));
  where.anyOf("agency_id", q.agencies);
  where.anyOf("sensor_id", q.sensors);
  where.anyOf("kind", q.kinds);
  where.anyOf("sid", q.sids);
  if (!q.term.empty()) {
    // Candidates by the indexed indicator column; an address also by the address columns (a
    // scan's targets are no indicator), a file hash also every mail (attachments are inside it).
    const std::string t = where.param(q.term);
    if (isAddressText(q.term)) {
      where.add("(indicator = " + t + " OR src_ip = " + t + " OR dst_ip = " + t + ")");
    } else if (isHashText(q.term)) {
      where.add("(indicator = " + t + " OR kind = 'smtp')");
    } else {
      where.add("indicator = " + t);
    }
  }
  return where.text();
}

const char* columnOf(EventDimension d) {
  switch (d) {
    case EventDimension::Agency: return "agency_id";
    case EventDimension::Sensor: return "sensor_id";
    case EventDimension::Kind: return "kind";
    case EventDimension::Sid: return "COALESCE(CAST(sid AS TEXT), '')";
    case EventDimension::Day: return "CAST(ts_ns / 86400000000000 AS TEXT)";
  }
  return "''";
}

}  // namespace

SqlQuery eventSelectSql(const EventQuery& query, SqlDialect dialect) {
  SqlQuery out;
  const std::string where = whereFor(query, out, dialect);
  out.sql = "SELECT sensor_id, epoch, sequence, agency_id, event FROM events" + where + " ORDER BY ts_ns, id";
  if (query.limit != 0 && query.term.empty()) out.sql += " LIMIT " + std::to_string(query.limit);
  return out;
}

SqlQuery eventCountSql(const EventQuery& query, std::span<const EventDimension> by, SqlDialect dialect) {
  SqlQuery out;
  const std::string where = whereFor(query, out, dialect);
  std::string columns;
  std::string groups;
  for (std::size_t i = 0; i < by.size(); ++i) {
    columns += std::string(columnOf(by[i])) + ", ";
    groups += (i == 0 ? " GROUP BY " : ", ") + std::to_string(i + 1);
  }
  out.sql = "SELECT " + columns + "COUNT(*) FROM events" + where + groups + (groups.empty() ? "" : " ORDER BY" + groups.substr(9));
  return out;
}

}  // namespace gsoc::collector
