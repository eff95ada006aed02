#include "collector/web/HuntView.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "collector/store/EventColumns.hpp"
#include "collector/store/EventQuery.hpp"
#include "gsoc/v1/event.pb.h"

namespace gsoc::collector {

std::string huntViewJson(EventStore& store, const std::string& indicator, std::int64_t since_ns) {
  EventQuery query;
  query.since_ns = since_ns;
  query.term = indicator;
  query.limit = kHuntCount + 1;  // one more than counted tells there were more
  nlohmann::json hits = nlohmann::json::array();
  std::uint64_t events = 0;
  std::map<std::string, std::uint64_t> by_agency;
  store.forEachEvent(query, [&](gsoc::v1::Event&& e) {
    if (++events > kHuntCount) return;
    ++by_agency[e.agency_id()];
    if (hits.size() >= kHuntHits) return;
    nlohmann::json hit{{"event_id", e.event_id()},
                       {"timestamp_ns", std::to_string(e.timestamp_ns())},
                       {"agency_id", e.agency_id()},
                       {"sensor_id", e.sensor_id()},
                       {"kind", kindName(e)},
                       {"src", addressText(e.tuple().src_ip())},
                       {"src_port", e.tuple().src_port()},
                       {"dst", addressText(e.tuple().dst_ip())},
                       {"dst_port", e.tuple().dst_port()},
                       {"summary", eventSummary(e)}};
    if (e.has_alert()) {
      hit["sid"] = e.alert().sid();
      hit["msg"] = e.alert().msg();
    }
    hits.push_back(std::move(hit));
  });
  const bool truncated = events > kHuntCount;
  return nlohmann::json{{"indicator", indicator},
                        {"since_ns", std::to_string(since_ns)},
                        {"events", truncated ? kHuntCount : events},
                        {"counted_all", !truncated},
                        {"by_agency", by_agency},
                        {"hits", std::move(hits)}}
      .dump();
}

}  // namespace gsoc::collector
