// The app layer's small UDP/ICS protocols: SNMP (ports 161, 162) and TFTP (port 69), known by
// their port and first datagram as Suricata's probes know them, then each datagram parsed as it
// comes. A message's buffers go to the datagram's input, and its record (and the alerts on the
// datagram) carry its object.

#include "sensor/app/AppLayer.hpp"

namespace gsoc::sensor {

using signatures::AppProto;
using signatures::BufferId;
using signatures::FlowDirection;

namespace {

bool onPort(const Flow& flow, std::uint16_t a, std::uint16_t b = 0) {
  return flow.server_port == a || flow.client_port == a || (b != 0 && (flow.server_port == b || flow.client_port == b));
}

// An integer keyword's buffer: `value` as four big-endian bytes in `out`, which outlives the input.
std::string_view bigEndian(std::uint32_t value, std::array<char, 4>& out) {
  for (std::size_t i = 0; i < 4; ++i) out[i] = static_cast<char>(value >> (24 - 8 * i));
  return {out.data(), out.size()};
}

}  // namespace

bool AppLayer::parseUdpIcsDatagram(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> payload,
                                   signatures::BufferSet& buffers, std::int64_t ts) {
  AppProto proto = flow.app;
  if (proto == AppProto::None) {
    if (onPort(flow, 161, 162) && looksLikeSnmp(payload)) proto = AppProto::Snmp;
    else if (flow.server_port == 69 && dir == FlowDirection::ToServer && looksLikeTftp(payload)) proto = AppProto::Tftp;
    else if (onPort(flow, 67, 68) && looksLikeDhcp(payload)) proto = AppProto::Dhcp;
    else return false;
    if (protocolMode(proto) == ProtocolMode::Off) return false;
    flow.app = proto;
    flow.app_layer.identified_by = dir;
    flow.app_layer.detection_done = true;
  }
  if (proto != AppProto::Snmp && proto != AppProto::Tftp && proto != AppProto::Dhcp) return false;
  if (protocolMode(proto) == ProtocolMode::DetectionOnly) return true;
  if (proto == AppProto::Snmp) {
    if (!flow.app_layer.state) flow.app_layer.state = snmp_states_.take([] { return std::make_unique<SnmpState>(); });
    auto& snmp = static_cast<SnmpState&>(*flow.app_layer.state);
    const std::uint64_t errors = snmp.errors();
    // The message stays in the flow's state until its next datagram: the buffers may view it.
    snmp.datagram(dir, payload, [&](FlowDirection d, const SnmpMessage& m) { onSnmp(flow, d, m, ts, buffers); });
    counters_.countParseErrors(flow, snmp.errors() - errors);
  } else if (proto == AppProto::Dhcp) {
    if (!flow.app_layer.state) flow.app_layer.state = dhcp_states_.take([] { return std::make_unique<DhcpState>(); });
    auto& dhcp = static_cast<DhcpState&>(*flow.app_layer.state);
    const std::uint64_t errors = dhcp.errors();
    dhcp.datagram(payload, [&](const DhcpMessage& m) { onDhcp(flow, dir, m, ts, buffers); });
    counters_.countParseErrors(flow, dhcp.errors() - errors);
    if (dhcp.events.any()) {
      datagram_events_.merge(dhcp.events);
      dhcp.events.clear();
    }
  } else {
    if (!flow.app_layer.state) flow.app_layer.state = tftp_states_.take([] { return std::make_unique<TftpState>(); });
    auto& tftp = static_cast<TftpState&>(*flow.app_layer.state);
    const std::uint64_t errors = tftp.errors();
    tftp.datagram(dir, payload, [&](const TftpTransaction& tx) { onTftp(flow, dir, tx, ts, buffers); });
    counters_.countParseErrors(flow, tftp.errors() - errors);
  }
  return true;
}

void AppLayer::onSnmp(Flow& flow, FlowDirection dir, const SnmpMessage& m, std::int64_t ts, signatures::BufferSet& buffers) {
  buffers.set(BufferId::SnmpVersionNumber, bigEndian(m.version, snmp_version_));
  if (m.has_pdu) buffers.set(BufferId::SnmpPduTypeNumber, bigEndian(m.pdu_type, snmp_pdu_type_));
  if (m.has_community) buffers.set(BufferId::SnmpCommunity, m.community);
  if (m.has_usm) buffers.set(BufferId::SnmpUsm, m.usm);
  if (m.has_trap) {
    buffers.set(BufferId::SnmpTrapOid, m.trap_oid);
    buffers.set(BufferId::SnmpTrapAddress, m.trap_address);
  }
  AppMetadata record{AppMetadata::Kind::Snmp, &flow, dir, ts};
  record.snmp = &m;
  record.tx_id = static_cast<std::int64_t>(m.tx_id);
  publishDatagramRecord(record);
}

void AppLayer::onDhcp(Flow& flow, FlowDirection dir, const DhcpMessage& m, std::int64_t ts, signatures::BufferSet& buffers) {
  if (m.lease_time) buffers.set(BufferId::DhcpLeaseTimeNumber, bigEndian(*m.lease_time, dhcp_times_[0]));
  if (m.rebinding_time) buffers.set(BufferId::DhcpRebindingTimeNumber, bigEndian(*m.rebinding_time, dhcp_times_[1]));
  if (m.renewal_time) buffers.set(BufferId::DhcpRenewalTimeNumber, bigEndian(*m.renewal_time, dhcp_times_[2]));
  AppMetadata record{AppMetadata::Kind::Dhcp, &flow, dir, ts};
  record.dhcp = &m;
  record.tx_id = static_cast<std::int64_t>(m.tx_id);
  publishDatagramRecord(record);
}

void AppLayer::onTftp(Flow& flow, FlowDirection dir, const TftpTransaction& tx, std::int64_t ts, signatures::BufferSet& buffers) {
  buffers.set(BufferId::TftpFileName, tx.file);
  AppMetadata record{AppMetadata::Kind::Tftp, &flow, dir, ts};
  record.tftp = &tx;
  record.tx_id = static_cast<std::int64_t>(tx.tx_id);
  publishDatagramRecord(record);
}

}  // namespace gsoc::sensor
