#include "gsoc/signatures/Dnp3Names.hpp"

#include <iterator>

namespace gsoc::signatures {

namespace {

constexpr std::string_view kFunctionNames[] = {
    "confirm", "read", "write", "select", "operate", "direct_operate", "direct_operate_nr", "immed_freeze",
    "immed_freeze_nr", "freeze_clear", "freeze_clear_nr", "freeze_at_time", "freeze_at_time_nr", "cold_restart",
    "warm_restart", "initialize_data", "initialize_appl", "start_appl", "stop_appl", "save_config",
    "enable_unsolicited", "disable_unsolicited", "assign_class", "delay_measure", "record_current_time",
    "open_file", "close_file", "delete_file", "get_file_info", "authenticate_file", "abort_file",
    "activate_config", "authenticate_req", "authenticate_err"};

constexpr Dnp3Indicator kIndicators[] = {
    {"all_stations", 0x0100},      {"class_1_events", 0x0200},  {"class_2_events", 0x0400},
    {"class_3_events", 0x0800},    {"need_time", 0x1000},       {"local_control", 0x2000},
    {"device_trouble", 0x4000},    {"device_restart", 0x8000},  {"function_code_not_implemented", 0x0001},
    {"object_unknown", 0x0002},    {"parameter_error", 0x0004}, {"event_buffer_overflow", 0x0008},
    {"already_executing", 0x0010}, {"config_corrupt", 0x0020},  {"reserved_2", 0x0040},
    {"reserved_1", 0x0080},
};

}  // namespace

std::string_view dnp3FunctionName(std::uint8_t code) {
  if (code < std::size(kFunctionNames)) return kFunctionNames[code];
  switch (code) {
    case 129: return "response";
    case 130: return "unsolicited_response";
    case 131: return "authenticate_resp";
    default: return {};
  }
}

std::optional<std::uint8_t> dnp3FunctionCode(std::string_view name) {
  for (unsigned code = 0; code < 256; ++code) {
    const std::string_view n = dnp3FunctionName(static_cast<std::uint8_t>(code));
    if (!n.empty() && n == name) return static_cast<std::uint8_t>(code);
  }
  return std::nullopt;
}

std::span<const Dnp3Indicator> dnp3Indicators() { return kIndicators; }

std::optional<std::uint16_t> dnp3IndicatorBit(std::string_view name) {
  for (const Dnp3Indicator& i : kIndicators) {
    if (i.name == name) return i.bit;
  }
  return std::nullopt;
}

}  // namespace gsoc::signatures
