#pragma once
// EventQuery: the one way anything reads stored events (correlation replay, retro-hunts, the
// Central API's `Events` call behind `gsocctl events`, reports, tests). A query names a time
// range and any of agencies, sensors, kinds, signature ids and one observable (`term`: an
// indicator value, address, domain, hash or sender), and either visits the matching events in
// (time, arrival) order or counts them grouped by a few dimensions. Keeping every reader on this
// interface, never on SQL against an events table, is what lets a backend store events in its own
// layout (rows, compressed blocks, a ClickHouse table).

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gsoc::v1 {
class Event;
}

namespace gsoc::collector {

struct EventQuery {
  std::int64_t since_ns = std::numeric_limits<std::int64_t>::min();  // event time, inclusive
  std::int64_t until_ns = std::numeric_limits<std::int64_t>::max();  // event time, exclusive
  std::vector<std::string> agencies;  // any of these (empty: all), likewise below
  std::vector<std::string> sensors;
  std::vector<std::string> kinds;     // "alert", "flow", "http", "dns", "tls", "smtp", "file"
  std::vector<std::int64_t> sids;     // alerts of these signatures
  // One observable the event must carry (eventCarries): its main indicator, either address, or,
  // for a file hash, an attachment of a mail. Empty: no such condition.
  std::string term;
  std::uint64_t limit = 0;  // visit at most this many (0: all)
  // Events of commits up to this commit-log number only (a store with a commit log; 0: all): a
  // correlator that tails the log replays exactly what precedes its position.
  std::uint64_t through_commit = 0;
};

// The kinds of stored event, in the order of EventBlock's kinds bit mask.
inline constexpr std::array<std::string_view, 7> kEventKinds{"alert", "flow", "http", "dns", "tls", "smtp", "file"};

// What counts are grouped by.
enum class EventDimension { Agency, Sensor, Kind, Sid, Day };

// "agency", "sensor", "kind", "sid", "day" (UTC days since the epoch, as a number).
std::string_view dimensionName(EventDimension d);
std::optional<EventDimension> parseDimension(std::string_view name);

// One group of a count: its values in the order of the dimensions asked for ("" for an event
// without the value, e.g. the sid of a flow record), and how many events it holds.
struct EventCount {
  std::vector<std::string> key;
  std::uint64_t events = 0;
};

// True when the event (with agency_id and sensor_id set, as stored) is one the query selects;
// `limit` aside.
bool eventMatches(const EventQuery& query, const gsoc::v1::Event& event);

// Counts by visiting the query's events: for a backend (or a query) that cannot count in place.
std::vector<EventCount> countByVisiting(const std::function<void(const std::function<void(gsoc::v1::Event&&)>&)>& for_each,
                                        std::span<const EventDimension> by);

// Throws std::invalid_argument for a kind that is not an event kind (a query with a typo would
// otherwise silently match nothing).
void validateQuery(const EventQuery& query);

}  // namespace gsoc::collector
