#include "collector/notify/IntelReports.hpp"

#include <algorithm>

#include "collector/notify/PublicationFormat.hpp"

namespace gsoc::collector {

void IntelReports::load() {
  if (loaded_) return;
  for (const Publication& p : ledger_.store().publications(0)) {
    if (p.kind != "intel") continue;
    gsoc::v1::IntelReport r;
    if (google::protobuf::util::JsonStringToMessage(p.json, &r).ok()) reports_.push_back(std::move(r));
  }
  loaded_ = true;
}

gsoc::v1::IntelReport IntelReports::recordLocked(gsoc::v1::IntelReport report, const std::string& by, std::int64_t now_ns) {
  report.set_id(ledger_.nextNumber("intel", 'I', now_ns));
  report.set_entered_by(by);
  report.set_entered_ns(now_ns);
  for (auto& i : *report.mutable_indicators()) {
    if (i.kind() == gsoc::v1::Indicator::KIND_UNSPECIFIED) i.set_kind(indicatorKindOf("", i.value()));
  }
  load();  // loaded before this one is stored, so it is added once
  ledger_.put(Publication{"intel", report.id(), report.id(), "", "", now_ns, toJson(report), ""});
  reports_.push_back(report);
  return report;
}

std::vector<std::string> IntelReports::linkLocked(gsoc::v1::Campaign& campaign, const CorrelationHit& hit, std::vector<std::string>& lines) {
  std::vector<std::string> references;
  load();
  for (gsoc::v1::IntelReport& report : reports_) {
    if (report.window_start_ns() != 0 && hit.last_ns < report.window_start_ns()) continue;
    if (report.window_end_ns() != 0 && hit.last_ns > report.window_end_ns()) continue;
    auto named = [&](const std::string& v) { return std::find(report.targets().begin(), report.targets().end(), v) != report.targets().end(); };
    bool linked = std::any_of(hit.agencies.begin(), hit.agencies.end(), named) || std::any_of(hit.group.begin(), hit.group.end(), named);
    for (const auto& i : campaign.indicators()) {
      linked = linked || std::any_of(report.indicators().begin(), report.indicators().end(),
                                     [&](const gsoc::v1::Indicator& r) { return r.value() == i.value(); });
    }
    if (!linked) continue;
    report.set_linked_hits(report.linked_hits() + 1);
    mergeSorted(*report.mutable_linked_agencies(), hit.agencies);
    mergeSorted(*report.mutable_linked_campaigns(), {campaign.id()});
    mergeSorted(*campaign.mutable_intel_reports(), {report.id()});
    ledger_.put(Publication{"intel", report.id(), report.id(), "", "", hit.last_ns, toJson(report), ""});
    lines.push_back("intel " + report.id() + " (" + report.actor() + ") linked to campaign " + campaign.id() + ": " + campaign.title());
    references.push_back("intelligence report " + report.id() + (report.actor().empty() ? "" : " (" + report.actor() + ")"));
  }
  return references;
}

}  // namespace gsoc::collector
