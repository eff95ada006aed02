// EventSpool: ordering, acknowledgement, recovery after a restart or a torn write, both
// full-spool policies, a full disk, and damaged state files, on real files in a temporary
// directory. Failed writes are made without privileges by RLIMIT_FSIZE with SIGXFSZ ignored
// (writes beyond the limit fail with EFBIG, after a partial write). A really full file system
// (ENOSPC) is a 64 KiB tmpfs mounted in a child process's own mount namespace: as root, or
// through an unprivileged user namespace; those tests are skipped where neither is allowed.
#include "sensor/transport/EventSpool.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <functional>
#include <optional>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

using namespace gsoc::sensor;

namespace {

class EventSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("gsoc-spool-test-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  SpoolOptions options() const {
    SpoolOptions o;
    o.dir = dir_;
    return o;
  }
  static std::vector<SpoolRecord> readAll(EventSpool& spool, std::uint64_t from) {
    std::vector<SpoolRecord> out;
    spool.read(from, 1000000, 1U << 30, out, std::chrono::milliseconds(0));
    return out;
  }
  std::filesystem::path dir_;
};

std::string payload(std::uint64_t i) { return "event-" + std::to_string(i) + std::string(i % 50, 'x'); }

// While alive, no file of this process may grow beyond `bytes`: a write past it fails with EFBIG.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    EXPECT_EQ(::getrlimit(RLIMIT_FSIZE, &saved_), 0);
    previous_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);  // raising the soft limit back to the saved one is always allowed
    std::signal(SIGXFSZ, previous_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*previous_)(int) = nullptr;
};

// Runs `body` in a child process with `dir` a tmpfs of 64 KiB in the child's own mount namespace.
// The body returns what failed (empty: passed). nullopt when no tmpfs can be mounted here.
std::optional<std::string> onTinyFilesystem(const std::filesystem::path& dir, const std::function<std::string()>& body) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return "pipe failed";
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  const pid_t pid = ::fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    ::close(pipe_fds[0]);
    auto finish = [&](const std::string& message, int code) {
      if (!message.empty() && ::write(pipe_fds[1], message.data(), message.size()) < 0) code = 1;
      ::_exit(code);
    };
    if (::unshare(CLONE_NEWNS | (uid == 0 ? 0 : CLONE_NEWUSER)) != 0) finish("unshare: " + std::string(std::strerror(errno)), 77);
    if (uid != 0) {  // map ourselves to root of the new user namespace, which may mount a tmpfs
      std::ofstream("/proc/self/setgroups") << "deny";
      std::ofstream("/proc/self/uid_map") << "0 " << uid << " 1";
      std::ofstream("/proc/self/gid_map") << "0 " << gid << " 1";
    }
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) finish("private mounts: " + std::string(std::strerror(errno)), 77);
    std::filesystem::create_directories(dir);
    if (::mount("gsoc-spool-test", dir.c_str(), "tmpfs", 0, "size=64k") != 0) finish("mount: " + std::string(std::strerror(errno)), 77);
    try {
      const std::string failure = body();
      finish(failure, failure.empty() ? 0 : 1);
    } catch (const std::exception& e) {
      finish(std::string("threw: ") + e.what(), 1);
    }
  }
  ::close(pipe_fds[1]);
  std::string message;
  char chunk[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], chunk, sizeof chunk)) > 0;) message.append(chunk, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return "the child died: " + message;
  if (WEXITSTATUS(status) == 77) return std::nullopt;
  return WEXITSTATUS(status) == 0 ? std::string() : message;
}

// Fills the file system holding `dir` to the last byte.
void fillUp(const std::filesystem::path& dir) {
  std::ofstream filler(dir / "filler", std::ios::binary);
  const std::string block(4096, 'f');
  while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
  }
  filler.clear();
  for (int i = 0; i < 4096 && filler.put('f') && filler.flush(); ++i) {
  }
}

std::string contents(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::map<std::string, std::string> snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files[e.path().filename().string()] = contents(e.path());
  return files;
}

}  // namespace

