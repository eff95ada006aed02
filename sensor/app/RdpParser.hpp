#pragma once
// RDP connection setup (MS-RDPBCGR 1.3.1.1) on TCP port 3389, as Suricata 8's rdp parser reads
// it: TPKT-framed X.224 PDUs, each one of interest a transaction: the client's Connection
// Request (routing cookie, negotiation request flags), the server's Connection Confirm
// (negotiation response or failure), the MCS Connect Initial's client data (core data: version,
// desktop, keyboard, build, name, product id, capabilities...; network data: channel names)
// and the MCS Connect Response. Where a side's bytes stop being TPKT and start a TLS handshake
// record (the negotiation picked TLS or CredSSP), its records are followed instead, and the
// server's Certificate message is a transaction too (its chain's serial numbers), as Suricata
// reads it. The setup ends (and parsing stops) at the Connect Response or the certificates.
// Bytes that are neither TPKT nor TLS are counted and end the parse. Buffers and strings are
// reused: steady state allocates nothing.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/FunctionRef.hpp"
#include "common/ReusingVector.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

// MS-RDPBCGR 2.2.1.3.2 TS_UD_CS_CORE, the fields Suricata logs (has_*: the optional fields
// present; each needs the ones before it).
struct RdpClientCore {
  std::uint32_t version = 0;
  std::uint16_t desktop_width = 0, desktop_height = 0;
  std::uint16_t color_depth = 0;
  std::uint32_t keyboard_layout = 0;
  std::uint32_t client_build = 0;
  std::string client_name;
  std::uint32_t keyboard_type = 0, keyboard_subtype = 0, keyboard_function_key = 0;
  std::string ime_file_name;
  bool has_post_beta2_color_depth = false, has_product_id = false, has_serial_number = false;
  bool has_high_color_depth = false, has_supported_color_depth = false, has_early_capability_flags = false;
  bool has_dig_product_id = false, has_connection_type = false, has_server_selected_protocol = false;
  bool has_physical_size = false, has_orientation = false, has_scale_factors = false;
  std::uint16_t post_beta2_color_depth = 0, product_id = 0;
  std::uint32_t serial_number = 0;
  std::uint16_t high_color_depth = 0, supported_color_depth = 0, early_capability_flags = 0;
  std::string dig_product_id;
  std::uint8_t connection_type = 0;
  std::uint32_t physical_width = 0, physical_height = 0;
  std::uint16_t orientation = 0;
  std::uint32_t desktop_scale_factor = 0, device_scale_factor = 0;
};

struct RdpTransaction {
  enum class Type : std::uint8_t { InitialRequest, InitialResponse, ConnectRequest, ConnectResponse, TlsHandshake };
  std::uint64_t tx_id = 0;
  Type type = Type::InitialRequest;
  // InitialRequest
  bool has_cookie = false;
  std::string cookie;  // the mstshash routing token
  bool has_negotiation_request = false;
  std::uint8_t request_flags = 0;
  std::uint32_t requested_protocols = 0;
  // InitialResponse: a negotiation response (protocol, flags) or failure (code), or neither
  bool has_negotiation_response = false;
  std::uint8_t response_flags = 0;
  std::uint32_t protocol = 0;  // 0 RDP, 1 SSL, 2 HYBRID, 4 RDSTLS, 8 HYBRID_EX
  bool has_negotiation_failure = false;
  std::uint32_t failure_code = 0;
  // ConnectRequest
  bool has_client_core = false;
  RdpClientCore client;
  ReusingVector<std::string> channels;
  // TlsHandshake: the server's certificate chain, each certificate's serial number (lower-case
  // hex, no leading zeros)
  ReusingVector<std::string> x509_serials;
};

// Names Suricata logs: the client version ("v5", "v10.7"; empty when unknown), the build
// ("Windows XP"; empty when unknown), the keyboard type ("enhanced"), a keyboard layout ("en-US";
// empty when unknown), the negotiated protocol ("ssl").
std::string_view rdpClientVersionName(std::uint32_t version);
std::string rdpBuildName(std::uint32_t build);
std::string_view rdpKeyboardTypeName(std::uint32_t type);
std::string_view rdpKeyboardLayoutName(std::uint32_t lcid);
std::string_view rdpProtocolName(std::uint32_t protocol);

class RdpState final : public AppState {
 public:
  using TransactionSink = FunctionRef<void(signatures::FlowDirection, const RdpTransaction&)>;
  // The bytes of one direction, as they arrive; each complete PDU of interest goes to `sink`.
  void feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const TransactionSink& sink);
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  void reset();

 private:
  // One TPKT's X.224 PDU; false when it is none (the parse stops).
  bool pdu(signatures::FlowDirection dir, std::span<const std::uint8_t> pdu, const TransactionSink& sink);
  // One TLS record's content (type 22: handshake messages); false when it does not read.
  bool tlsRecord(signatures::FlowDirection dir, std::span<const std::uint8_t> record, const TransactionSink& sink);

  std::string pending_[2];
  RdpTransaction tx_;
  std::uint64_t next_tx_id_ = 0;
  std::uint64_t errors_ = 0;
  bool tls_[2] = {false, false};  // a side's bytes are TLS records
  bool failed_ = false;
  bool done_ = false;  // the MCS Connect Response ended the setup
};

// A TPKT carrying an X.224 Connection Request (the client's first bytes) or Connection Confirm.
bool looksLikeRdp(std::span<const std::uint8_t> data, bool to_server);

}  // namespace gsoc::sensor
