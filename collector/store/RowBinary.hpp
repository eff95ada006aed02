#pragma once
// RowBinary: ClickHouse's plain binary row format, both ways. Integers are little-endian at their
// width; a String is its length as an unsigned LEB128 varint, then its bytes; an Array is its
// length the same way, then its elements; a Date is UInt16 days since 1970-01-01. A reader works
// on a growing buffer (a streamed answer): it says when a row is not complete yet instead of
// failing, so the caller waits for more bytes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gsoc::collector {

class RowBinaryWriter {
 public:
  explicit RowBinaryWriter(std::string& out) : out_(out) {}
  RowBinaryWriter& u16(std::uint16_t v) { return raw(v, 2); }
  RowBinaryWriter& i32(std::int32_t v) { return raw(static_cast<std::uint32_t>(v), 4); }
  RowBinaryWriter& i64(std::int64_t v) { return raw(static_cast<std::uint64_t>(v), 8); }
  RowBinaryWriter& u64(std::uint64_t v) { return raw(v, 8); }
  RowBinaryWriter& varint(std::uint64_t v);
  RowBinaryWriter& str(std::string_view v) {
    varint(v.size());
    out_.append(v);
    return *this;
  }

 private:
  RowBinaryWriter& raw(std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  std::string& out_;
};

// Reads fields from `data` starting at `pos`; every getter returns nullopt (pos unchanged for
// that field) when the buffer ends first.
class RowBinaryReader {
 public:
  explicit RowBinaryReader(std::string_view data, std::size_t pos = 0) : data_(data), pos_(pos) {}
  [[nodiscard]] std::size_t position() const { return pos_; }
  std::optional<std::uint64_t> u64();
  std::optional<std::uint64_t> varint();
  std::optional<std::string_view> str();

 private:
  std::string_view data_;
  std::size_t pos_;
};

}  // namespace gsoc::collector
