#pragma once
// HuntView: the hunt page's JSON (/api/hunt?q=VALUE&days=N): the stored events of the last N
// days that carry an indicator (an address, domain, hash or mail sender), oldest first, each
// with its time, agency, sensor, kind, signature and flow endpoints. It is the search half of
// the Central API's Hunt (RetroHunter), through the same EventStore query with the value as the
// term, but publishes nothing: a page view must not raise notices, which `gsocctl hunt` does on
// purpose. At most kHuntHits events are listed and kHuntCount counted.

#include <cstdint>
#include <string>

#include "collector/store/EventStore.hpp"

namespace gsoc::collector {

inline constexpr std::size_t kHuntHits = 500;
inline constexpr std::uint64_t kHuntCount = 100000;

std::string huntViewJson(EventStore& store, const std::string& indicator, std::int64_t since_ns);

}  // namespace gsoc::collector
