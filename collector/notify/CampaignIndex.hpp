#pragma once
// CampaignIndex: which campaign a correlation hit belongs to, so that one real-world activity is
// one campaign however many rules see it. A phishing wave is seen by the same-attachment rule,
// by the listed-sender rule and by a signature; a scan by the scanner rule and by each of the
// signatures it trips. A hit joins a recent campaign when one of its indicators (the values its
// rule groups by: an address, sender, hash, name) is an observable of the campaign (an address,
// sender or name of the events that raised it), or one of its observables is an indicator of the
// campaign. Observables are never matched against observables: they include victims' hosts, and
// two campaigns against the same web server are not one. "Recent" is within `window` of the
// campaign's time span.
//
// Each rule hit keeps its own key (rule, group, first raised); the index remembers which campaign
// each key went to, so a hit's updates follow it. Everything it knows is in the campaigns
// themselves (merged_hits, indicators, observables), so it is rebuilt from the store at start.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gsoc/v1/correlation.pb.h"

namespace gsoc::collector {

class CampaignIndex {
 public:
  explicit CampaignIndex(std::int64_t window_ns) : window_(window_ns) {}

  // The campaign a hit key already belongs to (itself, or the one it was merged into).
  [[nodiscard]] std::optional<std::string> campaignOf(const std::string& hit_key) const;
  // The recent campaigns sharing an indicator or observable with a new hit spanning [first_ns,
  // last_ns], best first: the most shared values, then the higher `rank`, then the older. When
  // there are several, the hit shows they are one activity: the first absorbs the others.
  [[nodiscard]] std::vector<std::string> match(const std::vector<std::string>& indicators, const std::vector<std::string>& observables,
                                               std::int64_t first_ns, std::int64_t last_ns) const;
  // `absorbed` now belongs to `into`, with every hit key that went to it.
  void absorb(const std::string& absorbed, const std::string& into);
  // Records (or refreshes) a campaign; rank: how much its lead rule publishes.
  void remember(const gsoc::v1::Campaign& campaign, int rank);

 private:
  struct Known {
    std::int64_t first_ns = 0;
    std::int64_t last_ns = 0;
    int rank = 0;
  };
  std::int64_t window_;
  std::unordered_map<std::string, Known> campaigns_;
  std::unordered_map<std::string, std::string> hit_keys_;  // hit key -> campaign
  std::unordered_map<std::string, std::vector<std::string>> by_indicator_;
  std::unordered_map<std::string, std::vector<std::string>> by_observable_;
};

}  // namespace gsoc::collector
