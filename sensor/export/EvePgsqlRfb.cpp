// EveWriter's pgsql and rfb objects, as Suricata 8 writes them.

#include <array>
#include <string_view>

#include "sensor/app/PgsqlParser.hpp"
#include "sensor/app/RfbParser.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {

// Suricata's pgsql object: the transaction's id, the client's message ("request") and the
// server's answer ("response": its messages' fields in order, a run of ParameterStatus as the
// parameter_status array, data rows and COPY data as counts).
void EveWriter::pgsqlObject(const PgsqlTransaction& tx) {
  out_ << ",\"pgsql\":{\"tx_id\":" << tx.tx_id;
  if (tx.request == PgsqlRequestKind::None && tx.responses.empty()) {
    out_ << "}";
    return;
  }
  const char* sep = "";
  const auto key = [&](std::string_view k) {
    out_ << sep << "\"" << k << "\":";
    sep = ",";
  };
  if (tx.request != PgsqlRequestKind::None) {
    out_ << ",\"request\":{";
    switch (tx.request) {
      case PgsqlRequestKind::Startup:
        key("protocol_version");
        string(tx.protocol_version);
        key("startup_parameters");
        out_ << "{\"user\":";
        string(tx.user);
        if (!tx.params.empty()) {
          out_ << ",\"optional_parameters\":[";
          for (std::size_t i = 0; i < tx.params.size(); ++i) {
            out_ << (i ? ",{" : "{");
            string(tx.params[i].name);
            out_ << ":";
            string(tx.params[i].value);
            out_ << "}";
          }
          out_ << "]";
        }
        out_ << "}";
        break;
      case PgsqlRequestKind::SslRequest:
        key("message");
        out_ << "\"SSL Request\"";
        break;
      case PgsqlRequestKind::CancelRequest:
        key("message");
        out_ << "\"cancel_request\",\"process_id\":" << tx.cancel_pid << ",\"secret_key\":" << tx.cancel_key;
        break;
      case PgsqlRequestKind::Password:
        if (pgsql_passwords_) {
          key("password");
          string(tx.payload);
        } else {
          key("password_redacted");
          out_ << "true";
        }
        break;
      case PgsqlRequestKind::SaslInitial:
        key("sasl_authentication_mechanism");
        string(tx.mechanism);
        key("sasl_param");
        string(tx.payload);
        break;
      case PgsqlRequestKind::SaslResponse:
        key("sasl_response");
        string(tx.payload);
        break;
      case PgsqlRequestKind::SimpleQuery:
        key("simple_query");
        string(tx.payload);
        break;
      case PgsqlRequestKind::CopyDataIn:
        key("copy_data_in");
        out_ << "{\"msg_count\":" << tx.copy_messages << ",\"data_size\":" << tx.copy_bytes << "}";
        if (tx.copy_done) {
          key("message");
          out_ << "\"copy_done\"";
        }
        break;
      case PgsqlRequestKind::Terminate:
        key("message");
        out_ << "\"termination_message\"";
        break;
      case PgsqlRequestKind::None:
      case PgsqlRequestKind::Unknown:
        break;  // not logged, as Suricata's
    }
    out_ << "}";
  }
  if (tx.responses.empty()) {
    out_ << "}";
    return;
  }
  out_ << ",\"response\":{";
  sep = "";
  bool in_parameters = false;
  using K = PgsqlResponseItem::Kind;
  for (const PgsqlResponseItem& it : tx.responses) {
    if (it.kind == K::ParameterStatus) {
      if (!in_parameters) {
        key("parameter_status");
        out_ << "[";
        in_parameters = true;
      } else {
        out_ << ",";
      }
      out_ << "{";
      string(it.key);
      out_ << ":";
      string(it.text);
      out_ << "}";
      continue;
    }
    if (in_parameters) {
      out_ << "]";
      in_parameters = false;
    }
    switch (it.kind) {
      case K::SslAnswer:
        key("ssl_accepted");
        out_ << (it.a != 0 ? "true" : "false");
        break;
      case K::Field:
        key(it.key);
        string(it.text);
        break;
      case K::Message:
        key("message");
        string(it.text);
        break;
      case K::BackendKey:
        key("process_id");
        out_ << it.a;
        key("secret_key");
        out_ << it.b;
        break;
      case K::FieldCount:
        key("field_count");
        out_ << it.a;
        break;
      case K::DataRows:
        key("data_rows");
        out_ << it.a;
        key("data_size");
        out_ << it.b;
        break;
      case K::CopyInResponse:
      case K::CopyOutResponse:
        key(it.kind == K::CopyInResponse ? "copy_in_response" : "copy_out_response");
        out_ << "{\"columns\":" << it.a << "}";
        break;
      case K::CopyDataOut:
        key("copy_data_out");
        out_ << "{\"row_count\":" << it.a << ",\"data_size\":" << it.b << "}";
        break;
      case K::Notification:
        key("pid");
        out_ << it.a;
        key("channel_name");
        string(it.key);
        key("payload");
        string(it.text);
        break;
      case K::ParameterStatus:
        break;
    }
  }
  if (in_parameters) out_ << "]";
  out_ << "}}";
}

