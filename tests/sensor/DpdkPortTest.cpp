// DpdkPort on net_pcap virtual devices (no NIC, no hugepages): two RX queues, one per capture
// file, each read by its own thread, give every packet once; and the thread that brought EAL up
// keeps its CPU set, so worker threads are not all pinned to EAL's main lcore. EAL is
// initialised once per process, so this is one test; ctest runs each test in its own process.
#include <gtest/gtest.h>

#include <sched.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "bench/traffic/FrameBuilder.hpp"
#include "sensor/capture/DpdkPort.hpp"

namespace gsoc::sensor {
namespace {

void writeCapture(const std::filesystem::path& path, int packets, std::uint16_t port) {
  std::ofstream out(path, std::ios::binary);
  auto put32 = [&](std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
  auto put16 = [&](std::uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
  put32(0xa1b2c3d4);
  put16(2);
  put16(4);
  put32(0);
  put32(0);
  put32(65535);
  put32(1);
  for (int i = 0; i < packets; ++i) {
    traffic::PacketSpec spec;
    spec.sport = port;
    spec.payload = "packet " + std::to_string(i);
    const traffic::Bytes frame = traffic::ethernetFrame(spec);
    put32(1700000000 + static_cast<std::uint32_t>(i));
    put32(0);
    put32(static_cast<std::uint32_t>(frame.size()));
    put32(static_cast<std::uint32_t>(frame.size()));
    out.write(reinterpret_cast<const char*>(frame.data()), static_cast<std::streamsize>(frame.size()));
  }
}

TEST(DpdkPort, TwoQueuesReadInParallelAndWorkersKeepTheirCpus) {
  const auto dir = std::filesystem::temp_directory_path() / ("gsoc-dpdk-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  writeCapture(dir / "q0.pcap", 300, 40000);
  writeCapture(dir / "q1.pcap", 200, 40001);

  cpu_set_t before;
  CPU_ZERO(&before);
  ASSERT_EQ(sched_getaffinity(0, sizeof before, &before), 0);

  DpdkPort::Options options;
  options.eal_args = {"--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--no-telemetry",
                      "--log-level=lib.eal:error",
                      "--vdev=net_pcap0,rx_pcap=" + (dir / "q0.pcap").string() + ",rx_pcap=" + (dir / "q1.pcap").string()};
  options.rx_queues = 2;
  options.exact = true;
  options.idle_polls = 20000;
  DpdkPort port(options);
  ASSERT_EQ(port.queueCount(), 2);
  EXPECT_EQ(port.describe(), "DPDK port 0 (net_pcap), 2 RX queues, no RSS (the driver fills each queue)");

  cpu_set_t after;
  CPU_ZERO(&after);
  ASSERT_EQ(sched_getaffinity(0, sizeof after, &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&before, &after)) << "EAL's pinning of the main lcore leaked to this thread";

  std::atomic<int> counts[2] = {0, 0};
  std::atomic<bool> pinned_like_before[2] = {false, false};
  std::vector<std::thread> readers;
  for (std::uint16_t q = 0; q < 2; ++q) {
    readers.emplace_back([&, q] {
      cpu_set_t mine;
      CPU_ZERO(&mine);
      pinned_like_before[q] = sched_getaffinity(0, sizeof mine, &mine) == 0 && CPU_EQUAL(&mine, &before);
      RawPacket packet;
      while (port.queue(q).next(packet)) ++counts[q];
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(counts[0].load(), 300);
  EXPECT_EQ(counts[1].load(), 200);
  EXPECT_TRUE(pinned_like_before[0] && pinned_like_before[1]);
  const CaptureCounters c = port.counters();
  EXPECT_EQ(c.packets, 500u);
  EXPECT_EQ(port.queue(0).packets(), 300u);
  EXPECT_EQ(port.queue(1).packets(), 200u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gsoc::sensor
