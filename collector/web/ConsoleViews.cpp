#include "collector/web/ConsoleViews.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "collector/api/PublicationRecord.hpp"
#include "collector/store/EventQuery.hpp"
#include "collector/web/CampaignView.hpp"
#include "collector/web/HuntView.hpp"
#include "collector/web/ProtoJson.hpp"

namespace gsoc::collector {
namespace {

constexpr std::int64_t kSecondNs = 1000000000LL;
constexpr std::int64_t kDayNs = 86400LL * kSecondNs;
constexpr int kMatrixDays = 7;
constexpr std::size_t kFeedPage = 256;       // publications read from the store at a time
constexpr std::size_t kWarningsShown = 500;

// "2026-12-05" for a UTC day number (days since 1970-01-01).
std::string isoDay(std::int64_t day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf.data();
}

// "2026-12-05 09:13 UTC" for a wall time in ns.
std::string isoTime(std::int64_t ns) {
  const std::int64_t minute = ns / (60 * kSecondNs);
  const std::int64_t day = minute / 1440;
  std::array<char, 16> buf{};
  std::snprintf(buf.data(), buf.size(), " %02d:%02d UTC", static_cast<int>(minute % 1440 / 60), static_cast<int>(minute % 60));
  return isoDay(day) + buf.data();
}

}  // namespace

std::string ConsoleViews::publicationJson(const gsoc::v1::Publication& p) { return protoJson(p).dump(); }

std::string ConsoleViews::feed(std::int64_t since_ns, std::uint32_t days, std::size_t limit, const gsoc::v1::Filter& filter) const {
  const std::int64_t now = clock_();
  // What the store can select by goes into the query; the rest (agencies a campaign involves,
  // severity) is matches()'s, page by page, until `limit` pass.
  PublicationQuery query = storeQueryFor(filter);
  if (since_ns == 0 && days > 0) since_ns = now - static_cast<std::int64_t>(days) * kDayNs;
  query.updated_since_ns = std::max(since_ns, filter.since_ns());
  query.newest_first = true;
  query.limit = std::max<std::size_t>(limit, kFeedPage);
  nlohmann::json items = nlohmann::json::array();
  for (bool more = true; more && items.size() < limit;) {
    const std::vector<Publication> stored = store_.selectPublications(query);
    more = stored.size() == query.limit;
    query.offset += stored.size();
    for (const Publication& s : stored) {
      if (items.size() >= limit) break;
      const auto record = toRecord(s);
      if (!record) {
        std::cerr << "gsoc-collector: web: stored " << s.kind << " " << s.id << " is unreadable; left out\n";
        continue;
      }
      if (!matches(filter, *record)) continue;
      items.push_back(protoJson(*record));
    }
  }
  return nlohmann::json{{"now_ns", std::to_string(now)}, {"publications", std::move(items)}}.dump();
}

std::optional<std::string> ConsoleViews::notices(const NoticePage& page) const {
  static const std::map<std::string, std::vector<std::string>, std::less<>> kShown{
      {"open", {"new", "delivered", "acknowledged", ""}},
      {"waiting", {"new", "delivered", ""}},
      {"new", {"new"}},
      {"delivered", {"delivered"}},
      {"acknowledged", {"acknowledged"}},
      {"closed", {"closed"}},
      {"all", {}}};
  const auto shown = kShown.find(page.show);
  if (shown == kShown.end()) return std::nullopt;
  const std::int64_t now = clock_();
  const std::int64_t recent = now - kMatrixDays * kDayNs;
  nlohmann::json counts = nlohmann::json::object();
  std::uint64_t total = 0;
  for (const PublicationTally& t : store_.tallyPublications("notice")) {
    if (!page.agency.empty() && t.agency_id != page.agency) continue;
    const std::string state = t.status.empty() ? "new" : t.status;  // unspecified counts as new, as the page shows it
    counts[state] = counts.value(state, std::uint64_t{0}) + t.count;
    const auto& statuses = shown->second;
    if (statuses.empty() || std::find(statuses.begin(), statuses.end(), t.status) != statuses.end()) total += t.count;
  }
  PublicationQuery query;
  query.kinds = {"notice"};
  query.statuses = shown->second;
  query.agency_id = page.agency;
  query.newest_first = true;
  if (!page.after_id.empty()) query.after = PublicationQuery::Cursor{page.after_ns, "notice", page.after_id};
  query.offset = page.offset;
  query.limit = std::clamp<std::size_t>(page.limit, 1, kMaxNoticePage);
  const std::vector<Publication> selected = store_.selectPublications(query);
  nlohmann::json next = nullptr;
  if (selected.size() == query.limit) next = {{"after_ns", std::to_string(selected.back().updated_ns)}, {"after_id", selected.back().id}};
  nlohmann::json notices = nlohmann::json::array();
  for (const Publication& s : selected) {
    const auto record = toRecord(s);
    if (!record || !record->has_notice()) continue;
    const gsoc::v1::Notice& n = record->notice();
    const std::int64_t raised = n.history_size() > 0 ? n.history(0).at_ns() : s.updated_ns;
    const bool waiting = n.state() == gsoc::v1::Notice::STATE_NEW || n.state() == gsoc::v1::Notice::STATE_DELIVERED ||
                         n.state() == gsoc::v1::Notice::STATE_UNSPECIFIED;
    notices.push_back({{"notice", protoJson(n)}, {"overdue", waiting && now - raised > kAcknowledgeDueNs}});
  }
  std::set<std::string> agencies;
  for (const SensorRow& r : store_.sensors()) agencies.insert(r.agency_id);
  PublicationQuery recent_warnings;
  recent_warnings.kinds = {"warning"};
  recent_warnings.updated_since_ns = recent;
  recent_warnings.newest_first = true;
  recent_warnings.limit = kWarningsShown;
  nlohmann::json warnings = nlohmann::json::array();
  for (const Publication& s : store_.selectPublications(recent_warnings)) {
    const auto record = toRecord(s);
    if (!record || !record->has_warning()) continue;
    const gsoc::v1::Warning& w = record->warning();
    nlohmann::json acknowledged = nlohmann::json::array();
    std::set<std::string> pending = agencies;
    for (const auto& a : w.acknowledgements()) {
      acknowledged.push_back(a.agency_id() + " by " + a.by() + " at " + isoTime(a.acknowledged_ns()));
      pending.erase(a.agency_id());
    }
    warnings.push_back({{"warning", protoJson(w)}, {"acknowledged", std::move(acknowledged)}, {"pending", pending}});
  }
  return nlohmann::json{{"now_ns", std::to_string(now)}, {"show", page.show}, {"agency", page.agency},
                        {"offset", query.offset}, {"limit", query.limit}, {"total", total}, {"counts", std::move(counts)}, {"next", std::move(next)},
                        {"notices", std::move(notices)}, {"warnings", std::move(warnings)}}.dump();
}

std::optional<std::string> ConsoleViews::campaign(const std::string& id) const { return campaignViewJson(store_, id); }

std::string ConsoleViews::hunt(const std::string& indicator, std::uint32_t days) const {
  return huntViewJson(store_, indicator, clock_() - static_cast<std::int64_t>(days) * kDayNs);
}

std::string ConsoleViews::sensors() const {
  const std::int64_t now = clock_();
  nlohmann::json items = nlohmann::json::array();
  for (const SensorRow& r : store_.sensors()) {
    items.push_back({{"sensor_id", r.sensor_id},
                     {"agency_id", r.agency_id},
                     {"first_seen_ns", std::to_string(r.first_seen_ns)},
                     {"last_seen_ns", std::to_string(r.last_seen_ns)},
                     {"software_version", r.software_version},
                     {"ruleset_version", r.ruleset_version},
                     {"clock_offset_ms", static_cast<double>(r.clock_offset_ns) / 1e6},
                     {"spool_depth", r.spool_depth},
                     {"spool_dropped", r.spool_dropped},
                     {"events", r.events},
                     {"gap_events", r.gap_events},
                     {"rejected_events", r.rejected_events},
                     {"stale", now - r.last_seen_ns > static_cast<std::int64_t>(silence_s_) * kSecondNs},
                     {"rates", rates_ ? rates_->rates(r.sensor_id) : std::vector<double>{}}});
  }
  return nlohmann::json{{"now_ns", std::to_string(now)}, {"silence_s", silence_s_}, {"sensors", std::move(items)}}.dump();
}

std::string ConsoleViews::agencies() const {
  const std::int64_t now = clock_();
  const std::int64_t today = now / kDayNs;
  const std::int64_t first_day = today - (kMatrixDays - 1);
  EventQuery query;
  query.since_ns = first_day * kDayNs;
  query.kinds = {"alert"};
  const std::array<EventDimension, 2> by{EventDimension::Agency, EventDimension::Day};
  std::map<std::string, std::array<std::uint64_t, kMatrixDays>> alerts;
  for (const EventCount& c : store_.countEvents(query, by)) {
    if (c.key.size() != 2) continue;
    std::int64_t day = 0;
    try {
      day = std::stoll(c.key[1]);
    } catch (const std::exception&) {
      continue;
    }
    if (day < first_day || day > today) continue;  // an event stamped ahead of our clock
    alerts[c.key[0]][static_cast<std::size_t>(day - first_day)] += c.events;
  }
  std::set<std::string> names;
  std::map<std::string, std::uint64_t> sensors;
  for (const SensorRow& r : store_.sensors()) {
    names.insert(r.agency_id);
    ++sensors[r.agency_id];
  }
  for (const auto& [agency, counts] : alerts) names.insert(agency);
  std::map<std::string, std::uint64_t> open;
  std::map<std::string, std::uint64_t> unacknowledged;
  for (const PublicationTally& t : store_.tallyPublications("notice")) {
    names.insert(t.agency_id);
    if (t.status != "closed") open[t.agency_id] += t.count;
    if (t.status == "new" || t.status == "delivered") unacknowledged[t.agency_id] += t.count;
  }
  nlohmann::json days = nlohmann::json::array();
  for (std::int64_t d = first_day; d <= today; ++d) days.push_back(isoDay(d));
  nlohmann::json rows = nlohmann::json::array();
  for (const std::string& name : names) {
    if (name.empty()) continue;
    const auto it = alerts.find(name);
    nlohmann::json counts = nlohmann::json::array();
    std::uint64_t total = 0;
    for (int i = 0; i < kMatrixDays; ++i) {
      const std::uint64_t n = it == alerts.end() ? 0 : it->second[static_cast<std::size_t>(i)];
      counts.push_back(n);
      total += n;
    }
    rows.push_back({{"agency_id", name},
                    {"sensors", sensors[name]},
                    {"alerts", std::move(counts)},
                    {"alerts_total", total},
                    {"open_notices", open[name]},
                    {"unacknowledged_notices", unacknowledged[name]}});
  }
  return nlohmann::json{{"now_ns", std::to_string(now)}, {"days", std::move(days)}, {"agencies", std::move(rows)}}.dump();
}

}  // namespace gsoc::collector
