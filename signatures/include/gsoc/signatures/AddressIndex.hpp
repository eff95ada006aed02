#pragma once
// Prefilter for rules with nothing to search for in a buffer, above all the "IP-only" rules of
// reputation lists (tor, ciarmy, drop: about a thousand in ET Open, each naming up to hundreds
// of addresses). The address space is cut into segments at every boundary of every indexed
// address set; each segment lists the rules whose set covers it, so a lookup is one binary
// search, as Suricata's IP-only engine does with its radix trees.

#include <cstdint>
#include <span>
#include <vector>

#include "gsoc/signatures/RuleVariables.hpp"

namespace gsoc::signatures {

class AddressIndex {
 public:
  void add(const AddressSet& set, std::uint32_t rule);
  void build();
  [[nodiscard]] std::span<const std::uint32_t> lookup(IpAddress address) const;
  [[nodiscard]] bool empty() const { return starts_.empty(); }
  [[nodiscard]] std::size_t rules() const { return rule_count_; }

  // True when a set covers so much of the address space (any, !$HOME_NET) that indexing it
  // would make its rule a candidate for nearly every packet anyway.
  static bool isBroad(const AddressSet& set);
  // A size measure for choosing the narrower side of a rule (saturating).
  static u128 coverage(const AddressSet& set);

 private:
  std::vector<std::pair<AddressSet::Interval, std::uint32_t>> pending_;
  // IPv4 lookups in a large index: the segments of IPv4 addresses whose top kIpv4Bits bits are
  // b start at ipv4_first_[b] and end before ipv4_first_[b + 1] (of the IPv4 space's end), so
  // a lookup searches a few segments instead of all (the binary search over every segment of
  // ET Open's reputation lists was 2.5 % of the sensor's time, issue 17). Empty for small indexes.
  static constexpr unsigned kIpv4Bits = 14;
  static constexpr std::size_t kIpv4TableMinSegments = 64;
  std::vector<std::uint32_t> ipv4_first_;
  std::vector<u128> starts_;            // segment i is [starts_[i], starts_[i+1])
  std::vector<std::uint32_t> offsets_;  // CSR: rules of segment i are rules_[offsets_[i] .. offsets_[i+1])
  std::vector<std::uint32_t> rules_;
  std::size_t rule_count_ = 0;
};

}  // namespace gsoc::signatures
