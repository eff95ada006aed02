#pragma once
// Where packets come from. Three real implementations share this interface: a pcap file
// (offline), a live interface through libpcap, and DPDK ports. A source is read by one thread.

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "common/CounterTable.hpp"
#include "sensor/capture/RawPacket.hpp"

namespace gsoc::sensor {

struct CaptureCounters {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  std::uint64_t dropped_by_interface = 0;  // NIC / kernel ring drops reported by the backend
  std::uint64_t dropped_by_capture = 0;    // backend buffer overruns
  std::uint64_t errors = 0;                // corrupt or truncated input

  // Named and ordered as the stats record's capture section.
  static constexpr auto counterFields() {
    using F = gsoc::CounterField<CaptureCounters>;
    constexpr auto kCounter = gsoc::CounterKind::Counter;
    return std::array{
        F{"packets", &CaptureCounters::packets, kCounter, "Packets captured."},
        F{"bytes", &CaptureCounters::bytes, kCounter, "Bytes captured."},
        F{"errors", &CaptureCounters::errors, kCounter, "Corrupt or truncated input."},
        F{"dropped_interface", &CaptureCounters::dropped_by_interface, kCounter, "Packets dropped by the NIC or kernel."},
        F{"dropped_capture", &CaptureCounters::dropped_by_capture, kCounter, "Packets dropped by the capture layer's buffers."},
    };
  }
};
static_assert(gsoc::countersCoverStruct<CaptureCounters>());

class PacketSource {
 public:
  virtual ~PacketSource() = default;
  // Fills `packet` with the next frame; false at the end of input (or after an error, which is
  // counted and described by lastError()).
  virtual bool next(RawPacket& packet) = 0;
  [[nodiscard]] virtual CaptureCounters counters() const = 0;
  [[nodiscard]] virtual std::string describe() const = 0;
  [[nodiscard]] virtual std::string lastError() const { return {}; }
  // Called on the reading thread while a live source waits for packets: a quiet link must not
  // hold back a reload or leave the counters an operator reads stale.
  void setIdleHook(std::function<void()> hook) { idle_hook_ = std::move(hook); }

 protected:
  void idle() const {
    if (idle_hook_) idle_hook_();
  }

 private:
  std::function<void()> idle_hook_;
};

}  // namespace gsoc::sensor
