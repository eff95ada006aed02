#include <filesystem>

#include "collector/store/ClickHouseEventStore.hpp"
#include "collector/store/EventStore.hpp"
#include "collector/store/PostgresEventStore.hpp"
#include "collector/store/SqliteEventStore.hpp"
#include "gsoc/v1/config.pb.h"

namespace gsoc::collector {

namespace {

EventStorePtr openSqlite(const gsoc::v1::StoreConfig& config, const std::string& base_dir) {
  std::filesystem::path path(config.sqlite_path());
  if (path.is_relative()) path = std::filesystem::path(base_dir) / path;
  return std::make_unique<SqliteEventStore>(path.string());
}

}  // namespace

EventStorePtr openEventStore(const gsoc::v1::StoreConfig& config, const std::string& base_dir) {
  const std::string& backend = config.backend();
  if (backend.empty() || backend == "sqlite") {
    if (config.sqlite_path().empty()) throw StoreError("store.sqlite_path: required for the sqlite backend");
    return openSqlite(config, base_dir);
  }
  if (backend == "postgresql") {
    if (config.postgresql_dsn().empty()) throw StoreError("store.postgresql_dsn: required for the postgresql backend");
    return std::make_unique<PostgresEventStore>(config.postgresql_dsn());
  }
  if (backend == "clickhouse") {
    if (config.clickhouse_shards().empty()) throw StoreError("store.clickhouse_shards: required for the clickhouse backend");
    EventStorePtr state;
    if (!config.postgresql_dsn().empty()) state = std::make_unique<PostgresEventStore>(config.postgresql_dsn());
    else if (!config.sqlite_path().empty()) state = openSqlite(config, base_dir);
    else throw StoreError("store.sqlite_path or store.postgresql_dsn: the clickhouse backend keeps stream marks, sensors and publications in one of them");
    ClickHouseOptions options;
    options.shard_urls.assign(config.clickhouse_shards().begin(), config.clickhouse_shards().end());
    if (!config.clickhouse_database().empty()) options.database = config.clickhouse_database();
    options.cluster = config.clickhouse_cluster();
    return std::make_unique<ClickHouseEventStore>(std::move(options), std::move(state));
  }
  throw StoreError("store.backend: '" + backend + "' (expected sqlite, postgresql or clickhouse)");
}

}  // namespace gsoc::collector
