#include "sensor/transport/EventSpool.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <system_error>

namespace gsoc::sensor {
namespace {

constexpr std::size_t kHeaderBytes = 16;              // length, crc, sequence
constexpr std::uint32_t kMaxRecordBytes = 64U << 20;  // anything longer is corruption
constexpr std::size_t kWriteBufferBytes = 256U << 10;

std::runtime_error ioError(const std::string& what, const std::filesystem::path& path) {
  return std::runtime_error("spool: " + what + " " + path.string() + ": " + std::strerror(errno));
}

// The errors that mean "no room": a full file system, a quota, a file size limit.
bool diskFull(int error) { return error == ENOSPC || error == EDQUOT || error == EFBIG; }

// A failed system call on `path`, keeping errno so that callers can tell a full disk apart.
std::system_error systemError(int error, const std::string& what, const std::filesystem::path& path) {
  return std::system_error(error, std::generic_category(), "spool: " + what + " " + path.string());
}

// An owned file descriptor.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);  // only on an error path, which already reports the first error
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  [[nodiscard]] int get() const { return fd_; }
  // Closes now; the error of close(2), which may report a deferred write error, is returned.
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

// Writes all of data; 0, or the errno of the write that failed (a partial write may be on disk).
int writeAll(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return 0;
}

void fsyncDirectory(const std::filesystem::path& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) throw systemError(errno, "cannot open directory", dir);
  if (::fsync(fd.get()) != 0) throw systemError(errno, "cannot fsync directory", dir);
  if (const int error = fd.close(); error != 0) throw systemError(error, "cannot close directory", dir);
}

// Replaces `path` with `content` so that it holds the old or the new content whatever happens:
// written to path.tmp, fsynced, renamed over path, the directory fsynced. On failure path is
// untouched and std::system_error (with the errno) names the file.
void replaceFileAtomically(const std::filesystem::path& path, std::string_view content) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  FileDescriptor fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  if (fd.get() < 0) throw systemError(errno, "cannot create", tmp);
  try {
    if (const int error = writeAll(fd.get(), content.data(), content.size()); error != 0) throw systemError(error, "cannot write", tmp);
    if (::fsync(fd.get()) != 0) throw systemError(errno, "cannot fsync", tmp);
    if (const int error = fd.close(); error != 0) throw systemError(error, "cannot close", tmp);
    if (::rename(tmp.c_str(), path.c_str()) != 0) throw systemError(errno, "cannot rename " + tmp.string() + " to", path);
  } catch (...) {
    // Best effort: `path` is intact whatever happens here, and a stale .tmp is removed on open.
    static_cast<void>(::unlink(tmp.c_str()));
    throw;
  }
  fsyncDirectory(path.parent_path());
}

// Up to 32 bytes of `text` with anything unprintable escaped, for messages about damaged files.
std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 32)) {
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
      out.push_back(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
      out += hex;
    }
  }
  if (text.size() > 32) out += "...";
  return out;
}

