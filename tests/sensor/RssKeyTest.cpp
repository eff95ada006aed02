// The RSS key DpdkPort programs must be symmetric: a NIC computing the Toeplitz hash over the
// addresses (and, where a driver adds them, the ports) must put both directions of a flow on one
// queue. DPDK's software Toeplitz (rte_softrss) computes what the NIC does.
#include <gtest/gtest.h>

#include <rte_thash.h>

#include <array>
#include <cstdint>
#include <random>

#include "sensor/capture/DpdkPort.hpp"

namespace {

using gsoc::sensor::DpdkPort;

std::uint32_t toeplitz(std::span<const std::uint32_t> words) {
  std::array<std::uint32_t, 10> tuple{};
  std::copy(words.begin(), words.end(), tuple.begin());
  return rte_softrss(tuple.data(), static_cast<std::uint32_t>(words.size()), DpdkPort::kSymmetricRssKey.data());
}

TEST(RssKey, SwappingIpv4AddressesKeepsTheHash) {
  std::mt19937 rng(7);
  int differing = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::uint32_t a = rng(), b = rng();
    const std::array<std::uint32_t, 2> forward{a, b}, reverse{b, a};
    EXPECT_EQ(toeplitz(forward), toeplitz(reverse));
    differing += toeplitz(forward) != toeplitz(std::array<std::uint32_t, 2>{a, b ^ 1u});
  }
  EXPECT_GT(differing, 9000);  // and it still tells host pairs apart
}

TEST(RssKey, SwappingIpv6AddressesAndPortsKeepsTheHash) {
  std::mt19937 rng(11);
  for (int i = 0; i < 10000; ++i) {
    std::array<std::uint32_t, 9> forward{}, reverse{};
    for (int w = 0; w < 4; ++w) {
      forward[w] = rng();
      forward[4 + w] = rng();
    }
    const std::uint16_t sport = rng() & 0xffff, dport = rng() & 0xffff;
    forward[8] = static_cast<std::uint32_t>(sport) << 16 | dport;
    for (int w = 0; w < 4; ++w) {
      reverse[w] = forward[4 + w];
      reverse[4 + w] = forward[w];
    }
    reverse[8] = static_cast<std::uint32_t>(dport) << 16 | sport;
    EXPECT_EQ(toeplitz(std::span(forward).first(8)), toeplitz(std::span(reverse).first(8)));
    EXPECT_EQ(toeplitz(forward), toeplitz(reverse));
  }
}

}  // namespace
