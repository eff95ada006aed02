#pragma once
// CampaignPublisher: turns correlation hits into what the centre publishes, in the SOC's own
// terms. Every hit becomes (or grows) a Campaign: one per real-world activity, so a hit that
// shares an indicator with a recent campaign joins it (CampaignIndex), whichever rule raised it.
// A campaign whose rules raise `warning`, `urgent_warning` or `information` has one Warning to
// every agency (注意喚起, 警告・助言, 情報提供): numbered W-YEAR-NNNN, revised (not re-issued) as the
// campaign grows, TLP:AMBER, and never naming the victim agencies or their hosts. A rule with
// `raises: notice` publishes a Notice (通報) to each agency concerned, one per campaign and
// agency: numbered N-YEAR-NNNN, with its internal host, the external peer, the time window, the
// evidence and containment steps, TLP:AMBER+STRICT, state new. Campaigns are linked to the
// central team's intelligence reports they hit (IntelReports). Everything is written through the
// PublicationLedger; retro-hunts (RetroHunter) and acknowledgements (acknowledge()) have their
// own homes.

#include <string>
#include <vector>

#include "collector/correlate/CampaignCorrelator.hpp"
#include "collector/correlate/CorrelationRule.hpp"
#include "collector/notify/CampaignIndex.hpp"
#include "collector/notify/IntelReports.hpp"
#include "collector/notify/PublicationLedger.hpp"
#include "collector/store/EventStore.hpp"
#include "gsoc/v1/central.pb.h"

namespace gsoc::collector {

class CampaignPublisher {
 public:
  CampaignPublisher(std::vector<CorrelationRule> rules, PublicationLedger& ledger, IntelReports& intel);
  // Publishes what the hit's rule raises; returns one human-readable line per publication.
  // Throws StoreError when the store fails.
  std::vector<std::string> publish(const CorrelationHit& hit);

 private:
  const CorrelationRule* ruleOf(const std::string& id) const;
  void loadCampaigns();  // once, from the store, into index_
  void absorb(gsoc::v1::Campaign& into, const gsoc::v1::Campaign& other) const;

  std::vector<CorrelationRule> rules_;
  PublicationLedger& ledger_;
  IntelReports& intel_;
  CampaignIndex index_;
  bool campaigns_loaded_ = false;
};

}  // namespace gsoc::collector
