#pragma once
// Feeding generated frames to a SensorWorker as a capture would: each one a millisecond after
// the last, numbered from 1 (pcap_cnt), whole on the wire.

#include <cstdint>
#include <span>

#include "sensor/worker/SensorWorker.hpp"

namespace gsoc::sensor::test {

class GeneratedFrames {
 public:
  explicit GeneratedFrames(SensorWorker& worker) : worker_(worker) {}
  void send(std::span<const std::uint8_t> frame) {
    RawPacket raw;
    raw.data = frame;
    raw.wire_length = static_cast<std::uint32_t>(frame.size());
    raw.timestamp_ns = now_ += 1'000'000;
    raw.capture_index = ++sent_;
    worker_.process(raw);
  }

 private:
  SensorWorker& worker_;
  std::int64_t now_ = 1'700'000'000'000'000'000;
  std::uint64_t sent_ = 0;
};

}  // namespace gsoc::sensor::test
