#include "gsoc/signatures/HostBitTable.hpp"

#include <algorithm>
#include <vector>

namespace gsoc::signatures {

std::size_t HostBitTable::KeyHash::operator()(const Key& k) const {
  std::uint64_t h = k.bit * 0x9E3779B97F4A7C15ULL ^ static_cast<std::uint64_t>(k.pair);
  for (const u128 v : {k.a, k.b}) {
    h ^= static_cast<std::uint64_t>(v) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    h ^= static_cast<std::uint64_t>(v >> 64) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  }
  return h;
}

HostBitTable::Key HostBitTable::key(std::uint32_t bit, IpAddress a, IpAddress b, bool pair) {
  if (!pair) return {bit, false, a.value(), 0};
  return {bit, true, std::min(a.value(), b.value()), std::max(a.value(), b.value())};  // either direction
}

bool HostBitTable::test(std::uint32_t bit, IpAddress a, IpAddress b, bool pair, std::int64_t now_ns) const {
  const auto it = entries_.find(key(bit, a, b, pair));
  return it != entries_.end() && it->second >= now_ns;
}

void HostBitTable::set(std::uint32_t bit, IpAddress a, IpAddress b, bool pair, std::int64_t expires_ns, std::int64_t now_ns) {
  const Key k = key(bit, a, b, pair);
  if (!entries_.contains(k) && entries_.size() >= max_entries_) makeRoom(now_ns);
  entries_[k] = expires_ns;
}

void HostBitTable::unset(std::uint32_t bit, IpAddress a, IpAddress b, bool pair) { entries_.erase(key(bit, a, b, pair)); }

void HostBitTable::makeRoom(std::int64_t now_ns) {
  std::erase_if(entries_, [&](const auto& kv) { return kv.second < now_ns; });
  if (entries_.size() < max_entries_) return;
  // Still full of live bits: forget the quarter that expires soonest.
  std::vector<std::int64_t> expiries;
  expiries.reserve(entries_.size());
  for (const auto& kv : entries_) expiries.push_back(kv.second);
  const auto cut = expiries.begin() + static_cast<std::ptrdiff_t>(expiries.size() / 4);
  std::nth_element(expiries.begin(), cut, expiries.end());
  const std::int64_t before = *cut;
  const std::size_t was = entries_.size();
  std::erase_if(entries_, [&](const auto& kv) { return kv.second <= before; });
  evictions_ += was - entries_.size();
}

}  // namespace gsoc::signatures
