// EVE bittorrent_dht objects, as Suricata's bittorrent-dht logger writes them: the KRPC
// transaction id and client version (hex), then the query (its type and arguments), the
// response (node id, compact nodes, peers, token) or the error (code, message).

#include "sensor/app/BittorrentDhtParser.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void hex(EveLine& out, std::string_view bytes) {
  out << '"';
  for (const char c : bytes) {
    const auto b = static_cast<std::uint8_t>(c);
    out << kHex[b >> 4] << kHex[b & 15];
  }
  out << '"';
}

// An address as Suricata prints it: dotted for IPv4, eight groups of four hex digits for IPv6.
void ipText(EveLine& out, const DhtPeer& peer) {
  if (peer.ip_size == 4) {
    out << unsigned{peer.ip[0]} << '.' << unsigned{peer.ip[1]} << '.' << unsigned{peer.ip[2]} << '.' << unsigned{peer.ip[3]};
    return;
  }
  for (std::size_t i = 0; i < 16; ++i) {
    if (i != 0 && i % 2 == 0) out << ':';
    out << kHex[peer.ip[i] >> 4] << kHex[peer.ip[i] & 15];
  }
}

// "ip":"...","port":N
void address(EveLine& out, const DhtPeer& peer) {
  out << "\"ip\":\"";
  ipText(out, peer);
  out << "\",\"port\":" << peer.port;
}

void nodeList(EveLine& out, std::string_view name, const ReusingVector<DhtNode>& nodes) {
  if (nodes.empty()) return;
  out << ",\"" << name << "\":[";
  const char* sep = "";
  for (const DhtNode& node : nodes) {
    out << sep << "{\"id\":";
    hex(out, std::string_view(reinterpret_cast<const char*>(node.id.data()), node.id.size()));
    out << ',';
    address(out, node.address);
    out << '}';
    sep = ",";
  }
  out << ']';
}

}  // namespace

void EveWriter::bittorrentDhtObject(const BittorrentDhtMessage& m) {
  const auto hexField = [this](std::string_view name, const std::optional<std::string>& value) {
    if (!value) return;
    out_ << name;
    hex(out_, *value);
  };
  out_ << ",\"bittorrent_dht\":{\"transaction_id\":";
  hex(out_, m.transaction_id);
  if (m.client_version) {
    out_ << ",\"client_version\":";
    hex(out_, *m.client_version);
  }
  if (m.has_request) {
    out_ << ",\"request_type\":";
    string(m.request_type);
  }
  if (m.has_error) {
    out_ << ",\"error\":{\"num\":" << m.error_num << ",\"msg\":";
    string(m.error_msg);
    out_ << '}';
  }
  if (m.has_request) {
    out_ << ",\"request\":{\"id\":";
    hex(out_, m.request_id);
    hexField(",\"target\":", m.target);
    hexField(",\"info_hash\":", m.info_hash);
    hexField(",\"token\":", m.request_token);
    if (m.implied_port) out_ << ",\"implied_port\":" << unsigned{*m.implied_port};
    if (m.port) out_ << ",\"port\":" << *m.port;
    out_ << '}';
  }
  if (m.has_response) {
    out_ << ",\"response\":{\"id\":";
    hex(out_, m.response_id);
    nodeList(out_, "nodes", m.nodes);
    nodeList(out_, "nodes6", m.nodes6);
    if (!m.values.empty()) {
      out_ << ",\"values\":[";
      const char* sep = "";
      for (const DhtPeer& peer : m.values) {
        out_ << sep << '{';
        address(out_, peer);
        out_ << '}';
        sep = ",";
      }
      out_ << ']';
    }
    hexField(",\"token\":", m.response_token);
    out_ << '}';
  }
  out_ << '}';
}

}  // namespace gsoc::sensor
