#include "collector/api/PublicationRecord.hpp"

#include <google/protobuf/util/json_util.h>

#include <algorithm>

#include "collector/notify/Acknowledgement.hpp"
#include "collector/notify/PublicationFormat.hpp"

namespace gsoc::collector {
namespace {

template <typename Message>
bool parse(const std::string& json, Message* out) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // a record written by a newer collector
  return google::protobuf::util::JsonStringToMessage(json, out, options).ok();
}

gsoc::v1::Severity severityOf(const gsoc::v1::Publication& p) {
  switch (p.record_case()) {
    case gsoc::v1::Publication::kCampaign: return p.campaign().severity();
    case gsoc::v1::Publication::kNotice: return p.notice().severity();
    case gsoc::v1::Publication::kWarning:
      switch (p.warning().class_()) {
        case gsoc::v1::Warning::CLASS_URGENT_WARNING: return gsoc::v1::SEVERITY_CRITICAL;
        case gsoc::v1::Warning::CLASS_INFORMATION: return gsoc::v1::SEVERITY_LOW;
        default: return gsoc::v1::SEVERITY_HIGH;
      }
    default: return gsoc::v1::SEVERITY_MEDIUM;
  }
}

std::string statusOf(const gsoc::v1::Publication& p) {
  switch (p.record_case()) {
    case gsoc::v1::Publication::kNotice: return noticeStateName(p.notice().state());
    case gsoc::v1::Publication::kCampaign: return campaignStatusName(p.campaign().status());
    default: return "";
  }
}

bool involves(const gsoc::v1::Publication& p, const std::string& agency) {
  switch (p.record_case()) {
    case gsoc::v1::Publication::kWarning: return true;  // sent to every agency
    case gsoc::v1::Publication::kNotice: return p.notice().agency_id() == agency;
    case gsoc::v1::Publication::kCampaign: {
      const auto& a = p.campaign().agencies();
      return std::find(a.begin(), a.end(), agency) != a.end();
    }
    case gsoc::v1::Publication::kIntel: {
      const auto& t = p.intel().targets();
      return std::find(t.begin(), t.end(), agency) != t.end();
    }
    default: return false;
  }
}

}  // namespace

std::optional<gsoc::v1::Publication> toRecord(const Publication& s) {
  gsoc::v1::Publication p;
  p.set_kind(s.kind);
  p.set_id(s.id);
  p.set_number(s.number);
  p.set_campaign_id(s.campaign_id);
  p.set_agency_id(s.agency_id);
  p.set_updated_ns(s.updated_ns);
  bool ok = false;
  if (s.kind == "campaign") ok = parse(s.json, p.mutable_campaign());
  else if (s.kind == "warning") ok = parse(s.json, p.mutable_warning());
  else if (s.kind == "notice") ok = parse(s.json, p.mutable_notice());
  else if (s.kind == "intel") ok = parse(s.json, p.mutable_intel());
  if (!ok) return std::nullopt;
  return p;
}

bool matches(const gsoc::v1::Filter& f, const gsoc::v1::Publication& p) {
  if (!f.kinds().empty() && std::find(f.kinds().begin(), f.kinds().end(), p.kind()) == f.kinds().end()) return false;
  if (!f.agencies().empty() &&
      std::none_of(f.agencies().begin(), f.agencies().end(), [&p](const std::string& a) { return involves(p, a); })) {
    return false;
  }
  if (f.min_severity() != gsoc::v1::SEVERITY_UNSPECIFIED && severityOf(p) < f.min_severity()) return false;
  if (!f.status().empty() && statusOf(p) != f.status()) return false;
  if (f.since_ns() != 0 && p.updated_ns() < f.since_ns()) return false;
  if (f.until_ns() != 0 && p.updated_ns() >= f.until_ns()) return false;
  return true;
}

PublicationQuery storeQueryFor(const gsoc::v1::Filter& filter) {
  PublicationQuery query;
  query.kinds.assign(filter.kinds().begin(), filter.kinds().end());
  if (!filter.status().empty()) query.statuses = {filter.status()};  // statusOf() is the stored status
  query.updated_since_ns = filter.since_ns();
  query.updated_before_ns = filter.until_ns();
  return query;
}

}  // namespace gsoc::collector
