#include "collector/ctl/PublicationTable.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "collector/notify/Acknowledgement.hpp"
#include "collector/notify/PublicationFormat.hpp"

namespace gsoc::ctl {
namespace {

using collector::utcText;

std::string severityName(gsoc::v1::Severity s) {
  switch (s) {
    case gsoc::v1::SEVERITY_LOW: return "low";
    case gsoc::v1::SEVERITY_MEDIUM: return "medium";
    case gsoc::v1::SEVERITY_HIGH: return "high";
    case gsoc::v1::SEVERITY_CRITICAL: return "critical";
    default: return "-";
  }
}

std::string className(gsoc::v1::Warning::Class c) {
  switch (c) {
    case gsoc::v1::Warning::CLASS_URGENT_WARNING: return "urgent warning (警告・助言)";
    case gsoc::v1::Warning::CLASS_INFORMATION: return "information (情報提供)";
    default: return "warning (注意喚起)";
  }
}

std::string tlpName(gsoc::v1::Tlp t) {
  switch (t) {
    case gsoc::v1::TLP_CLEAR: return "TLP:CLEAR";
    case gsoc::v1::TLP_GREEN: return "TLP:GREEN";
    case gsoc::v1::TLP_AMBER: return "TLP:AMBER";
    case gsoc::v1::TLP_AMBER_STRICT: return "TLP:AMBER+STRICT";
    case gsoc::v1::TLP_RED: return "TLP:RED";
    default: return "TLP:-";
  }
}

template <typename List>
std::string joined(const List& items, const char* sep = ",") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + std::string(i);
  return out.empty() ? "-" : out;
}

std::string indicators(const google::protobuf::RepeatedPtrField<gsoc::v1::Indicator>& list) {
  std::vector<std::string> values;
  for (const auto& i : list) values.push_back(i.value());
  return joined(values);
}

struct Row {
  std::string time, kind, id, severity, state, agencies, title;
};

Row rowOf(const gsoc::v1::Publication& p) {
  Row r{utcText(p.updated_ns()).substr(0, 16), p.kind(), p.number().empty() ? p.id() : p.number(), "-", "-", "-", ""};
  switch (p.record_case()) {
    case gsoc::v1::Publication::kCampaign: {
      const auto& c = p.campaign();
      r.severity = severityName(c.severity());
      r.state = c.status() == gsoc::v1::Campaign::STATUS_ACTIVE ? "active" : c.status() == gsoc::v1::Campaign::STATUS_CLOSED ? "closed" : "dormant";
      r.agencies = joined(c.agencies());
      r.title = c.title() + " [" + indicators(c.indicators()) + "] " + std::to_string(c.event_count()) + " events";
      break;
    }
    case gsoc::v1::Publication::kWarning: {
      const auto& w = p.warning();
      r.severity = className(w.class_()).substr(0, className(w.class_()).find(' '));
      r.state = "rev " + std::to_string(w.revision()) + ", " + std::to_string(w.acknowledgements_size()) + " ack";
      r.agencies = "all";
      r.title = w.title() + " [" + indicators(w.indicators()) + "]";
      break;
    }
    case gsoc::v1::Publication::kNotice: {
      const auto& n = p.notice();
      r.severity = severityName(n.severity());
      r.state = collector::noticeStateName(n.state());
      r.agencies = n.agency_id();
      r.title = n.title() + ": host " + n.internal_host() + " -> " + n.external_peer();
      break;
    }
    case gsoc::v1::Publication::kIntel: {
      const auto& i = p.intel();
      r.state = std::to_string(i.linked_hits()) + " linked";
      r.agencies = joined(i.targets());
      r.title = i.actor() + ": " + i.summary() + " [" + indicators(i.indicators()) + "]";
      break;
    }
    default: break;
  }
  return r;
}

}  // namespace

void printTable(std::ostream& out, const std::vector<gsoc::v1::Publication>& items) {
  if (items.empty()) {
    out << "(none)\n";
    return;
  }
  std::vector<Row> rows{{"UPDATED (UTC)", "KIND", "ID", "SEVERITY", "STATE", "AGENCIES", "TITLE"}};
  for (const auto& p : items) rows.push_back(rowOf(p));
  std::size_t w[6] = {};
  for (const auto& r : rows) {
    const std::string* cols[6] = {&r.time, &r.kind, &r.id, &r.severity, &r.state, &r.agencies};
    for (int i = 0; i < 6; ++i) w[i] = std::max(w[i], std::min<std::size_t>(cols[i]->size(), 40));
  }
  for (const auto& r : rows) {
    const std::string* cols[6] = {&r.time, &r.kind, &r.id, &r.severity, &r.state, &r.agencies};
    for (int i = 0; i < 6; ++i) out << std::left << std::setw(static_cast<int>(w[i]) + 2) << *cols[i];
    out << r.title << "\n";
  }
}

void printFeedLine(std::ostream& out, const gsoc::v1::Publication& p) {
  const Row r = rowOf(p);
  out << r.time << "  " << r.kind << " " << r.id << "  " << r.severity << "  " << r.state << "  " << r.agencies << "  " << r.title << "\n";
}

