#include "sensor/capture/DpdkPort.hpp"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <sched.h>

#include <algorithm>
#include <bit>
#include <iostream>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace gsoc::sensor {
namespace {

constexpr const char* kPmdDir = "/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0";
constexpr std::uint16_t kRxDescriptors = 1024;
bool eal_initialised = false;

[[noreturn]] void fail(const std::string& step, int rc) {
  throw std::runtime_error("DPDK " + step + " failed: " + rte_strerror(rc < 0 ? -rc : rc));
}

void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace

std::vector<std::string> DpdkPort::defaultDriverArgs() {
  return {"-d", std::string(kPmdDir) + "/librte_mempool_ring.so", "-d", std::string(kPmdDir) + "/librte_net_pcap.so"};
}

bool DpdkPort::readsFiles(const std::vector<std::string>& eal_args) {
  return std::any_of(eal_args.begin(), eal_args.end(), [](const std::string& a) { return a.find("rx_pcap=") != std::string::npos; });
}

DpdkPort::DpdkPort(Options options) : options_(std::move(options)) {
  if (eal_initialised) throw std::runtime_error("DPDK EAL is already initialised in this process");
  if (options_.rx_queues == 0) throw std::runtime_error("DPDK: at least one RX queue is needed");
  std::vector<std::string> args = {"gsoc-sensor"};
  args.insert(args.end(), options_.eal_args.begin(), options_.eal_args.end());
  const bool has_driver = std::find(options_.eal_args.begin(), options_.eal_args.end(), "-d") != options_.eal_args.end();
  if (!has_driver) {
    for (const auto& a : defaultDriverArgs()) args.push_back(a);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  // EAL pins the calling thread to its main lcore, and threads started later inherit that: every
  // worker would share one core. The thread gets its CPU set back once EAL is up.
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  const bool had_cpus = sched_getaffinity(0, sizeof cpus, &cpus) == 0;
  if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) fail("EAL init (check capture.dpdk_eal_args)", rte_errno);
  if (had_cpus && sched_setaffinity(0, sizeof cpus, &cpus) != 0) {
    std::cerr << "gsoc-sensor: DPDK: cannot restore the CPU set after EAL init; workers share the main lcore\n";
  }
  eal_initialised = true;  // for the process: EAL cannot be initialised again, even after cleanup
  eal_up_ = true;
  try {
    setUp();
  } catch (...) {
    release();  // the devices EAL opened (net_pcap's files) are closed before the error is reported
    throw;
  }
}

void DpdkPort::setUp() {
  const std::uint16_t port = options_.port;
  if (rte_eth_dev_count_avail() <= port) {
    throw std::runtime_error("DPDK: no port " + std::to_string(port) + " (is the PMD loaded with -d, and a --vdev or NIC given?)");
  }
  rte_eth_dev_info info{};
  if (const int rc = rte_eth_dev_info_get(port, &info); rc != 0) fail("device info", rc);
  const std::string driver = info.driver_name != nullptr ? info.driver_name : "?";
  finite_ = readsFiles(options_.eal_args) && driver == "net_pcap";

  std::uint16_t queues = options_.rx_queues;
  if (queues > info.max_rx_queues) {
    if (options_.exact) {
      throw std::runtime_error("DPDK: capture.rx_queues is " + std::to_string(queues) + " but port " + std::to_string(port) + " (" +
                               driver + ") has at most " + std::to_string(info.max_rx_queues) +
                               " RX queue(s) (net_pcap: one per rx_pcap= file)");
    }
    queues = 1;
  }
  // Per queue, enough mbufs for its descriptors and the bursts in flight; 2^n - 1 is the size
  // the ring-backed pool handles best.
  const unsigned pool_size = std::bit_ceil(4u * kRxDescriptors) - 1u;
  for (std::uint16_t q = 0; q < queues; ++q) {
    const std::string name = "gsoc_rx_" + std::to_string(q);
    rte_mempool* pool = rte_pktmbuf_pool_create(name.c_str(), pool_size, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id()));
    if (pool == nullptr) fail("mbuf pool creation for RX queue " + std::to_string(q), rte_errno);
    pools_.push_back(pool);
  }

