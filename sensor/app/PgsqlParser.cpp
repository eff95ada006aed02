#include "sensor/app/PgsqlParser.hpp"

namespace gsoc::sensor {

using signatures::FlowDirection;

namespace {

constexpr std::uint32_t kSslRequestCode = 80877103;
constexpr std::uint32_t kCancelRequestCode = 80877102;
constexpr std::uint32_t kGssEncRequestCode = 80877104;
constexpr std::uint32_t kMaxMessage = 1 << 24;  // larger is not PostgreSQL (or not worth holding)

std::uint32_t be32(std::string_view d, std::size_t at) {
  return (std::uint32_t{static_cast<unsigned char>(d[at])} << 24) | (std::uint32_t{static_cast<unsigned char>(d[at + 1])} << 16) |
         (std::uint32_t{static_cast<unsigned char>(d[at + 2])} << 8) | std::uint32_t{static_cast<unsigned char>(d[at + 3])};
}
std::uint16_t be16(std::string_view d, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(d[at]) << 8) | static_cast<unsigned char>(d[at + 1]));
}

// The NUL-terminated string at the front of `d` (all of it when unterminated); `d` moves past it.
std::string_view cstring(std::string_view& d) {
  const std::size_t nul = d.find('\0');
  const std::string_view s = d.substr(0, nul);
  d.remove_prefix(nul == std::string_view::npos ? d.size() : nul + 1);
  return s;
}

// Suricata's names for the server's run-time parameters; others as sent.
std::string_view parameterName(std::string_view name) {
  if (name == "DateStyle") return "date_style";
  if (name == "IntervalStyle") return "interval_style";
  if (name == "TimeZone") return "time_zone";
  return name;
}

// Suricata's names for an error or notice field's type.
std::string_view errorFieldName(char type) {
  switch (type) {
    case 'S': return "severity_localizable";
    case 'V': return "severity_non_localizable";
    case 'C': return "code";
    case 'M': return "message";
    case 'D': return "detail";
    case 'H': return "hint";
    case 'P': return "position";
    case 'p': return "internal_position";
    case 'q': return "internal_query";
    case 'W': return "where";
    case 's': return "schema_name";
    case 't': return "table_name";
    case 'c': return "column_name";
    case 'd': return "data_type_name";
    case 'n': return "constraint_name";
    case 'F': return "file";
    case 'L': return "line";
    case 'R': return "routine";
    default: return "unknown_error_field_type";
  }
}

}  // namespace

void PgsqlTransaction::clear(bool keep_responses) {
  request = PgsqlRequestKind::None;
  protocol_version.clear();
  user.clear();
  params.clear();
  payload.clear();
  mechanism.clear();
  cancel_pid = cancel_key = 0;
  copy_messages = copy_bytes = 0;
  copy_done = false;
  if (!keep_responses) responses.clear();
  complete = false;
}

bool looksLikePgsql(std::span<const std::uint8_t> data, bool to_server, bool pgsql_port) {
  const std::string_view d(reinterpret_cast<const char*>(data.data()), data.size());
  if (to_server) {
    if (d.size() < 8 || d[0] != 0) return false;
    const std::uint32_t length = be32(d, 0), code = be32(d, 4);
    if (code == kSslRequestCode || code == kGssEncRequestCode) return length == 8;
    if (code == kCancelRequestCode) return length == 16;
    return (code >> 16) == 3 && length >= 8 && length < 10000;  // a StartupMessage of protocol 3
  }
  if (!pgsql_port) return false;
  if (d.size() == 1) return d[0] == 'N' || d[0] == 'S';
  if (d.size() < 5 || (d[0] != 'R' && d[0] != 'E')) return false;
  const std::uint32_t length = be32(d, 1);
  return length >= 4 && length < 10000;
}

void PgsqlState::reset() {
  for (AckedBytes& p : pending_) p.clear();
  tx_.clear();
  run_ = nullptr;
  tx_open_ = false;
  unsolicited_ = false;
  failed_[0] = failed_[1] = false;
  tls_ = false;
  ssl_requested_ = false;
  auth_ = 0;
  copy_out_ = false;
  next_tx_id_ = 1;
  errors_ = 0;
  events.clear();
}

PgsqlTransaction& PgsqlState::open(PgsqlRequestKind kind, const TransactionSink& sink) {
  if (tx_open_) finish(sink);  // a request nothing answered: logged as it is
  // What the server sent between transactions (a NOTIFY's NotificationResponse) goes with the
  // next one.
  tx_.clear(unsolicited_);
  unsolicited_ = false;
  run_ = nullptr;
  tx_.tx_id = next_tx_id_++;
  tx_.request = kind;
  tx_open_ = true;
  return tx_;
}

void PgsqlState::finish(const TransactionSink& sink) {
  if (!tx_open_) return;
  tx_open_ = false;
  tx_.complete = true;
  sink(tx_);
}

