#pragma once
// EventTable: how `gsocctl events` shows stored events to a person: one line per event (time,
// agency, sensor, kind, addresses, what it was), or the counts of a grouped query as an aligned
// table with a total. Times are UTC.

#include <ostream>
#include <string>
#include <vector>

#include "gsoc/v1/central.pb.h"

namespace gsoc::ctl {

void printEvents(std::ostream& out, const gsoc::v1::EventsReply& reply);
// `by` names the columns (the request's count_by).
void printEventCounts(std::ostream& out, const std::vector<std::string>& by, const gsoc::v1::EventsReply& reply);

}  // namespace gsoc::ctl
