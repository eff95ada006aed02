#include "collector/notify/Acknowledgement.hpp"

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

}  // namespace gsoc::collector