void printDetail(std::ostream& out, const gsoc::v1::Publication& p) {
  switch (p.record_case()) {
    case gsoc::v1::Publication::kCampaign: {
      const auto& c = p.campaign();
      out << "Campaign " << c.id() << ": " << c.title() << "\n"
          << "  rule        " << c.correlation_rule() << "\n"
          << "  severity    " << severityName(c.severity()) << "\n"
          << "  seen        " << utcText(c.first_seen_ns()) << " .. " << utcText(c.last_seen_ns()) << "\n"
          << "  agencies    " << joined(c.agencies(), ", ") << "\n"
          << "  events      " << c.event_count() << "\n"
          << "  indicators  " << indicators(c.indicators()) << "\n"
          << "  evidence    " << joined(c.evidence_event_ids(), " ") << "\n";
      break;
    }
    case gsoc::v1::Publication::kWarning: {
      const auto& w = p.warning();
      out << w.number() << " (revision " << w.revision() << ") " << className(w.class_()) << "  " << tlpName(w.tlp()) << "\n"
          << "Issued " << utcText(w.issued_ns()) << ", updated " << utcText(w.updated_ns()) << "\n\n"
          << w.title() << "\n\n" << w.background() << "\n\nRecommended actions:\n";
      for (const auto& a : w.actions()) out << "  " << a.number() << ". " << a.text() << " (by " << utcText(a.deadline_ns()) << ")\n";
      out << "\nIndicators:\n";
      for (const auto& i : w.indicators()) out << "  " << i.value() << "\n";
      out << "\nReferences: " << joined(w.references(), "; ") << "\nAcknowledged by:";
      if (w.acknowledgements().empty()) out << " (none yet)";
      out << "\n";
      for (const auto& a : w.acknowledgements()) out << "  " << a.agency_id() << " at " << utcText(a.acknowledged_ns()) << " by " << a.by() << "\n";
      break;
    }
    case gsoc::v1::Publication::kNotice: {
      const auto& n = p.notice();
      out << n.number() << " notice (通報) to " << n.agency_id() << "  " << tlpName(n.tlp()) << "  state " << collector::noticeStateName(n.state())
          << "\n\n" << n.title() << "\n" << n.summary() << "\n\n"
          << "  internal host  " << n.internal_host() << "\n"
          << "  external peer  " << n.external_peer() << "\n"
          << "  window         " << utcText(n.window_start_ns()) << " .. " << utcText(n.window_end_ns()) << "\n"
          << "  campaign       " << n.campaign_id() << "\n"
          << "  evidence       " << joined(n.evidence_event_ids(), " ") << "\n\nContainment:\n";
      int k = 0;
      for (const auto& c : n.containment()) out << "  " << ++k << ". " << c << "\n";
      out << "\nContact: " << n.contact() << "\nHistory:\n";
      for (const auto& t : n.history()) out << "  " << utcText(t.at_ns()) << "  " << collector::noticeStateName(t.state()) << "  by " << t.by() << "\n";
      break;
    }
    case gsoc::v1::Publication::kIntel: {
      const auto& i = p.intel();
      out << i.id() << " intelligence: " << i.actor() << "\n  " << i.summary() << "\n"
          << "  targets     " << joined(i.targets(), ", ") << "\n"
          << "  indicators  " << indicators(i.indicators()) << "\n"
          << "  window      " << (i.window_start_ns() ? utcText(i.window_start_ns()) : "-") << " .. "
          << (i.window_end_ns() ? utcText(i.window_end_ns()) : "-") << "\n"
          << "  entered     " << utcText(i.entered_ns()) << " by " << i.entered_by() << "\n"
          << "  linked      " << i.linked_hits() << " events at " << joined(i.linked_agencies(), ", ") << "\n";
      break;
    }
    default: out << p.kind() << " " << p.id() << "\n";
  }
}

void printSensors(std::ostream& out, const gsoc::v1::SensorsReply& reply) {
  out << std::left << std::setw(10) << "AGENCY" << std::setw(14) << "SENSOR" << std::setw(10) << "STATE" << std::setw(12) << "LAST SEEN"
      << std::setw(12) << "EVENTS" << std::setw(8) << "SPOOL" << std::setw(10) << "DROPPED" << std::setw(10) << "OFFSET" << "RULESET\n";
  for (const auto& s : reply.sensors()) {
    std::ostringstream ago;
    ago << (reply.now_ns() - s.last_seen_ns()) / 1000000000LL << " s ago";
    std::ostringstream offset;
    offset << std::fixed << std::setprecision(3) << static_cast<double>(s.clock_offset_ns()) / 1e9 << "s";
    out << std::setw(10) << s.agency_id() << std::setw(14) << s.sensor_id() << std::setw(10) << (s.silent() ? "SILENT" : "ok") << std::setw(12)
        << ago.str() << std::setw(12) << s.events() << std::setw(8) << s.spool_depth() << std::setw(10) << s.spool_dropped() + s.gap_events()
        << std::setw(10) << offset.str() << (s.ruleset_version().empty() ? "-" : s.ruleset_version()) << "\n";
  }
  if (reply.sensors().empty()) out << "(no sensor has reported yet)\n";
}

void printHunt(std::ostream& out, const gsoc::v1::HuntReply& r) {
  out << "hunt " << r.indicator() << ": " << r.events() << " stored events";
  if (r.events() == 0) {
    out << "; nothing found\n";
    return;
  }
  out << "; campaign " << r.campaign_id() << "; notices " << joined(r.notices(), ", ") << "\n";
  for (const auto& h : r.hits()) {
    out << "  " << utcText(h.timestamp_ns()) << "  " << std::left << std::setw(8) << h.agency_id() << std::setw(6) << h.kind() << h.src() << " -> "
        << h.dst() << "  " << h.summary() << "\n";
  }
  if (r.events() > static_cast<std::uint64_t>(r.hits_size())) out << "  ... " << r.events() - static_cast<std::uint64_t>(r.hits_size()) << " more\n";
}

}  // namespace gsoc::ctl