TEST_F(EventSpoolTest, AppendsReadsInOrderAndAcks) {
  EventSpool spool(options());
  for (std::uint64_t i = 1; i <= 100; ++i) EXPECT_EQ(spool.append(payload(i)), i);
  auto records = readAll(spool, 1);
  ASSERT_EQ(records.size(), 100U);
  for (std::uint64_t i = 1; i <= 100; ++i) {
    EXPECT_EQ(records[i - 1].sequence, i);
    EXPECT_EQ(records[i - 1].payload, payload(i));
  }
  std::vector<SpoolRecord> part;
  spool.read(41, 10, 1U << 20, part, std::chrono::milliseconds(0));
  ASSERT_EQ(part.size(), 10U);
  EXPECT_EQ(part.front().sequence, 41U);
  spool.read(51, 10, 1U << 20, part, std::chrono::milliseconds(0));  // sequential read from the cursor
  EXPECT_EQ(part.front().sequence, 51U);
  spool.ack(60);
  EXPECT_EQ(spool.ackedThrough(), 60U);
  EXPECT_EQ(spool.depth(), 40U);
  EXPECT_EQ(spool.counters().acked, 60U);
}

TEST_F(EventSpoolTest, ReopenReplaysUnackedAndContinuesSequence) {
  std::uint64_t epoch = 0;
  {
    SpoolOptions o = options();
    o.segment_bytes = 4096;  // several segments
    EventSpool spool(o);
    epoch = spool.epoch();
    for (std::uint64_t i = 1; i <= 500; ++i) spool.append(payload(i));
    spool.ack(300);
  }
  EventSpool spool(options());
  EXPECT_EQ(spool.epoch(), epoch);
  EXPECT_EQ(spool.ackedThrough(), 300U);
  EXPECT_EQ(spool.counters().recovered, 200U);
  EXPECT_EQ(spool.nextSequence(), 501U);
  auto records = readAll(spool, 301);
  ASSERT_EQ(records.size(), 200U);
  EXPECT_EQ(records.front().sequence, 301U);
  EXPECT_EQ(records.back().payload, payload(500));
  EXPECT_EQ(spool.append("next"), 501U);
}

TEST_F(EventSpoolTest, TornTailIsCutAndCounted) {
  {
    EventSpool spool(options());
    for (std::uint64_t i = 1; i <= 10; ++i) spool.append(payload(i));
  }
  // Simulate power loss mid-write: the last record loses its final bytes.
  std::filesystem::path segment;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    if (e.path().filename().string().starts_with("seg-") && std::filesystem::file_size(e.path()) > 0) segment = e.path();
  }
  ASSERT_FALSE(segment.empty());
  std::filesystem::resize_file(segment, std::filesystem::file_size(segment) - 3);
  EventSpool spool(options());
  EXPECT_EQ(spool.counters().corrupt_records, 1U);
  EXPECT_GT(spool.counters().truncated_bytes, 0U);
  auto records = readAll(spool, 1);
  ASSERT_EQ(records.size(), 9U);
  EXPECT_EQ(spool.append("after"), 10U);  // the torn sequence is reused: it was never shipped
}

TEST_F(EventSpoolTest, FlippedByteFailsTheChecksum) {
  {
    EventSpool spool(options());
    for (std::uint64_t i = 1; i <= 10; ++i) spool.append(payload(i));
  }
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    if (!e.path().filename().string().starts_with("seg-") || std::filesystem::file_size(e.path()) == 0) continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(e.path()) / 2));
    f.put('\x7f');
  }
  EventSpool spool(options());
  EXPECT_EQ(spool.counters().corrupt_records, 1U);
  EXPECT_LT(readAll(spool, 1).size(), 10U);
}

