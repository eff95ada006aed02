#pragma once
// ConsoleViews: the JSON the web console's pages read (/api/feed, /api/sensors, /api/agencies,
// /api/notices, /api/campaign, /api/hunt), built from the same store and publication interfaces
// the Central API serves gsocctl from:
// publications through the store's publication table and toRecord, events only through
// EventStore::countEvents (never SQL on the event tables, whose layout is each backend's own).
// Values are returned as data for the page's JavaScript to place with textContent; nothing here
// is HTML. The clock is injected, so "stale" and "the last 7 days" are testable.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "collector/store/EventStore.hpp"
#include "collector/web/SensorRateHistory.hpp"
#include "gsoc/v1/central.pb.h"

namespace gsoc::collector {

class ConsoleViews {
 public:
  using Clock = std::function<std::int64_t()>;  // wall time, ns
  // `rates` (may be null: no sparklines) is the sensors' events/s history the console samples.
  ConsoleViews(EventStore& store, Clock clock, std::uint32_t silence_s, const SensorRateHistory* rates = nullptr)
      : store_(store), clock_(std::move(clock)), silence_s_(silence_s), rates_(rates) {}

  // Campaigns, warnings, notices and intelligence reports updated since `since_ns` (0: the last
  // `days` days, 0 days: ever) that pass `filter` (gsocctl feed's filters, the same matches()),
  // newest first, at most `limit`; each the Central API's gsoc.v1.Publication as JSON.
  [[nodiscard]] std::string feed(std::int64_t since_ns, std::uint32_t days, std::size_t limit, const gsoc::v1::Filter& filter = {}) const;
  // Every sensor's health as `gsocctl sensors` shows it, with `stale` set after the silence
  // timeout and `rates`, its stored events per second over the last samples (oldest first).
  [[nodiscard]] std::string sensors() const;
  // Agencies x the last 7 UTC days: alerts per day, and notices not yet closed and not yet
  // acknowledged.
  [[nodiscard]] std::string agencies() const;
  // Which notices the notices page lists: `show` is "open" (new, delivered or acknowledged: the
  // default), "waiting" (new or delivered), "new", "delivered", "acknowledged", "closed" or "all";
  // `agency` ("" for all) narrows to one agency's; a page of `limit`, newest first, after the
  // notice `after_ns`/`after_id` names (the previous page's "next") or from `offset`.
  struct NoticePage {
    std::string show = "open";
    std::string agency;
    std::int64_t after_ns = 0;
    std::string after_id;  // "": from the newest (or `offset`)
    std::size_t offset = 0;
    std::size_t limit = 500;
  };
  static constexpr std::size_t kMaxNoticePage = 5000;
  // The notices page: one page of the notices `page` selects, each {"notice": ..., "overdue":
  // bool}, with "total" (how many it selects), "counts" (notices per state, over all agencies
  // or the one chosen) and "next" ({"after_ns", "after_id"} of the page's last notice, null on
  // the last page); and the warnings of the last 7 days (newest 500), each
  // {"warning": ..., "acknowledged": ["AGENCY by NAME at TIME"], "pending": [AGENCY]} where
  // pending lists the agencies with sensors that have not acknowledged it. nullopt for a `show`
  // it does not know.
  [[nodiscard]] std::optional<std::string> notices(const NoticePage& page) const;
  // The campaign page (CampaignView); nullopt when there is no such campaign.
  [[nodiscard]] std::optional<std::string> campaign(const std::string& id) const;
  // The hunt page (HuntView): events of the last `days` days carrying `indicator`.
  [[nodiscard]] std::string hunt(const std::string& indicator, std::uint32_t days) const;
  // A notice still new or delivered this long after it was raised is overdue (shown in red).
  static constexpr std::int64_t kAcknowledgeDueNs = 24LL * 3600 * 1000000000LL;
  // One publication as the JSON `feed` lists it (the .proto's field names).
  static std::string publicationJson(const gsoc::v1::Publication& p);

 private:
  EventStore& store_;
  Clock clock_;
  std::uint32_t silence_s_;
  const SensorRateHistory* rates_;
};

}  // namespace gsoc::collector
