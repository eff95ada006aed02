// EVE snmp objects, as Suricata's snmp logger writes them: the version, the PDU type
// ("encrypted" for an encrypted v3 scoped PDU, and then nothing else), an error status by name
// when not zero, a v1 trap's type, enterprise OID and agent address, the bound variables' names,
// the community and the USM user name.

#include <string>

#include "sensor/app/SnmpParser.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {

void EveWriter::snmpObject(const SnmpMessage& m) {
  out_ << ",\"snmp\":{\"version\":" << static_cast<unsigned>(m.version);
  if (m.encrypted) {
    out_ << ",\"pdu_type\":\"encrypted\"}";
    return;
  }
  if (m.has_pdu) {
    const std::string_view name = snmpPduTypeName(m.pdu_type);
    out_ << ",\"pdu_type\":";
    string(name.empty() ? "Unknown(0x" + std::to_string(m.pdu_type) + ")" : std::string(name));
    if (m.error_status != 0) {
      out_ << ",\"error\":";
      string(snmpErrorName(m.error_status));
    }
    if (m.has_trap) {
      out_ << ",\"trap_type\":";
      string(snmpTrapTypeName(m.trap_type));
      out_ << ",\"trap_oid\":";
      string(m.trap_oid);
      out_ << ",\"trap_address\":";
      string(m.trap_address);
    }
    if (!m.vars.empty()) {
      out_ << ",\"vars\":[";
      for (std::size_t i = 0; i < m.vars.size(); ++i) {
        if (i) out_ << ",";
        string(m.vars[i]);
      }
      out_ << "]";
    }
  }
  if (m.has_community) {
    out_ << ",\"community\":";
    string(m.community);
  }
  if (m.has_usm) {
    out_ << ",\"usm\":";
    string(m.usm);
  }
  out_ << "}";
}

}  // namespace gsoc::sensor
