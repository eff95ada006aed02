#pragma once
// SqliteEventStore: the embedded default EventStore, one SQLite file in WAL mode with
// synchronous=FULL, so a commit (and therefore an ack) survives a crash or power loss. Schema:
// agencies, sensors, streams (dedup marks per sensor and epoch), events (indexed by time,
// agency+time, signature and indicator) and refusals. One connection, guarded by a mutex: the
// writer thread commits, ingest threads record heartbeats and refusals.

#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "collector/store/EventBlock.hpp"
#include "collector/store/EventStore.hpp"
#include "collector/store/TermTail.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace gsoc::collector {

class SqliteEventStore final : public EventStore {
 public:
  // Opens or creates the database; throws StoreError with the path and SQLite's message.
  explicit SqliteEventStore(std::string path);
  ~SqliteEventStore() override;
  SqliteEventStore(const SqliteEventStore&) = delete;
  SqliteEventStore& operator=(const SqliteEventStore&) = delete;

  [[nodiscard]] std::string describe() const override { return "sqlite " + path_; }
  std::map<StreamKey, std::uint64_t> streamMarks() override;
  void commit(std::span<const CommitBatch> batches) override;
  StreamClaim claimStreams(std::span<const StreamKey> keys) override;
  void releaseStreams() override {}
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
  class Statement;
  void exec(const char* sql);
  static PendingInsert pendingRow(const Statement& q);  // a kListPendingSql row
  // Inserts a sealed block and its terms (inside the caller's transaction).
  void storeBlock(const SealedBlock& block);
  // Calls `record` with each record of a stored block and the event parsed from it.
  // Only records whose bytes contain `must_contain` (when given) are parsed and passed on.
  void forEachStoredEvent(std::int64_t block_id, const std::function<void(std::string_view, const gsoc::v1::Event&)>& record,
                          std::string_view must_contain = {});
  // Removes a block (inside the caller's transaction); its sealed term rows are dropped with
  // their bucket once no block of the bucket is left.
  void dropBlock(std::int64_t block_id);
  // Seals the term tail into a bucket when it is full (inside the caller's transaction), and
  // settles the tail once the transaction has committed or rolled back.
  void sealTermsIfFull();
  template <typename Body>
  void writeTransaction(Body&& body);
  void committed();
  void rolledBack();
  // Blocks whose terms include any of `terms`: the sealed buckets that cover blocks in
  // [first_block, last_block] (one seek per bucket and term), and the tail.
  std::unordered_set<std::int64_t> blocksWithAny(const std::vector<std::string>& terms, std::int64_t first_block, std::int64_t last_block);
  // A database written by the row layout (an `events` table) is moved into blocks on open.
  void migrateEventRows();
  void migratePublicationStatus();
  static void bindAll(Statement& q, const SqlQuery& sql);
  [[noreturn]] void fail(const std::string& what) const;

  std::string path_;
  std::mutex mutex_;
  sqlite3* db_ = nullptr;  // owned; closed in the destructor
  EventBlockBuilder blocks_;
  std::string scratch_;  // a block's decompressed records
  std::unique_ptr<Statement> insert_block_;
  std::unique_ptr<Statement> insert_term_;
  TermTail tail_;
  bool sealing_ = false;  // the open transaction seals the tail
  std::unique_ptr<Statement> upsert_stream_;
  std::unique_ptr<Statement> upsert_agency_;
  std::unique_ptr<Statement> touch_sensor_;
};

}  // namespace gsoc::collector
