// The app layer's EtherNet/IP and Modbus: TCP flows held and parsed as DNP3's are (acknowledged
// bytes, a side of a transaction inspected at the next packet its way, Suricata's IDS timing),
// EtherNet/IP datagrams parsed as they come. A transaction's side fills the enip.*, cip_* and
// modbus buffers of its input; alerts and records carry its enip or modbus object.

#include "sensor/app/AppLayer.hpp"

namespace gsoc::sensor {

using signatures::AppProto;
using signatures::BufferId;
using signatures::FlowDirection;

namespace {

constexpr std::size_t kNumbersCapacity = 8192;  // enough for 16 instances of every enip buffer
constexpr std::uint32_t kNone = 0xffffffff;     // cip_service's "no class" / "no attribute"

FlowDirection opposite(FlowDirection dir) { return dir == FlowDirection::ToServer ? FlowDirection::ToClient : FlowDirection::ToServer; }

// Appends `value` big-endian in `bytes` octets to `out` (reserved: views into it stay valid) and
// adds the view to `id`'s instances.
void addNumber(std::string& out, signatures::BufferSet& buffers, BufferId id, std::uint64_t value, std::size_t bytes) {
  if (out.size() + bytes > out.capacity()) return;
  const std::size_t at = out.size();
  for (std::size_t i = 0; i < bytes; ++i) out += static_cast<char>(value >> (8 * (bytes - 1 - i)));
  buffers.add(id, std::string_view(out).substr(at, bytes));
}

}  // namespace

void AppLayer::fillEnipBuffers(const EnipPdu& pdu, bool request, signatures::BufferSet& buffers) {
  enip_numbers_.clear();
  if (enip_numbers_.capacity() < kNumbersCapacity) enip_numbers_.reserve(kNumbersCapacity);
  std::string& n = enip_numbers_;
  addNumber(n, buffers, BufferId::EnipCommandNumber, pdu.command, 2);
  addNumber(n, buffers, BufferId::EnipStatusNumber, pdu.status, 4);
  if (pdu.payload == EnipPdu::Payload::RegisterSession) {
    addNumber(n, buffers, BufferId::EnipProtocolVersionNumber, pdu.session_version, 2);
  } else if (!request && pdu.payload == EnipPdu::Payload::ListServices && pdu.has_service_item) {
    addNumber(n, buffers, BufferId::EnipProtocolVersionNumber, pdu.service_item.protocol_version, 2);
    addNumber(n, buffers, BufferId::EnipCapabilitiesNumber, pdu.service_item.capabilities, 2);
    buffers.set(BufferId::EnipServiceName, pdu.service_item.name);
  } else if (!request && pdu.payload == EnipPdu::Payload::ListIdentity && pdu.has_identity) {
    const EnipIdentity& id = pdu.identity;
    addNumber(n, buffers, BufferId::EnipProtocolVersionNumber, id.protocol_version, 2);
    addNumber(n, buffers, BufferId::EnipRevisionNumber, static_cast<std::uint64_t>(id.revision_major) << 8 | id.revision_minor, 2);
    addNumber(n, buffers, BufferId::EnipIdentityStatusNumber, id.status, 2);
    addNumber(n, buffers, BufferId::EnipStateNumber, id.state, 1);
    addNumber(n, buffers, BufferId::EnipSerialNumber, id.serial, 4);
    addNumber(n, buffers, BufferId::EnipProductCodeNumber, id.product_code, 2);
    addNumber(n, buffers, BufferId::EnipDeviceTypeNumber, id.device_type, 2);
    addNumber(n, buffers, BufferId::EnipVendorIdNumber, id.vendor_id, 2);
    buffers.set(BufferId::EnipProductName, id.product_name);
  }
  if (pdu.payload != EnipPdu::Payload::Cip) return;
  for (std::size_t i = 0; i < pdu.cip_count; ++i) {
    const CipService& s = pdu.cip[i];
    // cip_service: the service with each class and attribute of its path it names (or none).
    std::uint32_t classes[17];
    std::uint32_t attributes[17];
    std::size_t nc = 0, na = 0;
    for (const CipSegment& seg : s.path) {
      if (seg.kind() == 8 && nc < 16) classes[nc++] = seg.value;
      if (seg.kind() == 12 && na < 16) attributes[na++] = seg.value;
    }
    for (const std::uint16_t a : s.attributes) {
      if (na < 16) attributes[na++] = a;
    }
    classes[nc++] = kNone;
    attributes[na++] = kNone;
    for (std::size_t c = 0; c < nc; ++c) {
      for (std::size_t a = 0; a < na; ++a) {
        if (n.size() + 9 > n.capacity()) break;
        const std::size_t at = n.size();
        n += static_cast<char>(s.service);
        for (const std::uint32_t v : {classes[c], attributes[a]}) {
          for (int b = 3; b >= 0; --b) n += static_cast<char>(v >> (8 * b));
        }
        buffers.add(BufferId::EnipCipServiceNumber, std::string_view(n).substr(at, 9));
      }
    }
    if (s.response) {
      addNumber(n, buffers, BufferId::EnipCipStatusNumber, s.status, 1);
      if (s.status_extended.size() == 2) {
        const auto lo = static_cast<std::uint8_t>(s.status_extended[0]), hi = static_cast<std::uint8_t>(s.status_extended[1]);
        addNumber(n, buffers, BufferId::EnipCipExtendedStatusNumber, static_cast<std::uint64_t>(hi) << 8 | lo, 2);
      }
    } else {
      for (const CipSegment& seg : s.path) {
        if (seg.kind() == 8) addNumber(n, buffers, BufferId::EnipCipClassNumber, seg.value, 4);
        else if (seg.kind() == 9) addNumber(n, buffers, BufferId::EnipCipInstanceNumber, seg.value, 4);
        else if (seg.kind() == 12) addNumber(n, buffers, BufferId::EnipCipAttributeNumber, seg.value, 4);
      }
      for (const std::uint16_t a : s.attributes) addNumber(n, buffers, BufferId::EnipCipAttributeNumber, a, 4);
    }
  }
}

void AppLayer::fillModbusBuffers(const ModbusMessage& m, signatures::BufferSet& buffers) {
  std::array<char, 12>& r = modbus_request_;
  r.fill(0);
  r[0] = static_cast<char>(m.unit_id);
  r[1] = static_cast<char>(m.function);
  r[2] = static_cast<char>(m.access);
  r[3] = static_cast<char>(m.category);
  if (m.data == ModbusMessage::Data::Diagnostic) {
    r[4] = 1;
    r[5] = static_cast<char>(m.subfunction >> 8);
    r[6] = static_cast<char>(m.subfunction & 0xff);
  }
  std::uint16_t first = 0, last = 0;
  if (m.addressRange(first, last)) {
    r[7] = 1;
    r[8] = static_cast<char>(first >> 8);
    r[9] = static_cast<char>(first & 0xff);
    r[10] = static_cast<char>(last >> 8);
    r[11] = static_cast<char>(last & 0xff);
  }
  buffers.set(BufferId::ModbusRequestNumber, std::string_view(r.data(), r.size()));
}

void AppLayer::onIcsStream(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts) {
  if (tcp_modes_[static_cast<std::size_t>(flow.app)] == ProtocolMode::DetectionOnly) return;
  if (!flow.app_layer.state) {
    if (flow.app == AppProto::Enip) flow.app_layer.state = enip_states_.take([] { return std::make_unique<EnipState>(); });
    else flow.app_layer.state = modbus_states_.take([] { return std::make_unique<ModbusState>(); });
  }
  AckedBytes& pending = flow.app == AppProto::Enip ? static_cast<EnipState&>(*flow.app_layer.state).pending(dir)
                                                    : static_cast<ModbusState&>(*flow.app_layer.state).pending(dir);
  pending.append(data);
  if (parsesOnArrival(flow, dir)) {
    parseIcs(flow, dir, std::nullopt, ts);
    inspectIcs(flow, dir, ts);
    logIcs(flow, false, ts);
  }
}

void AppLayer::onIcsPacket(Flow& flow, FlowDirection dir, std::uint64_t unacked) {
  if (!flow.app_layer.state || flow.ip_proto != 6 || stream_inline_) return;
  const std::uint64_t errors = flow.app_layer.state->errors();
  parseIcs(flow, opposite(dir), unacked, flow.last_ns);  // what this packet acknowledges
  counters_.countParseErrors(flow, flow.app_layer.state->errors() - errors);
  inspectIcs(flow, dir, flow.last_ns);                   // as Suricata, a side at the next packet its way
  logIcs(flow, false, flow.last_ns);
}

void AppLayer::endIcs(Flow& flow) {
  for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) parseIcs(flow, dir, std::nullopt, flow.last_ns);
  inspectIcs(flow, FlowDirection::ToServer, flow.last_ns);
  inspectIcs(flow, FlowDirection::ToClient, flow.last_ns);
  logIcs(flow, true, flow.last_ns);
}

