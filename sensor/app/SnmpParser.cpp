#include "sensor/app/SnmpParser.hpp"

#include <array>

#include "sensor/app/DerReader.hpp"

namespace gsoc::sensor {

using signatures::FlowDirection;
using Class = DerElement::Class;

namespace {

constexpr std::array<std::string_view, 9> kPduNames = {"get_request", "get_next_request", "response",
                                                       "set_request", "trap_v1",          "get_bulk_request",
                                                       "inform_request", "trap_v2",        "report"};

bool octetString(const DerElement& e, std::string& out) {
  if (!e.is(Class::Universal, 4)) return false;
  out.assign(reinterpret_cast<const char*>(e.content.data()), e.content.size());
  return true;
}

bool integer(DerSequence& seq, std::int64_t& value) {
  DerElement e;
  return seq.next(e) && derInteger(e, value);
}

// An OBJECT IDENTIFIER's content in dotted form, the first octets' value split into two arcs
// as X.690 says (80 and more: arc 2).
bool oidText(std::span<const std::uint8_t> content, std::string& out) {
  out.clear();
  if (content.empty()) return false;
  std::uint64_t value = 0;
  bool first = true;
  for (std::size_t i = 0; i < content.size(); ++i) {
    if (value > (std::uint64_t{1} << 56)) return false;  // an arc past 64 bits
    value = (value << 7) | (content[i] & 0x7f);
    if (content[i] & 0x80) {
      if (i + 1 == content.size()) return false;  // cut in the middle of an arc
      continue;
    }
    if (first) {
      const std::uint64_t x = value < 80 ? value / 40 : 2;
      out += std::to_string(x);
      out += '.';
      out += std::to_string(value - x * 40);
      first = false;
    } else {
      out += '.';
      out += std::to_string(value);
    }
    value = 0;
  }
  return true;
}

// VarBindList: SEQUENCE OF SEQUENCE { name OBJECT IDENTIFIER, value }.
bool varBinds(const DerElement& list, SnmpMessage& out) {
  if (!list.is(Class::Universal, 16)) return false;
  DerSequence binds(list.content);
  DerElement bind;
  while (binds.next(bind)) {
    if (!bind.is(Class::Universal, 16)) return false;
    DerSequence parts(bind.content);
    DerElement name;
    if (!parts.next(name) || !name.is(Class::Universal, 6)) return false;
    if (!oidText(name.content, out.vars.next())) return false;
  }
  return !binds.malformed();
}

// A PDU: [context n] with request-id, error-status, error-index and the bindings; a v1 trap
// with enterprise, agent-addr, generic-trap, specific-trap, time-stamp and the bindings.
bool pdu(const DerElement& e, SnmpMessage& out) {
  if (e.cls != Class::Context || !e.constructed || e.tag > 8) return false;
  out.has_pdu = true;
  out.pdu_type = static_cast<std::uint8_t>(e.tag);
  DerSequence seq(e.content);
  DerElement item;
  std::int64_t n = 0;
  if (e.tag == 4) {
    if (!seq.next(item) || !item.is(Class::Universal, 6) || !oidText(item.content, out.trap_oid)) return false;
    if (!seq.next(item) || !item.is(Class::Application, 0) || item.content.size() != 4) return false;
    out.trap_address.clear();
    for (std::size_t i = 0; i < 4; ++i) {
      if (i != 0) out.trap_address += '.';
      out.trap_address += std::to_string(item.content[i]);
    }
    if (!integer(seq, out.trap_type) || !integer(seq, n)) return false;
    if (!seq.next(item) || !item.is(Class::Application, 3)) return false;  // TimeTicks
    out.has_trap = true;
  } else {
    if (!integer(seq, n) || !integer(seq, out.error_status) || !integer(seq, n)) return false;
    if (e.tag == 5) out.error_status = 0;  // GetBulk: non-repeaters and max-repetitions, no status
  }
  if (!seq.next(item)) return false;
  return varBinds(item, out);
}

// SNMPv3 (RFC 3412): msgGlobalData, msgSecurityParameters (a USM's, RFC 3414, when the
// security model is 3) and msgData, a ScopedPDU or, encrypted, an OCTET STRING.
bool v3(DerSequence& seq, SnmpMessage& out) {
  DerElement global;
  if (!seq.next(global) || !global.is(Class::Universal, 16)) return false;
  DerSequence g(global.content);
  std::int64_t id = 0, max_size = 0, model = 0;
  DerElement flags;
  if (!integer(g, id) || !integer(g, max_size) || !g.next(flags) || !flags.is(Class::Universal, 4) ||
      flags.content.size() != 1 || !integer(g, model)) {
    return false;
  }
  DerElement security;
  if (!seq.next(security) || !security.is(Class::Universal, 4)) return false;
  if (model == 3) {
    DerElement usm;
    if (!readDer(security.content, usm) || !usm.is(Class::Universal, 16)) return false;
    DerSequence u(usm.content);
    DerElement engine, name;
    std::int64_t boots = 0, time = 0;
    if (!u.next(engine) || !integer(u, boots) || !integer(u, time) || !u.next(name) || !octetString(name, out.usm)) return false;
    out.has_usm = true;
  }
  DerElement data;
  if (!seq.next(data)) return false;
  if (data.is(Class::Universal, 4)) {
    out.encrypted = true;
    return true;
  }
  if (!data.is(Class::Universal, 16)) return false;
  DerSequence scoped(data.content);
  DerElement engine, context, inner;
  if (!scoped.next(engine) || !scoped.next(context) || !scoped.next(inner)) return false;
  return pdu(inner, out);
}

}  // namespace

void SnmpMessage::clear() {
  version = 0;
  encrypted = has_pdu = has_community = has_usm = has_trap = false;
  pdu_type = 0;
  error_status = trap_type = 0;
  community.clear();
  usm.clear();
  vars.clear();
  trap_oid.clear();
  trap_address.clear();
}

std::string_view snmpPduTypeName(std::uint8_t type) { return type < kPduNames.size() ? kPduNames[type] : std::string_view{}; }

int snmpPduTypeByName(std::string_view name) {
  for (std::size_t i = 0; i < kPduNames.size(); ++i) {
    if (kPduNames[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string snmpTrapTypeName(std::int64_t type) {
  static constexpr std::array<std::string_view, 7> kNames = {"ColdStart", "WarmStart", "LinkDown", "LinkUp",
                                                            "AuthenticationFailure", "EgpNeighborLoss",
                                                            "EnterpriseSpecific"};
  if (type >= 0 && type < static_cast<std::int64_t>(kNames.size())) return std::string(kNames[static_cast<std::size_t>(type)]);
  return "TrapType(" + std::to_string(type) + ")";
}

std::string snmpErrorName(std::int64_t status) {
  static constexpr std::array<std::string_view, 19> kNames = {
      "NoError",  "TooBig",     "NoSuchName",    "BadValue",          "ReadOnly",
      "GenErr",   "NoAccess",   "WrongType",     "WrongLength",       "WrongEncoding",
      "WrongValue", "NoCreation", "InconsistentValue", "ResourceUnavailable", "CommitFailed",
      "UndoFailed", "AuthorizationError", "NotWritable", "InconsistentName"};
  if (status >= 0 && status < static_cast<std::int64_t>(kNames.size())) return std::string(kNames[static_cast<std::size_t>(status)]);
  return "ErrorStatus(" + std::to_string(status) + ")";
}

bool parseSnmpMessage(std::span<const std::uint8_t> data, SnmpMessage& out) {
  out.clear();
  DerElement message;
  if (!readDer(data, message) || !message.is(Class::Universal, 16)) return false;
  DerSequence seq(message.content);
  std::int64_t version = 0;
  if (!integer(seq, version)) return false;
  if (version == 3) {
    out.version = 3;
    return v3(seq, out);
  }
  if (version != 0 && version != 1) return false;
  out.version = static_cast<std::uint8_t>(version + 1);
  DerElement community, body;
  if (!seq.next(community) || !octetString(community, out.community)) return false;
  out.has_community = true;
  return seq.next(body) && pdu(body, out);
}

bool looksLikeSnmp(std::span<const std::uint8_t> data) {
  DerElement message, version;
  if (!readDer(data, message) || !message.is(Class::Universal, 16) || !readDer(message.content, version)) return false;
  std::int64_t v = 0;
  return derInteger(version, v) && (v == 0 || v == 1 || v == 3);
}

void SnmpState::datagram(FlowDirection dir, std::span<const std::uint8_t> payload, const MessageSink& sink) {
  if (!parseSnmpMessage(payload, message_)) {
    ++errors_;
    return;
  }
  message_.tx_id = next_tx_id_++;
  sink(dir, message_);
}

void SnmpState::reset() {
  message_.clear();
  next_tx_id_ = 0;
  errors_ = 0;
  events.clear();
}

}  // namespace gsoc::sensor
