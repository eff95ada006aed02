#pragma once
// EventSpool: the sensor's durable outbox. Every event is appended to an on-disk spool before it
// is shipped, and stays there until the collector acknowledges it, so a collector outage or a
// sensor restart loses nothing: on reopen the unacknowledged records are replayed in order.
//
// Layout of the spool directory: `epoch` (the stream epoch, fixed when the spool is created),
// `acked` (the last acknowledged sequence, replaced atomically) and append-only segment files
// `seg-<first sequence>.log`. A record is [u32 length][u32 crc32 of sequence+payload][u64
// sequence][payload]. Reopening checks every record; a torn tail (power loss mid-write) is cut
// off and counted, a corrupt record in an older segment ends that segment and is counted.
//
// Sequences start at 1 and are contiguous per epoch. A lost spool directory means a new epoch, so
// the collector's (sensor, epoch, sequence) deduplication can never confuse two lives of a sensor.
// When the size cap is reached the policy decides, explicitly: drop_oldest deletes the oldest
// segment (its unacknowledged events are counted as dropped), block makes append() wait until
// acknowledgements free space (the capture path then counts its own drops).
//
// Records are fsynced before read() hands them to the shipper, whatever the fsync policy (which
// bounds how long an unshipped record may sit in the page cache): a record the collector could
// have stored is always on disk, so a sequence cut off at power loss was never shipped and may
// be given to the next event.
//
// Thread model: one appender (the sensor's output path) and one reader (the shipper), any thread
// may ack(); one mutex guards the index. Writes are buffered and go to the file when the buffer
// fills, when the reader needs them, or on flush().

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace gsoc::sensor {

enum class SpoolFullPolicy { DropOldest, Block };
enum class SpoolFsync { Always, Batch, Interval };

struct SpoolOptions {
  std::filesystem::path dir;
  std::uint64_t max_bytes = 1ULL << 30;
  std::uint64_t segment_bytes = 16ULL << 20;  // lowered to max_bytes/4 so the cap is honoured
  SpoolFullPolicy full_policy = SpoolFullPolicy::DropOldest;
  SpoolFsync fsync = SpoolFsync::Interval;
  std::chrono::milliseconds fsync_interval{200};
  std::uint32_t fsync_batch = 2000;  // with Batch: fsync after this many appends
};

// Parses the config spellings ("drop_oldest", "block"; "always", "batch", "interval"); throws
// std::invalid_argument naming the accepted values.
SpoolFullPolicy parseSpoolFullPolicy(std::string_view text);
SpoolFsync parseSpoolFsync(std::string_view text);

struct SpoolCounters {
  std::uint64_t appended = 0;
  std::uint64_t acked = 0;
  std::uint64_t dropped_full = 0;       // unacknowledged events deleted by drop_oldest
  std::uint64_t dropped_shutdown = 0;   // appends refused because the spool closed while blocked
  std::uint64_t blocked_appends = 0;    // appends that had to wait for space (block policy)
  std::uint64_t recovered = 0;          // unacknowledged records found when the spool was opened
  std::uint64_t corrupt_records = 0;    // records that failed their checksum or length on open
  std::uint64_t truncated_bytes = 0;    // bytes cut off torn or corrupt segment tails on open
  std::uint64_t fsyncs = 0;
};

struct SpoolRecord {
  std::uint64_t sequence = 0;
  std::string payload;
};

class EventSpool {
 public:
  // Opens (and recovers) or creates the spool. Throws std::runtime_error with the path on I/O
  // errors, std::invalid_argument on bad options.
  explicit EventSpool(SpoolOptions options);
  ~EventSpool();
  EventSpool(const EventSpool&) = delete;
  EventSpool& operator=(const EventSpool&) = delete;

  [[nodiscard]] std::uint64_t epoch() const { return epoch_; }
  // The sequence the next append() gets.
  [[nodiscard]] std::uint64_t nextSequence() const;

  // Appends one record and returns its sequence, or 0 when the spool closed while append() was
  // waiting for space (counted in dropped_shutdown). Throws std::runtime_error on I/O errors.
  std::uint64_t append(std::string_view payload);
  // Writes buffered records to the file and fsyncs them.
  void flush();

  // Copies records with sequence >= from into out (cleared first), at most max_records and about
  // max_bytes of payload (at least one record). Waits up to `wait` when none is there yet.
  // Records deleted by drop_oldest are skipped: the first returned sequence may exceed from.
  void read(std::uint64_t from, std::size_t max_records, std::size_t max_bytes, std::vector<SpoolRecord>& out,
            std::chrono::milliseconds wait);

  // Everything <= through is settled; persists the mark and deletes fully settled segments.
  void ack(std::uint64_t through);
  [[nodiscard]] std::uint64_t ackedThrough() const;
  // Events appended and not yet acknowledged (nor dropped).
  [[nodiscard]] std::uint64_t depth() const;
  [[nodiscard]] std::uint64_t bytes() const;
  [[nodiscard]] SpoolCounters counters() const;

  // Wakes a blocked append() (which then returns 0) and a waiting read(); flushes.
  void close();

 private:
  struct Segment {
    std::uint64_t first = 0;  // first sequence in the file
    std::uint64_t last = 0;   // last sequence in the file (first - 1 when empty)
    std::uint64_t bytes = 0;  // on disk
    std::filesystem::path path;
  };
  struct Cursor {  // where the reader stopped, so sequential reads never rescan a segment
    std::uint64_t segment_first = 0;
    std::uint64_t offset = 0;
    std::uint64_t next = 0;
  };

  void recover();
  void openNewSegmentLocked(std::uint64_t first);
  void writeBufferLocked();
  void syncLocked();
  void maybeSyncLocked();
  void dropOldestLocked();
  void persistAckLocked();
  [[nodiscard]] std::uint64_t totalBytesLocked() const;

  SpoolOptions options_;
  std::uint64_t epoch_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable data_ready_;
  std::condition_variable space_ready_;
  std::deque<Segment> segments_;
  int write_fd_ = -1;
  std::string buffer_;             // appended, not yet written to the active segment
  std::uint64_t buffered_first_ = 0;  // sequence of the first record in buffer_
  std::uint64_t next_sequence_ = 1;
  std::uint64_t acked_ = 0;
  std::uint64_t dropped_through_ = 0;  // sequences <= this were deleted by drop_oldest
  std::uint64_t unsynced_ = 0;
  std::chrono::steady_clock::time_point last_sync_;
  Cursor cursor_;
  std::vector<std::uint8_t> read_window_;  // reused by read(): no allocation per batch
  bool closed_ = false;
  SpoolCounters counters_;
};

}  // namespace gsoc::sensor