void AppLayer::parseIcs(Flow& flow, FlowDirection dir, std::optional<std::uint64_t> unacked, std::int64_t) {
  const auto release = [&](AckedBytes& pending) {
    // Bytes delivered past what the other side acknowledged wait for a later ACK.
    if (unacked) pending.release(*unacked);
    else pending.release();
  };
  if (flow.app == AppProto::Enip) {
    auto& enip = static_cast<EnipState&>(*flow.app_layer.state);
    release(enip.pending(dir));
    enip.parse(dir);
  } else {
    auto& modbus = static_cast<ModbusState&>(*flow.app_layer.state);
    release(modbus.pending(dir));
    modbus.parse(dir);
  }
}

void AppLayer::inspectIcs(Flow& flow, FlowDirection dir, std::int64_t ts) {
  if (flow.app == AppProto::Enip) {
    auto& enip = static_cast<EnipState&>(*flow.app_layer.state);
    enip.forUninspected(dir, [&](const EnipTransaction& tx) {
      tx_.buffers.clear();
      const bool request = dir == FlowDirection::ToServer;
      fillEnipBuffers(request ? tx.request : tx.response, request, tx_.buffers);
      AppMetadata record{AppMetadata::Kind::Enip, &flow, dir, ts};
      record.enip = &tx;
      record.tx_id = static_cast<std::int64_t>(tx.tx_id - 1);
      tx_record_ = &record;  // alerts carry the enip object
      emit(flow, dir);
      tx_record_ = nullptr;
    });
    return;
  }
  if (dir != FlowDirection::ToServer) return;  // the modbus keyword looks at requests
  auto& modbus = static_cast<ModbusState&>(*flow.app_layer.state);
  modbus.forUninspected([&](const ModbusTransaction& tx) {
    tx_.buffers.clear();
    fillModbusBuffers(tx.request, tx_.buffers);
    AppMetadata record{AppMetadata::Kind::Modbus, &flow, dir, ts};
    record.modbus = &tx;
    record.tx_id = static_cast<std::int64_t>(tx.tx_id - 1);
    tx_record_ = &record;  // alerts carry the modbus object
    emit(flow, dir);
    tx_record_ = nullptr;
  });
}

