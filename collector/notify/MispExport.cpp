#include "collector/notify/MispExport.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "collector/notify/PublicationFormat.hpp"

namespace gsoc::collector {
namespace {

using nlohmann::json;

struct MispType {
  const char* type;
  const char* category;
};

MispType mispTypeOf(const gsoc::v1::Indicator& i) {
  switch (i.kind()) {
    case gsoc::v1::Indicator::KIND_IP: return {"ip-dst", "Network activity"};
    case gsoc::v1::Indicator::KIND_DOMAIN: return {"domain", "Network activity"};
    case gsoc::v1::Indicator::KIND_URL: return {"url", "Network activity"};
    case gsoc::v1::Indicator::KIND_FILE_HASH: return {i.value().size() == 32 ? "md5" : "sha256", "Payload delivery"};
    case gsoc::v1::Indicator::KIND_EMAIL_SENDER: return {"email-src", "Payload delivery"};
    case gsoc::v1::Indicator::KIND_EMAIL_SUBJECT: return {"email-subject", "Payload delivery"};
    case gsoc::v1::Indicator::KIND_JA3: return {"ja3-fingerprint-md5", "Network activity"};
    default: return {"text", "Other"};
  }
}

std::string tlpTag(gsoc::v1::Tlp t) {
  switch (t) {
    case gsoc::v1::TLP_CLEAR: return "tlp:clear";
    case gsoc::v1::TLP_GREEN: return "tlp:green";
    case gsoc::v1::TLP_AMBER_STRICT: return "tlp:amber+strict";
    case gsoc::v1::TLP_RED: return "tlp:red";
    default: return "tlp:amber";
  }
}

// MISP: 1 high, 2 medium, 3 low, 4 undefined.
std::string threatLevel(gsoc::v1::Severity s) {
  switch (s) {
    case gsoc::v1::SEVERITY_CRITICAL:
    case gsoc::v1::SEVERITY_HIGH: return "1";
    case gsoc::v1::SEVERITY_MEDIUM: return "2";
    case gsoc::v1::SEVERITY_LOW: return "3";
    default: return "4";
  }
}

std::string seconds(std::int64_t ns) { return std::to_string(ns / 1000000000LL); }

json attribute(const std::string& key, const char* type, const char* category, const std::string& value, bool to_ids, const std::string& comment,
               std::int64_t at) {
  return {{"uuid", uuid5("misp-attribute:" + key)}, {"type", type}, {"category", category}, {"value", value}, {"to_ids", to_ids},
          {"comment", comment},                      {"timestamp", seconds(at)}, {"distribution", "5"}};
}

json event(const std::string& key, const std::string& info, std::int64_t date_ns, std::int64_t updated_ns, gsoc::v1::Severity severity,
           gsoc::v1::Tlp tlp) {
  return {{"uuid", uuid5("misp-event:" + key)},
          {"info", info},
          {"date", rfc3339(date_ns).substr(0, 10)},
          {"timestamp", seconds(updated_ns)},
          {"threat_level_id", threatLevel(severity)},
          {"analysis", "2"},      // completed
          {"distribution", "1"},  // this community
          {"published", false},
          {"Orgc", {{"name", "GSOC"}, {"uuid", uuid5("misp-org:gsoc")}}},
          {"Tag", json::array({{{"name", tlpTag(tlp)}}})},
          {"Attribute", json::array()}};
}

}  // namespace

ExportResult exportMisp(const std::vector<gsoc::v1::Publication>& publications, bool include_notices, std::int64_t now_ns) {
  (void)now_ns;  // MISP events carry their own timestamps
  std::map<std::string, const gsoc::v1::Warning*> warnings;
  for (const auto& p : publications) {
    if (p.has_warning()) warnings[p.warning().campaign_id()] = &p.warning();
  }
  json events = json::array();
  for (const auto& p : publications) {
    if (p.has_campaign()) {
      const auto& c = p.campaign();
      const auto w = warnings.find(c.id());
      const gsoc::v1::Warning* warning = w == warnings.end() ? nullptr : w->second;
      json e = event(c.id(), warning ? warning->number() + ": " + warning->title() : c.title(), c.first_seen_ns(), p.updated_ns(), c.severity(),
                     warning ? warning->tlp() : gsoc::v1::TLP_AMBER);
      for (const auto& i : c.indicators()) {
        const MispType t = mispTypeOf(i);
        e["Attribute"].push_back(attribute(c.id() + ":" + i.value(), t.type, t.category, i.value(), t.type != std::string("text"),
                                           i.description(), c.last_seen_ns()));
      }
      if (warning != nullptr) {
        std::string actions;
        for (const auto& a : warning->actions()) actions += std::to_string(a.number()) + ". " + a.text() + "\n";
        e["Attribute"].push_back(attribute(c.id() + ":actions", "comment", "Other", warning->background() + "\n" + actions, false,
                                           "recommended actions", warning->updated_ns()));
      }
      events.push_back({{"Event", std::move(e)}});
    } else if (p.has_notice() && include_notices) {
      const auto& n = p.notice();
      json e = event(n.id(), n.number() + ": " + n.title() + " (" + n.agency_id() + ")", n.window_start_ns(), p.updated_ns(), n.severity(), n.tlp());
      if (!n.internal_host().empty()) {
        e["Attribute"].push_back(attribute(n.id() + ":host", "ip-src",
                                           "Network activity", n.internal_host(), false, "internal host of " + n.agency_id(), n.window_end_ns()));
      }
      if (!n.external_peer().empty()) {
        const bool address = indicatorKindOf("", n.external_peer()) == gsoc::v1::Indicator::KIND_IP;
        e["Attribute"].push_back(attribute(n.id() + ":peer", address ? "ip-dst" : "domain", "Network activity", n.external_peer(), true,
                                           "external peer", n.window_end_ns()));
      }
      e["Attribute"].push_back(attribute(n.id() + ":summary", "comment", "Other", n.summary(), false, "notice summary", n.window_end_ns()));
      events.push_back({{"Event", std::move(e)}});
    }
  }
  ExportResult out;
  out.objects = static_cast<std::uint32_t>(events.size());
  out.json = json{{"response", std::move(events)}}.dump(2);
  return out;
}

}  // namespace gsoc::collector
