#pragma once
// Captures from a DPDK port with the burst API (32 mbufs a call), one RX queue per worker. EAL
// arguments come from the configuration (capture.dpdk_eal_args) or the command line. Debian's
// DPDK is linked shared, so poll-mode drivers are not linked in: pass them with `-d`, e.g.
//   -d /usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0/librte_mempool_ring.so
//   -d /usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0/librte_net_pcap.so
// (kDefaultDriverArgs adds the mempool driver and net_pcap when no `-d` is given). Tests use the
// virtual device `--vdev=net_pcap0,rx_pcap=FILE` with `--no-huge`, so no NIC or hugepages are
// needed; such a finite device is treated as ended after `idle_polls` empty polls.
//
// EAL is initialised once per process; mbufs are returned to the pool when the next packet is
// taken, so a RawPacket view is valid until then, as with every PacketSource.

#include <cstdint>
#include <string>
#include <vector>

#include "sensor/capture/PacketSource.hpp"

struct rte_mbuf;
struct rte_mempool;

namespace gsoc::sensor {

class DpdkSource final : public PacketSource {
 public:
  static constexpr std::uint16_t kBurst = 32;
  static std::vector<std::string> defaultDriverArgs();

  // Throws std::runtime_error naming the EAL or port step that failed.
  DpdkSource(const std::vector<std::string>& eal_args, std::uint16_t port = 0, std::uint32_t idle_polls = 200000);
  ~DpdkSource() override;
  DpdkSource(const DpdkSource&) = delete;
  DpdkSource& operator=(const DpdkSource&) = delete;

  bool next(RawPacket& packet) override;
  [[nodiscard]] CaptureCounters counters() const override;
  [[nodiscard]] std::string describe() const override { return description_; }

 private:
  void releaseCurrent();

  std::uint16_t port_;
  std::uint32_t idle_polls_;
  rte_mempool* pool_ = nullptr;
  rte_mbuf* burst_[kBurst] = {};
  std::uint16_t burst_size_ = 0;
  std::uint16_t burst_pos_ = 0;
  rte_mbuf* current_ = nullptr;
  int timestamp_offset_ = -1;
  std::uint64_t timestamp_flag_ = 0;
  CaptureCounters counters_;
  std::uint64_t multi_segment_ = 0;
  std::string description_;
};

}  // namespace gsoc::sensor
