#pragma once
// BatchWriter: the collector's single store writer. Ingest streams submit validated batches; the
// writer takes everything queued (up to commit_max_events), trims replayed sequences against the
// stream marks (sensor, epoch) -> last committed sequence, commits the rest and the new marks in
// one transaction (group commit: one fsync for many sensors' batches), and only then completes
// each batch's future with its ack. A failed commit completes them with an error and changes no
// mark, so the sensors resend; a partial one (PartialCommitError: a ClickHouse shard down) does
// so only for the streams it names.
//
// The queue is bounded in events: submit() waits for room, and gives up after its timeout so the
// stream can answer RESOURCE_EXHAUSTED (backpressure the sensor honours by backing off).

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "collector/ingest/ArenaBatch.hpp"
#include "collector/store/EventStore.hpp"
#include "gsoc/v1/ingest.pb.h"

namespace gsoc::collector {

struct WriterOptions {
  std::uint64_t max_queue_events = 200000;
  std::uint64_t commit_max_events = 20000;
};

struct WriterCounters {
  std::uint64_t batches = 0;
  std::uint64_t events_stored = 0;
  std::uint64_t events_duplicate = 0;
  std::uint64_t events_rejected = 0;
  std::uint64_t gap_events = 0;
  std::uint64_t commits = 0;
  std::uint64_t commit_failures = 0;
  std::uint64_t queue_full = 0;
  std::uint64_t queued_events = 0;  // now
};

// Events newly committed, handed on (with ownership) to whoever consumes them next: the
// correlator. events [skip, size) of batch are the new ones.
struct CommittedBatch {
  SensorIdentity identity;
  BatchPtr batch;
  int skip = 0;
};
using CommitListener = std::function<void(std::vector<CommittedBatch>)>;

struct WriteResult {
  bool stored = false;      // false: the store failed (error says why); answer UNAVAILABLE
  std::string error;
  gsoc::v1::BatchAck ack;
};

class BatchWriter {
 public:
  using Clock = std::function<std::int64_t()>;  // wall time, ns; injected for tests
  // `on_commit` (optional) gets every committed group after its acks, on the writer thread.
  BatchWriter(EventStore& store, WriterOptions options, Clock clock, CommitListener on_commit = {});
  ~BatchWriter();
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Queues a batch (rejected: settle it without storing, with the reason). Returns nullopt when
  // the queue stayed full for `wait` or the writer is stopping.
  std::optional<std::future<WriteResult>> submit(const SensorIdentity& identity, BatchPtr batch,
                                                 std::chrono::milliseconds wait, std::string rejected_reason = {});
  // Commits what is queued, then stops the thread.
  void stop();
  [[nodiscard]] WriterCounters counters() const;

 private:
  struct Item {
    SensorIdentity identity;
    BatchPtr batch;
    std::string rejected_reason;
    std::promise<WriteResult> done;
  };
  void run();
  void commitGroup(std::vector<Item>& group);

  EventStore& store_;
  WriterOptions options_;
  Clock clock_;
  CommitListener on_commit_;
  std::map<StreamKey, std::uint64_t> marks_;  // writer thread only
  mutable std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable room_ready_;
  std::deque<Item> queue_;
  std::uint64_t queued_events_ = 0;
  bool stopping_ = false;
  WriterCounters counters_;
  std::thread thread_;
};

}  // namespace gsoc::collector
