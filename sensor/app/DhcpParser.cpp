#include "sensor/app/DhcpParser.hpp"

#include <algorithm>

namespace gsoc::sensor {

namespace {

constexpr std::size_t kHeaderSize = 240;  // the fixed BOOTP fields and the cookie
constexpr std::uint8_t kCookie[4] = {0x63, 0x82, 0x53, 0x63};

std::uint32_t be32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 | static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}

void assign(std::string& out, std::span<const std::uint8_t> data) {
  out.assign(reinterpret_cast<const char*>(data.data()), data.size());
}

// The options after the cookie, as Suricata's parser walks them: the end option stops the walk;
// the client id holds a type octet before the identifier; the time options are four octets
// whatever their length says; any other option is its length's octets.
void walkOptions(std::span<const std::uint8_t> d, DhcpMessage& out) {
  std::size_t at = 0;
  while (at < d.size()) {
    const std::uint8_t code = d[at];
    if (code == 255) return;
    if (d.size() - at < 2) break;
    const std::size_t length = d[at + 1];
    at += 2;
    if (code == 51 || code == 58 || code == 59) {
      if (d.size() - at < 4) break;
      const std::uint32_t seconds = be32(&d[at]);
      (code == 51 ? out.lease_time : code == 58 ? out.renewal_time : out.rebinding_time) = seconds;
      at += 4;
      continue;
    }
    if (d.size() - at < length || (code == 61 && length == 0)) break;
    const auto data = d.subspan(at, length);
    at += length;
    switch (code) {
      case 1: assign(out.subnet_mask, data); break;
      case 3: assign(out.routers, data); out.has_routers = true; break;
      case 6: assign(out.dns_servers, data); out.has_dns_servers = true; break;
      case 12: assign(out.hostname, data); break;
      case 50: assign(out.requested_ip, data); break;
      case 53: if (!data.empty()) out.dhcp_type = data[0]; break;
      case 55: assign(out.params, data); out.has_params = true; break;
      case 60: assign(out.vendor_class, data); break;
      case 61: assign(out.client_id, data.subspan(1)); out.has_client_id = true; break;
      default: break;
    }
  }
  out.truncated_options = true;
}

}  // namespace

void DhcpMessage::clear() {
  opcode = 0;
  xid = 0;
  client_mac.clear();
  client_ip = your_ip = server_ip = relay_ip = Address{};
  dhcp_type.reset();
  hostname.clear();
  has_client_id = has_params = has_dns_servers = has_routers = truncated_options = false;
  client_id.clear();
  lease_time.reset();
  renewal_time.reset();
  rebinding_time.reset();
  subnet_mask.clear();
  requested_ip.clear();
  params.clear();
  dns_servers.clear();
  routers.clear();
  vendor_class.clear();
}

std::string_view dhcpTypeName(std::uint8_t type) {
  switch (type) {
    case 1: return "discover";
    case 2: return "offer";
    case 3: return "request";
    case 4: return "decline";
    case 5: return "ack";
    case 6: return "nak";
    case 7: return "release";
    case 8: return "inform";
    default: return "unknown";
  }
}

std::string_view dhcpParameterName(std::uint8_t code) {
  switch (code) {
    case 1: return "subnet_mask";
    case 3: return "router";
    case 6: return "dns_server";
    case 15: return "domain";
    case 35: return "arp_timeout";
    case 42: return "ntp_server";
    case 66: return "tftp_server_name";
    case 150: return "tftp_server_ip";
    default: return {};
  }
}

bool parseDhcpMessage(std::span<const std::uint8_t> d, DhcpMessage& out) {
  out.clear();
  if (d.size() < kHeaderSize || !std::equal(std::begin(kCookie), std::end(kCookie), d.begin() + 236)) return false;
  out.opcode = d[0];
  out.xid = be32(&d[4]);
  std::copy_n(&d[12], 4, out.client_ip.begin());
  std::copy_n(&d[16], 4, out.your_ip.begin());
  std::copy_n(&d[20], 4, out.server_ip.begin());
  std::copy_n(&d[24], 4, out.relay_ip.begin());
  assign(out.client_mac, d.subspan(28, std::min<std::size_t>(d[2], 16)));
  walkOptions(d.subspan(kHeaderSize), out);
  return true;
}

bool looksLikeDhcp(std::span<const std::uint8_t> d) {
  return d.size() >= kHeaderSize && std::equal(std::begin(kCookie), std::end(kCookie), d.begin() + 236);
}

void DhcpState::datagram(std::span<const std::uint8_t> payload, const MessageSink& sink) {
  if (!parseDhcpMessage(payload, message_)) {
    ++errors_;
    return;
  }
  message_.tx_id = next_tx_id_++;
  if (message_.truncated_options) events.set(signatures::AnomalyEvent::DhcpTruncatedOptions);
  sink(message_);
}

void DhcpState::reset() {
  message_.clear();
  next_tx_id_ = 0;
  errors_ = 0;
  events.clear();
}

}  // namespace gsoc::sensor
