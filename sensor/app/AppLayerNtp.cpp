// The app layer's NTP: a datagram to or from port 123 that parses as NTP starts it (Suricata's
// probe), then each datagram, either way, is a message: its numbers and reference id go to the
// datagram's input, and its record (and the alerts on the datagram) carry its object.

#include "sensor/app/AppLayer.hpp"

namespace gsoc::sensor {

using signatures::AppProto;
using signatures::BufferId;
using signatures::FlowDirection;

bool AppLayer::parseNtpDatagram(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> payload,
                                signatures::BufferSet& buffers, std::int64_t ts) {
  if (flow.app == AppProto::None) {
    NtpMessage probe;
    if ((flow.server_port != 123 && flow.client_port != 123) || !parseNtpMessage(payload, probe)) return false;
    if (protocolMode(AppProto::Ntp) == ProtocolMode::Off) return false;
    flow.app = AppProto::Ntp;
    flow.app_layer.identified_by = dir;
    flow.app_layer.detection_done = true;
  }
  if (flow.app != AppProto::Ntp) return false;
  if (protocolMode(AppProto::Ntp) == ProtocolMode::DetectionOnly) return true;
  if (!flow.app_layer.state) flow.app_layer.state = ntp_states_.take([] { return std::make_unique<NtpState>(); });
  auto& ntp = static_cast<NtpState&>(*flow.app_layer.state);
  const std::uint64_t errors = ntp.errors();
  // The message stays in the flow's state until its next datagram: the buffers may view it.
  ntp.datagram(payload, [&](const NtpMessage& m) {
    ntp_numbers_ = {static_cast<char>(m.version), static_cast<char>(m.stratum), static_cast<char>(m.mode)};
    buffers.set(BufferId::NtpVersionNumber, std::string_view(&ntp_numbers_[0], 1));
    buffers.set(BufferId::NtpStratumNumber, std::string_view(&ntp_numbers_[1], 1));
    buffers.set(BufferId::NtpModeNumber, std::string_view(&ntp_numbers_[2], 1));
    buffers.set(BufferId::NtpReferenceId, m.referenceId());
    AppMetadata record{AppMetadata::Kind::Ntp, &flow, dir, ts};
    record.ntp = &m;
    record.tx_id = static_cast<std::int64_t>(m.tx_id);
    publishDatagramRecord(record);
  });
  counters_.countParseErrors(flow, ntp.errors() - errors);
  return true;
}

}  // namespace gsoc::sensor
