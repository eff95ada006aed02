// EVE enip objects, as Suricata 8's enip logger writes them: a transaction's request and
// response, each with its command and status names, options when set, and what its command
// data holds: the CIP service of its first data item (path, class name, status, a Multiple
// Service Packet's services), a RegisterSession's version, a ListServices or ListIdentity
// reply's first item.

#include <string>

#include "sensor/app/EnipParser.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {

namespace {

// A name, or "unknown-<n>" as Suricata writes a code without one.
std::string nameOr(std::string_view name, std::uint64_t n) {
  return name.empty() ? "unknown-" + std::to_string(n) : std::string(name);
}

}  // namespace

void EveWriter::enipObject(const EnipTransaction& tx) {
  const auto pdu = [&](const EnipPdu& p) {
    out_ << "{\"command\":";
    string(nameOr(enipCommandName(p.command), p.command));
    out_ << ",\"status\":";
    string(nameOr(enipStatusName(p.status), p.status));
    if (p.options != 0) out_ << ",\"options\":" << p.options;
    const auto service = [&](const CipService& s) {
      out_ << "{\"service\":";
      string(nameOr(cipServiceName(s.service), s.service));
      if (s.response) {
        out_ << ",\"status\":";
        string(nameOr(cipStatusName(s.status), s.status));
        if (!s.status_extended.empty()) {
          constexpr char kHex[] = "0123456789ABCDEF";
          out_ << ",\"status_extended\":\"";
          for (const char c : s.status_extended) {
            const auto b = static_cast<std::uint8_t>(c);
            out_ << kHex[b >> 4] << kHex[b & 15];
          }
          out_ << '"';
        }
      } else if (!s.path.empty()) {
        out_ << ",\"path\":[";
        for (std::size_t i = 0; i < s.path.size(); ++i) {
          const CipSegment& seg = s.path[i];
          const std::uint8_t kind = seg.kind();
          out_ << (i ? "," : "") << "{\"segment_type\":";
          string(kind == 8 ? "class" : kind == 9 ? "instance" : kind == 12 ? "attribute" : "unknown-" + std::to_string(seg.type));
          out_ << ",\"value\":" << seg.value << "}";
        }
        out_ << "]";
        for (std::size_t i = s.path.size(); i-- > 0;) {
          if ((s.path[i].type & 0xfc) != 0x20) continue;  // the last class segment names the class
          const std::uint32_t cls = s.path[i].value;
          out_ << ",\"class_name\":";
          string(cls == 0 ? std::string() : nameOr(cipClassName(cls), cls));
          break;
        }
      }
    };
    if (p.payload == EnipPdu::Payload::Cip && p.hasCip()) {
      out_ << ",\"cip\":";
      service(p.cip[0]);
      if (p.cip_count > 1) {
        out_ << ",\"multiple\":[";
        for (std::size_t i = 1; i < p.cip_count; ++i) {
          if (i > 1) out_ << ",";
          service(p.cip[i]);
          out_ << "}";
        }
        out_ << "]";
      }
      out_ << "}";
    } else if (p.payload == EnipPdu::Payload::RegisterSession) {
      out_ << ",\"register_session\":{\"protocol_version\":" << p.session_version << ",\"options\":" << p.session_options << "}";
    } else if (p.payload == EnipPdu::Payload::ListServices && p.has_service_item) {
      out_ << ",\"list_services\":{\"protocol_version\":" << p.service_item.protocol_version
           << ",\"capabilities\":" << p.service_item.capabilities << ",\"service_name\":";
      string(p.service_item.name);
      out_ << "}";
    } else if (p.payload == EnipPdu::Payload::ListIdentity && p.has_identity) {
      const EnipIdentity& id = p.identity;
      out_ << ",\"identity\":{\"protocol_version\":" << id.protocol_version << ",\"revision\":\""
           << static_cast<unsigned>(id.revision_major) << "." << static_cast<unsigned>(id.revision_minor) << "\",\"vendor_id\":";
      string(nameOr(enipVendorName(id.vendor_id), id.vendor_id));
      out_ << ",\"device_type\":";
      string(nameOr(enipDeviceTypeName(id.device_type), id.device_type));
      out_ << ",\"product_code\":" << id.product_code << ",\"status\":" << id.status << ",\"serial\":" << id.serial
           << ",\"product_name\":";
      string(id.product_name);
      out_ << ",\"state\":" << static_cast<unsigned>(id.state) << "}";
    }
    out_ << "}";
  };
  out_ << ",\"enip\":{";
  if (tx.has_request) {
    out_ << "\"request\":";
    pdu(tx.request);
  }
  if (tx.has_response) {
    out_ << (tx.has_request ? "," : "") << "\"response\":";
    pdu(tx.response);
  }
  out_ << "}";
}

}  // namespace gsoc::sensor
