#pragma once
// Suricata's `null-values: no` for EVE stats records: the counters whose value is zero left
// out, and with them the objects left empty (an object's "id" is kept: it names, not counts). Works on the stats JSON the sensor writes itself
// (objects, arrays, numbers, strings, literals); once per stats record, so a copy is fine.

#include <string>
#include <string_view>

namespace gsoc::sensor {

// `json` without its zero-valued members (at any depth) and the objects that become empty. A
// text that is not well-formed JSON is returned unchanged.
std::string withoutZeroCounters(std::string_view json);

}  // namespace gsoc::sensor
