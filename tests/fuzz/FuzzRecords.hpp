#pragma once
// The input format of the stream fuzz targets: a sequence of records [u8 control][u16 length,
// big-endian][bytes]. The control byte says which direction (bit 0: to the client) and what else
// happens (target-specific bits); a length past the end takes what is left. make_corpus.py writes
// seeds in this format from the captures, so the fuzzer starts from real conversations split the
// way they arrived, and mutates both the bytes and where they are split.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <optional>
#include <span>
#include <string_view>

#include "tests/sensor/EveTextOracle.hpp"

namespace gsoc::fuzz {

struct Record {
  std::uint8_t control = 0;
  std::span<const std::uint8_t> bytes;
};

class RecordReader {
 public:
  RecordReader(const std::uint8_t* data, std::size_t size) : rest_(data, size) {}

  std::optional<Record> next() {
    if (rest_.size() < 3) return std::nullopt;
    Record r;
    r.control = rest_[0];
    const std::size_t length = std::size_t{rest_[1]} << 8 | rest_[2];
    rest_ = rest_.subspan(3);
    const std::size_t n = length < rest_.size() ? length : rest_.size();
    r.bytes = rest_.first(n);
    rest_ = rest_.subspan(n);
    return r;
  }

 private:
  std::span<const std::uint8_t> rest_;
};

// An invariant broken: a finding like a crash, with a message saying which.
[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}
inline void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

using oracle::strictUtf8;

}  // namespace gsoc::fuzz
