#pragma once
// CampaignPublisher: everything the centre publishes goes through here, in the SOC's own terms.
// Every correlation hit becomes (or grows) a Campaign: one per real-world activity, so a hit that
// shares an indicator with a recent campaign joins it (CampaignIndex), whichever rule raised it,
// and the campaign has one warning, revised as it grows, and one notice per affected agency. A rule with `raises: warning`,
// `urgent_warning` or `information` publishes a Warning to every agency (注意喚起, 警告・助言,
// 情報提供): numbered W-YEAR-NNNN, revised (not re-issued) as the campaign grows, TLP:AMBER, and
// never naming the victim agencies or their hosts. A rule with `raises: notice` publishes a
// Notice (通報) to each agency concerned: numbered N-YEAR-NNNN, with its internal host, the
// external peer, the time window, the evidence and containment steps, TLP:AMBER+STRICT, state
// new. A retro-hunt (hunt()) searches stored history for an indicator and sends a notice to
// each agency where it was seen; an analyst's intelligence report (addIntel()) is recorded and
// hunted, and later campaigns that hit its targets or indicators are linked to it. Notices and
// warnings are acknowledged here too (acknowledge()).
//
// Everything is kept in the store's publications table as the proto's JSON, and every change is
// handed to the listener (the live feed). One mutex serialises all of it: numbering and the
// read-modify-write of a record must not interleave between the correlation thread and analysts'
// calls.

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "collector/correlate/CampaignCorrelator.hpp"
#include "collector/correlate/CorrelationRule.hpp"
#include "collector/notify/CampaignIndex.hpp"
#include "collector/store/EventStore.hpp"
#include "gsoc/v1/central.pb.h"

namespace gsoc::collector {

class CampaignPublisher {
 public:
  using Listener = std::function<void(const Publication&)>;
  CampaignPublisher(std::vector<CorrelationRule> rules, EventStore& store, Listener listener = {});
  // Publishes what the hit's rule raises; returns one human-readable line per publication.
  // Throws StoreError when the store fails.
  std::vector<std::string> publish(const CorrelationHit& hit);

  // Retro-hunt: stored events since `since_ns` carrying `indicator`. Hits become a campaign
  // (kind RETRO_HUNT) and a notice to each agency where it was seen; hunting again updates them.
  gsoc::v1::HuntReply hunt(const std::string& indicator, std::int64_t since_ns, const std::string& reason, std::int64_t now_ns);

  // Records the report (numbered I-YEAR-NNNN, entered_by `by`) and hunts each of its indicators.
  gsoc::v1::AddIntelReply addIntel(gsoc::v1::IntelReport report, const std::string& by, std::int64_t since_ns, std::int64_t now_ns);

  // A notice moves to `state`, or `agency_id` acknowledges a warning. `id` is a number
  // (N-2026-0001, W-2026-0001) or an id. Returns the updated record, or an error message.
  struct Outcome {
    std::optional<Publication> publication;
    std::string error;
  };
  Outcome acknowledge(const std::string& id, gsoc::v1::Notice::State state, const std::string& agency_id, const std::string& by,
                      std::int64_t now_ns);

  // A publication by number or id (any kind); nullopt when there is none.
  std::optional<Publication> find(const std::string& id);

 private:
  const CorrelationRule* ruleOf(const std::string& id) const;
  std::string nextNumber(const std::string& kind, char letter, std::int64_t at_ns);
  void put(const Publication& p);
  std::optional<Publication> findLocked(const std::string& id);
  void loadIntelReports();  // once, from the store, into intel_
  void loadCampaigns();     // once, from the store, into index_
  void absorb(gsoc::v1::Campaign& into, const gsoc::v1::Campaign& other) const;
  std::vector<std::string> linkIntel(gsoc::v1::Campaign& campaign, const CorrelationHit& hit, std::vector<std::string>& lines);

  std::vector<CorrelationRule> rules_;
  EventStore& store_;
  Listener listener_;
  std::mutex mutex_;
  std::vector<gsoc::v1::IntelReport> intel_;  // the reports, loaded once from the store
  bool intel_loaded_ = false;
  CampaignIndex index_;
  bool campaigns_loaded_ = false;
};

}  // namespace gsoc::collector
