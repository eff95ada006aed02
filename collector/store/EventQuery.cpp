#include "collector/store/EventQuery.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace gsoc::collector {
namespace {

constexpr std::array<std::pair<EventDimension, std::string_view>, 5> kDimensions{{
    {EventDimension::Agency, "agency"},
    {EventDimension::Sensor, "sensor"},
    {EventDimension::Kind, "kind"},
    {EventDimension::Sid, "sid"},
    {EventDimension::Day, "day"},
}};

constexpr std::array<std::string_view, 7> kKinds{"alert", "flow", "http", "dns", "tls", "smtp", "file"};

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

void validateQuery(const EventQuery& query) {
  for (const auto& kind : query.kinds) {
    if (std::find(kKinds.begin(), kKinds.end(), kind) == kKinds.end()) {
      throw std::invalid_argument("'" + kind + "' is not an event kind (alert, flow, http, dns, tls, smtp, file)");
    }
  }
  if (query.until_ns <= query.since_ns) throw std::invalid_argument("the time range is empty (until is not after since)");
}

}  // namespace gsoc::collector
