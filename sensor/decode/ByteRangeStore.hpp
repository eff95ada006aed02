#pragma once
// Bytes that arrived out of order, held by offset until the gaps before them fill. Insertion keeps
// bytes already held where a new piece overlaps ("first wins"), which is the overlap policy of
// both IP fragment and TCP segment reassembly here. Used by FragmentReassembler and TcpStream.

#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace gsoc::sensor {

class ByteRangeStore {
 public:
  using Pieces = std::map<std::uint64_t, std::vector<std::uint8_t>>;

  struct Inserted {
    std::size_t bytes = 0;    // newly held
    bool overlapped = false;  // part of the piece was already held
  };
  Inserted insert(std::uint64_t offset, std::span<const std::uint8_t> data);

  [[nodiscard]] const Pieces& pieces() const { return pieces_; }
  [[nodiscard]] std::size_t bytes() const { return bytes_; }
  [[nodiscard]] bool empty() const { return pieces_.empty(); }
  // Removes and returns the first piece.
  std::pair<std::uint64_t, std::vector<std::uint8_t>> popFront();
  void clear() {
    pieces_.clear();
    bytes_ = 0;
  }

 private:
  Pieces pieces_;
  std::size_t bytes_ = 0;
};

}  // namespace gsoc::sensor
