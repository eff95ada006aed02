#pragma once
// SNMP (RFC 1157, 3416, 3412/3414) on UDP ports 161 and 162, as Suricata's snmp parser reads
// it: versions 1, 2c and 3, a message per datagram and each message a transaction. A v1/v2c
// message gives its community and PDU (type, error status, the variable names, a v1 trap's
// enterprise OID and agent address); a v3 message its USM user name and, unless its scoped PDU
// is encrypted, the PDU. Messages are read with the bounded BER reader (DerReader.hpp); one that
// does not decode is counted and skipped. The message and its strings are reused: steady state
// allocates nothing.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/FunctionRef.hpp"
#include "common/ReusingVector.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct SnmpMessage {
  std::uint64_t tx_id = 0;
  std::uint8_t version = 0;  // as Suricata logs it: 1, 2 (v2c) or 3
  bool encrypted = false;    // a v3 message whose scoped PDU is encrypted
  bool has_pdu = false;
  std::uint8_t pdu_type = 0;  // the PDU's context tag: 0 GetRequest ... 8 Report
  std::int64_t error_status = 0;
  bool has_community = false;
  std::string community;
  bool has_usm = false;  // a v3 message under the user-based security model
  std::string usm;       // its user name
  ReusingVector<std::string> vars;  // the variable bindings' names, dotted
  bool has_trap = false;            // a v1 trap's
  std::int64_t trap_type = 0;       // generic-trap
  std::string trap_oid;             // enterprise
  std::string trap_address;         // agent-addr, dotted quad
  void clear();
};

// "get_request", "get_next_request"... (Suricata's names); empty for an unknown type.
std::string_view snmpPduTypeName(std::uint8_t type);
// The type a name stands for (snmp.pdu_type takes names); -1 for none.
int snmpPduTypeByName(std::string_view name);
// Suricata's names of a v1 trap's generic type ("ColdStart"...) and of an error status ("NoSuchName"...).
std::string snmpTrapTypeName(std::int64_t type);
std::string snmpErrorName(std::int64_t status);

// Decodes one message; false when it is no SNMP message of version 1, 2c or 3.
bool parseSnmpMessage(std::span<const std::uint8_t> data, SnmpMessage& out);
// Whether a datagram starts like an SNMP message (a SEQUENCE holding version 0, 1 or 3).
bool looksLikeSnmp(std::span<const std::uint8_t> data);

class SnmpState final : public AppState {
 public:
  using MessageSink = FunctionRef<void(signatures::FlowDirection, const SnmpMessage&)>;
  // One UDP datagram.
  void datagram(signatures::FlowDirection dir, std::span<const std::uint8_t> payload, const MessageSink& sink);
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  void reset();

 private:
  SnmpMessage message_;
  std::uint64_t next_tx_id_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor
