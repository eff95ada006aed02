// The app layer's RDP: a flow on port 3389 whose client opens with a TPKT-framed X.224
// Connection Request (or whose server answers with a Connection Confirm) is RDP, as Suricata's
// probe on its port. Its setup PDUs are parsed as they arrive; each transaction goes to
// detection (rdp rules, on no buffer of their own) and then to its record.

#include "sensor/app/AppLayer.hpp"

namespace gsoc::sensor {

using signatures::FlowDirection;

void AppLayer::onRdpStream(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts) {
  if (tcp_modes_[static_cast<std::size_t>(signatures::AppProto::Rdp)] == ProtocolMode::DetectionOnly) return;
  if (!flow.app_layer.state) flow.app_layer.state = rdp_states_.take([] { return std::make_unique<RdpState>(); });
  auto& rdp = static_cast<RdpState&>(*flow.app_layer.state);
  const std::uint64_t errors = rdp.errors();
  rdp.feed(dir, data, [&](FlowDirection d, const RdpTransaction& tx) {
    AppMetadata record{AppMetadata::Kind::Rdp, &flow, d, ts};
    record.rdp = &tx;
    record.tx_id = static_cast<std::int64_t>(tx.tx_id);
    tx_.buffers.clear();
    tx_record_ = &record;
    emit(flow, d);
    tx_record_ = nullptr;
    if (metadata_) metadata_(record);
  });
  counters_.countParseErrors(flow, rdp.errors() - errors);
}

}  // namespace gsoc::sensor
