#include "sensor/app/Krb5Parser.hpp"

#include <algorithm>

#include "sensor/app/DerReader.hpp"

namespace gsoc::sensor {

using signatures::FlowDirection;
using Class = DerElement::Class;

namespace {

struct Named {
  std::int32_t code;
  std::string_view name;
};

constexpr Named kErrors[] = {
    {0, "KDC_ERR_NONE"}, {1, "KDC_ERR_NAME_EXP"}, {2, "KDC_ERR_SERVICE_EXP"}, {3, "KDC_ERR_BAD_PVNO"},
    {4, "KDC_ERR_C_OLD_MAST_KVNO"}, {5, "KDC_ERR_S_OLD_MAST_KVNO"}, {6, "KDC_ERR_C_PRINCIPAL_UNKNOWN"},
    {7, "KDC_ERR_S_PRINCIPAL_UNKNOWN"}, {8, "KDC_ERR_PRINCIPAL_NOT_UNIQUE"}, {9, "KDC_ERR_NULL_KEY"},
    {10, "KDC_ERR_CANNOT_POSTDATE"}, {11, "KDC_ERR_NEVER_VALID"}, {12, "KDC_ERR_POLICY"}, {13, "KDC_ERR_BADOPTION"},
    {14, "KDC_ERR_ETYPE_NOSUPP"}, {15, "KDC_ERR_SUMTYPE_NOSUPP"}, {16, "KDC_ERR_PADATA_TYPE_NOSUPP"},
    {17, "KDC_ERR_TRTYPE_NOSUPP"}, {18, "KDC_ERR_CLIENT_REVOKED"}, {19, "KDC_ERR_SERVICE_REVOKED"},
    {20, "KDC_ERR_TGT_REVOKED"}, {21, "KDC_ERR_CLIENT_NOTYET"}, {22, "KDC_ERR_SERVICE_NOTYET"},
    {23, "KDC_ERR_KEY_EXPIRED"}, {24, "KDC_ERR_PREAUTH_FAILED"}, {25, "KDC_ERR_PREAUTH_REQUIRED"},
    {26, "KDC_ERR_SERVER_NOMATCH"}, {27, "KDC_ERR_MUST_USE_USER2USER"}, {28, "KDC_ERR_PATH_NOT_ACCEPTED"},
    {29, "KDC_ERR_SVC_UNAVAILABLE"}, {31, "KRB_AP_ERR_BAD_INTEGRITY"}, {32, "KRB_AP_ERR_TKT_EXPIRED"},
    {33, "KRB_AP_ERR_TKT_NYV"}, {34, "KRB_AP_ERR_REPEAT"}, {35, "KRB_AP_ERR_NOT_US"}, {36, "KRB_AP_ERR_BADMATCH"},
    {37, "KRB_AP_ERR_SKEW"}, {38, "KRB_AP_ERR_BADADDR"}, {39, "KRB_AP_ERR_BADVERSION"}, {40, "KRB_AP_ERR_MSG_TYPE"},
    {41, "KRB_AP_ERR_MODIFIED"}, {42, "KRB_AP_ERR_BADORDER"}, {44, "KRB_AP_ERR_BADKEYVER"}, {45, "KRB_AP_ERR_NOKEY"},
    {46, "KRB_AP_ERR_MUT_FAIL"}, {47, "KRB_AP_ERR_BADDIRECTION"}, {48, "KRB_AP_ERR_METHOD"}, {49, "KRB_AP_ERR_BADSEQ"},
    {50, "KRB_AP_ERR_INAPP_CKSUM"}, {51, "KRB_AP_PATH_NOT_ACCEPTED"}, {52, "KRB_ERR_RESPONSE_TOO_BIG"},
    {60, "KRB_ERR_GENERIC"}, {61, "KRB_ERR_FIELD_TOOLONG"}, {62, "KDC_ERROR_CLIENT_NOT_TRUSTED"},
    {63, "KDC_ERROR_KDC_NOT_TRUSTED"}, {64, "KDC_ERROR_INVALID_SIG"}, {65, "KDC_ERR_KEY_TOO_WEAK"},
    {66, "KDC_ERR_CERTIFICATE_MISMATCH"}, {67, "KRB_AP_ERR_NO_TGT"}, {68, "KDC_ERR_WRONG_REALM"},
    {69, "KRB_AP_ERR_USER_TO_USER_REQUIRED"}, {70, "KDC_ERR_CANT_VERIFY_CERTIFICATE"},
    {71, "KDC_ERR_INVALID_CERTIFICATE"}, {72, "KDC_ERR_REVOKED_CERTIFICATE"},
    {73, "KDC_ERR_REVOCATION_STATUS_UNKNOWN"}, {74, "KDC_ERR_REVOCATION_STATUS_UNAVAILABLE"},
    {75, "KDC_ERR_CLIENT_NAME_MISMATCH"}, {76, "KDC_ERR_KDC_NAME_MISMATCH"},
};

bool isMessageTag(std::uint32_t tag) { return (tag >= 10 && tag <= 14) || tag == 30; }

// The element inside an explicit [n] tag.
bool inner(const DerElement& wrapper, DerElement& out) { return readDer(wrapper.content, out); }

bool integerOf(const DerElement& wrapper, std::int64_t& v) {
  DerElement e;
  return inner(wrapper, e) && derInteger(e, v);
}

bool stringOf(const DerElement& wrapper, std::string& out) {
  DerElement e;
  if (!inner(wrapper, e) || e.cls != Class::Universal || e.constructed) return false;
  out.assign(reinterpret_cast<const char*>(e.content.data()), e.content.size());
  return true;
}

// PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString }
bool principalOf(const DerElement& wrapper, Krb5Principal& p) {
  DerElement seq, field;
  if (!inner(wrapper, seq) || !seq.is(Class::Universal, 16)) return false;
  DerSequence fields(seq.content);
  p.parts.clear();
  while (fields.next(field)) {
    if (!field.is(Class::Context, 1)) continue;
    DerElement names, name;
    if (!inner(field, names) || !names.is(Class::Universal, 16)) return false;
    DerSequence list(names.content);
    while (list.next(name)) p.parts.next().assign(reinterpret_cast<const char*>(name.content.data()), name.content.size());
    if (list.malformed()) return false;
  }
  if (fields.malformed()) return false;
  p.present = true;
  return true;
}

// EncryptedData ::= SEQUENCE { etype [0] Int32, kvno [1] UInt32 OPTIONAL, cipher [2] OCTET STRING }
bool etypeOf(const DerElement& wrapper, std::optional<std::int32_t>& etype) {
  DerElement seq, field;
  if (!inner(wrapper, seq) || !seq.is(Class::Universal, 16)) return false;
  DerSequence fields(seq.content);
  while (fields.next(field)) {
    std::int64_t v = 0;
    if (field.is(Class::Context, 0) && integerOf(field, v)) {
      etype = static_cast<std::int32_t>(v);
      return true;
    }
  }
  return false;
}

// Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2], enc-part [3] }
bool ticketOf(const DerElement& wrapper, Krb5Message& m, bool take_realm) {
  DerElement app, seq, field;
  if (!inner(wrapper, app) || !app.is(Class::Application, 1) || !readDer(app.content, seq) || !seq.is(Class::Universal, 16)) {
    return false;
  }
  DerSequence fields(seq.content);
  while (fields.next(field)) {
    if (field.is(Class::Context, 1) && take_realm) m.has_realm = stringOf(field, m.realm);
    else if (field.is(Class::Context, 2) && !principalOf(field, m.sname)) return false;
    else if (field.is(Class::Context, 3) && !etypeOf(field, m.ticket_etype)) return false;
  }
  return !fields.malformed();
}

}  // namespace

void Krb5Message::clear() {
  msg_type = 0;
  error = false;
  error_code = 0;
  failed_request = 0;
  cname.present = sname.present = false;
  cname.parts.clear();
  sname.parts.clear();
  has_realm = false;
  realm.clear();
  etype.reset();
  ticket_etype.reset();
  request = false;
}

std::string_view krb5MessageTypeName(std::uint8_t type) {
  switch (type) {
    case 10: return "KRB_AS_REQ";
    case 11: return "KRB_AS_REP";
    case 12: return "KRB_TGS_REQ";
    case 13: return "KRB_TGS_REP";
    case 14: return "KRB_AP_REQ";
    case 15: return "KRB_AP_REP";
    case 30: return "KRB_ERROR";
    default: return "KRB_UNKNOWN";
  }
}

std::string_view krb5FailedRequestName(std::uint8_t type) {
  switch (type) {
    case 10: return "KRB_AS_REQ";
    case 12: return "KRB_TGS_REQ";
    default: return "UNKNOWN";
  }
}

std::string_view krb5ErrorName(std::int32_t code) {
  for (const Named& n : kErrors) {
    if (n.code == code) return n.name;
  }
  return {};
}

bool krb5WeakEncryption(std::int32_t etype) {
  switch (etype) {
    case 17: case 18: case 19: case 20: case 25: case 26: return false;
    default: return true;
  }
}

bool parseKrb5Message(std::span<const std::uint8_t> data, Krb5Message& m) {
  m.clear();
  DerElement app, seq, field;
  if (!readDer(data, app) || app.cls != Class::Application || !isMessageTag(app.tag)) return false;
  if (!readDer(app.content, seq) || !seq.is(Class::Universal, 16)) return false;
  m.msg_type = static_cast<std::uint8_t>(app.tag);
  DerSequence fields(seq.content);
  switch (app.tag) {
    case 10:
    case 12: {  // KDC-REQ: req-body [4] SEQUENCE { kdc-options [0], cname [1], realm [2], sname [3], ... }
      m.request = true;
      while (fields.next(field)) {
        if (!field.is(Class::Context, 4)) continue;
        DerElement body, part;
        if (!inner(field, body) || !body.is(Class::Universal, 16)) return false;
        DerSequence parts(body.content);
        while (parts.next(part)) {
          if (part.is(Class::Context, 1) && !principalOf(part, m.cname)) return false;
          if (part.is(Class::Context, 2)) m.has_realm = stringOf(part, m.realm);
          if (part.is(Class::Context, 3) && !principalOf(part, m.sname)) return false;
        }
        if (parts.malformed()) return false;
      }
      break;
    }
    case 11:
    case 13:  // KDC-REP: crealm [3], cname [4], ticket [5], enc-part [6]
      while (fields.next(field)) {
        if (field.is(Class::Context, 3)) m.has_realm = stringOf(field, m.realm);
        else if (field.is(Class::Context, 4) && !principalOf(field, m.cname)) return false;
        else if (field.is(Class::Context, 5) && !ticketOf(field, m, false)) return false;
        else if (field.is(Class::Context, 6) && !etypeOf(field, m.etype)) return false;
      }
      break;
    case 14:  // AP-REQ: ticket [3], authenticator [4] EncryptedData
      m.request = true;
      while (fields.next(field)) {
        if (field.is(Class::Context, 3) && !ticketOf(field, m, true)) return false;
        else if (field.is(Class::Context, 4) && !etypeOf(field, m.etype)) return false;
      }
      m.ticket_etype.reset();
      break;
    case 30:  // KRB-ERROR: error-code [6], crealm [7], cname [8], realm [9], sname [10]
      m.error = true;
      while (fields.next(field)) {
        std::int64_t v = 0;
        if (field.is(Class::Context, 6) && integerOf(field, v)) m.error_code = static_cast<std::int32_t>(v);
        else if (field.is(Class::Context, 7)) m.has_realm = stringOf(field, m.realm);
        else if (field.is(Class::Context, 8) && !principalOf(field, m.cname)) return false;
        else if (field.is(Class::Context, 10) && !principalOf(field, m.sname)) return false;
      }
      break;
    default:
      return false;
  }
  return !fields.malformed();
}

bool looksLikeKrb5(std::span<const std::uint8_t> data, bool tcp) {
  if (tcp) {
    if (data.size() < 6 || (data[0] & 0x80) != 0) return false;
    const std::uint32_t length = static_cast<std::uint32_t>(data[0]) << 24 | data[1] << 16 | data[2] << 8 | data[3];
    if (length < 2 || length > Krb5State::kMaxRecord) return false;
    data = data.subspan(4);
    // The record may span segments: its first element's identifier must fit a message.
    return (data[0] & 0xe0) == 0x60 && isMessageTag(data[0] & 0x1f);
  }
  DerElement app;
  return readDer(data, app) && app.cls == Class::Application && app.constructed && isMessageTag(app.tag) && app.size == data.size();
}

void Krb5State::message(FlowDirection dir, std::span<const std::uint8_t> data, const MessageSink& sink) {
  if (!parseKrb5Message(data, message_)) {
    ++errors_;
    return;
  }
  if (message_.error) {
    message_.failed_request = request_type_;  // the request it answers
    request_type_ = 0;
  } else if (message_.request) {
    request_type_ = message_.msg_type;
  } else {
    request_type_ = 0;
  }
  message_.tx_id = next_tx_id_++;
  sink(dir, message_);
}

void Krb5State::datagram(FlowDirection dir, std::span<const std::uint8_t> payload, const MessageSink& sink) {
  message(dir, payload, sink);
}

void Krb5State::feed(FlowDirection dir, std::span<const std::uint8_t> data, const MessageSink& sink) {
  Side& s = sides_[dir == FlowDirection::ToServer ? 0 : 1];
  if (s.failed) return;
  s.pending.append(reinterpret_cast<const char*>(data.data()), data.size());
  std::size_t at = 0;
  while (s.pending.size() - at >= 4) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(s.pending.data()) + at;
    const std::uint32_t length = (static_cast<std::uint32_t>(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3]) & 0x7fffffff;
    if (length > kMaxRecord) {
      s.failed = true;
      ++errors_;
      s.pending.clear();
      return;
    }
    if (s.pending.size() - at - 4 < length) break;
    message(dir, {p + 4, length}, sink);
    at += 4 + length;
  }
  s.pending.erase(0, at);
}

void Krb5State::reset() {
  for (Side& s : sides_) {
    s.pending.clear();
    s.failed = false;
  }
  message_.clear();
  request_type_ = 0;
  next_tx_id_ = 0;
  errors_ = 0;
  events.clear();
}

}  // namespace gsoc::sensor
