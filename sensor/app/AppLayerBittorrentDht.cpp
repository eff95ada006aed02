// The app layer's BitTorrent DHT: a datagram, either way and on any port, that starts with a
// KRPC query's "d1:ad2:id20:" starts it (Suricata's detection pattern), then each datagram
// that starts like KRPC is a message: its record (and the alerts on the datagram) carry its
// object, and one that does not decode raises bittorrent-dht.malformed_packet.

#include "sensor/app/AppLayer.hpp"

namespace gsoc::sensor {

using signatures::AppProto;
using signatures::FlowDirection;

bool AppLayer::parseBittorrentDhtDatagram(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> payload, std::int64_t ts) {
  if (flow.app == AppProto::None) {
    if (!startsBittorrentDhtQuery(payload) || protocolMode(AppProto::BittorrentDht) == ProtocolMode::Off) return false;
    flow.app = AppProto::BittorrentDht;
    flow.app_layer.identified_by = dir;
    flow.app_layer.detection_done = true;
  }
  if (flow.app != AppProto::BittorrentDht) return false;
  if (protocolMode(AppProto::BittorrentDht) == ProtocolMode::DetectionOnly) return true;
  if (!flow.app_layer.state) flow.app_layer.state = bittorrent_dht_states_.take([] { return std::make_unique<BittorrentDhtState>(); });
  auto& dht = static_cast<BittorrentDhtState&>(*flow.app_layer.state);
  const std::uint64_t errors = dht.errors();
  // The message stays in the flow's state until its next datagram: the record may view it.
  dht.datagram(payload, [&](const BittorrentDhtMessage& m) {
    AppMetadata record{AppMetadata::Kind::BittorrentDht, &flow, dir, ts};
    record.bittorrent_dht = &m;
    record.tx_id = static_cast<std::int64_t>(m.tx_id);
    publishDatagramRecord(record);
  });
  counters_.countParseErrors(flow, dht.errors() - errors);
  return true;
}

}  // namespace gsoc::sensor
