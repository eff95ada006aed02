#pragma once
// PublicationRecord: a stored publication (kind, id, number and the record's JSON) as the
// Central API's gsoc.v1.Publication with the record decoded, and the filter the live feed and
// `gsocctl` listings apply to it. A warning goes to every agency, so an agency filter keeps all
// warnings; its severity follows its class (urgent: critical, warning: high, information: low).

#include <optional>

#include "collector/store/EventStore.hpp"
#include "gsoc/v1/central.pb.h"

namespace gsoc::collector {

// nullopt when the stored JSON does not parse (written by this collector: a corrupted row).
std::optional<gsoc::v1::Publication> toRecord(const Publication& stored);

bool matches(const gsoc::v1::Filter& filter, const gsoc::v1::Publication& p);

// The part of `filter` the store selects by (kinds, status, update window), oldest first; what
// it leaves (agencies, severity) is for matches() on each record read.
PublicationQuery storeQueryFor(const gsoc::v1::Filter& filter);

}  // namespace gsoc::collector
