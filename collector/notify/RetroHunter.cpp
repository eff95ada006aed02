#include "collector/notify/RetroHunter.hpp"

#include <algorithm>
#include <map>

#include "collector/notify/Acknowledgement.hpp"
#include "collector/notify/PublicationFormat.hpp"
#include "collector/store/EventColumns.hpp"
#include "gsoc/v1/event.pb.h"

namespace gsoc::collector {
namespace {

constexpr std::size_t kReplyHits = 100;
constexpr std::size_t kEvidencePerAgency = 50;

struct AgencyHits {
  std::uint64_t events = 0;
  std::int64_t first_ns = 0;
  std::int64_t last_ns = 0;
  std::string host;  // the agency's side of the first hit
  std::string peer;  // the other side
  std::vector<std::string> evidence;
};

}  // namespace

gsoc::v1::HuntReply RetroHunter::hunt(const std::string& indicator, std::int64_t since_ns, const std::string& reason, std::int64_t now_ns) {
  auto lock = ledger_.lock();
  EventStore& store = ledger_.store();
  gsoc::v1::HuntReply reply;
  reply.set_indicator(indicator);
  std::map<std::string, AgencyHits> by_agency;
  std::uint64_t events = 0;
  EventQuery query;
  query.since_ns = since_ns;
  query.term = indicator;
  store.forEachEvent(query, [&](gsoc::v1::Event&& e) {
    ++events;
    const std::string src = addressText(e.tuple().src_ip());
    const std::string dst = addressText(e.tuple().dst_ip());
    if (reply.hits_size() < static_cast<int>(kReplyHits)) {
      auto* h = reply.add_hits();
      h->set_event_id(e.event_id());
      h->set_agency_id(e.agency_id());
      h->set_timestamp_ns(e.timestamp_ns());
      h->set_kind(kindName(e));
      h->set_src(src);
      h->set_dst(dst);
      h->set_summary(eventSummary(e));
    }
    AgencyHits& a = by_agency[e.agency_id()];
    if (a.events++ == 0) {
      a.first_ns = e.timestamp_ns();
      // The agency's host is the side that is not the indicator; for a mail (inbound) the
      // receiving server, otherwise the client that made the contact (to a resolver, for a
      // DNS lookup: so the peer named is the indicator itself).
      const bool inbound = e.body_case() == gsoc::v1::Event::kSmtp || src == indicator;
      a.host = inbound ? dst : src;
      a.peer = indicator;
    }
    a.last_ns = e.timestamp_ns();
    if (a.evidence.size() < kEvidencePerAgency) a.evidence.push_back(e.event_id());
  });
  reply.set_events(events);
  if (events == 0) return reply;

  const std::string cid = stableId("C", {"retro-hunt", indicator});
  reply.set_campaign_id(cid);
  gsoc::v1::Campaign campaign;
  campaign.set_id(cid);
  campaign.set_kind(gsoc::v1::CAMPAIGN_KIND_RETRO_HUNT);
  campaign.set_title("Retro-hunt: " + indicator + " seen in stored traffic");
  campaign.set_correlation_rule("retro-hunt");
  std::int64_t first = INT64_MAX;
  std::int64_t last = INT64_MIN;
  for (const auto& [agency, a] : by_agency) {
    campaign.add_agencies(agency);
    first = std::min(first, a.first_ns);
    last = std::max(last, a.last_ns);
    for (const auto& id : a.evidence) {
      if (campaign.evidence_event_ids_size() < 50) campaign.add_evidence_event_ids(id);
    }
  }
  campaign.set_first_seen_ns(first);
  campaign.set_last_seen_ns(last);
  auto* ind = campaign.add_indicators();
  ind->set_value(indicator);
  ind->set_kind(indicatorKindOf("", indicator));
  ind->set_description(reason);
  campaign.set_severity(gsoc::v1::SEVERITY_HIGH);
  campaign.set_status(gsoc::v1::Campaign::STATUS_ACTIVE);
  campaign.set_event_count(events);
  ledger_.put(Publication{"campaign", cid, "", cid, "", now_ns, toJson(campaign), campaignStatusName(campaign.status())});

  for (const auto& [agency, a] : by_agency) {
    gsoc::v1::Notice notice;
    const std::string nid = noticeIdOf(cid, agency);
    if (!fromStore(store, "notice", nid, notice)) {
      notice.set_id(nid);
      notice.set_number(ledger_.nextNumber("notice", 'N', now_ns));
      notice.set_agency_id(agency);
      notice.set_state(gsoc::v1::Notice::STATE_NEW);
      auto* t = notice.add_history();
      t->set_state(gsoc::v1::Notice::STATE_NEW);
      t->set_at_ns(now_ns);
      t->set_by("gsoc-collector retro-hunt");
    }
    notice.set_internal_host(a.host);
    notice.set_external_peer(a.peer);
    notice.set_window_start_ns(a.first_ns);
    notice.set_window_end_ns(a.last_ns);
    notice.set_title("Past contact with " + indicator);
    notice.set_summary("A retro-hunt for " + indicator + (reason.empty() ? std::string() : " (" + reason + ")") + " found " +
                       std::to_string(a.events) + " stored events at " + agency + " between " + utcText(a.first_ns) + " and " +
                       utcText(a.last_ns) + "; first host " + a.host + ", peer " + a.peer + ".");
    notice.clear_evidence_event_ids();
    for (const auto& id : a.evidence) notice.add_evidence_event_ids(id);
    notice.clear_containment();
    notice.add_containment("Check host " + a.host + " for compromise: the indicator was listed after this contact");
    notice.add_containment("Block " + indicator + " at the perimeter and search local logs for other hosts");
    notice.add_containment("Report what you find to GSOC, quoting " + notice.number());
    notice.set_contact("GSOC duty desk (24 hours)");
    notice.set_tlp(gsoc::v1::TLP_AMBER_STRICT);
    notice.set_campaign_id(cid);
    notice.set_severity(gsoc::v1::SEVERITY_HIGH);
    ledger_.put(Publication{"notice", nid, notice.number(), cid, agency, now_ns, toJson(notice), noticeStateName(notice.state())});
    reply.add_notices(notice.number());
  }
  return reply;
}

gsoc::v1::AddIntelReply RetroHunter::addIntel(gsoc::v1::IntelReport report, const std::string& by, std::int64_t since_ns, std::int64_t now_ns) {
  gsoc::v1::AddIntelReply reply;
  {
    auto lock = ledger_.lock();
    report = intel_.recordLocked(std::move(report), by, now_ns);
  }
  for (const auto& i : report.indicators()) {
    gsoc::v1::HuntReply h = hunt(i.value(), since_ns, report.id() + ": " + report.actor(), now_ns);
    reply.mutable_hunt()->set_events(reply.hunt().events() + h.events());
    for (auto& n : *h.mutable_notices()) reply.mutable_hunt()->add_notices(std::move(n));
    for (auto& hit : *h.mutable_hits()) {
      if (reply.hunt().hits_size() < static_cast<int>(kReplyHits)) *reply.mutable_hunt()->add_hits() = std::move(hit);
    }
  }
  *reply.mutable_report() = std::move(report);
  return reply;
}

}  // namespace gsoc::collector
