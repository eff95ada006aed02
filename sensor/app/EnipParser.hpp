#pragma once
// EtherNet/IP (TCP and UDP port 44818) with CIP, as Suricata 8's enip parser reads it: each
// encapsulation PDU is a 24-octet header (command, length, session handle, status, sender
// context, options) and `length` octets of command data. RegisterSession carries a protocol
// version and options; ListIdentity, ListServices and ListInterfaces replies a list of items
// (an identity or a service); SendRRData and SendUnitData an interface handle, a timeout and
// common packet format items, whose first data item (connected 0xb1, unconnected 0xb2) holds a
// CIP service: a request with its logical path (class, instance, attribute segments) and, for
// Get/Set Attribute List and Multiple Service Packet, what follows it; a response with its
// general and extended status. Command data that does not decode is kept as unparsed and the
// PDU marked invalid (Suricata's invalid_pdu), never dropped. A response pairs with the oldest
// open request of the same command and session (and CIP sequence number) as Suricata's; a
// request passed over is done. Transactions, their paths and strings are reused: steady state
// allocates nothing.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/app/AckedBytes.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

inline constexpr std::size_t kEnipHeaderSize = 24;

struct CipSegment {
  std::uint8_t type = 0;  // the segment octet: 0x20 class, 0x24 instance, 0x30 attribute (| size)
  std::uint32_t value = 0;
  // 8 class, 9 instance, 12 attribute (Suricata's segment_type >> 2).
  [[nodiscard]] std::uint8_t kind() const { return static_cast<std::uint8_t>(type >> 2); }
};

// One CIP service: a request (path, attributes named) or a response (status).
struct CipService {
  std::uint8_t service = 0;  // without the response bit
  bool response = false;
  std::uint8_t status = 0;
  std::string status_extended;  // the extended status words, as sent
  std::vector<CipSegment> path;
  std::vector<std::uint16_t> attributes;  // Get Attribute List's, Set Attribute List's first
  void clear() {
    service = status = 0;
    response = false;
    status_extended.clear();
    path.clear();
    attributes.clear();
  }
};

struct EnipIdentity {
  std::uint16_t protocol_version = 0, vendor_id = 0, device_type = 0, product_code = 0, status = 0;
  std::uint8_t revision_major = 0, revision_minor = 0, state = 0;
  std::uint32_t serial = 0;
  std::string product_name;
};

struct EnipServiceItem {
  std::uint16_t protocol_version = 0, capabilities = 0;
  std::string name;  // 16 octets, as sent
};

struct EnipPdu {
  enum class Payload : std::uint8_t { Unparsed, Cip, ListIdentity, ListServices, ListInterfaces, RegisterSession };
  std::uint16_t command = 0;
  std::uint16_t length = 0;
  std::uint32_t session = 0;
  std::uint32_t status = 0;
  std::uint32_t options = 0;
  Payload payload = Payload::Unparsed;
  bool invalid = false;
  // RegisterSession
  std::uint16_t session_version = 0, session_options = 0;
  // The list replies' first item.
  bool has_identity = false;
  EnipIdentity identity;
  bool has_service_item = false;
  EnipServiceItem service_item;
  // SendRRData / SendUnitData: the items' count, the second item's type and, for connected
  // data, its sequence number (how a reply finds its request).
  std::uint16_t item_count = 0;
  std::uint16_t second_item_type = 0;
  bool has_sequence = false;
  std::uint16_t sequence = 0;
  // The first data item's CIP service (cip[0]) and, for a Multiple Service Packet, its
  // services after it (cip_count in all).
  std::size_t cip_count = 0;
  std::vector<CipService> cip;
  void clear();
  [[nodiscard]] bool hasCip() const { return cip_count > 0; }
};

// Decodes one PDU of `d` (header and command data) into `out`: the octets it took, 0 when `d`
// holds less than a whole PDU.
std::size_t parseEnipPdu(std::span<const std::uint8_t> d, EnipPdu& out);
// Whether `d` starts with a header Suricata's probe accepts (a known command and status, the
// lengths RegisterSession and UnregisterSession need).
bool looksLikeEnip(std::span<const std::uint8_t> d);

// Names, as Suricata 8 logs them: "list_identity", "success" (empty when unknown).
std::string_view enipCommandName(std::uint16_t command);
std::string_view enipStatusName(std::uint32_t status);
std::string_view cipServiceName(std::uint8_t service);
std::string_view cipStatusName(std::uint8_t status);
std::string_view cipClassName(std::uint32_t cls);
std::string_view enipVendorName(std::uint16_t vendor);
std::string_view enipDeviceTypeName(std::uint16_t type);
// A command by its name (enip_command's values), -1 for none.
int enipCommandByName(std::string_view name);

struct EnipTransaction {
  std::uint64_t tx_id = 0;  // from 1, in the flow
  bool has_request = false, has_response = false;
  bool done = false;  // a later reply passed it over
  bool request_inspected = false, response_inspected = false;
  bool logged = false;
  EnipPdu request, response;
  [[nodiscard]] bool complete() const { return (has_request || done) && (has_response || done); }
};

class EnipState final : public AppState {
 public:
  // Open transactions at most (Suricata's enip max-tx): past it the oldest are given up.
  static constexpr std::size_t kMaxTx = 1024;
  // A side's bytes over TCP, held until the other side acknowledges them (AckedBytes).
  AckedBytes& pending(signatures::FlowDirection dir) { return sides_[dir == signatures::FlowDirection::ToServer ? 0 : 1]; }
  // Parses the released bytes of `dir` into transactions.
  void parse(signatures::FlowDirection dir);
  // One UDP datagram: a PDU (the rest of the datagram is ignored); false when it is none.
  bool datagram(signatures::FlowDirection dir, std::span<const std::uint8_t> payload);
  // Sides of transactions parsed and not yet inspected, of one direction.
  template <typename F>
  void forUninspected(signatures::FlowDirection dir, F&& f) {
    const bool requests = dir == signatures::FlowDirection::ToServer;
    for (auto& tx : txs_) {
      bool& inspected = requests ? tx->request_inspected : tx->response_inspected;
      if (inspected || !(requests ? tx->has_request : tx->has_response)) continue;
      inspected = true;
      f(*tx);
    }
  }
  // Transactions complete (or all of them, the flow ends) and not logged yet.
  template <typename F>
  void forUnlogged(bool all, F&& f) {
    for (auto& tx : txs_) {
      if (tx->logged || !(all || tx->complete())) continue;
      tx->logged = true;
      f(*tx);
    }
  }
  // Drops transactions logged and inspected (kept for reuse).
  void prune();
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  void reset();

 private:
  void add(bool request, std::span<const std::uint8_t> pdu);
  EnipTransaction& open();

  AckedBytes sides_[2];
  EnipPdu scratch_;
  std::vector<std::unique_ptr<EnipTransaction>> txs_;    // oldest first
  std::vector<std::unique_ptr<EnipTransaction>> spare_;  // for reuse
  std::uint64_t next_tx_id_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor
