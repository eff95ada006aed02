#pragma once
// Feeds the records of a stream fuzz input (FuzzRecords.hpp) to an app-layer parser the way the
// sensor's app layer does: bit 0 of the control byte is the direction, bit 2 closes that
// direction after the record (its parser sees the connection end), and every direction is
// closed at the end of the input.

#include <cstdint>
#include <span>
#include <string>

#include "gsoc/signatures/Rule.hpp"
#include "tests/fuzz/FuzzRecords.hpp"

namespace gsoc::fuzz {

using signatures::FlowDirection;

inline FlowDirection directionOf(const Record& r) {
  return (r.control & 1) ? FlowDirection::ToClient : FlowDirection::ToServer;
}

// feed(direction, bytes) for each record, close(direction) where asked and at the end. Bytes
// are copied to an exact-size buffer first, so ASan sees a read past them.
template <typename Feed, typename Close>
void replayStream(const std::uint8_t* data, std::size_t size, Feed&& feed, Close&& close) {
  RecordReader reader(data, size);
  std::string copy;
  while (auto record = reader.next()) {
    copy.assign(record->bytes.begin(), record->bytes.end());
    feed(directionOf(*record), std::span(reinterpret_cast<const std::uint8_t*>(copy.data()), copy.size()));
    if (record->control & 4) close(directionOf(*record));
  }
  close(FlowDirection::ToServer);
  close(FlowDirection::ToClient);
}

// replayStream for a parser with feed(direction, bytes, sink), close(direction, sink) and an
// error count, which must never go down.
template <typename Parser, typename Sink>
void replayParser(Parser& parser, const Sink& sink, const std::uint8_t* data, std::size_t size) {
  std::uint64_t errors = parser.errors();
  auto checkErrors = [&] {
    check(parser.errors() >= errors, "error count went down");
    errors = parser.errors();
  };
  replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        parser.feed(dir, bytes, sink);
        checkErrors();
      },
      [&](FlowDirection dir) {
        parser.close(dir, sink);
        checkErrors();
      });
}

inline bool isHex(std::string_view s) {
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace gsoc::fuzz