// Reads a state file holding one decimal number (and a newline); nullopt when there is no such
// file. Anything else throws std::runtime_error naming the file, the problem and `advice`.
std::optional<std::uint64_t> readStateNumber(const std::filesystem::path& path, std::string_view advice) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw ioError("cannot read state file", path);
  }
  std::array<char, 64> data{};
  std::size_t got = 0;
  while (got < data.size()) {
    const ssize_t r = ::read(fd.get(), data.data() + got, data.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw ioError("cannot read state file", path);
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  const std::string_view text(data.data(), got);
  std::string_view digits = text;
  if (digits.ends_with('\n')) digits.remove_suffix(1);
  std::uint64_t value = 0;
  std::string problem;
  if (text.empty()) {
    problem = "is empty";
  } else if (digits.empty() || digits.size() > 20 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    problem = "holds '" + printable(digits) + "', not a decimal number";
  } else if (std::from_chars(digits.data(), digits.data() + digits.size(), value).ec != std::errc()) {
    problem = "holds " + std::string(digits) + ", more than 2^64 - 1";
  } else {
    return value;
  }
  throw std::runtime_error("spool: state file " + path.string() + " " + problem + "; " + std::string(advice));
}

std::string acknowledgedAdvice() {
  return "the spooled events are kept: correct the file, or delete it to resend every spooled event (the collector drops the "
         "ones it already holds)";
}

std::string epochAdvice(const std::filesystem::path& dir) {
  return "the spooled events are kept: restore the file, or move " + dir.string() +
         " away to start a new epoch (its unacknowledged events are then not shipped)";
}

void putU32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void putU64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
std::uint64_t getLe(const std::uint8_t* p, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::uint32_t recordCrc(std::uint64_t sequence, const std::uint8_t* payload, std::size_t n) {
  std::array<std::uint8_t, 8> seq{};
  for (int i = 0; i < 8; ++i) seq[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(sequence >> (8 * i));
  uLong crc = crc32(0L, seq.data(), 8);
  return static_cast<std::uint32_t>(crc32(crc, payload, static_cast<uInt>(n)));
}

std::filesystem::path segmentPath(const std::filesystem::path& dir, std::uint64_t first) {
  char name[40];
  std::snprintf(name, sizeof name, "seg-%020llu.log", static_cast<unsigned long long>(first));
  return dir / name;
}

// An open read-only file descriptor, closed on scope exit.
class ReadFile {
 public:
  explicit ReadFile(const std::filesystem::path& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw ioError("cannot open", path);
  }
  ~ReadFile() { ::close(fd_); }
  ReadFile(const ReadFile&) = delete;
  ReadFile& operator=(const ReadFile&) = delete;
  // Reads up to n bytes at offset; fewer at the end of the file.
  std::size_t readAt(std::uint64_t offset, std::uint8_t* out, std::size_t n) const {
    std::size_t done = 0;
    while (done < n) {
      const ssize_t r = ::pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      done += static_cast<std::size_t>(r);
    }
    return done;
  }

 private:
  int fd_;
};

}  // namespace

SpoolFullPolicy parseSpoolFullPolicy(std::string_view text) {
  if (text.empty() || text == "drop_oldest") return SpoolFullPolicy::DropOldest;
  if (text == "block") return SpoolFullPolicy::Block;
  throw std::invalid_argument("spool_full_policy '" + std::string(text) + "': expected drop_oldest or block");
}

SpoolFsync parseSpoolFsync(std::string_view text) {
  if (text.empty() || text == "interval") return SpoolFsync::Interval;
  if (text == "always") return SpoolFsync::Always;
  if (text == "batch") return SpoolFsync::Batch;
  throw std::invalid_argument("fsync '" + std::string(text) + "': expected always, batch or interval");
}

EventSpool::EventSpool(SpoolOptions options) : options_(std::move(options)) {
  if (options_.dir.empty()) throw std::invalid_argument("spool: no directory given");
  if (options_.max_bytes < (1U << 16)) throw std::invalid_argument("spool: max_bytes below 64 KiB");
  options_.segment_bytes = std::clamp<std::uint64_t>(options_.segment_bytes, 4096, options_.max_bytes / 4);
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec) throw std::runtime_error("spool: cannot create " + options_.dir.string() + ": " + ec.message());
  recover();
  last_sync_ = std::chrono::steady_clock::now();
  last_ack_persist_ = last_sync_;
}

EventSpool::~EventSpool() {
  try {
    close();
  } catch (...) {  // a destructor must not throw; close() already reported through counters
  }
  if (write_fd_ >= 0) ::close(write_fd_);
}

void EventSpool::recover() {
  const std::filesystem::path epoch_path = options_.dir / "epoch";
  const std::filesystem::path acked_path = options_.dir / "acked";
  // Everything is read and checked before anything is changed: a damaged state file must leave
  // the spool as it was for the operator to look at.
  std::vector<std::pair<std::uint64_t, std::filesystem::path>> found;
  for (const auto& entry : std::filesystem::directory_iterator(options_.dir)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("seg-") || !name.ends_with(".log")) continue;
    const std::string_view digits = std::string_view(name).substr(4, name.size() - 8);
    std::uint64_t first = 0;
    const auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), first);
    if (digits.size() != 20 || parsed.ec != std::errc() || parsed.ptr != digits.data() + digits.size() || first == 0) {
      throw std::runtime_error("spool: " + entry.path().string() + " is not a segment name this sensor writes (seg-<20 digits, from 1>.log); "
                               "move it out of " + options_.dir.string());
    }
    found.emplace_back(first, entry.path());
  }
  std::sort(found.begin(), found.end());
  const std::optional<std::uint64_t> epoch = readStateNumber(epoch_path, epochAdvice(options_.dir));
  if (epoch && *epoch == 0) {
    throw std::runtime_error("spool: state file " + epoch_path.string() + " holds 0, which is never an epoch; " + epochAdvice(options_.dir));
  }
  const bool has_records = std::any_of(found.begin(), found.end(), [](const auto& f) { return std::filesystem::file_size(f.second) > 0; });
  if (!epoch && has_records) {
    throw std::runtime_error("spool: " + options_.dir.string() + " holds segments but no epoch file; move them away to start a new epoch");
  }
  // Without an epoch, an `acked` mark belongs to no stream: a new epoch counts from 1.
  // Plain values, not an optional: GCC 12 at -O3 reports the optional's value as maybe
  // uninitialized (a false positive that -Werror makes fatal).
  bool has_acked = false;
  std::uint64_t acked_mark = 0;
  if (epoch) {
    if (const auto mark = readStateNumber(acked_path, acknowledgedAdvice())) {
      has_acked = true;
      acked_mark = *mark;
    }
  }

  // Check every record. A torn tail (the last write, cut by power loss) is cut off: it was never
  // synced, so never shipped, and its sequences are given again. A record damaged in place is
  // lost, but the records after it that check out are kept (moved to a segment file of their
  // own: a segment's sequences are contiguous), and the sequences lost are never given again, so
  // the collector sees the gap. Nothing is changed on disk until the state files are checked.
  struct FileRepair {
    std::filesystem::path path;
    std::size_t keep = 0;  // bytes the file keeps
    std::size_t size = 0;
    std::vector<std::pair<Segment, std::string>> moved;  // what follows a damaged record
  };
  std::vector<Segment> segments;
  std::vector<FileRepair> repairs;
  std::uint64_t reserved_next = 0;  // damage at the very end: sequences before this are not given again
  std::vector<std::uint8_t> chunk;
  for (std::size_t i = 0; i < found.size(); ++i) {
    const auto& [first, path] = found[i];
    const bool last_file = i + 1 == found.size();
    const std::uint64_t next_file_first = last_file ? 0 : found[i + 1].first;
    ReadFile file(path);
    const std::uint64_t size = std::filesystem::file_size(path);
    chunk.resize(static_cast<std::size_t>(size));
    const std::size_t got = file.readAt(0, chunk.data(), chunk.size());
    // A whole record at `at` with a sequence in [lowest, highest] whose checksum holds (the
    // cheap tests first: the search after a damaged record tries every offset).
    auto recordAt = [&](std::size_t at, std::uint64_t lowest, std::uint64_t highest, std::uint64_t& len, std::uint64_t& seq) {
      if (got - at < kHeaderBytes) return false;
      len = getLe(&chunk[at], 4);
      seq = getLe(&chunk[at + 8], 8);
      return seq >= lowest && seq <= highest && len <= kMaxRecordBytes && got - at - kHeaderBytes >= len &&
             getLe(&chunk[at + 4], 4) == recordCrc(seq, &chunk[at + kHeaderBytes], static_cast<std::size_t>(len));
    };
    FileRepair repair{path, got, got, {}};
    Segment seg{first, first - 1, 0, path};
    std::size_t begin = 0;  // where seg's records start in the file
    bool first_piece = true;
    auto finishPiece = [&](std::size_t end) {
      seg.bytes = end - begin;
      if (first_piece) {
        repair.keep = end;
      } else {
        repair.moved.emplace_back(seg, std::string(chunk.begin() + static_cast<std::ptrdiff_t>(begin), chunk.begin() + static_cast<std::ptrdiff_t>(end)));
        // Damage before the file's first record, whose records resume at the file's own first
        // sequence: they move into the file they came from (rewritten, not cut below), and the
        // empty first piece goes, or opening would delete that file (found by fuzzing,
        // tests/fuzz/regressions/spool).
        if (seg.path == repair.path) segments.pop_back();
      }
      if (!segments.empty() && seg.first <= segments.back().last) {
        // repair.path, not the structured binding `path`: clang 14 (the fuzz build) cannot
        // capture structured bindings in lambdas.
        throw std::runtime_error("spool: segment " + repair.path.string() + " overlaps the one before it");
      }
      segments.push_back(seg);
      first_piece = false;
    };
    std::size_t off = 0;
    while (true) {
      std::uint64_t len = 0;
      std::uint64_t seq = 0;
      if (off < got && recordAt(off, seg.last + 1, seg.last + 1, len, seq)) {
        seg.last = seq;
        off += kHeaderBytes + static_cast<std::size_t>(len);
        continue;
      }
      if (off >= got) {
        finishPiece(off);
        break;
      }
      const bool header_ok = got - off >= kHeaderBytes;
      const std::uint64_t claimed = header_ok ? getLe(&chunk[off], 4) : 0;
      const bool torn = last_file && (!header_ok || (getLe(&chunk[off + 8], 8) == seg.last + 1 && claimed <= kMaxRecordBytes &&
                                                     got - off - kHeaderBytes < claimed));
      // The next record that checks out, with a sequence that can follow this segment.
      const std::uint64_t bound = last_file ? seg.last + 1 + (got - off) / kHeaderBytes : next_file_first - 1;
      std::size_t next = off + 1;
      bool resync = false;
      for (; !torn && next < got; ++next) {
        if (recordAt(next, seg.last + 1, bound, len, seq)) {
          resync = true;
          break;
        }
      }
      if (!resync) {
        counters_.truncated_bytes += got - off;
        if (torn) {
          ++counters_.corrupt_records;
        } else if (!last_file) {
          counters_.corrupt_records += std::max<std::uint64_t>(1, next_file_first - seg.last - 1);
        } else {  // how many records the damage took is unknown: none of their sequences is given again
          ++counters_.corrupt_records;
          reserved_next = std::max(reserved_next, bound + 1);
        }
        finishPiece(off);
        break;
      }
      counters_.corrupt_records += seq - seg.last - 1;
      counters_.truncated_bytes += next - off;
      finishPiece(off);
      seg = Segment{seq, seq - 1, 0, segmentPath(options_.dir, seq)};
      begin = next;
      off = next;
    }
    if (repair.keep < repair.size) repairs.push_back(std::move(repair));
  }
  // A mark beyond every spooled event would silently discard them all: refuse it. (A mark within
  // the spooled range cannot be told from a true one.)
  std::uint64_t last_spooled = 0;
  for (const Segment& seg : segments) last_spooled = std::max(last_spooled, seg.last);
  if (has_acked && last_spooled > 0 && acked_mark > last_spooled) {
    throw std::runtime_error("spool: state file " + acked_path.string() + " marks " + std::to_string(acked_mark) +
                             " acknowledged, beyond the last spooled event " + std::to_string(last_spooled) + "; " + acknowledgedAdvice());
  }

  // Checked: now the directory is brought in line. Records moved out of a damaged segment are
  // written (and synced) before it is cut, so a crash in between only repeats the repair.
  for (const char* stale : {"epoch.tmp", "acked.tmp"}) std::filesystem::remove(options_.dir / stale);
  for (FileRepair& repair : repairs) {
    bool rewritten = false;  // a moved piece took the damaged file's own name (see finishPiece)
    for (auto& [moved, bytes] : repair.moved) {
      try {
        replaceFileAtomically(moved.path, bytes);
        rewritten = rewritten || moved.path == repair.path;
      } catch (const std::system_error& e) {
        if (!diskFull(e.code().value())) throw std::runtime_error(e.what());
        // No room for them: lost, and their sequences are not given again.
        counters_.corrupt_records += moved.last - moved.first + 1;
        reserved_next = std::max(reserved_next, moved.last + 1);
        std::erase_if(segments, [&lost = moved.path](const Segment& s) { return s.path == lost; });
      }
    }
    if (!rewritten && ::truncate(repair.path.c_str(), static_cast<off_t>(repair.keep)) != 0) throw ioError("cannot truncate", repair.path);
  }
  if (epoch) {
    epoch_ = *epoch;
  } else {
    for (const Segment& seg : segments) std::filesystem::remove(seg.path);  // empty ones (checked above)
    segments.clear();
    std::filesystem::remove(acked_path);
    epoch_ = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    try {
      replaceFileAtomically(epoch_path, std::to_string(epoch_) + "\n");
    } catch (const std::system_error& e) {
      if (!diskFull(e.code().value())) throw std::runtime_error(e.what());
      epoch_durable_ = false;  // written before the first record is (tryWriteBufferLocked)
    }
  }
  acked_ = acked_mark;
  persisted_ack_ = acked_;
  std::uint64_t previous_last = acked_;
  for (Segment& seg : segments) {
    if (seg.last < seg.first || seg.last <= acked_) {  // empty or fully acknowledged: nothing to replay
      std::filesystem::remove(seg.path);
      next_sequence_ = std::max(next_sequence_, seg.last + 1);
      continue;
    }
    counters_.recovered += seg.last - std::max(seg.first - 1, acked_);
    // Sequences between two segments were dropped (the oldest segment, or a full disk).
    if (!segments_.empty() && seg.first > previous_last + 1) holes_.emplace_back(previous_last + 1, seg.first - 1);
    previous_last = seg.last;
    next_sequence_ = seg.last + 1;
    segments_.push_back(std::move(seg));
  }
  next_sequence_ = std::max(next_sequence_, acked_ + 1);
  // Sequences after the last record kept that only damaged or empty segments held are lost
  // (counted as corrupt above): a hole, or depth() counts them as waiting and a drain waits for
  // events that no longer exist (found by fuzzing, tests/fuzz/regressions/spool).
  if (next_sequence_ > previous_last + 1) holes_.emplace_back(previous_last + 1, next_sequence_ - 1);
  if (reserved_next > next_sequence_) {  // damage at the end: never reuse what may have been shipped
    holes_.emplace_back(next_sequence_, reserved_next - 1);
    next_sequence_ = reserved_next;
  }
  if (!segments_.empty() && segments_.front().first > acked_ + 1) dropped_through_ = segments_.front().first - 1;
  cursor_ = Cursor{0, 0, 0};
  // The active segment; its file is created with its first write.
  segments_.push_back(Segment{next_sequence_, next_sequence_ - 1, 0, segmentPath(options_.dir, next_sequence_)});
  buffered_first_ = next_sequence_;
}

