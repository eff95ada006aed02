#include "sensor/transport/EventSpool.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
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

// Reads a whole small text file; empty when missing.
std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeFully(int fd, const char* data, std::size_t n, const std::filesystem::path& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw ioError("cannot write", path);
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
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
  std::vector<std::pair<std::uint64_t, std::filesystem::path>> found;
  for (const auto& entry : std::filesystem::directory_iterator(options_.dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == 28 && name.starts_with("seg-") && name.ends_with(".log")) {
      found.emplace_back(std::stoull(name.substr(4, 20)), entry.path());
    }
  }
  std::sort(found.begin(), found.end());
  const std::string epoch_text = slurp(epoch_path);
  if (epoch_text.empty()) {
    if (!found.empty()) {
      throw std::runtime_error("spool: " + options_.dir.string() + " holds segments but no epoch file; move them away to start a new epoch");
    }
    epoch_ = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
    const std::filesystem::path tmp = options_.dir / "epoch.tmp";
    std::ofstream(tmp) << epoch_ << "\n";
    std::filesystem::rename(tmp, epoch_path);
  } else {
    epoch_ = std::stoull(epoch_text);
  }
  const std::string acked_text = slurp(options_.dir / "acked");
  if (!acked_text.empty()) acked_ = std::stoull(acked_text);

  std::vector<std::uint8_t> chunk;
  for (const auto& [first, path] : found) {
    Segment seg{first, first - 1, 0, path};
    {
      ReadFile file(path);
      const std::uint64_t size = std::filesystem::file_size(path);
      chunk.resize(static_cast<std::size_t>(size));
      const std::size_t got = file.readAt(0, chunk.data(), chunk.size());
      std::size_t off = 0;
      while (off < got) {
        const bool header_ok = got - off >= kHeaderBytes;
        const std::uint64_t len = header_ok ? getLe(&chunk[off], 4) : 0;
        const std::uint64_t seq = header_ok ? getLe(&chunk[off + 8], 8) : 0;
        const bool ok = header_ok && len <= kMaxRecordBytes && got - off - kHeaderBytes >= len && seq == seg.last + 1 &&
                        getLe(&chunk[off + 4], 4) == recordCrc(seq, &chunk[off + kHeaderBytes], static_cast<std::size_t>(len));
        if (!ok) {
          ++counters_.corrupt_records;
          counters_.truncated_bytes += got - off;
          if (::truncate(path.c_str(), static_cast<off_t>(off)) != 0) throw ioError("cannot truncate", path);
          break;
        }
        seg.last = seq;
        off += kHeaderBytes + static_cast<std::size_t>(len);
      }
      seg.bytes = off;
    }
    if (!segments_.empty() && seg.first <= segments_.back().last) {
      throw std::runtime_error("spool: segment " + path.string() + " overlaps the one before it");
    }
    if (seg.last < seg.first || seg.last <= acked_) {  // empty or fully acknowledged: nothing to replay
      std::filesystem::remove(path);
      next_sequence_ = std::max(next_sequence_, seg.last + 1);
      continue;
    }
    counters_.recovered += seg.last - std::max(seg.first - 1, acked_);
    next_sequence_ = seg.last + 1;
    segments_.push_back(std::move(seg));
  }
  next_sequence_ = std::max(next_sequence_, acked_ + 1);
  if (!segments_.empty() && segments_.front().first > acked_ + 1) dropped_through_ = segments_.front().first - 1;
  cursor_ = Cursor{0, 0, 0};
  openNewSegmentLocked(next_sequence_);
}

