#pragma once
// EventStore: where the collector keeps what sensors send, behind one interface with two real
// backends: SQLite in WAL mode (the embedded default, one file) and PostgreSQL (for sites that
// outgrow one file). The store is written by exactly one thread, the BatchWriter, which also
// owns deduplication: it reads the stream marks once at startup and hands commit() events that
// are already trimmed of duplicates, together with the new marks, so events and marks always
// change in the same transaction and an acknowledged sequence is never stored twice.
//
// Every event row keeps the whole gsoc.v1.Event (serialized) plus the columns the central team
// queries by: time, agency, sensor, kind, signature id, addresses, community id, and an
// `indicator` column holding the record's main observable (the indicator that hit, the HTTP host,
// DNS query, TLS SNI, mail sender or file SHA-256) for retro-hunts.

#include <compare>
#include <functional>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "collector/store/EventQuery.hpp"
#include "collector/store/PublicationQuery.hpp"

namespace gsoc::v1 {
class Event;
class EventBatch;
class SensorStatus;
class StoreConfig;
}  // namespace gsoc::v1

namespace gsoc::collector {

// Who a peer is, from its client certificate (never from the payload).
struct SensorIdentity {
  std::string agency_id;
  std::string sensor_id;
  std::string serial;  // certificate serial, hex
  std::string peer;    // transport address, for logs
};

struct StreamKey {
  std::string sensor_id;
  std::uint64_t epoch = 0;
  auto operator<=>(const StreamKey&) const = default;
};

// One batch as the writer commits it: events [skip, size) of `batch` are new.
struct CommitBatch {
  const SensorIdentity* identity = nullptr;
  const gsoc::v1::EventBatch* batch = nullptr;
  int skip = 0;                        // leading events already stored (a replay overlap)
  bool rejected = false;               // settled without storing (invalid); counted per stream
  std::uint64_t acked_through = 0;     // the stream's mark after this batch
  std::uint64_t gap_events = 0;        // sequences the sensor never sent (its spool dropped them)
  std::int64_t received_ns = 0;
  // The events are stored elsewhere (ClickHouse) already: this store keeps the mark and counts
  // only, and settles the stream's pending insert.
  bool events_elsewhere = false;
  std::uint64_t commit_no = 0;  // with events_elsewhere: the insert's commit-log number (0: none)
};

// An insert into another store (a ClickHouse shard) announced before it is made: events
// first_sequence..last_sequence of one stream, `events` of them, with the agency and event-time
// range that find them again. If the collector dies between that insert and the commit of the
// stream's mark, the next start looks the events up to learn whether the insert landed, so the
// mark is advanced (landed) or the events are taken again from the sensor (not landed), never
// stored twice.
struct PendingInsert {
  std::string sensor_id;
  std::uint64_t epoch = 0;
  std::uint64_t first_sequence = 0;
  std::uint64_t last_sequence = 0;
  std::uint64_t events = 0;
  int shard = 0;
  std::string agency_id;
  std::int64_t min_ts_ns = 0;
  std::int64_t max_ts_ns = 0;
  std::uint64_t commit_no = 0;  // the insert's number in the commit log (one per shard insert)
};

// What claimStreams() finds: the streams' marks and pending inserts as stored now.
struct StreamClaim {
  std::map<StreamKey, std::uint64_t> marks;
  std::vector<PendingInsert> pending;
};

// The commit log's states: an insert announced, known stored, or known not stored.
enum class CommitState { Pending = 0, Done = 1, Void = 2 };
struct CommitLogEntry {
  std::uint64_t commit_no = 0;
  CommitState state = CommitState::Pending;
  std::int64_t created_ns = 0;
};

struct SensorRow {
  std::string sensor_id;
  std::string agency_id;
  std::int64_t first_seen_ns = 0;
  std::int64_t last_seen_ns = 0;
  std::string software_version;
  std::string ruleset_version;
  std::int64_t clock_offset_ns = 0;
  std::uint64_t spool_depth = 0;
  std::uint64_t spool_dropped = 0;
  std::uint64_t events = 0;           // stored, over all epochs
  std::uint64_t gap_events = 0;
  std::uint64_t rejected_events = 0;
};

// A correlation hit as stored (collector/correlate produces them). Keyed by (rule, group,
// last_ns): a hit raised again when windows are rebuilt after a restart is recognised.
struct StoredHit {
  std::string rule_id;
  std::string group;           // the group values joined by '|'
  std::int64_t last_ns = 0;    // event time of the event that raised it
  std::int64_t first_ns = 0;
  bool update = false;
  std::string title;
  std::string severity;
  std::uint64_t events = 0;
  std::string values_json;     // JSON array of the distinct values
  std::string evidence_json;   // JSON array of event ids
};

// What the centre publishes (collector/notify): a campaign, warning or notice, kept as the
// proto's JSON with the columns it is looked up by.
struct Publication {
  std::string kind;         // "campaign", "warning", "notice", "intel"
  std::string id;
  std::string number;       // "W-2026-0001", "N-2026-0001"; "" for campaigns
  std::string campaign_id;
  std::string agency_id;    // notices: the agency it goes to; "" otherwise
  std::int64_t updated_ns = 0;
  std::string json;
  // What a page selects by without decoding the JSON: a notice's state ("new", "delivered",
  // "acknowledged", "closed"), a campaign's status ("active", "dormant", "closed"); "" otherwise.
  std::string status;
};

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A commit that stored some streams and not others (one ClickHouse shard down): the batches of
// `failed` streams are not stored and their marks unchanged; everything else is committed.
class PartialCommitError : public StoreError {
 public:
  PartialCommitError(const std::string& what, std::set<StreamKey> failed) : StoreError(what), failed_(std::move(failed)) {}
  [[nodiscard]] const std::set<StreamKey>& failed() const { return failed_; }

