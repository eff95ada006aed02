#include <filesystem>

#include "collector/store/EventStore.hpp"
#include "collector/store/PostgresEventStore.hpp"
#include "collector/store/SqliteEventStore.hpp"
#include "gsoc/v1/config.pb.h"

namespace gsoc::collector {

EventStorePtr openEventStore(const gsoc::v1::StoreConfig& config, const std::string& base_dir) {
  const std::string& backend = config.backend();
  if (backend.empty() || backend == "sqlite") {
    if (config.sqlite_path().empty()) throw StoreError("store.sqlite_path: required for the sqlite backend");
    std::filesystem::path path(config.sqlite_path());
    if (path.is_relative()) path = std::filesystem::path(base_dir) / path;
    return std::make_unique<SqliteEventStore>(path.string());
  }
  if (backend == "postgresql") {
    if (config.postgresql_dsn().empty()) throw StoreError("store.postgresql_dsn: required for the postgresql backend");
    return std::make_unique<PostgresEventStore>(config.postgresql_dsn());
  }
  throw StoreError("store.backend: '" + backend + "' (expected sqlite or postgresql)");
}

}  // namespace gsoc::collector
