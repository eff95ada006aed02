// EVE dhcp objects, as Suricata's dhcp logger writes them: the BOOTP type ("request", "reply"),
// the transaction id, the client's hardware address and the address assigned, then the options
// it logs. The extended form (eve-log dhcp extended) adds the client's, relay's and next server's
// addresses, the lease and rebinding times, the subnet mask, the requested address, the
// parameter list, DNS servers, routers and the vendor class; the renewal time, host name, client
// id and message type are in both.

#include <cstdio>
#include <string>

#include "sensor/app/DhcpParser.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {

namespace {

// "aa:bb:cc" (Suricata's format_addr_hex).
std::string hexWithColons(std::string_view bytes) {
  std::string out;
  char octet[4];
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::snprintf(octet, sizeof octet, i ? ":%02x" : "%02x", static_cast<unsigned char>(bytes[i]));
    out += octet;
  }
  return out;
}

// Four octets as a dotted quad; anything else as "" (Suricata's dns_print_addr on a DHCP field).
std::string dotted(std::string_view bytes) {
  if (bytes.size() != 4) return {};
  return std::to_string(static_cast<unsigned char>(bytes[0])) + "." + std::to_string(static_cast<unsigned char>(bytes[1])) + "." +
         std::to_string(static_cast<unsigned char>(bytes[2])) + "." + std::to_string(static_cast<unsigned char>(bytes[3]));
}

std::string dotted(const DhcpMessage::Address& a) {
  return dotted(std::string_view(reinterpret_cast<const char*>(a.data()), a.size()));
}

}  // namespace

void EveWriter::dhcpObject(const DhcpMessage& m) {
  const bool extended = options_.dhcp_extended;
  out_ << ",\"dhcp\":{\"type\":\"" << (m.opcode == 1 ? "request" : m.opcode == 2 ? "reply" : "<unknown>") << "\",\"id\":" << m.xid
       << ",\"client_mac\":\"" << hexWithColons(m.client_mac) << "\",\"assigned_ip\":\"" << dotted(m.your_ip) << "\"";
  if (extended) {
    out_ << ",\"client_ip\":\"" << dotted(m.client_ip) << "\"";
    if (m.opcode == 2) out_ << ",\"relay_ip\":\"" << dotted(m.relay_ip) << "\",\"next_server_ip\":\"" << dotted(m.server_ip) << "\"";
  }
  if (m.has_client_id) out_ << ",\"client_id\":\"" << hexWithColons(m.client_id) << "\"";
  if (extended && m.lease_time) out_ << ",\"lease_time\":" << *m.lease_time;
  if (extended && m.rebinding_time) out_ << ",\"rebinding_time\":" << *m.rebinding_time;
  if (m.renewal_time) out_ << ",\"renewal_time\":" << *m.renewal_time;
  if (extended && !m.subnet_mask.empty()) out_ << ",\"subnet_mask\":\"" << dotted(m.subnet_mask) << "\"";
  if (!m.hostname.empty()) {
    out_ << ",\"hostname\":";
    string(m.hostname);
  }
  if (m.dhcp_type) out_ << ",\"dhcp_type\":\"" << dhcpTypeName(*m.dhcp_type) << "\"";
  if (extended && !m.requested_ip.empty()) out_ << ",\"requested_ip\":\"" << dotted(m.requested_ip) << "\"";
  if (extended && m.has_params) {
    out_ << ",\"params\":[";
    bool first = true;
    for (const char c : m.params) {
      const std::string_view name = dhcpParameterName(static_cast<std::uint8_t>(c));
      if (name.empty()) continue;
      out_ << (first ? "\"" : ",\"") << name << "\"";
      first = false;
    }
    out_ << "]";
  }
  const auto addresses = [&](const char* key, const std::string& list) {
    out_ << ",\"" << key << "\":[";
    for (std::size_t i = 0; i + 4 <= list.size(); i += 4) out_ << (i ? ",\"" : "\"") << dotted(std::string_view(list).substr(i, 4)) << "\"";
    out_ << "]";
  };
  if (extended && m.has_dns_servers) addresses("dns_servers", m.dns_servers);
  if (extended && m.has_routers) addresses("routers", m.routers);
  if (extended && !m.vendor_class.empty()) {
    out_ << ",\"vendor_class_identifier\":";
    string(m.vendor_class);
  }
  out_ << "}";
}

}  // namespace gsoc::sensor