// Issue 16: a flipped byte used to drop the rest of its segment, count one corrupt record, and
// give the cut sequences again, so the collector never saw the gap (and took a reused sequence
// for a duplicate). Now only the damaged record is lost, and its sequence is not given again.
TEST_F(EventSpoolTest, FlippedByteLosesOneRecordAndShowsTheGap) {
  std::filesystem::path segment;
  std::uintmax_t fifth = 0;  // offset of record 5's payload
  {
    EventSpool spool(options());
    for (std::uint64_t i = 1; i <= 10; ++i) spool.append(payload(i));
  }
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    if (e.path().filename().string().starts_with("seg-")) segment = e.path();
  }
  for (std::uint64_t i = 1; i < 5; ++i) fifth += 16 + payload(i).size();
  {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fifth + 16 + 2));
    f.put('#');
  }
  {
    EventSpool spool(options());
    EXPECT_EQ(spool.counters().corrupt_records, 1U);
    const auto records = readAll(spool, 1);
    ASSERT_EQ(records.size(), 9U);
    EXPECT_EQ(records[3].sequence, 4U);
    EXPECT_EQ(records[4].sequence, 6U);
    EXPECT_EQ(records[4].payload, payload(6));
    EXPECT_EQ(spool.depth(), 9U);
    EXPECT_EQ(spool.append("next"), 11U);
  }
  EventSpool again(options());  // the repair holds
  EXPECT_EQ(again.counters().corrupt_records, 0U);
  EXPECT_EQ(readAll(again, 1).size(), 10U);
}

TEST_F(EventSpoolTest, DamageAtTheEndIsNotNumberedAgain) {
  {
    EventSpool spool(options());
    for (std::uint64_t i = 1; i <= 10; ++i) spool.append(payload(i));
  }
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    if (!e.path().filename().string().starts_with("seg-")) continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(e.path()) - 2));  // in record 10, whole
    f.put('#');
  }
  EventSpool spool(options());
  EXPECT_EQ(spool.counters().corrupt_records, 1U);
  EXPECT_EQ(readAll(spool, 1).size(), 9U);
  const std::uint64_t next = spool.append("next");
  EXPECT_GT(next, 10U);  // 10 may have been shipped: giving it again would make "next" a duplicate
  EXPECT_EQ(spool.depth(), 10U);
}

TEST_F(EventSpoolTest, DropOldestCountsEveryDroppedEvent) {
  SpoolOptions o = options();
  o.max_bytes = 64 << 10;
  EventSpool spool(o);
  const std::string big(1000, 'e');
  for (int i = 0; i < 500; ++i) spool.append(big);
  const SpoolCounters c = spool.counters();
  EXPECT_GT(c.dropped_full, 0U);
  EXPECT_LE(spool.bytes(), o.max_bytes);
  auto records = readAll(spool, 1);
  ASSERT_FALSE(records.empty());
  // Everything not dropped is still there, contiguous up to the last append.
  EXPECT_EQ(records.front().sequence, c.dropped_full + 1);
  EXPECT_EQ(records.back().sequence, 500U);
  EXPECT_EQ(records.size() + c.dropped_full, 500U);
}

TEST_F(EventSpoolTest, BlockWaitsForAcksAndCloseReleases) {
  SpoolOptions o = options();
  o.max_bytes = 64 << 10;
  o.full_policy = SpoolFullPolicy::Block;
  EventSpool spool(o);
  const std::string big(1000, 'e');
  std::uint64_t last = 0;
  while (spool.bytes() + 1100 < o.max_bytes) last = spool.append(big);
  std::thread acker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    spool.ack(last);
  });
  EXPECT_EQ(spool.append(big), last + 1);  // waits for the ack, then fits
  acker.join();
  EXPECT_EQ(spool.counters().blocked_appends, 1U);
  EXPECT_EQ(spool.counters().dropped_full, 0U);
  while (spool.bytes() + 1100 < o.max_bytes) spool.append(big);
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    spool.close();
  });
  EXPECT_EQ(spool.append(big), 0U);  // refused at shutdown, and counted
  closer.join();
  EXPECT_EQ(spool.counters().dropped_shutdown, 1U);
}

TEST_F(EventSpoolTest, BadPolicyNamesAreRefused) {
  EXPECT_THROW(parseSpoolFullPolicy("drop_newest"), std::invalid_argument);
  EXPECT_THROW(parseSpoolFsync("sometimes"), std::invalid_argument);
  EXPECT_EQ(parseSpoolFsync(""), SpoolFsync::Interval);
}

