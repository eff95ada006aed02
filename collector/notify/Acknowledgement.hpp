#pragma once
// Acknowledgement: the lifecycle of what the centre sends. A notice (通報) moves forward only,
// new -> delivered -> acknowledged -> closed, and every step records who made it and when (the
// analyst from the client certificate), so the history answers "when did the agency know?". A
// warning (注意喚起) records, per agency, that the agency acknowledged it; acknowledging twice
// is not an error and keeps the first time.

#include <cstdint>
#include <optional>
#include <string>

#include "collector/notify/PublicationLedger.hpp"
#include "gsoc/v1/correlation.pb.h"

namespace gsoc::collector {

// Moves the notice to `to` (steps may be skipped, never undone). Returns "" on success or the
// reason it is refused (the notice is then unchanged).
std::string advanceNotice(gsoc::v1::Notice& notice, gsoc::v1::Notice::State to, const std::string& by, std::int64_t at_ns);

// Records that `agency_id` acknowledged the warning; returns "" or the reason it is refused.
std::string acknowledgeWarning(gsoc::v1::Warning& warning, const std::string& agency_id, const std::string& by, std::int64_t at_ns);

// "new", "delivered", "acknowledged", "closed" (lower case, as gsocctl prints and parses them).
std::string noticeStateName(gsoc::v1::Notice::State state);
gsoc::v1::Notice::State noticeStateFromName(const std::string& name);  // UNSPECIFIED when unknown

// A notice (by number or id) moves to `state` (acknowledged when unspecified), or `agency_id`
// acknowledges a warning, recorded in the ledger. The updated record, or why it was refused.
struct AckOutcome {
  std::optional<Publication> publication;
  std::string error;
};
AckOutcome acknowledge(PublicationLedger& ledger, const std::string& id, gsoc::v1::Notice::State state, const std::string& agency_id,
                       const std::string& by, std::int64_t now_ns);

}  // namespace gsoc::collector
