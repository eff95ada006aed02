// AddressIndex against a brute-force check of every rule's address set: small indexes (one
// binary search) and large ones (IPv4 lookups through the bucket table), IPv4 and IPv6.
#include "gsoc/signatures/AddressIndex.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

using namespace gsoc::signatures;

namespace {

struct IndexedSets {
  std::vector<AddressSet> sets;  // rule i's set
  AddressIndex index;
};

// `rules` sets of random IPv4 hosts and prefixes (a few of them IPv6 ones), as reputation lists.
IndexedSets makeSets(std::size_t rules, std::size_t entries_per_rule, std::mt19937& rng) {
  IndexedSets out;
  for (std::size_t r = 0; r < rules; ++r) {
    AddressSet set;
    for (std::size_t e = 0; e < entries_per_rule; ++e) {
      if (rng() % 10 == 0) {
        const u128 lo = (u128{0x2001'0db8} << 96) + (static_cast<u128>(rng()) << 64);
        set.add(lo, lo + (u128{1} << (rng() % 64)));
        continue;
      }
      const std::uint32_t v4 = (rng() % 4 == 0) ? (0x0a000000u | (rng() & 0xffffffu)) : static_cast<std::uint32_t>(rng());
      const unsigned host_bits = rng() % 3 == 0 ? rng() % 12 : 0;
      const std::uint32_t lo = v4 & ~((std::uint32_t{1} << host_bits) - 1);
      const std::uint32_t hi = lo | ((std::uint32_t{1} << host_bits) - 1);
      set.add(IpAddress::fromV4(lo).value(), IpAddress::fromV4(hi).value());
    }
    out.index.add(set, static_cast<std::uint32_t>(r));
    out.sets.push_back(std::move(set));
  }
  out.index.build();
  return out;
}

std::vector<std::uint32_t> bruteForce(const IndexedSets& s, IpAddress a) {
  std::vector<std::uint32_t> rules;
  for (std::size_t r = 0; r < s.sets.size(); ++r) {
    for (const auto& [lo, hi] : s.sets[r].intervals()) {
      if (a.value() >= lo && a.value() <= hi) {
        rules.push_back(static_cast<std::uint32_t>(r));
        break;
      }
    }
  }
  return rules;
}

void expectSameAsBruteForce(const IndexedSets& s, std::mt19937& rng) {
  std::vector<IpAddress> probes = {IpAddress::fromV4(0), IpAddress::fromV4(0xffffffffu), IpAddress::fromValue(0),
                                   IpAddress::fromValue(~u128{0}), IpAddress::fromValue((u128{0xffff} << 32) - 1),
                                   IpAddress::fromValue((u128{0x1'0000} << 32))};
  // Every interval's edges and their neighbours, where segments begin and end.
  for (const AddressSet& set : s.sets) {
    for (const auto& [lo, hi] : set.intervals()) {
      for (const u128 v : {lo - 1, lo, lo + 1, hi - 1, hi, hi + 1}) probes.push_back(IpAddress::fromValue(v));
    }
  }
  for (int i = 0; i < 20000; ++i) probes.push_back(IpAddress::fromV4(static_cast<std::uint32_t>(rng())));
  for (const IpAddress a : probes) {
    const auto found = s.index.lookup(a);
    std::vector<std::uint32_t> got(found.begin(), found.end());
    std::sort(got.begin(), got.end());
    ASSERT_EQ(got, bruteForce(s, a)) << a.toString();
  }
}

}  // namespace

TEST(AddressIndex, SmallIndexMatchesBruteForce) {
  std::mt19937 rng(11);
  const IndexedSets s = makeSets(3, 4, rng);
  expectSameAsBruteForce(s, rng);
}

TEST(AddressIndex, LargeIndexMatchesBruteForce) {
  std::mt19937 rng(12);
  const IndexedSets s = makeSets(200, 40, rng);  // thousands of segments: the IPv4 bucket table
  expectSameAsBruteForce(s, rng);
}

TEST(AddressIndex, EmptyIndexFindsNothing) {
  AddressIndex index;
  index.build();
  EXPECT_TRUE(index.lookup(IpAddress::fromV4(0x0a000001)).empty());
}

TEST(AddressIndex, LargeIndexWithWideRangesMatchesBruteForce) {
  // Prefixes wider than a bucket (/18), and ranges that begin below the IPv4 space or end past
  // it: a bucket with no segment start of its own must find the segment that began before it.
  std::mt19937 rng(13);
  IndexedSets s = makeSets(100, 20, rng);
  AddressIndex wide;
  for (std::size_t r = 0; r < s.sets.size(); ++r) wide.add(s.sets[r], static_cast<std::uint32_t>(r));
  const auto addWide = [&](u128 lo, u128 hi) {
    AddressSet set;
    set.add(lo, hi);
    wide.add(set, static_cast<std::uint32_t>(s.sets.size()));
    s.sets.push_back(std::move(set));
  };
  for (int i = 0; i < 20; ++i) {
    const unsigned host_bits = 16 + rng() % 16;  // /16 .. /1
    const std::uint32_t lo = static_cast<std::uint32_t>(rng()) & ~((std::uint32_t{1} << host_bits) - 1);
    addWide(IpAddress::fromV4(lo).value(), IpAddress::fromV4(lo | ((std::uint32_t{1} << host_bits) - 1)).value());
  }
  addWide((u128{0xffff} << 32) - 1000, IpAddress::fromV4(0x0a000005).value());  // from below the IPv4 space
  addWide(IpAddress::fromV4(0xfa000000).value(), (u128{0x1'0000} << 32) + 10);  // to past it
  wide.build();
  s.index = std::move(wide);
  expectSameAsBruteForce(s, rng);
}