void EventSpool::openNewSegmentLocked(std::uint64_t first) {
  if (write_fd_ >= 0) {
    writeBufferLocked();
    syncLocked();
    ::close(write_fd_);
    write_fd_ = -1;
  }
  Segment seg{first, first - 1, 0, segmentPath(options_.dir, first)};
  write_fd_ = ::open(seg.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
  if (write_fd_ < 0) throw ioError("cannot create", seg.path);
  segments_.push_back(std::move(seg));
  buffered_first_ = first;
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

void EventSpool::writeBufferLocked() {
  if (buffer_.empty()) return;
  Segment& active = segments_.back();
  writeFully(write_fd_, buffer_.data(), buffer_.size(), active.path);
  active.bytes += buffer_.size();
  buffer_.clear();
  buffered_first_ = next_sequence_;
}

void EventSpool::syncLocked() {
  if (unsynced_ == 0 || write_fd_ < 0) return;
  if (::fdatasync(write_fd_) != 0) throw ioError("cannot fsync", segments_.back().path);
  ++counters_.fsyncs;
  unsynced_ = 0;
  last_sync_ = std::chrono::steady_clock::now();
}

void EventSpool::maybeSyncLocked() {
  const bool due = options_.fsync == SpoolFsync::Always ||
                   (options_.fsync == SpoolFsync::Batch && unsynced_ >= options_.fsync_batch) ||
                   (options_.fsync == SpoolFsync::Interval && std::chrono::steady_clock::now() - last_sync_ >= options_.fsync_interval);
  if (due && unsynced_ > 0) {
    writeBufferLocked();
    syncLocked();
  }
}

void EventSpool::dropOldestLocked() {
  const Segment& oldest = segments_.front();
  const std::uint64_t settled = std::max(acked_, dropped_through_);
  if (oldest.last > settled) counters_.dropped_full += oldest.last - std::max(settled, oldest.first - 1);
  dropped_through_ = std::max(dropped_through_, oldest.last);
  std::filesystem::remove(oldest.path);
  if (cursor_.segment_first == oldest.first) cursor_ = Cursor{};
  segments_.pop_front();
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
        if (segments_.size() == 1) openNewSegmentLocked(next_sequence_);
        dropOldestLocked();
      }
    }
  }
  if (segments_.back().bytes + buffer_.size() + need > options_.segment_bytes && segments_.back().last >= segments_.back().first) {
    openNewSegmentLocked(next_sequence_);
  }
  const std::uint64_t seq = next_sequence_++;
  putU32(buffer_, static_cast<std::uint32_t>(payload.size()));
  putU32(buffer_, recordCrc(seq, reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()));
  putU64(buffer_, seq);
  buffer_.append(payload);
  segments_.back().last = seq;
  ++counters_.appended;
  ++unsynced_;
  if (buffer_.size() >= kWriteBufferBytes) writeBufferLocked();
  maybeSyncLocked();
  lock.unlock();
  data_ready_.notify_one();
  return seq;
}

void EventSpool::flush() {
  std::lock_guard lock(mutex_);
  writeBufferLocked();
  syncLocked();
}

void EventSpool::read(std::uint64_t from, std::size_t max_records, std::size_t max_bytes, std::vector<SpoolRecord>& out,
                      std::chrono::milliseconds wait) {
  out.clear();
  std::unique_lock lock(mutex_);
  if (!data_ready_.wait_for(lock, wait, [&] { return closed_ || next_sequence_ > std::max(from, dropped_through_ + 1); })) return;
  from = std::max(from, dropped_through_ + 1);  // drop_oldest may have run while we waited
  if (next_sequence_ <= from) return;
  // Nothing leaves the spool before it is durable: a record the collector may have stored can
  // then never be lost at power loss and its sequence reused for another event.
  writeBufferLocked();
  syncLocked();

  std::size_t bytes = 0;
  auto full = [&] { return out.size() >= max_records || (bytes >= max_bytes && !out.empty()); };
  auto seg = std::find_if(segments_.begin(), segments_.end(), [&](const Segment& s) { return s.last >= from; });
  for (; seg != segments_.end() && !full(); ++seg) {
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

void EventSpool::persistAckLocked() {
  // Not fsynced: a lost mark only makes the shipper resend what the collector deduplicates.
  const std::filesystem::path tmp = options_.dir / "acked.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << acked_ << "\n";
    if (!out) throw std::runtime_error("spool: cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, options_.dir / "acked");
}

void EventSpool::ack(std::uint64_t through) {
  {
    std::lock_guard lock(mutex_);
    through = std::min(through, next_sequence_ - 1);
    if (through <= acked_) return;
    const std::uint64_t settled = std::max(acked_, dropped_through_);
    if (through > settled) counters_.acked += through - settled;
    acked_ = through;
    persistAckLocked();
    while (segments_.size() > 1 && segments_.front().last <= acked_) {
      std::filesystem::remove(segments_.front().path);
      if (cursor_.segment_first == segments_.front().first) cursor_ = Cursor{};
      segments_.pop_front();
    }
  }
  space_ready_.notify_all();
}

std::uint64_t EventSpool::ackedThrough() const {
  std::lock_guard lock(mutex_);
  return acked_;
}

std::uint64_t EventSpool::depth() const {
  std::lock_guard lock(mutex_);
  return next_sequence_ - 1 - std::max(acked_, dropped_through_);
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
    if (write_fd_ >= 0) {
      writeBufferLocked();
      syncLocked();
    }
  }
  space_ready_.notify_all();
  data_ready_.notify_all();
}

}  // namespace gsoc::sensor
