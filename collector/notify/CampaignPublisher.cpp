#include "collector/notify/CampaignPublisher.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "collector/correlate/EventField.hpp"
#include "collector/notify/Acknowledgement.hpp"
#include "collector/notify/PublicationFormat.hpp"
#include "gsoc/v1/correlation.pb.h"

namespace gsoc::collector {
namespace {

constexpr std::int64_t kHourNs = 3600LL * 1000000000LL;
// A hit joins a campaign whose span it comes within a day of.
constexpr std::int64_t kMergeWindowNs = 24 * kHourNs;
constexpr int kMaxObservables = 64;
constexpr std::size_t kMaxCampaignEvidence = 200;

// Adds the indicator unless the campaign has its value already.
void addIndicator(gsoc::v1::Campaign& campaign, const gsoc::v1::Indicator& indicator) {
  const auto& have = campaign.indicators();
  if (std::none_of(have.begin(), have.end(), [&](const auto& c) { return c.value() == indicator.value(); })) *campaign.add_indicators() = indicator;
}

// How much a rule publishes: the campaign is named after the rule that publishes most.
int rankOf(const CorrelationRule& rule) {
  if (rule.raises == "urgent_warning") return 4;
  if (rule.raises == "warning") return 3;
  if (rule.raises == "notice") return 2;
  if (rule.raises == "information") return 1;
  return 0;
}

// A stable id for a campaign: rule, group and the time it was first raised.
std::string campaignId(const CorrelationHit& hit) {
  std::vector<std::string> parts{hit.rule_id};
  parts.insert(parts.end(), hit.group.begin(), hit.group.end());
  parts.push_back(std::to_string(hit.raised_ns));
  return stableId("C", parts);
}

gsoc::v1::Severity severityOf(const std::string& s) {
  if (s == "critical") return gsoc::v1::SEVERITY_CRITICAL;
  if (s == "high") return gsoc::v1::SEVERITY_HIGH;
  if (s == "low") return gsoc::v1::SEVERITY_LOW;
  return gsoc::v1::SEVERITY_MEDIUM;
}


gsoc::v1::CampaignKind campaignKindOf(const CorrelationRule& rule) {
  switch (rule.type) {
    case CorrelationRule::Type::Beaconing: return gsoc::v1::CAMPAIGN_KIND_C2_BEACON;
    case CorrelationRule::Type::NewValue: return gsoc::v1::CAMPAIGN_KIND_NEW_DESTINATION;
    case CorrelationRule::Type::RateSurge: return gsoc::v1::CAMPAIGN_KIND_ACCESS_CONCENTRATION;
    default: return gsoc::v1::CAMPAIGN_KIND_RULE;
  }
}

// The group's values as indicators, except fields that identify a victim (agency, sensor). A
// beaconing group is a victim's host: only its destination (the last value) is an indicator.
std::vector<gsoc::v1::Indicator> indicatorsOf(const CorrelationRule& rule, const CorrelationHit& hit) {
  std::vector<gsoc::v1::Indicator> out;
  const bool beacon = rule.type == CorrelationRule::Type::Beaconing;
  const std::size_t first = beacon ? rule.group_by.size() : 0;
  for (std::size_t i = first; i < hit.group.size(); ++i) {
    const std::string& path = i < rule.group_by.size() ? rule.group_by[i].path() : rule.value_field.front().path();
    std::string v = hit.group[i];
    if (path == "agency_id" || path == "sensor_id") continue;
    std::string description = rule.title;
    if (path == "destination") {  // "address:port" for a flow no parser named: the address is the indicator
      if (const auto colon = v.rfind(':'); colon != std::string::npos && v.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
        description += " (port " + v.substr(colon + 1) + ")";
        v = v.substr(0, colon);
        if (v.size() > 2 && v.front() == '[' && v.back() == ']') v = v.substr(1, v.size() - 2);
      }
    }
    const auto kind = indicatorKindOf(path == "destination" ? "" : path, v);
    if (kind == gsoc::v1::Indicator::KIND_UNSPECIFIED) continue;  // a signature id and the like: not an indicator agencies can block
    gsoc::v1::Indicator ind;
    ind.set_value(v);
    ind.set_kind(kind);
    ind.set_description(description);
    out.push_back(std::move(ind));
  }
  return out;
}

}  // namespace

// Everything `other` knew joins `into`; the lead rule is the one that publishes most.
void CampaignPublisher::absorb(gsoc::v1::Campaign& into, const gsoc::v1::Campaign& other) const {
  const CorrelationRule* mine = ruleOf(into.correlation_rule());
  const CorrelationRule* theirs = ruleOf(other.correlation_rule());
  if (mine == nullptr || (theirs != nullptr && rankOf(*theirs) > rankOf(*mine))) {
    into.set_kind(other.kind());
    into.set_title(other.title());
    into.set_correlation_rule(other.correlation_rule());
  }
  into.set_severity(std::max(into.severity(), other.severity()));
  if (into.first_seen_ns() == 0 || other.first_seen_ns() < into.first_seen_ns()) into.set_first_seen_ns(other.first_seen_ns());
  into.set_last_seen_ns(std::max(into.last_seen_ns(), other.last_seen_ns()));
  mergeSorted(*into.mutable_agencies(), {other.agencies().begin(), other.agencies().end()});
  mergeSorted(*into.mutable_correlation_rules(), {other.correlation_rules().begin(), other.correlation_rules().end()});
  std::vector<std::string> hits(other.merged_hits().begin(), other.merged_hits().end());
  hits.push_back(other.id());
  mergeSorted(*into.mutable_merged_hits(), hits);
  mergeSorted(*into.mutable_observables(), {other.observables().begin(), other.observables().end()});
  mergeSorted(*into.mutable_intel_reports(), {other.intel_reports().begin(), other.intel_reports().end()});
  for (const auto& i : other.indicators()) addIndicator(into, i);
  for (const auto& [key, n] : other.events_by_hit()) (*into.mutable_events_by_hit())[key] = n;
  for (const auto& e : other.evidence_event_ids()) {
    if (static_cast<std::size_t>(into.evidence_event_ids_size()) >= kMaxCampaignEvidence) break;
    if (std::find(into.evidence_event_ids().begin(), into.evidence_event_ids().end(), e) == into.evidence_event_ids().end()) {
      into.add_evidence_event_ids(e);
    }
  }
  into.set_late_revisions(into.late_revisions() + other.late_revisions());
  into.set_late_revised_ns(std::max(into.late_revised_ns(), other.late_revised_ns()));
}

CampaignPublisher::CampaignPublisher(std::vector<CorrelationRule> rules, PublicationLedger& ledger, IntelReports& intel)
    : rules_(std::move(rules)), ledger_(ledger), intel_(intel), index_(kMergeWindowNs) {}

// The campaigns correlation made (not retro-hunts), once, from the store: after a restart a hit
// still joins the campaign it or its indicators joined before.
void CampaignPublisher::loadCampaigns() {
  if (campaigns_loaded_) return;
  for (const Publication& p : ledger_.store().publications(0)) {
    if (p.kind != "campaign") continue;
    gsoc::v1::Campaign c;
    if (!google::protobuf::util::JsonStringToMessage(p.json, &c).ok() || c.correlation_rule().empty() || !c.merged_into().empty()) continue;
    const CorrelationRule* lead = ruleOf(c.correlation_rule());
    index_.remember(c, lead != nullptr ? rankOf(*lead) : 0);
  }
  campaigns_loaded_ = true;
}

const CorrelationRule* CampaignPublisher::ruleOf(const std::string& id) const {
  auto it = std::find_if(rules_.begin(), rules_.end(), [&](const CorrelationRule& r) { return r.id == id; });
  return it == rules_.end() ? nullptr : &*it;
}

std::vector<std::string> CampaignPublisher::publish(const CorrelationHit& hit) {
  auto lock = ledger_.lock();
  EventStore& store = ledger_.store();
  std::vector<std::string> lines;
  const CorrelationRule* rule = ruleOf(hit.rule_id);
  if (rule == nullptr) return lines;
  loadCampaigns();
  // The hit's own key; the campaign it joins is the one this key joined before, or a recent one
  // it shares an indicator with, or its own.
  const std::string own = campaignId(hit);
  const std::vector<gsoc::v1::Indicator> indicators = indicatorsOf(*rule, hit);
  std::vector<std::string> observables;
  for (const std::string* o : {&hit.last_src, &hit.last_dst, &hit.last_indicator}) {
    if (!o->empty()) observables.push_back(*o);
  }
  // A name's registered domain too: an implant's lookups (of its domain) and its connections
  // (to a host under it) are one activity.
  for (const auto& i : indicators) {
    if (i.kind() == gsoc::v1::Indicator::KIND_DOMAIN) observables.emplace_back(registeredDomain(i.value()));
  }
  std::optional<std::string> joined = index_.campaignOf(own);
  std::vector<std::string> candidates;
  if (!joined) {
    std::vector<std::string> values;
    for (const auto& i : indicators) values.push_back(i.value());
    candidates = index_.match(values, observables, hit.first_ns, hit.last_ns);
    if (!candidates.empty()) joined = candidates.front();
  }
  const std::string cid = joined.value_or(own);

  gsoc::v1::Campaign campaign;
  const bool known = fromStore(store, "campaign", cid, campaign);
  campaign.set_id(cid);
  // The hit links several campaigns: they were one activity all along.
  for (std::size_t i = 1; i < candidates.size(); ++i) {
    gsoc::v1::Campaign other;
    if (!fromStore(store, "campaign", candidates[i], other)) continue;
    absorb(campaign, other);
    other.set_merged_into(cid);
    other.set_status(gsoc::v1::Campaign::STATUS_CLOSED);
    ledger_.put(Publication{"campaign", other.id(), "", other.id(), "", hit.last_ns, toJson(other), campaignStatusName(other.status())});
    index_.absorb(other.id(), cid);
    lines.push_back("campaign " + other.id() + " (" + other.title() + ") joined campaign " + cid);
  }
  // The campaign is named after its rule that publishes most (a scan's warning, not one of the
  // signatures it tripped); severity is the highest of its rules'.
  const CorrelationRule* lead = ruleOf(campaign.correlation_rule());
  if (lead == nullptr || rankOf(*rule) > rankOf(*lead)) {
    campaign.set_kind(campaignKindOf(*rule));
    campaign.set_title(rule->title);
    campaign.set_correlation_rule(rule->id);
    lead = rule;
  }
  if (!known || severityOf(rule->severity) > campaign.severity()) campaign.set_severity(severityOf(rule->severity));
  mergeSorted(*campaign.mutable_correlation_rules(), {rule->id});
  if (cid != own) mergeSorted(*campaign.mutable_merged_hits(), {own});
  if (!known) campaign.set_first_seen_ns(hit.first_ns);
  campaign.set_first_seen_ns(std::min(campaign.first_seen_ns(), hit.first_ns));
  campaign.set_last_seen_ns(std::max(campaign.last_seen_ns(), hit.last_ns));
  mergeSorted(*campaign.mutable_agencies(), hit.agencies);
  const std::size_t agencies = static_cast<std::size_t>(campaign.agencies_size());
  for (const auto& i : indicators) addIndicator(campaign, i);
  if (campaign.observables_size() < kMaxObservables) mergeSorted(*campaign.mutable_observables(), observables);
  campaign.set_status(gsoc::v1::Campaign::STATUS_ACTIVE);
  auto& counted = (*campaign.mutable_events_by_hit())[own];
  counted = std::max<std::uint64_t>(counted, hit.events);
  std::uint64_t events = 0;
  for (const auto& [key, n] : campaign.events_by_hit()) events += n;
  campaign.set_event_count(events);
  // Evidence: this hit's, then what the campaign had, up to a bound.
  std::vector<std::string> evidence = hit.evidence;
  for (const auto& e : campaign.evidence_event_ids()) {
    if (evidence.size() >= kMaxCampaignEvidence) break;
    if (std::find(evidence.begin(), evidence.end(), e) == evidence.end()) evidence.push_back(e);
  }
  campaign.clear_evidence_event_ids();
  for (auto& e : evidence) campaign.add_evidence_event_ids(std::move(e));
  if (hit.late) {
    campaign.set_late_revisions(campaign.late_revisions() + 1);
    campaign.set_late_revised_ns(std::max(campaign.late_revised_ns(), hit.last_ns));
  }
  // Said in every publication the campaign revises: a reader must know this came late.
  const std::string late_note =
      campaign.late_revisions() == 0
          ? std::string()
          : " Revised late: evidence from a sensor's backlog (events of " + utcText(campaign.late_revised_ns()) +
                ") arrived after this period had been assessed.";
  const std::vector<std::string> intel = intel_.linkLocked(campaign, hit, lines);
  index_.remember(campaign, rankOf(*lead));
  ledger_.put(Publication{"campaign", cid, "", cid, "", hit.last_ns, toJson(campaign), campaignStatusName(campaign.status())});

  if (rule->raises == "warning" || rule->raises == "urgent_warning" || rule->raises == "information") {
    gsoc::v1::Warning w;
    const std::string wid = warningIdOf(cid);
    const bool revised = fromStore(store, "warning", wid, w);
    if (!revised) {
      w.set_id(wid);
      w.set_number(ledger_.nextNumber("warning", 'W', hit.last_ns));
      w.set_issued_ns(hit.last_ns);
    }
    w.set_revision(w.revision() + 1);
    w.set_updated_ns(std::max(w.updated_ns(), hit.last_ns));
    // A campaign has one warning: the most urgent class any of its rules raises, under the
    // campaign's title, with every rule's actions and every indicator.
    const auto klass = rule->raises == "urgent_warning" ? gsoc::v1::Warning::CLASS_URGENT_WARNING
                       : rule->raises == "information"  ? gsoc::v1::Warning::CLASS_INFORMATION
                                                        : gsoc::v1::Warning::CLASS_WARNING;
    auto urgency = [](gsoc::v1::Warning::Class c) {
      return c == gsoc::v1::Warning::CLASS_URGENT_WARNING ? 3 : c == gsoc::v1::Warning::CLASS_WARNING ? 2 : c == gsoc::v1::Warning::CLASS_INFORMATION ? 1 : 0;
    };
    if (urgency(klass) > urgency(w.class_())) w.set_class_(klass);
    w.set_title(lead->raises == "notice" || lead->raises.empty() ? rule->title : campaign.title());
    // Counts only: a warning to every agency never names the agencies or hosts affected.
    w.set_background("Between " + utcText(campaign.first_seen_ns()) + " and " + utcText(campaign.last_seen_ns()) + ", " +
                     std::to_string(agencies) + (agencies == 1 ? " agency" : " agencies") +
                     " observed this activity (" + std::to_string(campaign.event_count()) +
                     " events). The indicators below are shared so every agency can check and block them." + late_note);
    for (const auto& a : rule->actions) {
      if (std::any_of(w.actions().begin(), w.actions().end(), [&](const auto& have) { return have.text() == a; })) continue;
      auto* act = w.add_actions();
      act->set_number(static_cast<std::uint32_t>(w.actions_size()));
      act->set_text(a);
      act->set_deadline_ns(w.issued_ns() + 72 * kHourNs);
    }
    w.clear_indicators();
    for (const auto& i : campaign.indicators()) *w.add_indicators() = i;
    w.clear_references();
    std::string rules_text;
    for (const auto& r : campaign.correlation_rules()) rules_text += (rules_text.empty() ? "" : ", ") + r;
    w.add_references("gsoc correlation rules " + rules_text + "; campaign " + cid);
    for (const auto& r : intel) w.add_references(r);
    w.set_tlp(gsoc::v1::TLP_AMBER);
    w.set_campaign_id(cid);
    ledger_.put(Publication{"warning", wid, w.number(), cid, "", hit.last_ns, toJson(w), ""});
    lines.push_back("warning " + w.number() + (revised ? " revision " + std::to_string(w.revision()) : std::string(" issued")) +
                    (hit.late ? " (late evidence)" : "") + ": " +
                    w.title() + " (" + std::to_string(agencies) + " agencies)");
  } else if (rule->raises == "notice") {
    for (const auto& agency : hit.agencies) {
      gsoc::v1::Notice notice;
      const std::string nid = noticeIdOf(cid, agency);
      const bool updated = fromStore(store, "notice", nid, notice);
      if (!updated) {
        notice.set_id(nid);
        notice.set_number(ledger_.nextNumber("notice", 'N', hit.last_ns));
        notice.set_agency_id(agency);
        notice.set_window_start_ns(hit.first_ns);
        notice.set_state(gsoc::v1::Notice::STATE_NEW);
        auto* t = notice.add_history();
        t->set_state(gsoc::v1::Notice::STATE_NEW);
        t->set_at_ns(hit.last_ns);
        t->set_by("gsoc-collector");
        // The event that completed the rule (the C2 contact, say) names the host; events that
        // later grow the campaign (another mail) must not replace it.
        // A surge is inbound: the agency's side is the server, the peer is the crowd.
        const bool surge = rule->type == CorrelationRule::Type::RateSurge;
        notice.set_internal_host(surge ? hit.last_dst : hit.last_src);
        notice.set_external_peer(surge ? "many sources" : hit.last_dst);
      }
      notice.set_window_start_ns(std::min(notice.window_start_ns(), hit.first_ns));
      notice.set_window_end_ns(std::max(notice.window_end_ns(), hit.last_ns));
      if (!updated) notice.set_title(rule->title);  // a campaign's other rules add to it, under its first title
      notice.set_summary("Host " + notice.internal_host() + " of " + agency + " matched '" + rule->title + "' with external peer " +
                         notice.external_peer() +
                         " between " + utcText(notice.window_start_ns()) + " and " + utcText(notice.window_end_ns()) + " (" + std::to_string(hit.events) +
                         " events)." + late_note);
      notice.clear_evidence_event_ids();
      for (const auto& e : hit.evidence) notice.add_evidence_event_ids(e);
      notice.clear_containment();
      for (const auto& a : rule->actions) notice.add_containment(a);
      if (rule->actions.empty()) notice.add_containment("Isolate the internal host and preserve its disk and memory for analysis");
      notice.set_contact("GSOC duty desk (24 hours)");
      notice.set_tlp(gsoc::v1::TLP_AMBER_STRICT);
      notice.set_campaign_id(cid);
      notice.set_severity(severityOf(rule->severity));
      ledger_.put(Publication{"notice", nid, notice.number(), cid, agency, hit.last_ns, toJson(notice), noticeStateName(notice.state())});
      lines.push_back("notice " + notice.number() + (updated ? " updated" : " to " + agency) + ": " + rule->title + ", host " +
                      notice.internal_host() + " -> " + notice.external_peer());
    }
  }
  return lines;
}

}  // namespace gsoc::collector
