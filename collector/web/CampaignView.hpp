#pragma once
// CampaignView: the campaign page's JSON (/api/campaign?id=ID): the campaign as the Central
// API's Show gives it, what it produced (its warning, 注意喚起, and its notices, 通報, found by
// the ids the publisher keeps them under: warningIdOf, noticeIdOf per agency), the intelligence
// reports linked to it, and its evidence over time as an agency x time matrix (the page draws
// the timeline and the heat map from it).
//
// The evidence: the stored events in the campaign's window (first to last seen) at its agencies
// that carry one of its indicators, read through EventStore::forEachEvent with the indicator as
// the query's term, the same query retro-hunts make. A campaign without indicators (a surge of
// one agency's alerts) is shown by its agencies' alerts in its window; `evidence.basis` says
// which. Columns are hours for a window up to 3 days, days up to 120 days, weeks
// beyond; at most kMaxEvidenceEvents are read, and `truncated` says when there were more.

#include <cstdint>
#include <optional>
#include <string>

#include "collector/store/EventStore.hpp"

namespace gsoc::collector {

inline constexpr std::uint64_t kMaxEvidenceEvents = 200000;

// nullopt when there is no campaign with this id.
std::optional<std::string> campaignViewJson(EventStore& store, const std::string& id);

}  // namespace gsoc::collector