namespace {
// The 16 bytes as 32 lower-case hex digits, in a fixed buffer (no allocation per record).
std::string_view hex16(const std::array<std::uint8_t, 16>& bytes, std::array<char, 32>& out) {
  constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return {out.data(), out.size()};
}
}  // namespace

// Suricata's rfb object: both versions, the authentication (type, VNC challenge and response,
// result), the client's shared flag and the server's framebuffer, as far as the handshake went.
void EveWriter::rfbObject(const RfbTransaction& tx) {
  out_ << ",\"rfb\":{";
  const char* sep = "";
  if (tx.has_server_version) {
    out_ << "\"server_protocol_version\":{\"major\":";
    string(tx.server_major);
    out_ << ",\"minor\":";
    string(tx.server_minor);
    out_ << "}";
    sep = ",";
  }
  if (tx.has_client_version) {
    out_ << sep << "\"client_protocol_version\":{\"major\":";
    string(tx.client_major);
    out_ << ",\"minor\":";
    string(tx.client_minor);
    out_ << "}";
    sep = ",";
  }
  if (tx.has_security_type) {
    out_ << sep << "\"authentication\":{\"security_type\":" << tx.security_type;
    if (tx.has_challenge || tx.has_response) {
      out_ << ",\"vnc\":{";
      std::array<char, 32> hex{};
      if (tx.has_challenge) out_ << "\"challenge\":\"" << hex16(tx.challenge, hex) << "\"";
      if (tx.has_response) out_ << (tx.has_challenge ? "," : "") << "\"response\":\"" << hex16(tx.response, hex) << "\"";
      out_ << "}";
    }
    if (tx.has_security_result) {
      static constexpr std::string_view kResults[] = {"OK", "FAIL", "TOOMANY"};
      out_ << ",\"security_result\":\"" << (tx.security_result < 3 ? kResults[tx.security_result] : "UNKNOWN") << "\"";
    }
    out_ << "}";
    sep = ",";
  }
  if (tx.has_client_init) {
    out_ << sep << "\"screen_shared\":" << (tx.shared ? "true" : "false");
    sep = ",";
  }
  if (tx.has_server_init) {
    const RfbPixelFormat& p = tx.pixel_format;
    out_ << sep << "\"framebuffer\":{\"width\":" << tx.width << ",\"height\":" << tx.height << ",\"name\":";
    string(tx.name);
    out_ << ",\"pixel_format\":{\"bits_per_pixel\":" << unsigned{p.bits_per_pixel} << ",\"depth\":" << unsigned{p.depth}
         << ",\"big_endian\":" << (p.big_endian ? "true" : "false") << ",\"true_color\":" << (p.true_color ? "true" : "false")
         << ",\"red_max\":" << p.red_max << ",\"green_max\":" << p.green_max << ",\"blue_max\":" << p.blue_max
         << ",\"red_shift\":" << unsigned{p.red_shift} << ",\"green_shift\":" << unsigned{p.green_shift}
         << ",\"blue_shift\":" << unsigned{p.blue_shift} << "}}";
  }
  out_ << "}";
}

}  // namespace gsoc::sensor
