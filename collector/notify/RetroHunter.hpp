#pragma once
// RetroHunter: a new indicator (a partner CERT's C2 name, a hash from an incident) searched over
// stored history, a year by default: past hits become a campaign (kind RETRO_HUNT) and a notice
// to each agency where it was seen, with its host, the peer and the evidence; hunting again
// updates them. An analyst's intelligence report is recorded (IntelReports) and each of its
// indicators hunted.

#include <cstdint>
#include <string>

#include "collector/notify/IntelReports.hpp"
#include "collector/notify/PublicationLedger.hpp"
#include "gsoc/v1/central.pb.h"

namespace gsoc::collector {

class RetroHunter {
 public:
  RetroHunter(PublicationLedger& ledger, IntelReports& intel) : ledger_(ledger), intel_(intel) {}
  // Stored events since `since_ns` carrying `indicator`.
  gsoc::v1::HuntReply hunt(const std::string& indicator, std::int64_t since_ns, const std::string& reason, std::int64_t now_ns);
  // Records the report (numbered I-YEAR-NNNN, entered_by `by`) and hunts each of its indicators.
  gsoc::v1::AddIntelReply addIntel(gsoc::v1::IntelReport report, const std::string& by, std::int64_t since_ns, std::int64_t now_ns);

 private:
  PublicationLedger& ledger_;
  IntelReports& intel_;
};

}  // namespace gsoc::collector
