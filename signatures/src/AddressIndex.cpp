#include "gsoc/signatures/AddressIndex.hpp"

#include <algorithm>

namespace gsoc::signatures {

namespace {
constexpr u128 kMax = ~u128{0};
constexpr u128 kBroad = u128{1} << 127;  // half the address space: any, !$HOME_NET
constexpr u128 kIpv4Base = u128{0xffff} << 32;  // ::ffff:0.0.0.0, where IpAddress maps IPv4
}  // namespace

u128 AddressIndex::coverage(const AddressSet& set) {
  u128 total = 0;
  for (const auto& [lo, hi] : set.intervals()) {
    const u128 size = hi - lo;  // +1 would overflow for "any"
    total = size > kMax - total ? kMax : total + size;
  }
  return total;
}

bool AddressIndex::isBroad(const AddressSet& set) { return coverage(set) >= kBroad; }

void AddressIndex::add(const AddressSet& set, std::uint32_t rule) {
  for (const auto& interval : set.intervals()) pending_.emplace_back(interval, rule);
  ++rule_count_;
}

void AddressIndex::build() {
  std::vector<u128> bounds;
  bounds.reserve(pending_.size() * 2);
  for (const auto& [iv, rule] : pending_) {
    bounds.push_back(iv.first);
    if (iv.second != kMax) bounds.push_back(iv.second + 1);
  }
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  starts_ = std::move(bounds);

  auto segmentsOf = [&](const AddressSet::Interval& iv) {
    const auto first = static_cast<std::size_t>(std::lower_bound(starts_.begin(), starts_.end(), iv.first) - starts_.begin());
    const auto last = iv.second == kMax ? starts_.size()
                                        : static_cast<std::size_t>(std::lower_bound(starts_.begin(), starts_.end(), iv.second + 1) - starts_.begin());
    return std::make_pair(first, last);
  };
  std::vector<std::uint32_t> counts(starts_.size() + 1, 0);
  for (const auto& [iv, rule] : pending_) {
    const auto [first, last] = segmentsOf(iv);
    for (std::size_t s = first; s < last; ++s) ++counts[s];
  }
  offsets_.assign(starts_.size() + 1, 0);
  for (std::size_t s = 0; s < starts_.size(); ++s) offsets_[s + 1] = offsets_[s] + counts[s];
  rules_.assign(offsets_.back(), 0);
  std::vector<std::uint32_t> fill(offsets_.begin(), offsets_.end() - 1);
  for (const auto& [iv, rule] : pending_) {
    const auto [first, last] = segmentsOf(iv);
    for (std::size_t s = first; s < last; ++s) rules_[fill[s]++] = rule;
  }
  pending_.clear();
  pending_.shrink_to_fit();

  ipv4_first_.clear();
  if (starts_.size() >= kIpv4TableMinSegments) {
    constexpr std::size_t kBuckets = std::size_t{1} << kIpv4Bits;
    ipv4_first_.resize(kBuckets + 1);
    for (std::size_t b = 0; b <= kBuckets; ++b) {  // b == kBuckets: one past the IPv4 space
      const u128 first_address = kIpv4Base + (static_cast<u128>(b) << (32 - kIpv4Bits));
      ipv4_first_[b] = static_cast<std::uint32_t>(std::lower_bound(starts_.begin(), starts_.end(), first_address) - starts_.begin());
    }
  }
}

std::span<const std::uint32_t> AddressIndex::lookup(IpAddress address) const {
  auto first = starts_.begin();
  auto last = starts_.end();
  if (!ipv4_first_.empty() && address.isV4()) {
    // Every start before the bucket's range is below the address, every one after it above.
    const std::size_t b = address.v4() >> (32 - kIpv4Bits);
    first = starts_.begin() + ipv4_first_[b];
    last = starts_.begin() + ipv4_first_[b + 1];
  }
  const auto it = std::upper_bound(first, last, address.value());
  if (it == starts_.begin()) return {};
  const auto s = static_cast<std::size_t>(it - starts_.begin() - 1);
  return {rules_.data() + offsets_[s], offsets_[s + 1] - offsets_[s]};
}

}  // namespace gsoc::signatures
