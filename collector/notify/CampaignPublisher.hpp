#pragma once
// CampaignPublisher: turns correlation hits into what the centre publishes, in the SOC's own
// terms. Every hit becomes (or grows) a Campaign. A rule with `raises: warning`,
// `urgent_warning` or `information` publishes a Warning to every agency (注意喚起, 警告・助言,
// 情報提供): numbered W-YEAR-NNNN, revised (not re-issued) as the campaign grows, TLP:AMBER, and
// never naming the victim agencies or their hosts. A rule with `raises: notice` publishes a
// Notice (通報) to each agency concerned: numbered N-YEAR-NNNN, with its internal host, the
// external peer, the time window, the evidence and containment steps, TLP:AMBER+STRICT, state
// new. Everything is kept in the store's publications table as the proto's JSON.

#include <string>
#include <vector>

#include "collector/correlate/CampaignCorrelator.hpp"
#include "collector/correlate/CorrelationRule.hpp"
#include "collector/store/EventStore.hpp"

namespace gsoc::collector {

class CampaignPublisher {
 public:
  CampaignPublisher(std::vector<CorrelationRule> rules, EventStore& store);
  // Publishes what the hit's rule raises; returns one human-readable line per publication.
  // Throws StoreError when the store fails.
  std::vector<std::string> publish(const CorrelationHit& hit);

 private:
  const CorrelationRule* ruleOf(const std::string& id) const;
  std::string nextNumber(const std::string& kind, char letter, std::int64_t at_ns);

  std::vector<CorrelationRule> rules_;
  EventStore& store_;
};

}  // namespace gsoc::collector
