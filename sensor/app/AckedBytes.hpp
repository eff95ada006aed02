#pragma once
// A TCP direction's bytes on their way to a record parser (DCERPC, SMB, LDAP): as they arrive
// (Suricata's stream.inline) or, as Suricata in IDS mode, once the other side has acknowledged
// them (release()), so transactions complete, are logged and are inspected at the packets
// Suricata does it at.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace gsoc::sensor {

class AckedBytes {
 public:
  // Bytes held unacknowledged at most: past it they are released anyway (a capture that misses
  // the other side's ACKs must not grow without bound).
  static constexpr std::size_t kMaxHeldBytes = 1 << 20;
  void append(std::span<const std::uint8_t> data) {
    bytes_.append(reinterpret_cast<const char*>(data.data()), data.size());
    if (bytes_.size() - ready_ > kMaxHeldBytes) release();
  }
  void release() { ready_ = bytes_.size(); }
  // Releases all but the last `unacked` bytes held (an acknowledgement that covers only part).
  void release(std::uint64_t unacked) {
    const std::size_t end = unacked >= bytes_.size() - head_ ? head_ : bytes_.size() - static_cast<std::size_t>(unacked);
    if (end > ready_) ready_ = end;
  }
  [[nodiscard]] std::string_view ready() const { return std::string_view(bytes_).substr(head_, ready_ - head_); }
  // Every byte held, released or not (what a parser leaves when another takes the flow over).
  [[nodiscard]] std::string_view held() const { return std::string_view(bytes_).substr(head_); }
  // Drops n bytes from the front of ready(); the buffer is compacted now and then, not per call.
  void consume(std::size_t n) {
    head_ += n;
    if (head_ == bytes_.size()) {
      bytes_.clear();
      head_ = ready_ = 0;
    } else if (head_ > kCompactAt && head_ > bytes_.size() / 2) {
      bytes_.erase(0, head_);
      ready_ -= head_;
      head_ = 0;
    }
  }
  // As append() and consume(), with the buffer from `pool` (ByteBufferPool) while bytes are
  // held and back to it once none are: a side waiting for its next bytes holds no buffer.
  template <typename Pool>
  void append(std::span<const std::uint8_t> data, Pool& pool) {
    if (empty()) pool.lend(bytes_);
    pool.reserve(bytes_, bytes_.size() + data.size());  // grows through the pool's classes
    append(data);
  }
  template <typename Pool>
  void consume(std::size_t n, Pool& pool) {
    consume(n);
    if (empty()) pool.keep(bytes_);
  }
  [[nodiscard]] bool empty() const { return head_ == bytes_.size(); }
  void clear() {
    bytes_.clear();
    head_ = ready_ = 0;
    if (bytes_.capacity() > kKeptCapacity) bytes_.shrink_to_fit();
  }
  static constexpr std::size_t kKeptCapacity = 64 * 1024;
  static constexpr std::size_t kCompactAt = 64 * 1024;

 private:
  std::string bytes_;
  std::size_t head_ = 0;   // where ready() starts
  std::size_t ready_ = 0;  // where it ends
};

}  // namespace gsoc::sensor
