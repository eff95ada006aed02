#pragma once
// StixExport: the centre's campaigns, warnings (and, when asked, notices) as one STIX 2.1
// bundle, for partners' threat-intelligence platforms. Mapping:
//   the centre             -> identity (created_by_ref of every object)
//   campaign               -> campaign (first_seen, last_seen); its indicators -> indicator
//                             (STIX patterns) with an "indicates" relationship, and a sighting
//                             (count, first/last seen) per indicator
//   warning                -> report (published = issued) over the campaign and its objects,
//                             each numbered action -> course-of-action "mitigates" the indicators
//   notice (include_notices) -> report marked TLP:AMBER+STRICT with the agency as an identity
//                             and a sighting where_sighted_refs that agency
//   TLP                    -> the TLP 2.0 marking-definition objects (fixed ids from the STIX
//                             TLP 2.0 extension), in object_marking_refs
// Campaign agencies appear only in notices: a warning's objects never name victims. Ids are
// name-based UUIDs, so exporting again gives the same ids.

#include <cstdint>
#include <string>
#include <vector>

#include "gsoc/v1/central.pb.h"

namespace gsoc::collector {

struct ExportResult {
  std::string json;
  std::uint32_t objects = 0;
};

ExportResult exportStix(const std::vector<gsoc::v1::Publication>& publications, bool include_notices, std::int64_t now_ns);

}  // namespace gsoc::collector