PgsqlResponseItem& PgsqlState::item(PgsqlResponseItem::Kind kind) {
  run_ = nullptr;
  PgsqlResponseItem& it = tx_.responses.next();
  it.kind = kind;
  it.key.clear();
  it.text.clear();
  it.a = it.b = 0;
  return it;
}

void PgsqlState::parse(FlowDirection dir, const TransactionSink& sink) {
  const std::size_t side = dir == FlowDirection::ToServer ? 0 : 1;
  AckedBytes& bytes = pending_[side];
  while (!failed_[side] && !tls_) {
    const std::string_view data = bytes.ready();
    if (data.empty()) break;
    const std::size_t used = side == 0 ? request(data, sink) : response(data, sink);
    if (failed_[side]) {
      ++errors_;
      bytes.consume(data.size());  // garbage: this side is not followed any more
      break;
    }
    if (used == 0) break;
    bytes.consume(used);
  }
  if (failed_[side]) bytes.consume(bytes.ready().size());
}

std::size_t PgsqlState::request(std::string_view d, const TransactionSink& sink) {
  if (d[0] == 0) {  // startup phase: length and code, no type byte
    if (d.size() < 8) return 0;
    const std::uint32_t length = be32(d, 0), code = be32(d, 4);
    if (length < 8 || length > kMaxMessage) {
      failed_[0] = true;
      return 0;
    }
    if (d.size() < length) return 0;
    std::string_view body = d.substr(8, length - 8);
    if (code == kSslRequestCode || code == kGssEncRequestCode) {
      open(PgsqlRequestKind::SslRequest, sink);
      ssl_requested_ = true;
    } else if (code == kCancelRequestCode && body.size() >= 8) {
      PgsqlTransaction& tx = open(PgsqlRequestKind::CancelRequest, sink);
      tx.cancel_pid = be32(body, 0);
      tx.cancel_key = be32(body, 4);
      finish(sink);  // nothing answers it
    } else if ((code >> 16) == 3) {
      PgsqlTransaction& tx = open(PgsqlRequestKind::Startup, sink);
      tx.protocol_version = std::to_string(code >> 16) + "." + std::to_string(code & 0xffff);
      while (!body.empty() && body[0] != 0) {
        const std::string_view name = cstring(body);
        const std::string_view value = cstring(body);
        if (name == "user") {
          tx.user.assign(value);
        } else {
          PgsqlParam& p = tx.params.next();
          p.name.assign(name);
          p.value.assign(value);
        }
      }
    } else {
      failed_[0] = true;
      return 0;
    }
    return length;
  }
  if (d.size() < 5) return 0;
  const char type = d[0];
  const std::uint32_t length = be32(d, 1);
  if (length < 4 || length > kMaxMessage) {
    failed_[0] = true;
    return 0;
  }
  if (d.size() < std::size_t{length} + 1) return 0;
  std::string_view body = d.substr(5, length - 4);
  switch (type) {
    case 'p': {
      if (auth_ == 10) {  // AuthenticationSASL asked: the mechanism and its first message
        PgsqlTransaction& tx = open(PgsqlRequestKind::SaslInitial, sink);
        const std::string_view mechanism = cstring(body);
        tx.mechanism = mechanism == "SCRAM-SHA-256"        ? "scram_SHA256"
                       : mechanism == "SCRAM-SHA-256-PLUS" ? "scram_SHA256_plus"
                                                           : std::string(mechanism);
        if (body.size() >= 4) body.remove_prefix(4);
        tx.payload.assign(body);
      } else if (auth_ == 11) {
        open(PgsqlRequestKind::SaslResponse, sink).payload.assign(body);
      } else {
        std::string_view password = body;
        open(PgsqlRequestKind::Password, sink).payload.assign(cstring(password));
      }
      break;
    }
    case 'Q': {
      std::string_view query = body;
      open(PgsqlRequestKind::SimpleQuery, sink).payload.assign(cstring(query));
      break;
    }
    case 'X':
      open(PgsqlRequestKind::Terminate, sink);
      finish(sink);
      break;
    case 'd':  // COPY FROM STDIN: the data messages and their end are one transaction
      if (!(tx_open_ && tx_.request == PgsqlRequestKind::CopyDataIn)) open(PgsqlRequestKind::CopyDataIn, sink);
      ++tx_.copy_messages;
      tx_.copy_bytes += body.size();
      break;
    case 'c':
      if (!(tx_open_ && tx_.request == PgsqlRequestKind::CopyDataIn)) open(PgsqlRequestKind::CopyDataIn, sink);
      tx_.copy_done = true;
      break;
    default:  // extended query protocol and others: a transaction Suricata does not log the request of
      open(PgsqlRequestKind::Unknown, sink);
      break;
  }
  return std::size_t{length} + 1;
}