void AppLayer::logIcs(Flow& flow, bool all, std::int64_t ts) {
  const auto log = [&](AppMetadata& record) {
    if (metadata_) metadata_(record);
  };
  if (flow.app == AppProto::Enip) {
    auto& enip = static_cast<EnipState&>(*flow.app_layer.state);
    enip.forUnlogged(all, [&](const EnipTransaction& tx) {
      AppMetadata record{AppMetadata::Kind::Enip, &flow, FlowDirection::ToServer, ts};
      record.enip = &tx;
      log(record);
    });
    enip.prune();
  } else {
    auto& modbus = static_cast<ModbusState&>(*flow.app_layer.state);
    modbus.forUnlogged(all, [&](const ModbusTransaction& tx) {
      AppMetadata record{AppMetadata::Kind::Modbus, &flow, FlowDirection::ToServer, ts};
      record.modbus = &tx;
      log(record);
    });
    modbus.prune();
  }
}

bool AppLayer::parseEnipDatagram(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> payload,
                                 signatures::BufferSet& buffers, std::int64_t ts) {
  if (flow.app != AppProto::Enip) {
    if (flow.app != AppProto::None) return false;
    const bool port = flow.server_port == 44818 || flow.client_port == 44818;
    if (!port || !looksLikeEnip(payload) || protocolMode(AppProto::Enip) == ProtocolMode::Off) return false;
    flow.app = AppProto::Enip;
    flow.app_layer.identified_by = dir;
    flow.app_layer.detection_done = true;
    ++counters_.enip_udp_flows;
  }
  if (protocolMode(AppProto::Enip) == ProtocolMode::DetectionOnly) return true;
  if (!flow.app_layer.state) flow.app_layer.state = enip_states_.take([] { return std::make_unique<EnipState>(); });
  auto& enip = static_cast<EnipState&>(*flow.app_layer.state);
  enip.prune();  // what the last datagram's packet was done with
  const std::uint64_t errors = enip.errors();
  enip.datagram(dir, payload);
  counters_.countParseErrors(flow, enip.errors() - errors);
  // The PDU's side goes into the datagram's own input; its alerts carry the transaction.
  enip.forUninspected(dir, [&](const EnipTransaction& tx) {
    const bool request = dir == FlowDirection::ToServer;
    fillEnipBuffers(request ? tx.request : tx.response, request, buffers);
    AppMetadata record{AppMetadata::Kind::Enip, &flow, dir, ts};
    record.enip = &tx;
    record.tx_id = static_cast<std::int64_t>(tx.tx_id - 1);
    datagram_record_ = record;
    has_datagram_record_ = true;
  });
  enip.forUnlogged(false, [&](const EnipTransaction& tx) {
    AppMetadata record{AppMetadata::Kind::Enip, &flow, FlowDirection::ToServer, ts};
    record.enip = &tx;
    if (metadata_) metadata_(record);
  });
  return true;
}

}  // namespace gsoc::sensor
