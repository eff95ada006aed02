#pragma once
// HostBitTable: the state behind `xbits` and `hostbits`, bits on a host (address) or on a pair of
// hosts that live past any one flow and expire after a set time of packet time (xbits'
// `expire`, 30 s by default as in Suricata). One table per Detector, so per worker: with
// several workers a bit set on one is seen only by flows of that worker (ip_pair bits always
// are, since both directions of a pair reach the same worker; ip_src/ip_dst bits of a host whose
// flows spread over workers may not be). Bounded: past `max_entries` expired bits are purged,
// then the oldest-expiring are forgotten and counted.

#include <cstdint>
#include <unordered_map>

#include "gsoc/signatures/IpAddress.hpp"

namespace gsoc::signatures {

class HostBitTable {
 public:
  explicit HostBitTable(std::size_t max_entries = 1 << 18) : max_entries_(max_entries) {}

  // `pair`: a bit on the unordered pair (a, b); otherwise on host a (b is ignored).
  [[nodiscard]] bool test(std::uint32_t bit, IpAddress a, IpAddress b, bool pair, std::int64_t now_ns) const;
  void set(std::uint32_t bit, IpAddress a, IpAddress b, bool pair, std::int64_t expires_ns, std::int64_t now_ns);
  void unset(std::uint32_t bit, IpAddress a, IpAddress b, bool pair);

  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] std::uint64_t evictions() const { return evictions_; }

 private:
  struct Key {
    std::uint32_t bit;
    bool pair;
    u128 a;
    u128 b;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  static Key key(std::uint32_t bit, IpAddress a, IpAddress b, bool pair);
  void makeRoom(std::int64_t now_ns);

  std::unordered_map<Key, std::int64_t, KeyHash> entries_;  // -> expiry time
  std::size_t max_entries_;
  std::uint64_t evictions_ = 0;
};

}  // namespace gsoc::signatures
