#pragma once
// ClickHouseEventStore: events in a ClickHouse cluster, for a centre that outgrows one machine;
// everything that is updated in place (stream marks, sensors, publications, correlation state)
// in a relational store beside it (SQLite on one box, PostgreSQL when several collectors share
// it). Each shard holds `events_local`, a MergeTree partitioned by day and ordered by (agency,
// time), and `event_terms_local`, one row per (observable, event) ordered by (term, time), filled
// by a materialized view in the same insert, so a hunt reads a key range instead of every row.
// Reads go through `Distributed` tables over the configured cluster from any shard that answers.
//
// Writes: every stream (sensor, epoch) lives on one shard (a hash of the sensor), so one commit
// is one RowBinary INSERT per shard, each one atomic part. Exactly once across a crash: before
// inserting, the store records each stream's PendingInsert in the relational store; the mark is
// committed (and the record settled) after the insert. A record found later, at start or when the
// stream next commits, is settled by counting the stream's events in that range on its shard: all
// there (landed, the mark moves on and the sensor's resend is trimmed), none (the sensor resends
// them), or some (an insert torn in two: those rows are deleted, then as none). A shard that fails
// fails only its streams (PartialCommitError); the others commit.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collector/store/ClickHouseClient.hpp"
#include "collector/store/EventStore.hpp"

namespace gsoc::collector {

struct ClickHouseOptions {
  std::vector<std::string> shard_urls;  // "http://host:8123", in shard order
  std::string database = "gsoc";
  std::string cluster;                  // for the Distributed tables; empty with one shard
  long timeout_s = 60;
};

class ClickHouseEventStore final : public EventStore {
 public:
  // Creates the tables on every shard (all must answer), checks the cluster names as many shards
  // as configured, and settles the pending inserts the last run left. Throws StoreError.
  ClickHouseEventStore(ClickHouseOptions options, EventStorePtr state);
  ~ClickHouseEventStore() override;

  [[nodiscard]] std::string describe() const override;
  std::map<StreamKey, std::uint64_t> streamMarks() override { return state_->streamMarks(); }
  void commit(std::span<const CommitBatch> batches) override;
  StreamClaim claimStreams(std::span<const StreamKey> keys) override { return state_->claimStreams(keys); }
  void releaseStreams() override { state_->releaseStreams(); }
  void recordPendingInserts(std::span<PendingInsert> inserts) override { state_->recordPendingInserts(inserts); }
  std::vector<PendingInsert> pendingInserts() override { return state_->pendingInserts(); }
  void settlePendingInsert(const PendingInsert& insert, bool landed) override { state_->settlePendingInsert(insert, landed); }
  std::vector<CommitLogEntry> commitLog(std::uint64_t after, std::size_t limit) override { return state_->commitLog(after, limit); }
  std::uint64_t commitTail() override { return state_->commitTail(); }
  void setCommitTail(std::uint64_t through) override { state_->setCommitTail(through); }
  // The tail of every front-end's commits, for the one correlator (see EventStore). A commit
  // pending longer than kStaleCommitNs is settled here, under its streams' claims.
  std::uint64_t forEachCommitted(std::uint64_t after, std::size_t max_events, const std::function<void(gsoc::v1::Event&&)>& visit) override;
  static constexpr std::int64_t kStaleCommitNs = 10LL * 1000000000LL;
  void recordSensorStatus(const SensorIdentity& identity, const gsoc::v1::SensorStatus& status, std::int64_t received_ns) override {
    state_->recordSensorStatus(identity, status, received_ns);
  }
  void recordRefusal(std::int64_t at_ns, const SensorIdentity& identity, std::string_view reason) override {
    state_->recordRefusal(at_ns, identity, reason);
  }
  // Drops every whole day before the cutoff's day on every shard (a partition per day).
  std::uint64_t deleteEventsBefore(std::int64_t cutoff_ns) override;
  std::uint64_t eventCount() override;
  std::vector<SensorRow> sensors() override { return state_->sensors(); }
  bool recordHit(const StoredHit& hit) override { return state_->recordHit(hit); }
  std::int64_t correlatorProgress() override { return state_->correlatorProgress(); }
  void setCorrelatorProgress(std::int64_t ts_ns) override { state_->setCorrelatorProgress(ts_ns); }
  void forEachEvent(const EventQuery& query, const std::function<void(gsoc::v1::Event&&)>& visit) override;
  std::vector<EventCount> countEvents(const EventQuery& query, std::span<const EventDimension> by) override;
  void upsertPublication(const Publication& p) override { state_->upsertPublication(p); }
  std::optional<Publication> publication(const std::string& kind, const std::string& id) override { return state_->publication(kind, id); }
  std::uint64_t publicationCount(const std::string& kind, const std::string& number_prefix) override {
    return state_->publicationCount(kind, number_prefix);
  }
  std::vector<Publication> selectPublications(const PublicationQuery& query) override { return state_->selectPublications(query); }
  std::vector<PublicationTally> tallyPublications(const std::string& kind) override { return state_->tallyPublications(kind); }

  // The shard a sensor's events go to (FNV-1a of its id): stable across restarts and front-ends.
  [[nodiscard]] int shardOf(std::string_view sensor_id) const;

 private:
  void createTables(ClickHouseClient& shard);
  // Settles one pending insert by looking its events up; returns the last sequence stored (the
  // insert's when it landed, first_sequence - 1 when not). Throws StoreError when the shard does
  // not answer (the record stays).
  std::uint64_t settle(const PendingInsert& p);
  // Runs a read on the first shard that answers (each read gets its own connection, so readers
  // never wait for the writer).
  void read(const std::string& sql, const std::function<void(std::string_view)>& chunk);
  // Runs a SELECT of (sensor, epoch, seq, agency, event) in RowBinary and visits the events.
  void visitRows(const std::string& sql, const std::function<void(gsoc::v1::Event&&)>& visit);
  // Settles the pending inserts of one commit; false when a shard does not answer.
  bool settleCommit(std::uint64_t commit_no);
  [[nodiscard]] std::string table(const char* name) const;  // the Distributed table, or the local one with one shard
  // The WHERE clause of a query; with a term, after looking its events' keys up (termKeys).
  [[nodiscard]] std::string whereSql(const EventQuery& q);
  [[nodiscard]] std::string termKeys(const EventQuery& q);
  static constexpr std::size_t kMaxTermKeys = 20000;

  ClickHouseOptions options_;
  EventStorePtr state_;
  std::mutex write_mutex_;
  std::vector<std::unique_ptr<ClickHouseClient>> writers_;  // one per shard; under write_mutex_
};

// Releases the streams a claimStreams() took, however the scope ends.
class StreamRelease {
 public:
  explicit StreamRelease(EventStore& state) : state_(state) {}
  ~StreamRelease() {
    try {
      state_.releaseStreams();
    } catch (const std::exception&) {
      // The locks go with the session if the release cannot be sent.
    }
  }
  StreamRelease(const StreamRelease&) = delete;
  StreamRelease& operator=(const StreamRelease&) = delete;

 private:
  EventStore& state_;
};

}  // namespace gsoc::collector
