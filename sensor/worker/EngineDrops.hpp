#pragma once
// What the engine could not inspect, by layer: malformed packets skipped, fragments dropped (cap,
// size, timeout), flows pushed out of a full table, stream bytes lost to gaps. A worker publishes
// its totals every so often; the thread that prints progress lines and heartbeats reads them
// while the worker runs. One writer per PublishedEngineDrops, relaxed loads and stores: a reader
// may see one counter a little ahead of another, never a torn value.

#include <array>
#include <atomic>
#include <cstdint>

#include "common/CounterTable.hpp"
#include "sensor/worker/SensorWorker.hpp"

namespace gsoc::sensor {

struct EngineDrops {
  std::uint64_t malformed = 0;
  std::uint64_t fragments = 0;
  std::uint64_t flows_evicted = 0;
  std::uint64_t stream_gap_bytes = 0;

  // Named as the control socket's `stats` reply and the heartbeat's drops map name them.
  static constexpr auto counterFields() {
    using F = gsoc::CounterField<EngineDrops>;
    constexpr auto kCounter = gsoc::CounterKind::Counter;
    return std::array{
        F{"malformed", &EngineDrops::malformed, kCounter, "Packets that failed to decode."},
        F{"fragments", &EngineDrops::fragments, kCounter, "Fragments dropped (cap, size, timeout)."},
        F{"flows_evicted", &EngineDrops::flows_evicted, kCounter, "Flows pushed out of a full flow table."},
        F{"stream_gap_bytes", &EngineDrops::stream_gap_bytes, kCounter, "TCP stream bytes lost to gaps."},
    };
  }
};
static_assert(gsoc::countersCoverStruct<EngineDrops>());

// Read on the worker's own thread.
inline EngineDrops engineDropsOf(const SensorWorker& worker) {
  const FragmentCounters& f = worker.fragmentCounters();
  return {worker.decodeCounters().malformed(), f.memcap_dropped + f.too_large + f.timed_out, worker.flowCounters().evicted,
          worker.counters().stream_gap_bytes};
}

class PublishedEngineDrops {
 public:
  void publish(const EngineDrops& d) {
    for (std::size_t i = 0; i < kFields.size(); ++i) values_[i].store(d.*kFields[i].member, std::memory_order_relaxed);
  }
  [[nodiscard]] EngineDrops read() const {
    EngineDrops d;
    for (std::size_t i = 0; i < kFields.size(); ++i) d.*kFields[i].member = values_[i].load(std::memory_order_relaxed);
    return d;
  }

 private:
  static constexpr auto kFields = gsoc::kCounterFields<EngineDrops>;
  std::array<std::atomic<std::uint64_t>, kFields.size()> values_{};
};

}  // namespace gsoc::sensor
