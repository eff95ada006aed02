#pragma once
// Byte buffers for bytes on their way to a parser: an HTTP side's unparsed bytes, the bytes a
// side holds until they are acknowledged (AckedBytes). A side with nothing waiting gives its
// buffer back, so a flow that waits between messages holds none (issue 17: most open flows
// wait), and the next side that gets bytes takes it: no allocation per packet once warm.
// Only small buffers come back (kPooledBytes): a side that grew a larger one keeps it, as every
// side kept its buffer before, so a pooled buffer handed to a side that then waits is never
// much larger than what it holds. One per worker (HttpMessagePool owns one; TlsWorkspace another,
// with larger buffers); not thread-safe.

#include <cstddef>
#include <string>
#include <utility>

#include "common/FreeList.hpp"

namespace gsoc::sensor {

class ByteBufferPool {
 public:
  static constexpr std::size_t kPooledBytes = 2048;

  // `max_bytes`: the largest capacity keep() takes back.
  explicit ByteBufferPool(std::size_t cap, std::size_t max_bytes = kPooledBytes) : max_bytes_(max_bytes), buffers_(cap) {}

  // Gives `buffer` a kept buffer's capacity, when it is empty, has none of its own, and one is kept.
  void lend(std::string& buffer) {
    if (!buffer.empty() || buffer.capacity() > kInPlace || buffers_.size() == 0) return;
    buffer = buffers_.take([] { return std::string(); });
  }
  // Keeps `buffer`'s capacity for the next lend() when it is empty and small, leaving it none.
  void keep(std::string& buffer) {
    if (!buffer.empty() || buffer.capacity() <= kInPlace || buffer.capacity() > max_bytes_) return;
    buffers_.give(std::exchange(buffer, std::string()));
  }

  [[nodiscard]] std::size_t size() const { return buffers_.size(); }
  [[nodiscard]] FreeListCounters counters() const { return buffers_.counters(); }

 private:
  // What an empty string holds without allocating (its small-string buffer).
  static inline const std::size_t kInPlace = std::string().capacity();
  std::size_t max_bytes_;
  FreeList<std::string> buffers_;
};

}  // namespace gsoc::sensor
