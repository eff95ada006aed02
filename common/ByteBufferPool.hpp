#pragma once
// ByteBufferPool: one worker's spare byte buffers (std::string) for bytes on their way somewhere:
// stream windows waiting for their scan, bytes held until acknowledged (AckedBytes), an HTTP
// side's unparsed bytes, TLS records. Spares are kept in capacity classes. A buffer grows
// (reserve()) by moving its bytes to a spare of the smallest class that holds what it needs and
// giving its old one to the list of its own class, so every move gives one buffer for the one it
// takes, and once the lists hold the worker's working set nothing allocates (issue 17: a string
// growing in place doubled through every size on the way, and a spare came back with whatever
// capacity its last holder left; on the uplink profile that was over half the sensor's
// allocations). A holder with nothing left gives its buffer back (keep(), give()), whatever
// its size, so a waiting flow holds none; a small spare goes to the next holder with bytes.
//
// A holder's first bytes, with no small spare, get a buffer of just their size (not a class's),
// so a table of many quiet flows holds no class-sized buffers (memory per flow).
//
// Counters per class as FreeList's; a buffer that its holder grew in place (a plain append, not
// reserve()) goes back to the class of its new capacity, and a lent-to holder's first growth
// hands back an empty string (counted released in class 0), so in_use and released are
// approximate per class; created, reused and kept are exact.
// Not thread-safe: one per worker.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "common/FreeList.hpp"
#include "common/PoolTable.hpp"

namespace gsoc {

class ByteBufferPool {
 public:
  // The classes' smallest capacities. Class 0 holds small buffers of any capacity under class
  // 1's; a buffer from class k >= 1 holds at least kClassBytes[k]. Past 4 KiB a buffer goes
  // straight to 64 KiB: a burst (a bulk response waiting for its ACK) that walked through a
  // 16 KiB class copied its bytes once more per burst (memmove went from 9.5 to 14.4 % of the
  // uplink benchmark). The last holds 64 KiB of stream bytes waiting for an ACK with their
  // context and room to spare.
  static constexpr std::size_t kClasses = 5;
  static constexpr std::array<std::size_t, kClasses> kClassBytes{16, 1024, 4 * 1024, 64 * 1024, 128 * 1024};
  static constexpr std::array<const char*, kClasses> kClassSuffix{"", "_1k", "_4k", "_64k", "_128k"};
  // A buffer larger than this (one that took a huge segment) is freed, not kept.
  static constexpr std::size_t kMaxKeptBytes = 2 * kClassBytes.back();
  using Kept = std::array<std::size_t, kClasses>;  // spares kept at most, per class

  explicit ByteBufferPool(const Kept& kept)
      : lists_{FreeList<std::string>(kept[0]), FreeList<std::string>(kept[1]), FreeList<std::string>(kept[2]),
               FreeList<std::string>(kept[3]), FreeList<std::string>(kept[4])} {}

  // A buffer for a holder's first bytes: a small spare, or an empty string.
  [[nodiscard]] std::string start() {
    return lists_[0].take([] { return std::string(); });
  }
  // An empty `buffer` with none of its own takes a small spare when one is kept (class 0, else
  // class 1): bytes that come and go soon (unparsed, unacknowledged) need no buffer of their own.
  void lend(std::string& buffer) {
    if (!buffer.empty() || onHeap(buffer)) return;
    for (std::size_t k = 0; k < 2; ++k) {
      if (lists_[k].size() == 0) continue;
      buffer = lists_[k].take([] { return std::string(); });
      return;
    }
  }
  // Before `buffer` holds `needed` bytes: when it is too small, its bytes move to a spare of the
  // smallest class that holds `needed` (a new one of the class's size when none is kept) and
  // its old buffer goes to its class. The first bytes of a buffer with none get just their size.
  void reserve(std::string& buffer, std::size_t needed) {
    if (needed <= buffer.capacity()) return;
    if (!onHeap(buffer) && needed < kClassBytes[1]) return buffer.reserve(needed);
    std::string larger = takeFor(needed);
    larger.assign(buffer);
    give(std::exchange(buffer, std::move(larger)));
  }
  void append(std::string& buffer, std::string_view bytes) {
    reserve(buffer, buffer.size() + bytes.size());
    buffer.append(bytes);
  }
  // A spare that holds `needed` bytes (the smallest class that does; a new one when none is kept).
  [[nodiscard]] std::string takeFor(std::size_t needed) {
    std::size_t k = 1;
    while (k + 1 < kClasses && kClassBytes[k] < needed) ++k;
    std::string spare = take(k);
    if (spare.capacity() < needed) spare.reserve(needed);  // past the last class
    return spare;
  }
  // A large buffer (past class 2) left with no more than class 1's size moves its bytes to a
  // class 1 buffer and goes back for the next burst (any holder's), so holders that wait after
  // a burst (a stream window's context) do not each keep a large one.
  void shrink(std::string& buffer) {
    if (buffer.capacity() <= kClassBytes[2] || buffer.size() > kClassBytes[1]) return;
    std::string small = take(1);
    small.assign(buffer);
    give(std::exchange(buffer, std::move(small)));
  }
  // A buffer its holder no longer needs: cleared, into the list of its class (freed when it
  // has no heap buffer, is past kMaxKeptBytes, or the list is full).
  void give(std::string buffer) {
    FreeList<std::string>& list = lists_[classOf(buffer.capacity())];
    if (!onHeap(buffer) || buffer.capacity() > kMaxKeptBytes) return list.discard(std::move(buffer));
    buffer.clear();
    list.give(std::move(buffer));
  }
  // Gives `buffer`'s capacity back when it is empty, leaving it none.
  void keep(std::string& buffer) {
    if (buffer.empty() && onHeap(buffer)) give(std::exchange(buffer, std::string()));
  }

  // Spares kept, all classes.
  [[nodiscard]] std::size_t size() const {
    std::size_t n = 0;
    for (const FreeList<std::string>& list : lists_) n += list.size();
    return n;
  }
  // Adds the classes' lists to `table` as `name`, `name`_1k, `name`_4k...
  void addPools(PoolTable& table, std::string_view name) const {
    for (std::size_t k = 0; k < kClasses; ++k) table.add(std::string(name) + kClassSuffix[k], lists_[k].counters());
  }

 private:
  static bool onHeap(const std::string& s) { return s.capacity() > std::string().capacity(); }
  // The class a buffer of `capacity` goes back to: the largest whose smallest capacity it has.
  static std::size_t classOf(std::size_t capacity) {
    std::size_t k = 0;
    while (k + 1 < kClasses && kClassBytes[k + 1] <= capacity) ++k;
    return k;
  }
  // A spare of class k >= 1, or a new buffer of exactly the class's size.
  std::string take(std::size_t k) {
    return lists_[k].take([k] {
      std::string fresh;
      fresh.reserve(kClassBytes[k]);  // from an empty string: exactly this
      return fresh;
    });
  }

  std::array<FreeList<std::string>, kClasses> lists_;
};

}  // namespace gsoc
