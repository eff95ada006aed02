#pragma once
// MispExport: the centre's campaigns as MISP events ({"response": [{"Event": ...}]}, the shape
// MISP's own JSON export and import use), one per campaign: info is the warning's number and
// title when a warning was issued, each indicator an attribute (to_ids set) of the matching MISP
// type and category, the TLP as a tag, and the warning's actions in a comment attribute. As in
// STIX export, victims are never named: agencies appear only with include_notices, as sighting
// comments of the notices (TLP:AMBER+STRICT events of their own).

#include "collector/notify/StixExport.hpp"

namespace gsoc::collector {

ExportResult exportMisp(const std::vector<gsoc::v1::Publication>& publications, bool include_notices, std::int64_t now_ns);

}  // namespace gsoc::collector