// Issue 16, defect 3: a failed write of the `acked` mark used to leave it empty or partial (the
// write error surfaced only when the stream was destroyed, after which it was renamed anyway).
TEST_F(EventSpoolTest, FailedAckWriteKeepsTheOldMark) {
  SpoolOptions o = options();
  o.ack_persist_interval = std::chrono::milliseconds(0);
  EventSpool spool(o);
  for (std::uint64_t i = 1; i <= 100; ++i) spool.append(payload(i));
  spool.flush();
  spool.ack(40);
  ASSERT_EQ(contents(dir_ / "acked"), "40\n");
  for (const rlim_t limit : {rlim_t{0}, rlim_t{1}}) {  // nothing written, and a partial write
    {
      const FileSizeLimit full(limit);
      spool.ack(60 + limit);  // must not throw: the mark only lags
    }
    EXPECT_EQ(contents(dir_ / "acked"), "40\n") << "limit " << limit;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "acked.tmp"));
  }
  EXPECT_EQ(spool.counters().ack_mark_failures, 2U);
  EXPECT_EQ(spool.ackedThrough(), 61U);
  spool.ack(70);
  EXPECT_EQ(contents(dir_ / "acked"), "70\n");
}

// The epoch of a new spool on a full disk: no empty `epoch` file, and the epoch is written
// before the first record is (issue 16, defects 2 and 3: a disk full at start).
TEST_F(EventSpoolTest, FullDiskAtStartDropsAndCountsThenRecovers) {
  std::uint64_t epoch = 0;
  {
    std::optional<EventSpool> spool;
    {
      const FileSizeLimit full(0);
      SpoolOptions o = options();
      o.fsync = SpoolFsync::Always;  // every append goes to the file at once
      spool.emplace(o);
      for (std::uint64_t i = 1; i <= 50; ++i) EXPECT_EQ(spool->append(payload(i)), i);
      spool->flush();
      EXPECT_FALSE(std::filesystem::exists(dir_ / "epoch"));
      EXPECT_EQ(spool->counters().dropped_disk_full, 50U);
      EXPECT_GT(spool->counters().disk_full, 0U);
      EXPECT_EQ(spool->depth(), 0U);
      EXPECT_TRUE(readAll(*spool, 1).empty());
    }
    epoch = spool->epoch();
    for (std::uint64_t i = 51; i <= 60; ++i) EXPECT_EQ(spool->append(payload(i)), i);  // room again
    auto records = readAll(*spool, 1);
    ASSERT_EQ(records.size(), 10U);
    EXPECT_EQ(records.front().sequence, 51U);
    EXPECT_EQ(spool->depth(), 10U);
  }
  EXPECT_EQ(contents(dir_ / "epoch"), std::to_string(epoch) + "\n");
  EventSpool reopened(options());
  EXPECT_EQ(reopened.epoch(), epoch);
  EXPECT_EQ(reopened.counters().recovered, 10U);
  EXPECT_EQ(readAll(reopened, 1).front().sequence, 51U);
}

// Issue 16, defect 2: drop_oldest on a full disk keeps taking events; the oldest go first, every
// event is either readable or counted as dropped, and nothing throws.
TEST_F(EventSpoolTest, DropOldestOnAFullDiskKeepsTheNewest) {
  SpoolOptions o = options();
  o.fsync_interval = std::chrono::hours(1);  // everything waits in the buffer until flush()
  EventSpool spool(o);
  const std::string event(200, 'e');
  {
    const FileSizeLimit full(3000);  // 13 records of 216 bytes fit
    for (int i = 0; i < 100; ++i) spool.append(event);
    spool.flush();
  }
  const SpoolCounters c = spool.counters();
  EXPECT_GT(c.disk_full, 0U);
  const auto records = readAll(spool, 1);
  ASSERT_FALSE(records.empty());
  EXPECT_LE(records.size(), 13U);
  EXPECT_EQ(records.back().sequence, 100U);
  EXPECT_EQ(records.size() + c.dropped_disk_full, 100U);
  EXPECT_EQ(spool.depth(), records.size());
  for (std::size_t i = 1; i < records.size(); ++i) EXPECT_EQ(records[i].sequence, records[i - 1].sequence + 1);
  EXPECT_EQ(spool.append(event), 101U);  // and it goes on
}