void EventSpool::openNewSegmentLocked(std::uint64_t first, std::unique_lock<std::mutex>* lock) {
  writeBufferLocked(lock);
  if (!buffer_.empty()) dropBufferLocked();  // block, closed while waiting for the disk: counted
  const Segment& active = segments_.back();
  if (active.first == first && active.last < active.first) return;  // dropping the buffer left an empty one there
  closeWriteFileLocked(true);
  segments_.push_back(Segment{first, first - 1, 0, segmentPath(options_.dir, first)});
  buffered_first_ = first;
}

void EventSpool::closeWriteFileLocked(bool sync) {
  if (write_fd_ < 0) return;
  if (sync) syncFileLocked();
  const int rc = ::close(write_fd_);
  write_fd_ = -1;
  file_dirty_ = false;
  if (rc != 0) throw ioError("cannot close", segments_.back().path);
}

std::uint64_t EventSpool::nextSequence() const {
  std::lock_guard lock(mutex_);
  return next_sequence_;
}

std::uint64_t EventSpool::totalBytesLocked() const {
  std::uint64_t total = buffer_.size();
  for (const auto& s : segments_) total += s.bytes;
  return total;
}

int EventSpool::tryWriteBufferLocked() {
  if (buffer_.empty()) return 0;
  if (!epoch_durable_) {  // a segment is never on disk without its epoch
    try {
      replaceFileAtomically(options_.dir / "epoch", std::to_string(epoch_) + "\n");
      epoch_durable_ = true;
    } catch (const std::system_error& e) {
      if (diskFull(e.code().value())) return e.code().value() == EFBIG ? ENOSPC : e.code().value();  // not this segment's size
      throw std::runtime_error(e.what());
    }
  }
  Segment& active = segments_.back();
  if (write_fd_ < 0) {
    write_fd_ = ::open(active.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
    if (write_fd_ < 0) {
      if (diskFull(errno)) return errno;
      throw ioError("cannot create", active.path);
    }
    directory_unsynced_ = true;
  }
  if (const int error = writeAll(write_fd_, buffer_.data(), buffer_.size()); error != 0) {
    // Cut a partial write back, so the file ends on a whole record and the next write follows it.
    if (::ftruncate(write_fd_, static_cast<off_t>(active.bytes)) != 0) throw ioError("cannot cut a partial write from", active.path);
    if (diskFull(error)) return error;
    errno = error;
    throw ioError("cannot write", active.path);
  }
  active.bytes += buffer_.size();
  file_dirty_ = true;
  buffer_.clear();
  buffered_first_ = next_sequence_;
  return 0;
}

void EventSpool::writeBufferLocked(std::unique_lock<std::mutex>* lock) {
  bool full = false;
  bool blocked = false;
  for (int error = tryWriteBufferLocked(); error != 0; error = tryWriteBufferLocked()) {
    if (!full) {
      ++counters_.disk_full;
      // The disk is now the cap: later segments are small enough that dropping one frees a
      // part of the spool, not all of it.
      options_.segment_bytes = std::clamp<std::uint64_t>(totalBytesLocked() / 4, 4096, options_.segment_bytes);
    }
    full = true;
    if (error == EFBIG) {
      // This file may grow no further (a file size limit), whatever the disk holds: the buffer
      // goes to a new segment, and only a buffer that fits in no file loses its older half.
      if (segments_.back().bytes > 0) {
        splitActiveLocked();
      } else {
        dropOlderBufferHalfLocked();
      }
      continue;
    }
    if (reclaimAcknowledgedLocked()) continue;
    if (options_.full_policy == SpoolFullPolicy::DropOldest) {
      dropForDiskLocked();  // each round frees a segment or empties the buffer: this ends
      continue;
    }
    if (closed_) {  // nobody writes the buffer after close(): its events are lost, and counted
      dropBufferLocked();
      return;
    }
    if (lock == nullptr) return;  // block: the buffer waits for a later write
    if (!blocked) ++counters_.blocked_appends;
    blocked = true;
    // Acknowledgements free segments (ack() notifies); space freed by others is found by retrying.
    space_ready_.wait_for(*lock, std::chrono::seconds(1));
  }
}

bool EventSpool::reclaimAcknowledgedLocked() {
  bool freed = false;
  while (segments_.size() > 1 && segments_.front().last <= acked_) {
    std::filesystem::remove(segments_.front().path);
    if (cursor_.segment_first == segments_.front().first) cursor_ = Cursor{};
    segments_.pop_front();
    freed = true;
  }
  Segment& active = segments_.back();
  if (segments_.size() == 1 && active.bytes > 0 && buffered_first_ - 1 <= acked_) {
    // Everything the active segment holds on disk is acknowledged: the buffer starts a new one.
    closeWriteFileLocked(false);
    std::filesystem::remove(active.path);
    if (cursor_.segment_first == active.first) cursor_ = Cursor{};
    active = Segment{buffered_first_, active.last, 0, segmentPath(options_.dir, buffered_first_)};
    freed = true;
  }
  return freed;
}

void EventSpool::dropForDiskLocked() {
  if (segments_.size() > 1) {
    dropOldestLocked(&SpoolCounters::dropped_disk_full);
    return;
  }
  if (segments_.back().bytes > 0) {
    // Only the active segment holds records on disk: the buffer goes to a new segment, the old
    // one is the oldest and is dropped next round.
    splitActiveLocked();
    return;
  }
  // Nothing of ours is left on disk to free: the oldest half of the buffer goes, until what is
  // left fits (or nothing is left).
  dropOlderBufferHalfLocked();
}

void EventSpool::splitActiveLocked() {
  Segment& active = segments_.back();
  const std::uint64_t last = active.last;
  active.last = buffered_first_ - 1;
  closeWriteFileLocked(true);  // synced: it is read, and shipped, like any older segment
  segments_.push_back(Segment{buffered_first_, last, 0, segmentPath(options_.dir, buffered_first_)});
}

void EventSpool::dropOlderBufferHalfLocked() {
  std::size_t cut = 0;
  std::uint64_t keep_from = buffered_first_;
  while (cut < buffer_.size() / 2) {  // whole records up to half the buffer
    cut += kHeaderBytes + static_cast<std::size_t>(getLe(reinterpret_cast<const std::uint8_t*>(buffer_.data() + cut), 4));
    ++keep_from;
  }
  Segment& active = segments_.back();
  if (cut == 0 || cut >= buffer_.size() || active.bytes > 0) {
    dropBufferLocked();  // one record left (or records on disk before it, in the same segment)
    return;
  }
  counters_.dropped_disk_full += keep_from - buffered_first_;
  buffer_.erase(0, cut);
  if (std::max(acked_, dropped_through_) + 1 >= buffered_first_) {
    dropped_through_ = keep_from - 1;  // everything before is settled: a prefix
  } else {
    holes_.emplace_back(buffered_first_, keep_from - 1);
  }
  closeWriteFileLocked(false);
  std::filesystem::remove(active.path);  // empty, if it was created at all
  if (cursor_.segment_first == active.first) cursor_ = Cursor{};
  active = Segment{keep_from, active.last, 0, segmentPath(options_.dir, keep_from)};
  buffered_first_ = keep_from;
  pruneHolesLocked();
}

void EventSpool::dropBufferLocked() {
  const std::uint64_t first = buffered_first_;
  const std::uint64_t last = next_sequence_ - 1;
  if (last < first) return;
  counters_.dropped_disk_full += last - first + 1;
  buffer_.clear();
  if (std::max(acked_, dropped_through_) + 1 >= first) {
    dropped_through_ = last;  // everything before is settled: the dropped range is a prefix
  } else {
    holes_.emplace_back(first, last);
  }
  // Records in a segment are contiguous (recovery relies on it): the next one starts afresh.
  Segment& active = segments_.back();
  active.last = first - 1;
  if (active.bytes == 0) {
    closeWriteFileLocked(false);
    std::filesystem::remove(active.path);  // empty, if it was created at all
    if (cursor_.segment_first == active.first) cursor_ = Cursor{};
    active = Segment{next_sequence_, next_sequence_ - 1, 0, segmentPath(options_.dir, next_sequence_)};
  } else {
    closeWriteFileLocked(true);
    segments_.push_back(Segment{next_sequence_, next_sequence_ - 1, 0, segmentPath(options_.dir, next_sequence_)});
  }
  buffered_first_ = next_sequence_;
  pruneHolesLocked();
}

void EventSpool::pruneHolesLocked() {
  const std::uint64_t settled = std::max(acked_, dropped_through_);
  std::erase_if(holes_, [settled](const auto& h) { return h.second <= settled; });
}

std::uint64_t EventSpool::holeEventsLocked(std::uint64_t after, std::uint64_t through) const {
  std::uint64_t n = 0;
  for (const auto& [first, last] : holes_) {
    const std::uint64_t lo = std::max(first, after + 1);
    const std::uint64_t hi = std::min(last, through);
    if (hi >= lo) n += hi - lo + 1;
  }
  return n;
}

void EventSpool::syncFileLocked() {
  if (write_fd_ < 0 || !file_dirty_) return;
  if (::fdatasync(write_fd_) != 0) throw ioError("cannot fsync", segments_.back().path);
  file_dirty_ = false;
  ++counters_.fsyncs;
  if (directory_unsynced_) {  // a new segment's name must survive power loss with its records
    try {
      fsyncDirectory(options_.dir);
    } catch (const std::system_error& e) {
      throw std::runtime_error(e.what());
    }
    directory_unsynced_ = false;
  }
}

void EventSpool::syncLocked() {
  syncFileLocked();
  if (buffer_.empty()) {  // every append so far is durable (a full disk may hold some back)
    unsynced_ = 0;
    last_sync_ = std::chrono::steady_clock::now();
  }
}

void EventSpool::maybeSyncLocked(std::unique_lock<std::mutex>& lock) {
  const bool due = options_.fsync == SpoolFsync::Always ||
                   (options_.fsync == SpoolFsync::Batch && unsynced_ >= options_.fsync_batch) ||
                   (options_.fsync == SpoolFsync::Interval && std::chrono::steady_clock::now() - last_sync_ >= options_.fsync_interval);
  if (due && unsynced_ > 0) {
    writeBufferLocked(&lock);
    syncLocked();
  }
}

void EventSpool::dropOldestLocked(std::uint64_t SpoolCounters::*counter) {
  const Segment& oldest = segments_.front();
  const std::uint64_t settled = std::max(acked_, dropped_through_);
  if (oldest.last > settled) counters_.*counter += oldest.last - std::max(settled, oldest.first - 1);
  dropped_through_ = std::max(dropped_through_, oldest.last);
  std::filesystem::remove(oldest.path);
  if (cursor_.segment_first == oldest.first) cursor_ = Cursor{};
  segments_.pop_front();
  pruneHolesLocked();
}

std::uint64_t EventSpool::append(std::string_view payload) {
  std::unique_lock lock(mutex_);
  if (payload.size() > kMaxRecordBytes) throw std::invalid_argument("spool: record of " + std::to_string(payload.size()) + " bytes");
  const std::uint64_t need = kHeaderBytes + payload.size();
  if (totalBytesLocked() + need > options_.max_bytes) {
    if (options_.full_policy == SpoolFullPolicy::Block) {
      ++counters_.blocked_appends;
      space_ready_.wait(lock, [&] { return closed_ || totalBytesLocked() + need <= options_.max_bytes; });
      if (closed_) {
        ++counters_.dropped_shutdown;
        return 0;
      }
    } else {
      while (totalBytesLocked() + need > options_.max_bytes) {
        if (segments_.size() == 1) openNewSegmentLocked(next_sequence_, &lock);
        if (segments_.size() == 1) break;  // a full disk already dropped everything older
        dropOldestLocked(&SpoolCounters::dropped_full);
      }
    }
  }
  if (segments_.back().bytes + buffer_.size() + need > options_.segment_bytes && segments_.back().last >= segments_.back().first) {
    openNewSegmentLocked(next_sequence_, &lock);
  }
  const std::uint64_t seq = next_sequence_++;
  putU32(buffer_, static_cast<std::uint32_t>(payload.size()));
  putU32(buffer_, recordCrc(seq, reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()));
  putU64(buffer_, seq);
  buffer_.append(payload);
  segments_.back().last = seq;
  ++counters_.appended;
  ++unsynced_;
  if (buffer_.size() >= kWriteBufferBytes) writeBufferLocked(&lock);
  maybeSyncLocked(lock);
  lock.unlock();
  data_ready_.notify_one();
  return seq;
}

void EventSpool::flush() {
  std::lock_guard lock(mutex_);
  writeBufferLocked(nullptr);
  syncLocked();
}

void EventSpool::read(std::uint64_t from, std::size_t max_records, std::size_t max_bytes, std::vector<SpoolRecord>& out,
                      std::chrono::milliseconds wait) {
  out.clear();
  std::unique_lock lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    from = std::max(from, dropped_through_ + 1);  // drop_oldest may have run while we waited
    if (next_sequence_ > from) {
      // Nothing leaves the spool before it is durable: a record the collector may have stored
      // can then never be lost at power loss and its sequence reused for another event.
      writeBufferLocked(nullptr);
      syncLocked();
      from = std::max(from, dropped_through_ + 1);
      if (buffered_first_ > from && holeEventsLocked(from - 1, buffered_first_ - 1) < buffered_first_ - from) break;
    }
    // Nothing durable at or after `from` yet (or a full disk holds it in the buffer).
    if (closed_ || data_ready_.wait_until(lock, deadline) == std::cv_status::timeout) return;
  }

  std::size_t bytes = 0;
  auto full = [&] { return out.size() >= max_records || (bytes >= max_bytes && !out.empty()); };
  auto seg = std::find_if(segments_.begin(), segments_.end(), [&](const Segment& s) { return s.last >= from; });
  for (; seg != segments_.end() && !full(); ++seg) {
    if (seg->bytes == 0) continue;  // nothing written yet (its records are still in the buffer)
    std::uint64_t offset = 0;
    if (cursor_.segment_first == seg->first && cursor_.next != 0 && cursor_.next <= from) offset = cursor_.offset;
    ReadFile file(seg->path);
    // A window over the segment, refilled in large preads rather than two syscalls a record.
    std::uint64_t window_offset = 0;
    std::size_t window_size = 0;
    auto window = [&](std::uint64_t at, std::size_t n) -> const std::uint8_t* {
      if (at < window_offset || at + n > window_offset + window_size) {
        window_offset = at;
        read_window_.resize(std::max<std::size_t>(n, static_cast<std::size_t>(std::min<std::uint64_t>(seg->bytes - at, 1U << 20))));
        window_size = file.readAt(at, read_window_.data(), read_window_.size());
        if (window_size < n) throw std::runtime_error("spool: short read in " + seg->path.string());
      }
      return &read_window_[static_cast<std::size_t>(at - window_offset)];
    };
    std::uint64_t next = 0;
    while (offset < seg->bytes && !full()) {
      const std::size_t len = static_cast<std::size_t>(getLe(window(offset, kHeaderBytes), 4));
      const std::uint8_t* record = window(offset, kHeaderBytes + len);
      const std::uint64_t seq = getLe(record + 8, 8);
      if (seq >= from) {
        out.push_back(SpoolRecord{seq, std::string(reinterpret_cast<const char*>(record + kHeaderBytes), len)});
        bytes += len;
      }
      offset += kHeaderBytes + len;
      next = seq + 1;
    }
    if (next != 0) cursor_ = Cursor{seg->first, offset, next};
  }
}