  rte_eth_conf conf{};
  if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP) conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
  std::array<std::uint8_t, kSymmetricRssKey.size()> key = kSymmetricRssKey;  // rss_key is not const
  // Addresses only, as the software dispatch does: a datagram's fragments carry no ports, and must
  // reach the worker that holds the rest of its flow.
  const std::uint64_t hash_fields = RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
  const bool rss = queues > 1 && hash_fields != 0;
  if (rss) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_key = key.data();
    conf.rx_adv_conf.rss_conf.rss_key_len = info.hash_key_size > 0 && info.hash_key_size <= key.size() ? info.hash_key_size : 40;
    conf.rx_adv_conf.rss_conf.rss_hf = hash_fields;
  }
  if (const int rc = rte_eth_dev_configure(port, queues, 1, &conf); rc != 0) fail("port configure (" + std::to_string(queues) + " RX queues)", rc);
  for (std::uint16_t q = 0; q < queues; ++q) {
    if (const int rc = rte_eth_rx_queue_setup(port, q, kRxDescriptors, rte_eth_dev_socket_id(port), nullptr, pools_[q]); rc != 0) {
      fail("RX queue " + std::to_string(q) + " setup", rc);
    }
  }
  if (const int rc = rte_eth_tx_queue_setup(port, 0, kRxDescriptors, rte_eth_dev_socket_id(port), nullptr); rc != 0) fail("TX queue setup", rc);
  if (const int rc = rte_eth_dev_start(port); rc != 0) fail("port start", rc);
  started_ = true;
  // A device that cannot go promiscuous (virtual ones) still captures what reaches it.
  (void)rte_eth_promiscuous_enable(port);
  // The capture time, when the PMD provides it (net_pcap does, from the file's record headers);
  // without the field (offset stays -1) packets are stamped with the wall clock.
  (void)rte_mbuf_dyn_rx_timestamp_register(&timestamp_offset_, &timestamp_flag_);
  for (std::uint16_t q = 0; q < queues; ++q) queues_.push_back(std::make_unique<DpdkQueue>(*this, q));
  description_ = "DPDK port " + std::to_string(port) + " (" + driver + ")";
  if (queues > 1) {
    description_ += ", " + std::to_string(queues) + " RX queues, " +
                    (rss ? std::string("symmetric RSS") : std::string("no RSS (the driver fills each queue)"));
  }
}

DpdkPort::~DpdkPort() { release(); }

void DpdkPort::release() {
  queues_.clear();  // their mbufs go back to the pool first
  if (!eal_up_) return;
  if (started_) rte_eth_dev_stop(options_.port);
  std::uint16_t port = 0;
  RTE_ETH_FOREACH_DEV(port) rte_eth_dev_close(port);  // every device EAL probed, ours or not
  for (rte_mempool* pool : pools_) rte_mempool_free(pool);
  pools_.clear();
  rte_eal_cleanup();
  eal_up_ = false;
}

CaptureCounters DpdkPort::portCounters() const {
  CaptureCounters c;
  rte_eth_stats stats{};
  if (rte_eth_stats_get(options_.port, &stats) == 0) {
    c.dropped_by_interface = stats.imissed;
    c.dropped_by_capture = stats.rx_nombuf;
    c.errors = stats.ierrors;
  }
  return c;
}

CaptureCounters DpdkPort::counters() const {
  CaptureCounters c = portCounters();
  for (const auto& q : queues_) {
    c.packets += q->packets();
    c.bytes += q->bytes();
  }
  return c;
}

DpdkQueue::~DpdkQueue() {
  releaseCurrent();
  for (std::uint16_t i = burst_pos_; i < burst_size_; ++i) rte_pktmbuf_free(burst_[i]);
}

void DpdkQueue::releaseCurrent() {
  if (current_ != nullptr) {
    rte_pktmbuf_free(current_);
    current_ = nullptr;
  }
}

std::string DpdkQueue::describe() const {
  return port_.queueCount() > 1 ? port_.describe() + ", queue " + std::to_string(queue_) : port_.describe();
}

CaptureCounters DpdkQueue::counters() const {
  CaptureCounters c = port_.portCounters();
  c.packets = packets();
  c.bytes = bytes();
  return c;
}

bool DpdkQueue::next(RawPacket& packet) {
  releaseCurrent();
  std::uint32_t empty_polls = 0;
  while (burst_pos_ == burst_size_) {
    burst_size_ = rte_eth_rx_burst(port_.options_.port, queue_, burst_, kBurst);
    burst_pos_ = 0;
    if (burst_size_ == 0) {
      ++empty_polls;
      if (port_.finite() && empty_polls >= port_.options_.idle_polls) return false;  // the files have run dry
      if (empty_polls % 1024 == 0) {
        if (!port_.options_.keep_running()) return false;
        idle();
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    }
  }
  rte_mbuf* m = burst_[burst_pos_++];
  current_ = m;
  // A multi-segment (jumbo) frame is inspected up to the end of its first segment.
  packet.data = {rte_pktmbuf_mtod(m, const std::uint8_t*), m->data_len};
  packet.wire_length = m->pkt_len;
  packet.link_type = LinkType::Ethernet;
  if (port_.timestamp_offset_ >= 0 && (m->ol_flags & port_.timestamp_flag_)) {
    // net_pcap reports microseconds
    packet.timestamp_ns = static_cast<std::int64_t>(*RTE_MBUF_DYNFIELD(m, port_.timestamp_offset_, rte_mbuf_timestamp_t*)) * 1000;
  } else {
    packet.timestamp_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  bump(packets_, 1);
  bump(bytes_, m->pkt_len);
  packet.capture_index = packets_.load(std::memory_order_relaxed);  // this queue's count: one reader
  return true;
}

}  // namespace gsoc::sensor