std::size_t PgsqlState::response(std::string_view d, const TransactionSink& sink) {
  if (ssl_requested_) {
    ssl_requested_ = false;
    if (d[0] == 'S' || d[0] == 'N' || d[0] == 'G') {
      if (!tx_open_) open(PgsqlRequestKind::SslRequest, sink);
      item(PgsqlResponseItem::Kind::SslAnswer).a = d[0] == 'S' ? 1 : 0;
      finish(sink);
      if (d[0] == 'S') tls_ = true;
      return 1;
    }
  }
  if (d.size() < 5) return 0;
  const char type = d[0];
  const std::uint32_t length = be32(d, 1);
  if (length < 4 || length > kMaxMessage) {
    failed_[1] = true;
    return 0;
  }
  if (d.size() < std::size_t{length} + 1) return 0;
  std::string_view body = d.substr(5, length - 4);
  const std::size_t used = std::size_t{length} + 1;
  if (!tx_open_ && !unsolicited_) {  // between transactions: kept for the next one
    tx_.responses.clear();
    run_ = nullptr;
    unsolicited_ = true;
  }
  using K = PgsqlResponseItem::Kind;
  switch (type) {
    case 'R': {
      if (body.size() < 4) break;
      const std::uint32_t auth = be32(body, 0);
      body.remove_prefix(4);
      auth_ = auth;
      switch (auth) {
        case 0: item(K::Message).text = "authentication_ok"; break;
        case 2: item(K::Message).text = "authentication_kerb5"; finish(sink); break;
        case 3: item(K::Message).text = "authentication_cleartext_password"; finish(sink); break;
        case 5: {
          PgsqlResponseItem& it = item(K::Field);
          it.key = "authentication_md5_password";
          it.text.assign(body);
          finish(sink);
          break;
        }
        case 7: case 8: case 9: {
          PgsqlResponseItem& it = item(K::Field);
          it.key = auth == 7 ? "authentication_gss" : auth == 8 ? "authentication_gss_continue" : "authentication_sspi";
          it.text.assign(body);
          finish(sink);
          break;
        }
        case 10: item(K::Message).text = "authentication_sasl"; finish(sink); break;
        case 11: item(K::Message).text = "authentication_sasl_continue"; finish(sink); break;
        case 12: {
          PgsqlResponseItem& it = item(K::Field);
          it.key = "authentication_sasl_final";
          it.text.assign(body);
          break;
        }
        default: break;
      }
      break;
    }
    case 'S': {
      PgsqlResponseItem& it = item(K::ParameterStatus);
      it.key.assign(parameterName(cstring(body)));
      it.text.assign(cstring(body));
      break;
    }
    case 'K':
      if (body.size() >= 8) {
        PgsqlResponseItem& it = item(K::BackendKey);
        it.a = be32(body, 0);
        it.b = be32(body, 4);
      }
      break;
    case 'Z':
      copy_out_ = false;
      finish(sink);
      break;
    case 'T':
      if (body.size() >= 2) item(K::FieldCount).a = be16(body, 0);
      break;
    case 'D': {  // rows are counted: one entry for the run of them, the sizes of their values summed
      if (run_ == nullptr || run_->kind != K::DataRows) run_ = &item(K::DataRows);
      PgsqlResponseItem& rows = *run_;
      ++rows.a;
      if (body.size() >= 2) {
        std::size_t columns = be16(body, 0), at = 2;
        while (columns-- > 0 && at + 4 <= body.size()) {
          const std::uint32_t n = be32(body, at);
          at += 4;
          if (n == 0xffffffffu) continue;  // NULL
          rows.b += n;
          at += n;
        }
      }
      break;
    }
    case 'C': {
      PgsqlResponseItem& it = item(K::Field);
      it.key = "command_completed";
      it.text.assign(cstring(body));
      break;
    }
    case 'E': case 'N':
      while (!body.empty() && body[0] != 0) {
        const char field = body[0];
        body.remove_prefix(1);
        PgsqlResponseItem& it = item(K::Field);
        it.key = errorFieldName(field);
        it.text.assign(cstring(body));
      }
      break;
    case 'G': case 'H':
      if (body.size() >= 3) item(type == 'G' ? K::CopyInResponse : K::CopyOutResponse).a = be16(body, 1);
      if (type == 'G') finish(sink);  // the client sends the data next, in a transaction of its own
      else copy_out_ = true;
      break;
    case 'd': {
      if (run_ == nullptr || run_->kind != K::CopyDataOut) run_ = &item(K::CopyDataOut);
      PgsqlResponseItem& data = *run_;
      ++data.a;
      data.b += body.size();
      break;
    }
    case 'A':
      if (body.size() >= 4) {
        PgsqlResponseItem& it = item(K::Notification);
        it.a = be32(body, 0);
        body.remove_prefix(4);
        it.key.assign(cstring(body));
        it.text.assign(cstring(body));
      }
      break;
    default:  // ParseComplete, NoData, EmptyQueryResponse, CopyDone...: nothing Suricata logs
      break;
  }
  return used;
}

void PgsqlState::close(const TransactionSink& sink) {
  if (unsolicited_ && !tx_.responses.empty()) open(PgsqlRequestKind::None, sink);
  finish(sink);
}

}  // namespace gsoc::sensor
