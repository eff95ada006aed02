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

std::string ConsoleViews::feed(std::int64_t since_ns, std::size_t limit, const gsoc::v1::Filter& filter) const {
  const std::int64_t now = clock_();
  if (since_ns == 0) since_ns = now - kMatrixDays * kDayNs;
  std::vector<Publication> stored = store_.publications(since_ns);
  std::sort(stored.begin(), stored.end(), [](const Publication& a, const Publication& b) { return a.updated_ns > b.updated_ns; });
  nlohmann::json items = nlohmann::json::array();
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
  return nlohmann::json{{"now_ns", std::to_string(now)}, {"publications", std::move(items)}}.dump();
}

std::string ConsoleViews::notices() const {
  const std::int64_t now = clock_();
  const std::int64_t recent = now - kMatrixDays * kDayNs;
  std::vector<Publication> stored = store_.publications(0);
  std::sort(stored.begin(), stored.end(), [](const Publication& a, const Publication& b) { return a.updated_ns > b.updated_ns; });
  std::set<std::string> agencies;
  for (const SensorRow& r : store_.sensors()) agencies.insert(r.agency_id);
  nlohmann::json notices = nlohmann::json::array();
  nlohmann::json warnings = nlohmann::json::array();
  for (const Publication& s : stored) {
    if (s.kind != "notice" && s.kind != "warning") continue;
    const auto record = toRecord(s);
    if (!record) continue;
    if (record->has_notice()) {
      const gsoc::v1::Notice& n = record->notice();
      if (n.state() == gsoc::v1::Notice::STATE_CLOSED && s.updated_ns < recent) continue;
      const std::int64_t raised = n.history_size() > 0 ? n.history(0).at_ns() : s.updated_ns;
      const bool waiting = n.state() == gsoc::v1::Notice::STATE_NEW || n.state() == gsoc::v1::Notice::STATE_DELIVERED ||
                           n.state() == gsoc::v1::Notice::STATE_UNSPECIFIED;
      notices.push_back({{"notice", protoJson(n)}, {"overdue", waiting && now - raised > kAcknowledgeDueNs}});
    } else if (record->has_warning() && s.updated_ns >= recent) {
      const gsoc::v1::Warning& w = record->warning();
      nlohmann::json acknowledged = nlohmann::json::array();
      std::set<std::string> pending = agencies;
      for (const auto& a : w.acknowledgements()) {
        acknowledged.push_back(a.agency_id() + " by " + a.by() + " at " + isoTime(a.acknowledged_ns()));
        pending.erase(a.agency_id());
      }
      warnings.push_back({{"warning", protoJson(w)}, {"acknowledged", std::move(acknowledged)}, {"pending", pending}});
    }
  }
  return nlohmann::json{{"now_ns", std::to_string(now)}, {"notices", std::move(notices)}, {"warnings", std::move(warnings)}}.dump();
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
  for (const Publication& s : store_.publications(0)) {
    if (s.kind != "notice") continue;
    const auto record = toRecord(s);
    if (!record || !record->has_notice()) continue;
    const auto state = record->notice().state();
    names.insert(s.agency_id);
    if (state != gsoc::v1::Notice::STATE_CLOSED) ++open[s.agency_id];
    if (state == gsoc::v1::Notice::STATE_NEW || state == gsoc::v1::Notice::STATE_DELIVERED) ++unacknowledged[s.agency_id];
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
