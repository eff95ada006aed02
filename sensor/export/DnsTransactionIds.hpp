#pragma once
// Suricata's DNS transaction numbers for EVE's dns.tx_id: within a flow, each request opens the
// next transaction (0, 1, ...); a response belongs to the oldest unanswered request with its DNS
// id, and a response nobody asked for opens a transaction of its own. The numbering is the
// output's (the parsers do not pair messages), so the EVE writer keeps it per open flow and
// forgets a flow when its flow record is written.

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace gsoc::sensor {

class DnsTransactionIds {
 public:
  // The transaction of one message of flow `flow_id`.
  std::uint64_t next(std::uint64_t flow_id, std::uint16_t dns_id, bool response) {
    std::vector<Transaction>& txs = flows_[flow_id];
    if (response) {
      for (Transaction& tx : txs) {
        if (!tx.answered && tx.dns_id == dns_id) {
          tx.answered = true;
          return tx.number;
        }
      }
    }
    const std::uint64_t number = next_[flow_id]++;
    // Answered transactions are no longer looked up; an unsolicited response's never is.
    if (!response) txs.push_back({dns_id, number, false});
    if (txs.size() > kMaxOpen) txs.erase(txs.begin());  // a client that never hears back
    return number;
  }
  void forget(std::uint64_t flow_id) {
    flows_.erase(flow_id);
    next_.erase(flow_id);
  }

 private:
  static constexpr std::size_t kMaxOpen = 64;
  struct Transaction {
    std::uint16_t dns_id = 0;
    std::uint64_t number = 0;
    bool answered = false;
  };
  std::unordered_map<std::uint64_t, std::vector<Transaction>> flows_;
  std::unordered_map<std::uint64_t, std::uint64_t> next_;
};

}  // namespace gsoc::sensor
