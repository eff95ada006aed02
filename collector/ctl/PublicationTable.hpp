#pragma once
// PublicationTable: how gsocctl shows the centre's records to a person: one aligned line per
// campaign, warning, notice or intelligence report, a full page for `show`, and the sensor
// health table. Times are UTC; victim agencies appear only in campaign and notice views (the
// central team's own), exactly as stored.

#include <ostream>
#include <vector>

#include "gsoc/v1/central.pb.h"

namespace gsoc::ctl {

void printTable(std::ostream& out, const std::vector<gsoc::v1::Publication>& items);
// One feed line: "<time> <kind> <number or id> <summary>".
void printFeedLine(std::ostream& out, const gsoc::v1::Publication& p);
void printDetail(std::ostream& out, const gsoc::v1::Publication& p);
void printSensors(std::ostream& out, const gsoc::v1::SensorsReply& reply);
void printHunt(std::ostream& out, const gsoc::v1::HuntReply& reply);

}  // namespace gsoc::ctl
