#pragma once
// Suricata's DNS transaction numbers for EVE's dns.tx_id: since Suricata 8 each DNS message,
// request or response, is a transaction of its own, numbered within its flow (0, 1, ...) in the
// order the messages arrive. The numbering is the output's (the parsers keep no per-flow DNS
// state over UDP), so the EVE writer keeps it per open flow and forgets a flow when its flow
// record is written.

#include <cstdint>
#include <unordered_map>

namespace gsoc::sensor {

class DnsTransactionIds {
 public:
  // The transaction of the next message of flow `flow_id`.
  std::uint64_t next(std::uint64_t flow_id) { return count_[flow_id]++; }
  // The transaction of the flow's latest message (0 before any).
  [[nodiscard]] std::uint64_t last(std::uint64_t flow_id) const {
    const auto it = count_.find(flow_id);
    return it == count_.end() || it->second == 0 ? 0 : it->second - 1;
  }
  void forget(std::uint64_t flow_id) { count_.erase(flow_id); }

 private:
  std::unordered_map<std::uint64_t, std::uint64_t> count_;
};

}  // namespace gsoc::sensor
