// EVE krb5 objects, as Suricata's krb5 logger writes them: the message type (KRB_ERROR with the
// failed request and the error's name for an error), the principals joined with '/', the realm,
// the reply's and its ticket's encryption types by name and whether they are weak; "<empty>" and
// "<none>" where the message has none.

#include <string>

#include "gsoc/signatures/Krb5Names.hpp"
#include "sensor/app/Krb5Parser.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {

namespace {

// Suricata's names for an encryption type: the name, else the number in its Debug form.
std::string encryptionName(std::int32_t etype) {
  const std::string_view name = signatures::krb5EncryptionName(etype);
  return name.empty() ? "EncryptionType(" + std::to_string(etype) + ")" : std::string(name);
}

}  // namespace

void EveWriter::krb5Object(const Krb5Message& m) {
  out_ << ",\"krb5\":{";
  if (m.error) {
    out_ << "\"msg_type\":\"KRB_ERROR\",\"failed_request\":\"" << krb5FailedRequestName(m.failed_request) << "\",\"error_code\":";
    const std::string_view name = krb5ErrorName(m.error_code);
    if (name.empty()) string("ErrorCode(" + std::to_string(m.error_code) + ")");
    else string(name);
  } else {
    out_ << "\"msg_type\":\"" << krb5MessageTypeName(m.msg_type) << "\"";
  }
  const auto principal = [&](const char* key, const Krb5Principal& p) {
    out_ << ",\"" << key << "\":";
    if (!p.present) {
      out_ << "\"<empty>\"";
      return;
    }
    std::string joined;
    for (std::size_t i = 0; i < p.parts.size(); ++i) {
      if (i) joined += '/';
      joined += p.parts[i];
    }
    string(joined);
  };
  principal("cname", m.cname);
  out_ << ",\"realm\":";
  if (m.has_realm) string(m.realm);
  else out_ << "\"<empty>\"";
  principal("sname", m.sname);
  out_ << ",\"encryption\":";
  if (m.etype) string(encryptionName(*m.etype));
  else out_ << "\"<none>\"";
  out_ << ",\"weak_encryption\":" << (m.etype && krb5WeakEncryption(*m.etype) ? "true" : "false");
  if (m.ticket_etype) {
    out_ << ",\"ticket_encryption\":";
    string(encryptionName(*m.ticket_etype));
    out_ << ",\"ticket_weak_encryption\":" << (krb5WeakEncryption(*m.ticket_etype) ? "true" : "false");
  }
  out_ << "}";
}

}  // namespace gsoc::sensor
