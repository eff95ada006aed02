#include "collector/store/EventQuery.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>

#include "collector/store/EventColumns.hpp"
#include "gsoc/v1/event.pb.h"

namespace gsoc::collector {
namespace {

constexpr std::array<std::pair<EventDimension, std::string_view>, 5> kDimensions{{
    {EventDimension::Agency, "agency"},
    {EventDimension::Sensor, "sensor"},
    {EventDimension::Kind, "kind"},
    {EventDimension::Sid, "sid"},
    {EventDimension::Day, "day"},
}};

std::string valueOf(const gsoc::v1::Event& e, EventDimension d) {
  switch (d) {
    case EventDimension::Agency: return e.agency_id();
    case EventDimension::Sensor: return e.sensor_id();
    case EventDimension::Kind: return kindName(e);
    case EventDimension::Sid: return e.has_alert() ? std::to_string(e.alert().sid()) : "";
    case EventDimension::Day: return std::to_string(e.timestamp_ns() / 86400000000000LL);
  }
  return "";
}

}  // namespace

std::string_view dimensionName(EventDimension d) {
  for (const auto& entry : kDimensions) {
    if (entry.first == d) return entry.second;
  }
  return "?";
}

std::optional<EventDimension> parseDimension(std::string_view name) {
  for (const auto& entry : kDimensions) {
    if (entry.second == name) return entry.first;
  }
  return std::nullopt;
}

bool eventMatches(const EventQuery& q, const gsoc::v1::Event& e) {
  auto any = [](const auto& list, const auto& value) { return list.empty() || std::find(list.begin(), list.end(), value) != list.end(); };
  if (e.timestamp_ns() < q.since_ns || e.timestamp_ns() >= q.until_ns) return false;
  if (!any(q.agencies, e.agency_id()) || !any(q.sensors, e.sensor_id())) return false;
  if (!q.kinds.empty() && !any(q.kinds, std::string_view(kindName(e)))) return false;
  if (!q.sids.empty() && !(e.has_alert() && any(q.sids, static_cast<std::int64_t>(e.alert().sid())))) return false;
  return q.term.empty() || eventCarries(e, q.term);
}

void validateQuery(const EventQuery& query) {
  for (const auto& kind : query.kinds) {
    if (std::find(kEventKinds.begin(), kEventKinds.end(), kind) == kEventKinds.end()) {
      throw std::invalid_argument("'" + kind + "' is not an event kind (alert, flow, http, dns, tls, smtp, file)");
    }
  }
  if (query.until_ns <= query.since_ns) throw std::invalid_argument("the time range is empty (until is not after since)");
}

std::vector<EventCount> countByVisiting(const std::function<void(const std::function<void(gsoc::v1::Event&&)>&)>& for_each,
                                        std::span<const EventDimension> by) {
  std::map<std::vector<std::string>, std::uint64_t> groups;
  std::vector<std::string> key;
  for_each([&](gsoc::v1::Event&& e) {
    key.clear();
    for (const auto d : by) key.push_back(valueOf(e, d));
    ++groups[key];
  });
  std::vector<EventCount> out;
  out.reserve(groups.size());
  for (auto& [k, n] : groups) out.push_back(EventCount{k, n});
  return out;
}

}  // namespace gsoc::collector
