// The sensor's spool recovery (sensor/transport/EventSpool) on damaged directories: each record
// of the input becomes a file in an empty spool directory — control & 3: 0 `epoch`, 1 `acked`,
// 2 a segment whose first sequence is the record's first two bytes (seg-<20 digits>.log), 3 a
// stale `acked.tmp`. Control bit 7 recomputes the CRCs of a segment's records, so the fuzzer
// gets past the checksum into framing, sequence and repair logic. Then the spool is opened.
// Invariants: opening fails only with std::runtime_error (its documented error; filesystem
// errors derive from it) and then leaves every file as it was; an opened spool hands out its
// unacknowledged records in increasing order, after the acknowledged mark and before the next
// sequence, as many as depth() says; and what it repaired, plus one event appended, opens again
// cleanly with that event readable.
#include <zlib.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "sensor/transport/EventSpool.hpp"
#include "tests/fuzz/FuzzRecords.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::sensor::EventSpool;
namespace fs = std::filesystem;

// One directory per process, emptied per input and removed at exit; on tmpfs when there is one
// (the spool fsyncs).
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    const fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    path = base / ("gsoc-spool-fuzz-" + std::to_string(::getpid()));
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

const fs::path& spoolDir() {
  static const ScratchDir dir;
  return dir.path;
}

std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    files[entry.path().filename().string()] = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return files;
}

std::uint64_t le(const std::string& s, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + static_cast<std::size_t>(i)]);
  return v;
}

// [u32 length][u32 crc32 of sequence+payload][u64 sequence][payload], as EventSpool writes them.
void fixCrcs(std::string& segment) {
  std::size_t at = 0;
  while (segment.size() - at >= 16) {
    const std::uint64_t len = le(segment, at, 4);
    if (len > segment.size() - at - 16) break;
    uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(segment.data() + at + 8), 8);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(segment.data() + at + 16), static_cast<uInt>(len));
    for (int i = 0; i < 4; ++i) segment[at + 4 + static_cast<std::size_t>(i)] = static_cast<char>(crc >> (8 * i));
    at += 16 + static_cast<std::size_t>(len);
  }
}

gsoc::sensor::SpoolOptions options() {
  gsoc::sensor::SpoolOptions o;
  o.dir = spoolDir();
  o.max_bytes = 1 << 20;
  o.segment_bytes = 4096;
  o.ack_persist_interval = std::chrono::milliseconds(0);
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path& dir = spoolDir();
  fs::remove_all(dir);
  fs::create_directories(dir);
  gsoc::fuzz::RecordReader reader(data, size);
  while (auto record = reader.next()) {
    std::string bytes(record->bytes.begin(), record->bytes.end());
    std::string name;
    switch (record->control & 3) {
      case 0: name = "epoch"; break;
      case 1: name = "acked"; break;
      case 2: {
        if (bytes.size() < 2) continue;
        const unsigned first = static_cast<unsigned char>(bytes[0]) << 8 | static_cast<unsigned char>(bytes[1]);
        bytes.erase(0, 2);
        char buf[40];
        std::snprintf(buf, sizeof buf, "seg-%020u.log", first);
        name = buf;
        if (record->control & 0x80) fixCrcs(bytes);
        break;
      }
      default: name = "acked.tmp"; break;
    }
    std::ofstream(dir / name, std::ios::binary | std::ios::trunc) << bytes;
  }

  const auto before = snapshot(dir);
  std::uint64_t appended = 0;
  try {
    EventSpool spool(options());
    const std::uint64_t acked = spool.ackedThrough();
    const std::uint64_t next = spool.nextSequence();
    check(next > acked, "the next sequence is not after the acknowledged mark");
    std::vector<gsoc::sensor::SpoolRecord> records;
    spool.read(acked + 1, 1'000'000, 64 << 20, records, std::chrono::milliseconds(0));
    std::uint64_t previous = acked;
    for (const auto& r : records) {
      check(r.sequence > previous && r.sequence < next, "records out of order or outside (acked, next)");
      previous = r.sequence;
    }
    check(records.size() == spool.depth(), "depth() differs from the records the spool hands out");
    appended = spool.append("fuzz");
    check(appended == next, "append() did not take the next sequence");
    spool.close();
  } catch (const std::runtime_error& e) {
    if (appended == 0) {
      if (snapshot(dir) != before) std::fprintf(stderr, "open failed with: %s\n", e.what());
      check(snapshot(dir) == before, "a failed open changed the spool directory");
      return 0;
    }
    throw;  // the spool opened, but using it threw
  }
  // What the spool left behind opens cleanly and still holds the appended event.
  EventSpool again(options());
  std::vector<gsoc::sensor::SpoolRecord> records;
  again.read(appended, 1, 1 << 20, records, std::chrono::milliseconds(0));
  check(!records.empty() && records.front().sequence == appended && records.front().payload == "fuzz",
        "the appended event is gone after reopening");
  return 0;
}
