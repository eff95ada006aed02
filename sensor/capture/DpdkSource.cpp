#include "sensor/capture/DpdkSource.hpp"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace gsoc::sensor {
namespace {

constexpr const char* kPmdDir = "/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0";
bool eal_initialised = false;

[[noreturn]] void fail(const std::string& step, int rc) {
  throw std::runtime_error("DPDK " + step + " failed: " + rte_strerror(rc < 0 ? -rc : rc));
}

}  // namespace

std::vector<std::string> DpdkSource::defaultDriverArgs() {
  return {"-d", std::string(kPmdDir) + "/librte_mempool_ring.so", "-d", std::string(kPmdDir) + "/librte_net_pcap.so"};
}

DpdkSource::DpdkSource(const std::vector<std::string>& eal_args, std::uint16_t port, std::uint32_t idle_polls)
    : port_(port), idle_polls_(idle_polls) {
  if (eal_initialised) throw std::runtime_error("DPDK EAL is already initialised in this process");
  std::vector<std::string> args = {"gsoc-sensor"};
  args.insert(args.end(), eal_args.begin(), eal_args.end());
  bool has_driver = false;
  for (const auto& a : eal_args) has_driver |= a == "-d";
  if (!has_driver) {
    for (const auto& a : defaultDriverArgs()) args.push_back(a);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) fail("EAL init (check capture.dpdk_eal_args)", rte_errno);
  eal_initialised = true;
  if (rte_eth_dev_count_avail() <= port_) {
    throw std::runtime_error("DPDK: no port " + std::to_string(port_) + " (is the PMD loaded with -d, and a --vdev or NIC given?)");
  }
  pool_ = rte_pktmbuf_pool_create("gsoc_rx", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id()));
  if (pool_ == nullptr) fail("mbuf pool creation", rte_errno);

  rte_eth_dev_info info{};
  if (const int rc = rte_eth_dev_info_get(port_, &info); rc != 0) fail("device info", rc);
  rte_eth_conf conf{};
  if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP) conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
  if (const int rc = rte_eth_dev_configure(port_, 1, 1, &conf); rc != 0) fail("port configure", rc);
  if (const int rc = rte_eth_rx_queue_setup(port_, 0, 1024, rte_eth_dev_socket_id(port_), nullptr, pool_); rc != 0) fail("RX queue setup", rc);
  if (const int rc = rte_eth_tx_queue_setup(port_, 0, 1024, rte_eth_dev_socket_id(port_), nullptr); rc != 0) fail("TX queue setup", rc);
  if (const int rc = rte_eth_dev_start(port_); rc != 0) fail("port start", rc);
  rte_eth_promiscuous_enable(port_);
  // The capture time, when the PMD provides it (net_pcap does, from the file's record headers).
  rte_mbuf_dyn_rx_timestamp_register(&timestamp_offset_, &timestamp_flag_);
  description_ = "DPDK port " + std::to_string(port_) + " (" + (info.driver_name ? info.driver_name : "?") + ")";
}

DpdkSource::~DpdkSource() {
  releaseCurrent();
  for (std::uint16_t i = burst_pos_; i < burst_size_; ++i) rte_pktmbuf_free(burst_[i]);
  if (eal_initialised) {
    rte_eth_dev_stop(port_);
    rte_eth_dev_close(port_);
    rte_mempool_free(pool_);
    rte_eal_cleanup();
  }
}

void DpdkSource::releaseCurrent() {
  if (current_ != nullptr) {
    rte_pktmbuf_free(current_);
    current_ = nullptr;
  }
}

bool DpdkSource::next(RawPacket& packet) {
  releaseCurrent();
  std::uint32_t idle = 0;
  while (burst_pos_ == burst_size_) {
    burst_size_ = rte_eth_rx_burst(port_, 0, burst_, kBurst);
    burst_pos_ = 0;
    if (burst_size_ == 0) {
      if (++idle >= idle_polls_) return false;  // a finite virtual device has run dry
      if (idle % 1024 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
  rte_mbuf* m = burst_[burst_pos_++];
  current_ = m;
  if (m->nb_segs > 1) ++multi_segment_;  // jumbo frames: inspected up to the first segment
  packet.data = {rte_pktmbuf_mtod(m, const std::uint8_t*), m->data_len};
  packet.wire_length = m->pkt_len;
  packet.link_type = LinkType::Ethernet;
  if (timestamp_offset_ >= 0 && (m->ol_flags & timestamp_flag_)) {
    // net_pcap reports microseconds
    packet.timestamp_ns = static_cast<std::int64_t>(*RTE_MBUF_DYNFIELD(m, timestamp_offset_, rte_mbuf_timestamp_t*)) * 1000;
  } else {
    packet.timestamp_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  ++counters_.packets;
  counters_.bytes += m->pkt_len;
  return true;
}

CaptureCounters DpdkSource::counters() const {
  CaptureCounters c = counters_;
  rte_eth_stats stats{};
  if (rte_eth_stats_get(port_, &stats) == 0) {
    c.dropped_by_interface = stats.imissed;
    c.dropped_by_capture = stats.rx_nombuf;
    c.errors = stats.ierrors;
  }
  return c;
}

}  // namespace gsoc::sensor
