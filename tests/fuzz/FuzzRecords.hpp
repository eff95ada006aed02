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

// Strict UTF-8 (RFC 3629: no overlong forms, surrogates or code points past U+10FFFF), decoded
// code point by code point, apart from the product's own table-driven check.
inline bool strictUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : -1;
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size() + (extra == 0 ? 1 : 0)) return false;
    std::uint32_t cp = extra == 0 ? c : c & (0x3fu >> extra);
    for (int k = 1; k <= extra; ++k) {
      const auto d = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

}  // namespace gsoc::fuzz
