#pragma once
// A single-producer single-consumer ring of fixed-size packet slots, allocated once: the capture
// thread copies a frame in, one worker thread reads it in place. Full ring: the producer decides
// (wait for a file, count a drop for live capture). Frames longer than a slot are cut to it and
// counted (the wire length is kept).

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "sensor/capture/RawPacket.hpp"

namespace gsoc::sensor {

class PacketRing {
 public:
  static constexpr std::size_t kSlotBytes = 9216;  // jumbo frames

  explicit PacketRing(std::size_t slots) : slots_(slots) {}

  // Producer side. False when full.
  bool push(const RawPacket& packet) {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    const std::size_t next = (head + 1) % slots_.size();
    if (next == tail_.load(std::memory_order_acquire)) return false;
    Slot& s = slots_[head];
    const std::size_t n = std::min(packet.data.size(), kSlotBytes);
    if (n < packet.data.size()) truncated_.fetch_add(1, std::memory_order_relaxed);
    std::memcpy(s.bytes.data(), packet.data.data(), n);
    s.length = static_cast<std::uint32_t>(n);
    s.wire_length = packet.wire_length;
    s.timestamp_ns = packet.timestamp_ns;
    s.link_type = packet.link_type;
    s.capture_index = packet.capture_index;
    head_.store(next, std::memory_order_release);
    return true;
  }

  // Consumer side: a view of the oldest packet (valid until pop()), or false when empty.
  bool front(RawPacket& packet) const {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == head_.load(std::memory_order_acquire)) return false;
    const Slot& s = slots_[tail];
    packet.data = {s.bytes.data(), s.length};
    packet.wire_length = s.wire_length;
    packet.timestamp_ns = s.timestamp_ns;
    packet.link_type = s.link_type;
    packet.capture_index = s.capture_index;
    return true;
  }
  void pop() { tail_.store((tail_.load(std::memory_order_relaxed) + 1) % slots_.size(), std::memory_order_release); }
  [[nodiscard]] bool empty() const { return tail_.load(std::memory_order_acquire) == head_.load(std::memory_order_acquire); }
  [[nodiscard]] std::uint64_t truncated() const { return truncated_.load(std::memory_order_relaxed); }

 private:
  struct Slot {
    std::int64_t timestamp_ns = 0;
    std::uint32_t length = 0;
    std::uint32_t wire_length = 0;
    LinkType link_type = LinkType::Ethernet;
    std::uint64_t capture_index = 0;
    std::array<std::uint8_t, kSlotBytes> bytes;
  };
  std::vector<Slot> slots_;
  alignas(64) std::atomic<std::size_t> head_{0};
  alignas(64) std::atomic<std::size_t> tail_{0};
  std::atomic<std::uint64_t> truncated_{0};
};

}  // namespace gsoc::sensor
