#include "sensor/app/NtpParser.hpp"

#include <algorithm>

namespace gsoc::sensor {

namespace {

// RFC 5905 figure 8: the fixed header up to the transmit timestamp.
constexpr std::size_t kHeaderBytes = 48;

}  // namespace

bool parseNtpMessage(std::span<const std::uint8_t> data, NtpMessage& out) {
  if (data.size() < kHeaderBytes) return false;
  const std::uint8_t version = (data[0] >> 3) & 0x7;
  if (version != 3 && version != 4) return false;  // the versions Suricata's parser knows
  out.version = version;
  out.mode = data[0] & 0x7;
  out.stratum = data[1];
  std::copy_n(data.begin() + 12, out.reference_id.size(), out.reference_id.begin());
  return true;
}

int ntpModeByName(std::string_view name) {
  // RFC 5905 figure 10's modes, with Suricata's names.
  static constexpr std::string_view kNames[] = {"reserved", "symmetric_active", "symmetric_passive", "client",
                                                "server",   "broadcast",        "control",           "private"};
  for (std::size_t i = 0; i < std::size(kNames); ++i) {
    if (kNames[i] == name) return static_cast<int>(i);
  }
  return name == "ntp_control_message" ? 6 : -1;  // the parser crate's name for mode 6
}

void NtpState::datagram(std::span<const std::uint8_t> payload, const MessageSink& sink) {
  if (!parseNtpMessage(payload, message_)) {
    ++errors_;
    events.set(signatures::AnomalyEvent::NtpMalformedData);
    return;
  }
  message_.tx_id = next_tx_id_++;
  sink(message_);
}

void NtpState::reset() {
  message_ = NtpMessage{};
  next_tx_id_ = 0;
  errors_ = 0;
  events.clear();
}

}  // namespace gsoc::sensor
