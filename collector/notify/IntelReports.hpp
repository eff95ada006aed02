#pragma once
// IntelReports: the central team's own intelligence (an actor's announced target, a partner
// CERT's indicators). A report is recorded (numbered I-YEAR-NNNN, with who entered it), and a
// later campaign that hits its named targets (agencies, hosts) or its indicators within its
// window is linked to it: the report counts the hits and names the agencies and campaigns (it
// stays with the central team); the campaign names the report, and its warning cites it.
// RetroHunter::addIntel() records a report and hunts its indicators in stored history.

#include <string>
#include <vector>

#include "collector/correlate/CorrelationHit.hpp"
#include "collector/notify/PublicationLedger.hpp"
#include "gsoc/v1/central.pb.h"

namespace gsoc::collector {

class IntelReports {
 public:
  explicit IntelReports(PublicationLedger& ledger) : ledger_(ledger) {}
  // Numbers, stamps and stores the report; returns it. The ledger's lock must be held.
  gsoc::v1::IntelReport recordLocked(gsoc::v1::IntelReport report, const std::string& by, std::int64_t now_ns);
  // Links the campaign the hit grew to every report it matches (storing the reports); returns
  // the warning's references, and appends a line per link to `lines`. The lock must be held.
  std::vector<std::string> linkLocked(gsoc::v1::Campaign& campaign, const CorrelationHit& hit, std::vector<std::string>& lines);

 private:
  void load();  // once, from the store

  PublicationLedger& ledger_;
  std::vector<gsoc::v1::IntelReport> reports_;
  bool loaded_ = false;
};

}  // namespace gsoc::collector
