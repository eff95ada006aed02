#pragma once
// What the engine could not inspect, by layer: malformed packets skipped, fragments dropped (cap,
// size, timeout), flows pushed out of a full table, stream bytes lost to gaps. A worker publishes
// its totals every so often; the thread that prints progress lines and heartbeats reads them
// while the worker runs. One writer per PublishedEngineDrops, relaxed loads and stores: a reader
// may see one counter a little ahead of another, never a torn value.

#include <atomic>
#include <cstdint>

#include "sensor/worker/SensorWorker.hpp"

namespace gsoc::sensor {

struct EngineDrops {
  std::uint64_t malformed = 0;
  std::uint64_t fragments = 0;
  std::uint64_t flows_evicted = 0;
  std::uint64_t stream_gap_bytes = 0;
  EngineDrops& operator+=(const EngineDrops& o) {
    malformed += o.malformed;
    fragments += o.fragments;
    flows_evicted += o.flows_evicted;
    stream_gap_bytes += o.stream_gap_bytes;
    return *this;
  }
  [[nodiscard]] EngineDrops since(const EngineDrops& earlier) const {
    return {malformed - earlier.malformed, fragments - earlier.fragments, flows_evicted - earlier.flows_evicted,
            stream_gap_bytes - earlier.stream_gap_bytes};
  }
};

// Read on the worker's own thread.
inline EngineDrops engineDropsOf(const SensorWorker& worker) {
  const FragmentCounters& f = worker.fragmentCounters();
  return {worker.decodeCounters().malformed(), f.memcap_dropped + f.too_large + f.timed_out, worker.flowCounters().evicted,
          worker.counters().stream_gap_bytes};
}

class PublishedEngineDrops {
 public:
  void publish(const EngineDrops& d) {
    malformed_.store(d.malformed, std::memory_order_relaxed);
    fragments_.store(d.fragments, std::memory_order_relaxed);
    flows_evicted_.store(d.flows_evicted, std::memory_order_relaxed);
    stream_gap_bytes_.store(d.stream_gap_bytes, std::memory_order_relaxed);
  }
  [[nodiscard]] EngineDrops read() const {
    return {malformed_.load(std::memory_order_relaxed), fragments_.load(std::memory_order_relaxed),
            flows_evicted_.load(std::memory_order_relaxed), stream_gap_bytes_.load(std::memory_order_relaxed)};
  }

 private:
  std::atomic<std::uint64_t> malformed_{0};
  std::atomic<std::uint64_t> fragments_{0};
  std::atomic<std::uint64_t> flows_evicted_{0};
  std::atomic<std::uint64_t> stream_gap_bytes_{0};
};

}  // namespace gsoc::sensor