 private:
  std::set<StreamKey> failed_;
};

class EventStore {
 public:
  virtual ~EventStore() = default;
  [[nodiscard]] virtual std::string describe() const = 0;
  // Last committed sequence of every (sensor, epoch) stream.
  virtual std::map<StreamKey, std::uint64_t> streamMarks() = 0;
  // Stores the new events of every batch and the new stream marks in one transaction. Throws
  // StoreError (and commits nothing) on failure, or PartialCommitError naming the streams it did
  // not commit.
  virtual void commit(std::span<const CommitBatch> batches) = 0;
  // The state of a store that keeps its events elsewhere (ClickHouseEventStore), here because
  // it changes in place and must be shared by every front-end:
  // - claimStreams: exclusive use of the streams among the collectors sharing this store (a
  //   PostgreSQL session lock each; nothing to lock for SQLite, which one process writes) until
  //   releaseStreams(), with their marks and pending inserts as stored now;
  // - recordPendingInserts: one record per stream, replacing any, and a new commit-log number
  //   per shard, written into each insert's commit_no;
  // - settlePendingInsert: landed advances the stream's mark to its last sequence, counts its
  //   events and marks its commit Done; not landed marks it Void; either way the record goes. A
  //   commit with events_elsewhere settles its streams' records and marks their commits Done;
  // - the commit log, in number order, and the position of the tail that reads it.
  virtual StreamClaim claimStreams(std::span<const StreamKey> keys) = 0;
  virtual void releaseStreams() = 0;
  virtual void recordPendingInserts(std::span<PendingInsert> inserts) = 0;
  virtual std::vector<PendingInsert> pendingInserts() = 0;
  virtual void settlePendingInsert(const PendingInsert& insert, bool landed) = 0;
  virtual std::vector<CommitLogEntry> commitLog(std::uint64_t after, std::size_t limit) = 0;
  virtual std::uint64_t commitTail() = 0;
  virtual void setCommitTail(std::uint64_t through) = 0;
  // Events of the commits after `after` whose insert is Done, in commit order, up to the first
  // commit still Pending, at most about max_events; returns the last commit passed (`after` when
  // none). Only a store with a commit log (ClickHouse) has it; the others throw StoreError.
  virtual std::uint64_t forEachCommitted(std::uint64_t after, std::size_t max_events, const std::function<void(gsoc::v1::Event&&)>& visit) {
    (void)after, (void)max_events, (void)visit;
    throw StoreError(describe() + " has no commit log: correlation_from_store needs the clickhouse backend");
  }
  virtual void recordSensorStatus(const SensorIdentity& identity, const gsoc::v1::SensorStatus& status, std::int64_t received_ns) = 0;
  // An audit trail of refused peers and batches (wrong certificate, spoofed agency, bad batch).
  virtual void recordRefusal(std::int64_t at_ns, const SensorIdentity& identity, std::string_view reason) = 0;
  // Retention: deletes events older than the cutoff (event time); returns how many.
  virtual std::uint64_t deleteEventsBefore(std::int64_t cutoff_ns) = 0;
  virtual std::uint64_t eventCount() = 0;
  virtual std::vector<SensorRow> sensors() = 0;

  // Correlation: hits (false when this hit is already recorded) and the event time up to which
  // the correlator has processed.
  virtual bool recordHit(const StoredHit& hit) = 0;
  virtual std::int64_t correlatorProgress() = 0;
  virtual void setCorrelatorProgress(std::int64_t ts_ns) = 0;

  // Reading events (EventQuery.hpp): the events a query selects, in (time, arrival) order, with
  // event_id ("sensor:epoch:sequence"), agency_id and sensor_id set; and how many it selects,
  // grouped by `by` (ordered by the group's values; one group, key empty, when `by` is empty).
  // Throws std::invalid_argument for a query that cannot be right (an unknown kind), StoreError
  // when the store fails.
  virtual void forEachEvent(const EventQuery& query, const std::function<void(gsoc::v1::Event&&)>& visit) = 0;
  virtual std::vector<EventCount> countEvents(const EventQuery& query, std::span<const EventDimension> by) = 0;

  // Publications: insert or replace by (kind, id); look one up; count those whose number starts
  // with a prefix (to number the next one).
  virtual void upsertPublication(const Publication& p) = 0;
  virtual std::optional<Publication> publication(const std::string& kind, const std::string& id) = 0;
  virtual std::uint64_t publicationCount(const std::string& kind, const std::string& number_prefix) = 0;
  // The publications a query selects (PublicationQuery.hpp), and how many of a kind there are
  // per agency and status.
  virtual std::vector<Publication> selectPublications(const PublicationQuery& query) = 0;
  virtual std::vector<PublicationTally> tallyPublications(const std::string& kind) = 0;
  // Every publication updated at or after a time, oldest update first.
  std::vector<Publication> publications(std::int64_t updated_since_ns) {
    PublicationQuery query;
    query.updated_since_ns = updated_since_ns;
    return selectPublications(query);
  }
};
using EventStorePtr = std::unique_ptr<EventStore>;

// Opens the backend the config names ("sqlite", the default, "postgresql", or "clickhouse" with
// its state in SQLite or PostgreSQL); relative paths are taken from base_dir. Throws StoreError naming the config key on a bad setting.
EventStorePtr openEventStore(const gsoc::v1::StoreConfig& config, const std::string& base_dir);

}  // namespace gsoc::collector
