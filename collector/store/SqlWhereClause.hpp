#pragma once
// SqlWhereClause: builds a WHERE clause whose values are bound parameters, never spliced into the
// text, numbered in the dialect's style ($1.. for PostgreSQL, ?1.. for SQLite). Shared by the
// event and publication queries (EventQuerySql, PublicationQuery).

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "collector/store/StoreSchema.hpp"

namespace gsoc::collector {

struct SqlQuery {
  std::string sql;
  std::vector<std::variant<std::int64_t, std::string>> params;  // $1.. (PostgreSQL), ?1.. (SQLite)
};

class SqlWhereClause {
 public:
  SqlWhereClause(SqlQuery& out, SqlDialect dialect) : out_(out), dialect_(dialect) {}

  // The placeholder for a new parameter.
  std::string param(std::variant<std::int64_t, std::string> value) {
    out_.params.push_back(std::move(value));
    return (dialect_ == SqlDialect::Postgres ? "$" : "?") + std::to_string(out_.params.size());
  }
  void add(const std::string& condition) { text_ += (text_.empty() ? " WHERE " : " AND ") + condition; }
  template <typename T>
  void anyOf(const char* column, const std::vector<T>& values) {
    if (values.empty()) return;
    std::string in;
    for (const auto& v : values) in += (in.empty() ? "" : ", ") + param(v);
    add(std::string(column) + " IN (" + in + ")");
  }
  [[nodiscard]] const std::string& text() const { return text_; }

 private:
  SqlQuery& out_;
  SqlDialect dialect_;
  std::string text_;
};

}  // namespace gsoc::collector
