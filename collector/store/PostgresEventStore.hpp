#pragma once
// PostgresEventStore: the EventStore for sites that outgrow one SQLite file, on PostgreSQL 15
// through libpq. The same tables and columns as the SQLite store; events go in with COPY (text
// format) inside the batch's transaction, so a commit of thousands of events is one round trip
// of data and one WAL flush. One connection, guarded by a mutex.

#include <mutex>
#include <string>

#include "collector/store/EventStore.hpp"

struct pg_conn;

namespace gsoc::collector {

class PostgresEventStore final : public EventStore {
 public:
  // Connects with a libpq connection string ("host=/tmp port=5432 dbname=gsoc") and creates the
  // schema; throws StoreError with the server's message.
  explicit PostgresEventStore(std::string dsn);
  ~PostgresEventStore() override;
  PostgresEventStore(const PostgresEventStore&) = delete;
  PostgresEventStore& operator=(const PostgresEventStore&) = delete;

  [[nodiscard]] std::string describe() const override;
  std::map<StreamKey, std::uint64_t> streamMarks() override;
  void commit(std::span<const CommitBatch> batches) override;
  StreamClaim claimStreams(std::span<const StreamKey> keys) override;
  void releaseStreams() override;
  void recordPendingInserts(std::span<PendingInsert> inserts) override;
  std::vector<PendingInsert> pendingInserts() override;
  void settlePendingInsert(const PendingInsert& insert, bool landed) override;
  std::vector<CommitLogEntry> commitLog(std::uint64_t after, std::size_t limit) override;
  std::uint64_t commitTail() override;
  void setCommitTail(std::uint64_t through) override;
  void recordSensorStatus(const SensorIdentity& identity, const gsoc::v1::SensorStatus& status, std::int64_t received_ns) override;
  void recordRefusal(std::int64_t at_ns, const SensorIdentity& identity, std::string_view reason) override;
  std::uint64_t deleteEventsBefore(std::int64_t cutoff_ns) override;
  std::uint64_t eventCount() override;
  std::vector<SensorRow> sensors() override;
  bool recordHit(const StoredHit& hit) override;
  std::int64_t correlatorProgress() override;
  void setCorrelatorProgress(std::int64_t ts_ns) override;
  void forEachEvent(const EventQuery& query, const std::function<void(gsoc::v1::Event&&)>& visit) override;
  std::vector<EventCount> countEvents(const EventQuery& query, std::span<const EventDimension> by) override;
  void upsertPublication(const Publication& p) override;
  std::optional<Publication> publication(const std::string& kind, const std::string& id) override;
  std::uint64_t publicationCount(const std::string& kind, const std::string& number_prefix) override;
  std::vector<Publication> selectPublications(const PublicationQuery& query) override;
  std::vector<PublicationTally> tallyPublications(const std::string& kind) override;

 private:
  class Result;
  Result exec(const std::string& sql, const std::vector<std::string>& params = {});
  // Runs an events query (eventSelectSql's columns) and hands each event to visit.
  void visitEvents(const char* query, const std::vector<std::string>& params, const std::function<void(gsoc::v1::Event&&)>& visit);
  // BEGIN, body, COMMIT; ROLLBACK and rethrow when the body throws.
  template <typename Body>
  void transaction(Body&& body);
  void copyEvents(std::span<const CommitBatch> batches);

  std::string dsn_;
  static PendingInsert pendingRow(const Result& r, int i);  // a kListPendingSql row
  std::mutex mutex_;
  std::vector<std::int64_t> held_locks_;  // claimStreams' session locks, until releaseStreams
  pg_conn* conn_ = nullptr;  // owned; PQfinish in the destructor
};

}  // namespace gsoc::collector
