#include "collector/notify/Acknowledgement.hpp"

#include "collector/notify/PublicationFormat.hpp"

namespace gsoc::collector {

std::string noticeStateName(gsoc::v1::Notice::State state) {
  switch (state) {
    case gsoc::v1::Notice::STATE_NEW: return "new";
    case gsoc::v1::Notice::STATE_DELIVERED: return "delivered";
    case gsoc::v1::Notice::STATE_ACKNOWLEDGED: return "acknowledged";
    case gsoc::v1::Notice::STATE_CLOSED: return "closed";
    default: return "unspecified";
  }
}

gsoc::v1::Notice::State noticeStateFromName(const std::string& name) {
  for (const auto s : {gsoc::v1::Notice::STATE_NEW, gsoc::v1::Notice::STATE_DELIVERED, gsoc::v1::Notice::STATE_ACKNOWLEDGED,
                       gsoc::v1::Notice::STATE_CLOSED}) {
    if (noticeStateName(s) == name) return s;
  }
  return gsoc::v1::Notice::STATE_UNSPECIFIED;
}

std::string advanceNotice(gsoc::v1::Notice& notice, gsoc::v1::Notice::State to, const std::string& by, std::int64_t at_ns) {
  if (to == gsoc::v1::Notice::STATE_UNSPECIFIED || to == gsoc::v1::Notice::STATE_NEW) {
    return "a notice can only move to delivered, acknowledged or closed";
  }
  if (to <= notice.state()) {
    return "notice " + notice.number() + " is already " + noticeStateName(notice.state()) + "; it cannot move to " + noticeStateName(to);
  }
  notice.set_state(to);
  auto* t = notice.add_history();
  t->set_state(to);
  t->set_at_ns(at_ns);
  t->set_by(by);
  return {};
}

std::string acknowledgeWarning(gsoc::v1::Warning& warning, const std::string& agency_id, const std::string& by, std::int64_t at_ns) {
  if (agency_id.empty()) return "acknowledging a warning needs the agency that acknowledges it";
  for (const auto& a : warning.acknowledgements()) {
    if (a.agency_id() == agency_id) return {};
  }
  auto* a = warning.add_acknowledgements();
  a->set_agency_id(agency_id);
  a->set_acknowledged_ns(at_ns);
  a->set_by(by);
  return {};
}

AckOutcome acknowledge(PublicationLedger& ledger, const std::string& id, gsoc::v1::Notice::State state, const std::string& agency_id,
                       const std::string& by, std::int64_t now_ns) {
  auto lock = ledger.lock();
  std::optional<Publication> p = ledger.findLocked(id);
  if (!p) return {std::nullopt, "no notice or warning '" + id + "'"};
  std::string error;
  if (p->kind == "notice") {
    gsoc::v1::Notice notice;
    if (!google::protobuf::util::JsonStringToMessage(p->json, &notice).ok()) return {std::nullopt, "notice " + id + " is unreadable"};
    if (!agency_id.empty() && agency_id != notice.agency_id()) {
      return {std::nullopt, "notice " + notice.number() + " is addressed to " + notice.agency_id() + ", not " + agency_id};
    }
    error = advanceNotice(notice, state == gsoc::v1::Notice::STATE_UNSPECIFIED ? gsoc::v1::Notice::STATE_ACKNOWLEDGED : state, by, now_ns);
    p->json = toJson(notice);
    p->status = noticeStateName(notice.state());
  } else if (p->kind == "warning") {
    gsoc::v1::Warning warning;
    if (!google::protobuf::util::JsonStringToMessage(p->json, &warning).ok()) return {std::nullopt, "warning " + id + " is unreadable"};
    error = acknowledgeWarning(warning, agency_id, by, now_ns);
    p->json = toJson(warning);
  } else {
    return {std::nullopt, p->kind + " " + id + " is not acknowledged: only notices and warnings are"};
  }
  if (!error.empty()) return {std::nullopt, error};
  p->updated_ns = now_ns;
  ledger.put(*p);
  return {p, ""};
}

}  // namespace gsoc::collector
