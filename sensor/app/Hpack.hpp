#pragma once
// HPACK (RFC 7541), the header compression of HTTP/2: a decoder for one direction of a connection
// (its dynamic table persists from block to block), and the static Huffman code for string
// literals. A passive sensor must decode every header block in order, or the dynamic table
// drifts and later headers decode wrong; a block that does not decode is an error after which
// the direction is not parsed further.

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace gsoc::sensor {

using HeaderField = std::pair<std::string, std::string>;

// Decodes a Huffman-coded string literal; nullopt for an invalid code or padding.
std::optional<std::string> huffmanDecode(std::span<const std::uint8_t> data);

class HpackDecoder {
 public:
  // The most a table may grow to whatever size updates say: bounds the memory a peer can make
  // the sensor hold (HTTP/2's default is 4,096).
  static constexpr std::size_t kMaxTableSize = 64 * 1024;

  // Appends the fields of one complete header block to `out`; false if it is malformed.
  bool decode(std::span<const std::uint8_t> block, std::vector<HeaderField>& out);
  [[nodiscard]] std::size_t tableSize() const { return size_; }
  [[nodiscard]] std::size_t tableEntries() const { return table_.size(); }
  // The dynamic table size updates of the last block decoded (http2.size_update).
  [[nodiscard]] const std::vector<std::uint64_t>& sizeUpdates() const { return size_updates_; }

 private:
  const HeaderField* entry(std::uint64_t index) const;
  void insert(HeaderField field);
  void evictTo(std::size_t limit);

  std::deque<HeaderField> table_;  // newest first, as HPACK numbers them
  std::size_t size_ = 0;           // RFC 7541 4.1: name + value + 32 per entry
  std::size_t max_size_ = 4096;
  std::vector<std::uint64_t> size_updates_;
};

}  // namespace gsoc::sensor