// A write that does not fit ends the segment; the spool goes on in a new one and loses nothing
// while the new one has room.
TEST_F(EventSpoolTest, FullDiskWriteStartsANewSegment) {
  SpoolOptions o = options();
  o.segment_bytes = 4096;
  o.fsync = SpoolFsync::Always;
  EventSpool spool(o);
  const std::string event(200, 'e');
  {
    const FileSizeLimit full(3000);  // each file fills before the 4096-byte segment cap
    for (int i = 0; i < 200; ++i) spool.append(event);
  }
  const SpoolCounters c = spool.counters();
  EXPECT_GT(c.disk_full, 0U);
  EXPECT_EQ(c.dropped_disk_full, 0U);
  const auto records = readAll(spool, 1);
  ASSERT_EQ(records.size(), 200U);
  for (std::size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i].sequence, i + 1);
}

// Issue 16, defect 2, the block policy on a really full disk (ENOSPC): append() waits until
// acknowledgements free space, then the events are written; nothing is dropped.
TEST_F(EventSpoolTest, BlockOnAFullDiskWaitsForAcks) {
  const auto result = onTinyFilesystem(dir_, [this]() -> std::string {
    SpoolOptions o;
    o.dir = dir_ / "spool";
    o.full_policy = SpoolFullPolicy::Block;
    o.fsync = SpoolFsync::Always;
    o.segment_bytes = 8192;
    EventSpool spool(o);
    const std::string event(1000, 'e');
    std::atomic<bool> done{false};
    std::thread appender([&] {  // 200 KB through a 64 KiB disk
      for (int i = 0; i < 200; ++i) spool.append(event);
      done = true;
    });
    // The shipper starts once the appender is blocked on the full disk: left to race, a quick
    // shipper can keep the disk from ever filling (seen on a loaded CI machine).
    const auto fill_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done && spool.counters().blocked_appends == 0 && std::chrono::steady_clock::now() < fill_deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::uint64_t next = 1;
    std::vector<SpoolRecord> records;
    std::uint64_t shipped = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {  // the shipper's part: read, then acknowledge
      spool.read(next, 1000, 1U << 20, records, std::chrono::milliseconds(20));
      for (const auto& r : records) {
        if (r.sequence != next) return "read " + std::to_string(r.sequence) + " where " + std::to_string(next) + " was due";
        ++next;
        ++shipped;
      }
      if (!records.empty()) spool.ack(next - 1);
      if (done && next > 200) break;
    }
    appender.join();
    const SpoolCounters c = spool.counters();
    if (shipped != 200) return "shipped " + std::to_string(shipped) + " of 200";
    if (c.disk_full == 0 || c.blocked_appends == 0) return "the disk never filled (" + std::to_string(c.disk_full) + ")";
    if (c.dropped_disk_full != 0) return std::to_string(c.dropped_disk_full) + " dropped";
    return {};
  });
  if (!result) GTEST_SKIP() << "no tmpfs can be mounted here (needs root or user namespaces)";
  EXPECT_EQ(*result, "");
}

// ...and when the spool closes while the disk stays full, the waiting events are counted.
TEST_F(EventSpoolTest, BlockOnAFullDiskCountsWhatCloseDrops) {
  const auto result = onTinyFilesystem(dir_, [this]() -> std::string {
    SpoolOptions o;
    o.dir = dir_ / "spool";
    o.full_policy = SpoolFullPolicy::Block;
    o.fsync = SpoolFsync::Always;
    EventSpool spool(o);
    spool.append(std::string(4096 - 16, 'w'));  // one whole page of the tmpfs, so the next record needs another
    fillUp(dir_);
    std::thread closer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      spool.close();
    });
    const std::uint64_t seq = spool.append("never written");  // waits for space until close()
    closer.join();
    const SpoolCounters c = spool.counters();
    if (seq != 2) return "append returned " + std::to_string(seq);
    if (c.blocked_appends != 1) return "blocked " + std::to_string(c.blocked_appends) + " times";
    if (c.dropped_disk_full != 1) return "counted " + std::to_string(c.dropped_disk_full) + " dropped";
    if (spool.depth() != 1) return "depth " + std::to_string(spool.depth());
    return {};
  });
  if (!result) GTEST_SKIP() << "no tmpfs can be mounted here (needs root or user namespaces)";
  EXPECT_EQ(*result, "");
}