void EventSpool::persistAck(bool force) {
  std::lock_guard persist(persist_mutex_);
  std::uint64_t mark = 0;
  {
    std::lock_guard lock(mutex_);
    if (!epoch_durable_) return;  // no events were written, so none was acknowledged either
    mark = acked_;
  }
  const auto now = std::chrono::steady_clock::now();
  if (mark == persisted_ack_ || (!force && now - last_ack_persist_ < options_.ack_persist_interval)) return;
  try {
    replaceFileAtomically(options_.dir / "acked", std::to_string(mark) + "\n");
    persisted_ack_ = mark;
    last_ack_persist_ = now;
  } catch (const std::exception&) {
    // The old mark stays: the next run resends what the collector already holds, and it drops
    // those as duplicates. Counted, retried on the next ack.
    std::lock_guard lock(mutex_);
    ++counters_.ack_mark_failures;
  }
}

void EventSpool::ack(std::uint64_t through) {
  {
    std::lock_guard lock(mutex_);
    through = std::min(through, next_sequence_ - 1);
    if (through <= acked_) return;
    const std::uint64_t settled = std::max(acked_, dropped_through_);
    if (through > settled) counters_.acked += through - settled - holeEventsLocked(settled, through);
    acked_ = through;
    // Segments go before the mark is written: on a full disk that frees the room it needs, and
    // a mark that lags its deleted segments only reads as events dropped before them.
    while (segments_.size() > 1 && segments_.front().last <= acked_) {
      std::filesystem::remove(segments_.front().path);
      if (cursor_.segment_first == segments_.front().first) cursor_ = Cursor{};
      segments_.pop_front();
    }
    pruneHolesLocked();
  }
  space_ready_.notify_all();
  persistAck(false);
}

std::uint64_t EventSpool::ackedThrough() const {
  std::lock_guard lock(mutex_);
  return acked_;
}

std::uint64_t EventSpool::depth() const {
  std::lock_guard lock(mutex_);
  const std::uint64_t settled = std::max(acked_, dropped_through_);
  return next_sequence_ - 1 - settled - holeEventsLocked(settled, next_sequence_ - 1);
}

std::uint64_t EventSpool::bytes() const {
  std::lock_guard lock(mutex_);
  return totalBytesLocked();
}

SpoolCounters EventSpool::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void EventSpool::close() {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    writeBufferLocked(nullptr);
    if (!buffer_.empty()) dropBufferLocked();  // block, and the disk stayed full: counted
    syncLocked();
  }
  space_ready_.notify_all();
  data_ready_.notify_all();
  persistAck(true);
}

}  // namespace gsoc::sensor
