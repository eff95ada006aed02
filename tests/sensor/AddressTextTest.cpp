#include "sensor/app/AddressText.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <array>
#include <random>

using gsoc::sensor::AddressText;

namespace {

std::string ntop(std::span<const std::uint8_t> a) {
  char text[INET6_ADDRSTRLEN];
  const char* written = inet_ntop(a.size() == 4 ? AF_INET : AF_INET6, a.data(), text, sizeof text);
  return written != nullptr ? written : "";
}

}  // namespace

TEST(AddressText, Ipv4AsInetNtop) {
  for (const std::array<std::uint8_t, 4> a : {std::array<std::uint8_t, 4>{0, 0, 0, 0}, {255, 255, 255, 255}, {10, 0, 100, 9},
                                              {192, 168, 1, 254}, {1, 20, 199, 100}}) {
    EXPECT_EQ(AddressText(a).view(), ntop(a));
  }
  std::mt19937 rng(1);
  for (int i = 0; i < 10000; ++i) {
    std::array<std::uint8_t, 4> a{};
    for (auto& b : a) b = static_cast<std::uint8_t>(rng());
    ASSERT_EQ(AddressText(a).view(), ntop(a));
  }
}

TEST(AddressText, Ipv6AsInetNtop) {
  EXPECT_EQ(AddressText(std::array<std::uint8_t, 16>{}).view(), "::");
  std::array<std::uint8_t, 16> loopback{};
  loopback[15] = 1;
  EXPECT_EQ(AddressText(loopback).view(), "::1");
  std::array<std::uint8_t, 16> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
  EXPECT_EQ(AddressText(mapped).view(), "::ffff:192.0.2.1");
  // Every pattern of zero and non-zero groups (runs, ties, single zeros, the embedded IPv4
  // forms), with varied group values, then random addresses.
  std::mt19937 rng(2);
  const std::uint16_t values[] = {1, 0xf, 0x10, 0xab, 0x100, 0xfff, 0x1000, 0xffff, 0x2001, 0xdb8};
  for (unsigned mask = 0; mask < 256; ++mask) {
    for (int round = 0; round < 8; ++round) {
      std::array<std::uint8_t, 16> a{};
      for (int g = 0; g < 8; ++g) {
        if ((mask >> g & 1) == 0) continue;
        const std::uint16_t v = values[rng() % std::size(values)];
        a[2 * g] = static_cast<std::uint8_t>(v >> 8);
        a[2 * g + 1] = static_cast<std::uint8_t>(v);
      }
      ASSERT_EQ(AddressText(a).view(), ntop(a)) << "mask " << mask;
      a[10] = a[11] = 0xff;  // as an IPv4-mapped candidate
      ASSERT_EQ(AddressText(a).view(), ntop(a)) << "mask " << mask << " ffff";
    }
  }
  for (int i = 0; i < 10000; ++i) {
    std::array<std::uint8_t, 16> a{};
    for (auto& b : a) b = static_cast<std::uint8_t>(rng() % 3 == 0 ? rng() : 0);
    ASSERT_EQ(AddressText(a).view(), ntop(a));
  }
}

TEST(AddressText, OtherSizesAreEmpty) {
  const std::array<std::uint8_t, 5> odd{1, 2, 3, 4, 5};
  EXPECT_TRUE(AddressText(odd).view().empty());
}