// drop_oldest on a really full disk: the oldest segments make room, the newest events stay.
TEST_F(EventSpoolTest, DropOldestOnAReallyFullDisk) {
  const auto result = onTinyFilesystem(dir_, [this]() -> std::string {
    SpoolOptions o;
    o.dir = dir_ / "spool";
    o.fsync = SpoolFsync::Always;
    o.segment_bytes = 8192;
    EventSpool spool(o);
    const std::string event(1000, 'e');
    for (int i = 0; i < 200; ++i) spool.append(event);
    std::vector<SpoolRecord> records;
    spool.read(1, 1000, 1U << 30, records, std::chrono::milliseconds(0));
    const SpoolCounters c = spool.counters();
    if (c.disk_full == 0) return "the disk never filled";
    if (records.empty() || records.back().sequence != 200) return "the newest events are not there";
    if (records.size() + c.dropped_disk_full != 200) {
      return std::to_string(records.size()) + " kept + " + std::to_string(c.dropped_disk_full) + " dropped != 200";
    }
    return {};
  });
  if (!result) GTEST_SKIP() << "no tmpfs can be mounted here (needs root or user namespaces)";
  EXPECT_EQ(*result, "");
}

// Issue 16, defect 4: state files are read strictly; a bad one stops the open with its name and
// the problem, and leaves every file as it was (no unacknowledged event is discarded).
TEST_F(EventSpoolTest, DamagedStateFilesAreRefusedByName) {
  {
    EventSpool spool(options());
    for (std::uint64_t i = 1; i <= 100; ++i) spool.append(payload(i));
    spool.ack(40);
  }
  const auto before = snapshot(dir_);
  struct Case {
    const char* file;
    const char* content;
    const char* problem;
  };
  const Case cases[] = {
      {"acked", "", "is empty"},
      {"acked", "stoull\n", "holds 'stoull', not a decimal number"},
      {"acked", "-5\n", "holds '-5', not a decimal number"},
      {"acked", " 41\n", "not a decimal number"},
      {"acked", "41\n41\n", "not a decimal number"},
      {"acked", "99999999999999999999\n", "more than 2^64 - 1"},
      {"acked", "1000\n", "marks 1000 acknowledged, beyond the last spooled event 100"},
      {"acked", "\x1b[2J\n", "holds '\\x1b[2J', not a decimal number"},
      {"epoch", "garbage", "holds 'garbage', not a decimal number"},
      {"epoch", "0\n", "holds 0, which is never an epoch"},
      {"epoch", "", "is empty"},
  };
  for (const Case& c : cases) {
    std::ofstream(dir_ / c.file, std::ios::trunc | std::ios::binary) << c.content;
    try {
      EventSpool spool(options());
      ADD_FAILURE() << c.file << " holding '" << c.content << "' was accepted";
    } catch (const std::runtime_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find((dir_ / c.file).string()), std::string::npos) << what;
      EXPECT_NE(what.find(c.problem), std::string::npos) << what;
      EXPECT_NE(what.find("the spooled events are kept"), std::string::npos) << what;
    }
    std::ofstream(dir_ / c.file, std::ios::trunc | std::ios::binary) << before.at(c.file);
    auto after = snapshot(dir_);
    EXPECT_EQ(after, before) << "refusing " << c.file << " '" << c.content << "' changed the spool";
  }
  // The advice holds: without the mark every spooled event is replayed.
  std::filesystem::remove(dir_ / "acked");
  EventSpool spool(options());
  EXPECT_EQ(spool.counters().recovered, 100U);
}
