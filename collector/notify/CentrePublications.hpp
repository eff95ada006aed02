#pragma once
// CentrePublications: the centre's publishing parts over one store, wired as gsoc-collector
// wires them: the ledger every publication is written through (and its listener, the live
// feed), the intelligence reports, the retro-hunter and the campaign publisher. Not copyable or
// movable: the parts refer to one another.

#include <utility>
#include <vector>

#include "collector/correlate/CorrelationRule.hpp"
#include "collector/notify/CampaignPublisher.hpp"
#include "collector/notify/IntelReports.hpp"
#include "collector/notify/PublicationLedger.hpp"
#include "collector/notify/RetroHunter.hpp"

namespace gsoc::collector {

struct CentrePublications {
  CentrePublications(std::vector<CorrelationRule> rules, EventStore& store, PublicationLedger::Listener listener = {})
      : ledger(store, std::move(listener)), intel(ledger), hunter(ledger, intel), publisher(std::move(rules), ledger, intel) {}
  CentrePublications(const CentrePublications&) = delete;
  CentrePublications& operator=(const CentrePublications&) = delete;

  PublicationLedger ledger;
  IntelReports intel;
  RetroHunter hunter;
  CampaignPublisher publisher;
};

}  // namespace gsoc::collector
