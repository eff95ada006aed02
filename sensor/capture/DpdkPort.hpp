#pragma once
// Captures from a DPDK port with the burst API (32 mbufs a call) on N RX queues, one per worker.
// With several queues the port is configured for RSS on the IP addresses with a symmetric
// Toeplitz key (0x6d5a repeated), so both directions of a flow, and every fragment of a datagram,
// hash to the same queue and so to the same worker, and
// each worker polls its own queue: no packet crosses a core. Devices without RSS (net_pcap, which
// gives one queue per rx_pcap= file) fill their queues themselves.
//
// EAL arguments come from the configuration (capture.dpdk_eal_args) or the command line. Debian's
// DPDK is linked shared, so poll-mode drivers are not linked in: pass them with `-d`, e.g.
//   -d /usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0/librte_mempool_ring.so
//   -d /usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0/librte_net_pcap.so
// (defaultDriverArgs() adds the mempool driver and net_pcap when no `-d` is given). Tests use the
// virtual device `--vdev=net_pcap0,rx_pcap=FILE` with `--no-huge`, so no NIC or hugepages are
// needed; a device reading files is treated as ended after `idle_polls` empty polls, any other
// runs until keep_running says stop.
//
// EAL is initialised once per process; the calling thread keeps its CPU set (EAL would pin it,
// and with it every worker started later, to one core). A queue returns an mbuf to its pool when the next packet
// is taken, so a RawPacket view is valid until then, as with every PacketSource. Each queue is
// read by one thread; counters may be read from any.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sensor/capture/PacketSource.hpp"

struct rte_mbuf;
struct rte_mempool;

namespace gsoc::sensor {

class DpdkPort;

// One RX queue of a DpdkPort, as a PacketSource.
class DpdkQueue final : public PacketSource {
 public:
  static constexpr std::uint16_t kBurst = 32;

  DpdkQueue(const DpdkPort& port, std::uint16_t queue) : port_(port), queue_(queue) {}
  ~DpdkQueue() override;
  DpdkQueue(const DpdkQueue&) = delete;
  DpdkQueue& operator=(const DpdkQueue&) = delete;

  bool next(RawPacket& packet) override;
  // This queue's packets and bytes, with the port's drop and error counters.
  [[nodiscard]] CaptureCounters counters() const override;
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] std::uint64_t packets() const { return packets_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

 private:
  void releaseCurrent();

  const DpdkPort& port_;
  std::uint16_t queue_;
  rte_mbuf* burst_[kBurst] = {};
  std::uint16_t burst_size_ = 0;
  std::uint16_t burst_pos_ = 0;
  rte_mbuf* current_ = nullptr;
  // One writer (the queue's thread): plain loads and stores, no locked instructions.
  std::atomic<std::uint64_t> packets_{0};
  std::atomic<std::uint64_t> bytes_{0};
};

class DpdkPort {
 public:
  // Symmetric: the key repeats with a period of 16 bits, so swapping the source and destination
  // addresses (or ports) does not change the Toeplitz hash. 52 bytes
  // covers the longest key a NIC takes (i40e); shorter keys use its start.
  static constexpr std::array<std::uint8_t, 52> kSymmetricRssKey = [] {
    std::array<std::uint8_t, 52> key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = i % 2 == 0 ? 0x6d : 0x5a;
    return key;
  }();
  static std::vector<std::string> defaultDriverArgs();
  // Whether these EAL arguments make net_pcap read capture files: a finite input.
  static bool readsFiles(const std::vector<std::string>& eal_args);

  struct Options {
    std::vector<std::string> eal_args;
    std::uint16_t port = 0;
    // RX queues wanted. With `exact`, a device that cannot give them is an error; without, such
    // a device falls back to one queue (the caller then spreads packets itself).
    std::uint16_t rx_queues = 1;
    bool exact = false;
    std::uint32_t idle_polls = 200000;           // for devices reading files
    std::function<bool()> keep_running = [] { return true; };
  };

  // Throws std::runtime_error naming the EAL or port step that failed.
  explicit DpdkPort(Options options);
  ~DpdkPort();
  DpdkPort(const DpdkPort&) = delete;
  DpdkPort& operator=(const DpdkPort&) = delete;

  [[nodiscard]] std::uint16_t queueCount() const { return static_cast<std::uint16_t>(queues_.size()); }
  [[nodiscard]] DpdkQueue& queue(std::uint16_t i) { return *queues_.at(i); }
  // All queues' packets and bytes, with the port's drops (imissed, rx_nombuf) and errors.
  [[nodiscard]] CaptureCounters counters() const;
  [[nodiscard]] std::string describe() const { return description_; }

 private:
  friend class DpdkQueue;
  void setUp();    // the port and its queues, once EAL is up
  void release();  // everything setUp and EAL hold; safe to call twice
  [[nodiscard]] CaptureCounters portCounters() const;
  [[nodiscard]] bool finite() const { return finite_; }

  Options options_;
  // One mbuf pool per queue: a queue's mbufs are taken (by the PMD) and given back (by the
  // worker) on the same thread, so the pool's ring is never contended. One shared pool spun:
  // worker threads are not EAL lcores, so they have no mempool cache, and a preempted thread
  // inside the ring's compare-and-swap stalls the other (80% of a 2-queue run, perf).
  std::vector<rte_mempool*> pools_;
  int timestamp_offset_ = -1;
  std::uint64_t timestamp_flag_ = 0;
  bool finite_ = false;
  bool eal_up_ = false;
  bool started_ = false;
  std::vector<std::unique_ptr<DpdkQueue>> queues_;
  std::string description_;
};

}  // namespace gsoc::sensor
