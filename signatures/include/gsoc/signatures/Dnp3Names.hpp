#pragma once
// The names Suricata gives DNP3's application function codes ("read", "unsolicited_response")
// and internal indications ("device_restart", IIN1 << 8 | IIN2): the rule parser takes them as
// dnp3_func and dnp3_ind values, the sensor writes them in EVE dnp3 records.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace gsoc::signatures {

// Empty for a code without a name.
std::string_view dnp3FunctionName(std::uint8_t code);
std::optional<std::uint8_t> dnp3FunctionCode(std::string_view name);

struct Dnp3Indicator {
  std::string_view name;
  std::uint16_t bit;  // in IIN1 << 8 | IIN2
};
// In Suricata's logging order.
std::span<const Dnp3Indicator> dnp3Indicators();
std::optional<std::uint16_t> dnp3IndicatorBit(std::string_view name);

}  // namespace gsoc::signatures
