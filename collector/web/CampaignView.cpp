#include "collector/web/CampaignView.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "collector/api/PublicationRecord.hpp"
#include "collector/notify/PublicationFormat.hpp"
#include "collector/store/EventQuery.hpp"
#include "collector/web/ProtoJson.hpp"
#include "gsoc/v1/event.pb.h"

namespace gsoc::collector {
namespace {

constexpr std::int64_t kHourNs = 3600LL * 1000000000LL;
constexpr std::int64_t kDayNs = 24 * kHourNs;
constexpr std::int64_t kWeekNs = 7 * kDayNs;

struct Columns {
  const char* unit = "hour";
  std::int64_t unit_ns = kHourNs;
  std::int64_t first_ns = 0;  // the first column's start, on a unit boundary
  std::size_t count = 0;
};

// The coarsest-needed unit that keeps the matrix readable: hours for up to 3 days, days for up
// to 120, weeks beyond (a retro-hunt's year).
Columns columnsFor(std::int64_t first_ns, std::int64_t last_ns) {
  Columns c;
  const std::int64_t span = std::max<std::int64_t>(0, last_ns - first_ns);
  if (span > 120 * kDayNs) {
    c.unit = "week";
    c.unit_ns = kWeekNs;
  } else if (span > 3 * kDayNs) {
    c.unit = "day";
    c.unit_ns = kDayNs;
  }
  auto floorTo = [&](std::int64_t t) { return t >= 0 ? t - t % c.unit_ns : t - (c.unit_ns + t % c.unit_ns) % c.unit_ns; };
  c.first_ns = floorTo(first_ns);
  c.count = static_cast<std::size_t>((floorTo(last_ns) - c.first_ns) / c.unit_ns) + 1;
  return c;
}

}  // namespace

std::optional<std::string> campaignViewJson(EventStore& store, const std::string& id) {
  const auto stored = store.publication("campaign", id);
  if (!stored) return std::nullopt;
  const auto record = toRecord(*stored);
  if (!record || !record->has_campaign()) throw StoreError("stored campaign " + id + " is unreadable");
  const gsoc::v1::Campaign& campaign = record->campaign();

  // What it produced and the reports it is linked to, looked up by the ids they are kept under
  // (a scan of the publications table would grow with every notice ever raised).
  nlohmann::json warnings = nlohmann::json::array();
  nlohmann::json notices = nlohmann::json::array();
  nlohmann::json intel = nlohmann::json::array();
  auto add = [&](const char* kind, const std::string& key) {
    const auto p = store.publication(kind, key);
    if (!p || (p->kind != "intel" && p->campaign_id != id)) return;
    const auto r = toRecord(*p);
    if (!r) {
      std::cerr << "gsoc-collector: web: stored " << p->kind << " " << p->id << " is unreadable; left out\n";
    } else if (r->has_warning()) {
      warnings.push_back(protoJson(r->warning()));
    } else if (r->has_notice()) {
      notices.push_back(protoJson(r->notice()));
    } else if (r->has_intel()) {
      intel.push_back(protoJson(r->intel()));
    }
  };
  add("warning", warningIdOf(id));
  for (const std::string& agency : campaign.agencies()) add("notice", noticeIdOf(id, agency));
  for (const std::string& report : campaign.intel_reports()) add("intel", report);  // an intelligence report's id is its number

  // Its evidence over time, agency x column.
  // A record without a first sighting (never written so by the publisher) is shown at its last.
  const std::int64_t last_ns = campaign.last_seen_ns();
  const std::int64_t first_ns = campaign.first_seen_ns() > 0 ? std::min(campaign.first_seen_ns(), last_ns) : last_ns;
  const Columns columns = columnsFor(first_ns, last_ns);
  EventQuery query;
  query.since_ns = first_ns;
  query.until_ns = last_ns + 1;
  query.agencies.assign(campaign.agencies().begin(), campaign.agencies().end());
  std::vector<std::string> terms;
  for (const auto& i : campaign.indicators()) {
    if (!i.value().empty() && std::find(terms.begin(), terms.end(), i.value()) == terms.end()) terms.push_back(i.value());
  }
  const bool by_indicator = !terms.empty();
  if (!by_indicator) {
    query.kinds = {"alert"};
    terms.emplace_back();  // one query, without a term
  }
  std::map<std::string, std::vector<std::uint64_t>> counts;
  for (const std::string& a : campaign.agencies()) counts[a].assign(columns.count, 0);
  std::set<std::string> seen;  // an event carrying two of the indicators is counted once
  std::uint64_t read = 0;
  bool truncated = false;
  for (const std::string& term : terms) {
    if (truncated) break;
    query.term = term;
    query.limit = kMaxEvidenceEvents - read + 1;
    store.forEachEvent(query, [&](gsoc::v1::Event&& e) {
      if (read >= kMaxEvidenceEvents) {
        truncated = true;
        return;
      }
      ++read;
      if (terms.size() > 1 && !seen.insert(e.event_id()).second) return;
      auto& row = counts[e.agency_id()];
      if (row.empty()) row.assign(columns.count, 0);
      const auto column = static_cast<std::size_t>((e.timestamp_ns() - columns.first_ns) / columns.unit_ns);
      if (column < columns.count) ++row[column];
    });
  }
  nlohmann::json starts = nlohmann::json::array();
  for (std::size_t i = 0; i < columns.count; ++i) {
    starts.push_back(std::to_string(columns.first_ns + static_cast<std::int64_t>(i) * columns.unit_ns));
  }
  nlohmann::json rows = nlohmann::json::array();
  std::uint64_t total = 0;
  for (const auto& [agency, row] : counts) {
    std::uint64_t sum = 0;
    for (std::uint64_t n : row) sum += n;
    total += sum;
    rows.push_back({{"agency_id", agency}, {"counts", row}, {"total", sum}});
  }
  return nlohmann::json{{"campaign", protoJson(campaign)},
                        {"warnings", std::move(warnings)},
                        {"notices", std::move(notices)},
                        {"intel", std::move(intel)},
                        {"evidence",
                         {{"basis", by_indicator ? "indicators" : "agency_alerts"},
                          {"unit", columns.unit},
                          {"unit_ns", std::to_string(columns.unit_ns)},
                          {"columns", std::move(starts)},
                          {"agencies", std::move(rows)},
                          {"events", total},
                          {"truncated", truncated}}}}
      .dump();
}

}  // namespace gsoc::collector
