#include "collector/notify/CampaignIndex.hpp"

#include <algorithm>
#include <map>

namespace gsoc::collector {
namespace {

void addOnce(std::vector<std::string>& ids, const std::string& id) {
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}

}  // namespace

std::optional<std::string> CampaignIndex::campaignOf(const std::string& hit_key) const {
  auto it = hit_keys_.find(hit_key);
  if (it == hit_keys_.end() && campaigns_.contains(hit_key)) return hit_key;
  if (it == hit_keys_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> CampaignIndex::match(const std::vector<std::string>& indicators, const std::vector<std::string>& observables,
                                                std::int64_t first_ns, std::int64_t last_ns) const {
  std::map<std::string, int> shared;
  auto count = [&](const std::unordered_map<std::string, std::vector<std::string>>& index, const std::vector<std::string>& values) {
    for (const auto& v : values) {
      auto it = index.find(v);
      if (it == index.end()) continue;
      for (const auto& id : it->second) {
        const Known& k = campaigns_.at(id);
        if (k.last_ns + window_ < first_ns || k.first_ns - window_ > last_ns) continue;  // not recent
        ++shared[id];
      }
    }
  };
  count(by_observable_, indicators);
  count(by_indicator_, observables);
  std::vector<std::pair<std::string, int>> ranked(shared.begin(), shared.end());
  std::sort(ranked.begin(), ranked.end(), [&](const auto& x, const auto& y) {
    const Known& a = campaigns_.at(x.first);
    const Known& b = campaigns_.at(y.first);
    return std::tie(x.second, a.rank, b.first_ns, y.first) > std::tie(y.second, b.rank, a.first_ns, x.first);
  });
  std::vector<std::string> out;
  for (auto& [id, n] : ranked) out.push_back(std::move(id));
  return out;
}

void CampaignIndex::absorb(const std::string& absorbed, const std::string& into) {
  for (auto& [key, campaign] : hit_keys_) {
    if (campaign == absorbed) campaign = into;
  }
  hit_keys_[absorbed] = into;
  campaigns_.erase(absorbed);
  for (auto* index : {&by_indicator_, &by_observable_}) {
    for (auto& [value, ids] : *index) std::erase(ids, absorbed);
  }
}

void CampaignIndex::remember(const gsoc::v1::Campaign& campaign, int rank) {
  Known& k = campaigns_[campaign.id()];
  k.first_ns = campaign.first_seen_ns();
  k.last_ns = campaign.last_seen_ns();
  k.rank = rank;
  for (const auto& key : campaign.merged_hits()) hit_keys_[key] = campaign.id();
  for (const auto& i : campaign.indicators()) addOnce(by_indicator_[i.value()], campaign.id());
  for (const auto& o : campaign.observables()) addOnce(by_observable_[o], campaign.id());
}

}  // namespace gsoc::collector
