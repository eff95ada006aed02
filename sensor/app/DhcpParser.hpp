#pragma once
// DHCP (RFC 2131, 2132) on UDP ports 67 and 68, as Suricata's dhcp parser reads it: each BOOTP
// message with the DHCP magic cookie is a transaction, its header (opcode, transaction id, the
// client's hardware address, the four addresses) and the options Suricata logs and inspects
// (message type, host name, client id, lease, renewal and rebinding times, subnet mask,
// requested address, parameter list, DNS servers, routers, vendor class). Options that run past
// the datagram end the walk and raise dhcp.truncated_options. A datagram shorter than a header
// or without the cookie is counted and skipped. The message's strings are reused: steady state
// allocates nothing.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/FunctionRef.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct DhcpMessage {
  using Address = std::array<std::uint8_t, 4>;
  std::uint64_t tx_id = 0;
  std::uint8_t opcode = 0;  // 1 BOOTREQUEST, 2 BOOTREPLY
  std::uint32_t xid = 0;
  std::string client_mac;  // chaddr, its first hlen octets (at most 16)
  Address client_ip{}, your_ip{}, server_ip{}, relay_ip{};
  std::optional<std::uint8_t> dhcp_type;  // option 53
  std::string hostname;                   // option 12
  bool has_client_id = false;             // option 61, its identifier after the type octet
  std::string client_id;
  std::optional<std::uint32_t> lease_time, renewal_time, rebinding_time;  // options 51, 58, 59
  std::string subnet_mask, requested_ip;  // options 1 and 50, raw
  bool has_params = false;
  std::string params;                     // option 55: the requested codes
  bool has_dns_servers = false, has_routers = false;
  std::string dns_servers, routers;       // options 6 and 3: addresses, four octets each
  std::string vendor_class;               // option 60
  bool truncated_options = false;
  void clear();
};

// Suricata's names: "discover"... for a message type; "subnet_mask"... for a requested
// parameter (empty for one Suricata does not name).
std::string_view dhcpTypeName(std::uint8_t type);
std::string_view dhcpParameterName(std::uint8_t code);

// Decodes a message; false when `data` is no BOOTP message with the DHCP cookie.
bool parseDhcpMessage(std::span<const std::uint8_t> data, DhcpMessage& out);
// Suricata's probe: a whole header (and more: 232 octets at least) with the cookie.
bool looksLikeDhcp(std::span<const std::uint8_t> data);

class DhcpState final : public AppState {
 public:
  using MessageSink = FunctionRef<void(const DhcpMessage&)>;
  void datagram(std::span<const std::uint8_t> payload, const MessageSink& sink);
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  void reset();

 private:
  DhcpMessage message_;
  std::uint64_t next_tx_id_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor
