#include "collector/notify/StixExport.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "collector/notify/PublicationFormat.hpp"

namespace gsoc::collector {
namespace {

using nlohmann::json;

constexpr const char* kTlpExtension = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

struct Tlp {
  const char* id;
  const char* name;
  const char* level;
};

Tlp tlpOf(gsoc::v1::Tlp t) {
  switch (t) {
    case gsoc::v1::TLP_CLEAR: return {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR", "clear"};
    case gsoc::v1::TLP_GREEN: return {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN", "green"};
    case gsoc::v1::TLP_AMBER_STRICT: return {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "TLP:AMBER+STRICT", "amber+strict"};
    case gsoc::v1::TLP_RED: return {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED", "red"};
    default: return {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER", "amber"};
  }
}

std::string quoted(const std::string& v) {
  std::string out;
  for (const char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return "'" + out + "'";
}

// The STIX pattern for an indicator; "" for kinds STIX has no standard object for.
std::string patternOf(const gsoc::v1::Indicator& i) {
  const std::string v = quoted(i.value());
  switch (i.kind()) {
    case gsoc::v1::Indicator::KIND_IP: return i.value().find(':') != std::string::npos ? "[ipv6-addr:value = " + v + "]" : "[ipv4-addr:value = " + v + "]";
    case gsoc::v1::Indicator::KIND_DOMAIN: return "[domain-name:value = " + v + "]";
    case gsoc::v1::Indicator::KIND_URL: return "[url:value = " + v + "]";
    case gsoc::v1::Indicator::KIND_FILE_HASH: return std::string("[file:hashes.'") + (i.value().size() == 32 ? "MD5" : "SHA-256") + "' = " + v + "]";
    case gsoc::v1::Indicator::KIND_EMAIL_SENDER: return "[email-message:from_ref.value = " + v + "]";
    case gsoc::v1::Indicator::KIND_EMAIL_SUBJECT: return "[email-message:subject = " + v + "]";
    default: return "";
  }
}

class Bundle {
 public:
  explicit Bundle(std::int64_t now_ns) : now_(now_ns) {
    centre_ = add("identity", "centre", now_, now_, gsoc::v1::TLP_CLEAR,
                  {{"name", "GSOC national security operations centre"}, {"identity_class", "organization"}});
  }

  // Adds an object (once per type and key) and returns its id.
  std::string add(const std::string& type, const std::string& key, std::int64_t created, std::int64_t modified, gsoc::v1::Tlp tlp,
                  json properties) {
    const std::string id = type + "--" + uuid5(type + ":" + key);
    if (seen_.contains(id)) return id;
    const Tlp marking = tlpOf(tlp);
    markings_.emplace(marking.id, marking);
    json o = std::move(properties);
    o["type"] = type;
    o["spec_version"] = "2.1";
    o["id"] = id;
    o["created"] = rfc3339(created);
    o["modified"] = rfc3339(std::max(created, modified));
    if (!centre_.empty()) o["created_by_ref"] = centre_;
    o["object_marking_refs"] = json::array({marking.id});
    seen_.emplace(id, objects_.size());
    objects_.push_back(std::move(o));
    return id;
  }

  [[nodiscard]] const std::string& centre() const { return centre_; }

  std::string relate(const std::string& source, const std::string& type, const std::string& target, std::int64_t at, gsoc::v1::Tlp tlp) {
    return add("relationship", source + type + target, at, at, tlp, {{"relationship_type", type}, {"source_ref", source}, {"target_ref", target}});
  }

  ExportResult finish() {
    json objects = json::array();
    for (const auto& [id, m] : markings_) {
      objects.push_back({{"type", "marking-definition"},
                         {"spec_version", "2.1"},
                         {"id", id},
                         {"created", "2022-10-01T00:00:00.000Z"},
                         {"name", m.name},
                         {"extensions", {{kTlpExtension, {{"extension_type", "property-extension"}, {"tlp_2_0", m.level}}}}}});
    }
    for (auto& o : objects_) objects.push_back(std::move(o));
    ExportResult out;
    out.objects = static_cast<std::uint32_t>(objects.size());
    json bundle = {{"type", "bundle"}, {"id", "bundle--" + uuid5("bundle:" + std::to_string(now_))}, {"objects", std::move(objects)}};
    out.json = bundle.dump(2);
    return out;
  }

 private:
  std::int64_t now_;
  std::string centre_;
  std::map<std::string, Tlp> markings_;
  std::map<std::string, std::size_t> seen_;
  std::vector<json> objects_;
};

struct CampaignObjects {
  std::string campaign;
  std::vector<std::string> indicators;
};

CampaignObjects addCampaign(Bundle& b, const gsoc::v1::Campaign& c, std::int64_t updated) {
  CampaignObjects out;
  out.campaign = b.add("campaign", c.id(), c.first_seen_ns(), updated, gsoc::v1::TLP_AMBER,
                       {{"name", c.title()},
                        {"description", "gsoc campaign " + c.id() + " (" + c.correlation_rule() + "): " + std::to_string(c.event_count()) +
                                            " events"},
                        {"first_seen", rfc3339(c.first_seen_ns())},
                        {"last_seen", rfc3339(c.last_seen_ns())}});
  for (const auto& i : c.indicators()) {
    const std::string pattern = patternOf(i);
    if (pattern.empty()) continue;
    const std::string ind = b.add("indicator", pattern, c.first_seen_ns(), updated, gsoc::v1::TLP_AMBER,
                                  {{"name", i.value()},
                                   {"description", i.description()},
                                   {"indicator_types", json::array({"malicious-activity"})},
                                   {"pattern", pattern},
                                   {"pattern_type", "stix"},
                                   {"valid_from", rfc3339(c.first_seen_ns())}});
    out.indicators.push_back(ind);
    out.indicators.push_back(b.relate(ind, "indicates", out.campaign, c.first_seen_ns(), gsoc::v1::TLP_AMBER));
    // Counted, not located: where it was seen would name the victims.
    out.indicators.push_back(b.add("sighting", c.id() + pattern, c.first_seen_ns(), updated, gsoc::v1::TLP_AMBER,
                                   {{"sighting_of_ref", ind},
                                    {"count", std::min<std::uint64_t>(c.event_count(), 999999999)},
                                    {"first_seen", rfc3339(c.first_seen_ns())},
                                    {"last_seen", rfc3339(std::max(c.first_seen_ns(), c.last_seen_ns()))}}));
  }
  return out;
}

}  // namespace

ExportResult exportStix(const std::vector<gsoc::v1::Publication>& publications, bool include_notices, std::int64_t now_ns) {
  Bundle b(now_ns);
  std::map<std::string, CampaignObjects> campaigns;
  for (const auto& p : publications) {
    if (p.has_campaign()) campaigns[p.campaign().id()] = addCampaign(b, p.campaign(), p.updated_ns());
  }
  for (const auto& p : publications) {
    if (p.has_warning()) {
      const auto& w = p.warning();
      json refs = json::array();
      auto c = campaigns.find(w.campaign_id());
      if (c != campaigns.end()) {
        refs.push_back(c->second.campaign);
        for (const auto& r : c->second.indicators) refs.push_back(r);
      }
      for (const auto& a : w.actions()) {
        const std::string coa = b.add("course-of-action", w.id() + ":" + std::to_string(a.number()), w.issued_ns(), w.updated_ns(), w.tlp(),
                                      {{"name", w.number() + " action " + std::to_string(a.number())}, {"description", a.text()}});
        refs.push_back(coa);
        if (c != campaigns.end()) {
          for (const auto& r : c->second.indicators) {
            if (r.starts_with("indicator--")) refs.push_back(b.relate(coa, "mitigates", r, w.issued_ns(), w.tlp()));
          }
        }
      }
      if (refs.empty()) refs.push_back(b.centre());  // object_refs may not be empty
      b.add("report", w.id(), w.issued_ns(), w.updated_ns(), w.tlp(),
            {{"name", w.number() + ": " + w.title()},
             {"description", w.background()},
             {"report_types", json::array({"threat-report"})},
             {"published", rfc3339(w.issued_ns())},
             {"labels", json::array({w.class_() == gsoc::v1::Warning::CLASS_URGENT_WARNING ? "urgent-warning"
                                     : w.class_() == gsoc::v1::Warning::CLASS_INFORMATION  ? "information"
                                                                                           : "warning"})},
             {"object_refs", std::move(refs)}});
    } else if (p.has_notice() && include_notices) {
      const auto& n = p.notice();
      const std::string agency = b.add("identity", "agency:" + n.agency_id(), n.window_start_ns(), n.window_end_ns(), n.tlp(),
                                       {{"name", n.agency_id()}, {"identity_class", "organization"}, {"sectors", json::array({"government"})}});
      json refs = json::array({agency});
      auto c = campaigns.find(n.campaign_id());
      if (c != campaigns.end()) {
        refs.push_back(c->second.campaign);
        for (const auto& r : c->second.indicators) {
          if (!r.starts_with("indicator--")) continue;
          refs.push_back(b.add("sighting", n.id() + r, n.window_start_ns(), n.window_end_ns(), n.tlp(),
                               {{"sighting_of_ref", r},
                                {"where_sighted_refs", json::array({agency})},
                                {"first_seen", rfc3339(n.window_start_ns())},
                                {"last_seen", rfc3339(std::max(n.window_start_ns(), n.window_end_ns()))}}));
        }
      }
      b.add("report", n.id(), n.window_start_ns(), p.updated_ns(), n.tlp(),
            {{"name", n.number() + ": " + n.title()},
             {"description", n.summary()},
             {"report_types", json::array({"incident"})},
             {"published", rfc3339(n.window_end_ns())},
             {"object_refs", std::move(refs)}});
    }
  }
  return b.finish();
}

}  // namespace gsoc::collector
