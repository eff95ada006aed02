#pragma once
// EventSpool: the sensor's durable outbox. Every event is appended to an on-disk spool before it
// is shipped, and stays there until the collector acknowledges it, so a collector outage or a
// sensor restart loses nothing: on reopen the unacknowledged records are replayed in order.
//
// Layout of the spool directory: `epoch` (the stream epoch, fixed when the spool is created),
// `acked` (the last acknowledged sequence) and append-only segment files `seg-<first
// sequence>.log`. A record is [u32 length][u32 crc32 of sequence+payload][u64 sequence][payload].
// Reopening checks every record; a torn tail (power loss mid-write) is cut off and counted, a
// corrupt record in an older segment ends that segment and is counted.
//
// State files (`epoch`, `acked`) are replaced atomically (written beside, fsynced, renamed over,
// the directory fsynced), so a crash or a failed write leaves the old content, never an empty or
// partial file. They are read strictly: anything but one decimal number, or an `acked` mark
// beyond the last spooled event, stops the open with an error naming the file, rather than
// guessing and discarding unacknowledged events.
//
// Sequences start at 1 and are contiguous per epoch. A lost spool directory means a new epoch, so
// the collector's (sensor, epoch, sequence) deduplication can never confuse two lives of a sensor.
// When the size cap is reached the policy decides, explicitly: drop_oldest deletes the oldest
// segment (its unacknowledged events are counted as dropped), block makes append() wait until
// acknowledgements free space (the capture path then counts its own drops). A full disk (ENOSPC,
// EDQUOT) is handled the same way, never thrown: drop_oldest deletes the oldest segments, and
// when none is left the oldest events not yet written; block waits for acknowledgements to free
// space. Either way every event lost is counted (dropped_disk_full). A file that may grow no
// further (EFBIG) only ends its segment.
//
// Records are fsynced before read() hands them to the shipper, whatever the fsync policy (which
// bounds how long an unshipped record may sit in the page cache): a record the collector could
// have stored is always on disk, so a sequence cut off at power loss was never shipped and may
// be given to the next event.
//
// Thread model: one appender (the sensor's output path) and one reader (the shipper), any thread
// may ack(); one mutex guards the index. Writes are buffered and go to the file when the buffer
// fills, when the reader needs them, or on flush(). The `acked` mark is written outside that
// mutex, at most every ack_persist_interval and when the spool closes: a mark that lags only
// makes the next run resend events the collector drops as duplicates.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
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
  // The `acked` file is rewritten (with two fsyncs) at most this often; 0: on every ack().
  std::chrono::milliseconds ack_persist_interval{100};
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
  std::uint64_t dropped_disk_full = 0;  // events lost because the disk was full (see the policies)
  std::uint64_t disk_full = 0;          // writes that found the disk full
  std::uint64_t ack_mark_failures = 0;  // `acked` rewrites that failed (the mark on disk lags)
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
  // errors and on unreadable state files (naming the file and the problem; nothing in the
  // directory is changed then), std::invalid_argument on bad options. A full disk is no error:
  // the epoch file is then written before the first record is.
  explicit EventSpool(SpoolOptions options);
  ~EventSpool();
  EventSpool(const EventSpool&) = delete;
  EventSpool& operator=(const EventSpool&) = delete;

  [[nodiscard]] std::uint64_t epoch() const { return epoch_; }
  // The sequence the next append() gets.
  [[nodiscard]] std::uint64_t nextSequence() const;

  // Appends one record and returns its sequence, or 0 when the spool closed while append() was
  // waiting for space (counted in dropped_shutdown). Throws std::runtime_error on I/O errors
  // other than a full disk.
  std::uint64_t append(std::string_view payload);
  // Writes buffered records to the file and fsyncs them.
  void flush();

  // Copies records with sequence >= from into out (cleared first), at most max_records and about
  // max_bytes of payload (at least one record). Waits up to `wait` when none is there yet.
  // Records deleted by drop_oldest are skipped: the first returned sequence may exceed from.
  void read(std::uint64_t from, std::size_t max_records, std::size_t max_bytes, std::vector<SpoolRecord>& out,
            std::chrono::milliseconds wait);

  // Everything <= through is settled; deletes fully settled segments and persists the mark (see
  // ack_persist_interval; a failed write is counted in ack_mark_failures, never thrown).
  void ack(std::uint64_t through);
  [[nodiscard]] std::uint64_t ackedThrough() const;
  // Events appended and not yet acknowledged (nor dropped).
  [[nodiscard]] std::uint64_t depth() const;
  [[nodiscard]] std::uint64_t bytes() const;
  [[nodiscard]] SpoolCounters counters() const;

  // Wakes a blocked append() (which then returns 0) and a waiting read(); flushes (records the
  // full disk still cannot take are dropped and counted) and persists the `acked` mark.
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
  // Starts a new active segment at `first` after writing and syncing the current one. `lock`:
  // see writeBufferLocked.
  void openNewSegmentLocked(std::uint64_t first, std::unique_lock<std::mutex>* lock);
  // Writes the buffer, handling a full disk per policy. With `lock` (the appender), block waits
  // on it for space; without, block leaves the buffer for a later write.
  void writeBufferLocked(std::unique_lock<std::mutex>* lock);
  // One attempt: 0, or the errno of a full disk (ENOSPC, EDQUOT) or file (EFBIG); nothing of
  // the buffer is then on disk.
  int tryWriteBufferLocked();
  // The buffer's records start a new segment; the written ones stay in the old.
  void splitActiveLocked();
  // Closes the active segment's file (fdatasync first with `sync`).
  void closeWriteFileLocked(bool sync);
  // fdatasync of what was written to the active segment (and its directory entry, when new).
  void syncFileLocked();
  // syncFileLocked, and the fsync policy's clock restarted when no append is left in the buffer.
  void syncLocked();
  void maybeSyncLocked(std::unique_lock<std::mutex>& lock);
  void dropOldestLocked(std::uint64_t SpoolCounters::*counter);
  // drop_oldest on a full disk: frees the oldest segment, or, when nothing else is left, the
  // oldest buffered records.
  void dropForDiskLocked();
  // Drops the buffered records (counted) and starts the next record in a new segment.
  void dropBufferLocked();
  // Drops the older half of the buffered records (counted) when nothing precedes them in the
  // active segment.
  void dropOlderBufferHalfLocked();
  // Deletes acknowledged segments, the active one included; true when anything was deleted.
  bool reclaimAcknowledgedLocked();
  void pruneHolesLocked();
  // Sequences in (after, through] lost in holes (dropped events between segments).
  [[nodiscard]] std::uint64_t holeEventsLocked(std::uint64_t after, std::uint64_t through) const;
  void persistAck(bool force);
  [[nodiscard]] std::uint64_t totalBytesLocked() const;

  SpoolOptions options_;
  std::uint64_t epoch_ = 0;
  bool epoch_durable_ = true;  // false while a full disk kept a new spool's epoch file from being written
  mutable std::mutex mutex_;
  std::condition_variable data_ready_;
  std::condition_variable space_ready_;
  std::deque<Segment> segments_;
  int write_fd_ = -1;              // the active segment, opened at its first write
  bool file_dirty_ = false;          // written to write_fd_ since its last fdatasync
  bool directory_unsynced_ = false;  // a segment file was created since the last sync
  std::string buffer_;             // appended, not yet written to the active segment
  std::uint64_t buffered_first_ = 0;  // sequence of the first record in buffer_; all before are on disk
  std::uint64_t next_sequence_ = 1;
  std::uint64_t acked_ = 0;
  std::uint64_t dropped_through_ = 0;  // sequences <= this were deleted by drop_oldest
  // Ranges of sequences dropped between segments (a full disk under the block policy at close,
  // or found between segments on open), above the settled mark; few, pruned on ack.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> holes_;
  std::uint64_t unsynced_ = 0;
  std::chrono::steady_clock::time_point last_sync_;
  Cursor cursor_;
  std::vector<std::uint8_t> read_window_;  // reused by read(): no allocation per batch
  bool closed_ = false;
  SpoolCounters counters_;
  std::mutex persist_mutex_;  // serialises writers of `acked`; taken before mutex_, never inside it
  std::uint64_t persisted_ack_ = 0;
  std::chrono::steady_clock::time_point last_ack_persist_;
};

}  // namespace gsoc::sensor
