#include "sensor/app/LdapParser.hpp"

#include <algorithm>
#include <utility>

namespace gsoc::sensor {

using signatures::AnomalyEvent;
using signatures::FlowDirection;

namespace {

// Messages longer than this are not waited for: the side is given up on as invalid (a length
// an attacker declares must not make the sensor hold unbounded data).
constexpr std::size_t kMaxMessageSize = 1 << 20;

// BER identifier octets (RFC 4511 5.1: definite lengths only, single-octet tags suffice).
constexpr std::uint8_t kInteger = 0x02;
constexpr std::uint8_t kOctetString = 0x04;
constexpr std::uint8_t kBoolean = 0x01;
constexpr std::uint8_t kEnumerated = 0x0a;
constexpr std::uint8_t kSequence = 0x30;
constexpr std::uint8_t kSet = 0x31;

// Reads the TLVs of one constructed value; every read fails (and stays failed) past its end.
class BerReader {
 public:
  explicit BerReader(std::span<const std::uint8_t> data) : data_(data) {}
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] bool atEnd() const { return !ok_ || at_ == data_.size(); }
  // The next element's tag, without moving; 0 at the end.
  [[nodiscard]] std::uint8_t peek() const { return atEnd() ? 0 : data_[at_]; }

  // The next element: its tag and contents. Incomplete (`incomplete` set) when the data stops
  // inside it.
  bool next(std::uint8_t& tag, std::span<const std::uint8_t>& contents, bool* incomplete = nullptr) {
    if (!ok_) return false;
    const std::size_t left = data_.size() - at_;
    if (left < 2) return fail(incomplete);
    tag = data_[at_];
    if ((tag & 0x1f) == 0x1f) return fail();  // multi-octet tags: not in LDAP
    std::size_t length = data_[at_ + 1];
    std::size_t header = 2;
    if (length & 0x80) {
      const std::size_t octets = length & 0x7f;
      if (octets == 0 || octets > 4) return fail();  // indefinite form, or absurd
      if (left < 2 + octets) return fail(incomplete);
      length = 0;
      for (std::size_t i = 0; i < octets; ++i) length = length << 8 | data_[at_ + 2 + i];
      header += octets;
    }
    if (length > left - header) return fail(incomplete);
    contents = data_.subspan(at_ + header, length);
    at_ += header + length;
    return true;
  }
  // The next element, which must have `tag`.
  bool expect(std::uint8_t tag, std::span<const std::uint8_t>& contents) {
    std::uint8_t t = 0;
    if (!next(t, contents)) return false;
    if (t != tag) return fail();
    return true;
  }
  BerReader constructed(std::uint8_t tag) {
    std::span<const std::uint8_t> c;
    if (!expect(tag, c)) return BerReader({}, false);
    return BerReader(c);
  }
  bool string(std::uint8_t tag, std::string& out) {
    std::span<const std::uint8_t> c;
    if (!expect(tag, c)) return false;
    out.assign(reinterpret_cast<const char*>(c.data()), c.size());
    return true;
  }
  bool integer(std::uint8_t tag, std::uint32_t& out) {
    std::span<const std::uint8_t> c;
    if (!expect(tag, c)) return false;
    return toUnsigned(c, out) || fail();
  }
  bool boolean(bool& out) {
    std::span<const std::uint8_t> c;
    if (!expect(kBoolean, c) || c.size() != 1) return fail();
    out = c[0] != 0;
    return true;
  }
  // Non-negative INTEGER or ENUMERATED contents of at most 32 bits (a leading zero octet allowed).
  static bool toUnsigned(std::span<const std::uint8_t> c, std::uint32_t& out) {
    if (c.empty() || c.size() > 5 || (c.size() == 5 && c[0] != 0) || (c[0] & 0x80)) return false;
    std::uint64_t v = 0;
    for (const std::uint8_t b : c) v = v << 8 | b;
    out = static_cast<std::uint32_t>(v);
    return true;
  }

 private:
  BerReader(std::span<const std::uint8_t> data, bool ok) : data_(data), ok_(ok) {}
  bool fail(bool* incomplete = nullptr) {
    if (incomplete != nullptr) *incomplete = true;
    ok_ = false;
    return false;
  }
  std::span<const std::uint8_t> data_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

void assign(std::string& out, std::span<const std::uint8_t> c) { out.assign(reinterpret_cast<const char*>(c.data()), c.size()); }

// resultCode, matchedDN, diagnosticMessage; a referral ([3]) is skipped.
bool readResult(BerReader& in, LdapMessage& m) {
  m.has_result = true;
  in.integer(kEnumerated, m.result_code);
  in.string(kOctetString, m.matched_dn);
  in.string(kOctetString, m.diagnostic_message);
  if (in.peek() == 0xa3) {
    std::span<const std::uint8_t> skipped;
    in.expect(0xa3, skipped);
  }
  return in.ok();
}

// SEQUENCE { type, vals SET OF value } (Attribute, PartialAttribute).
bool readAttribute(BerReader& in, LdapAttribute& a) {
  a.values.clear();
  BerReader seq = in.constructed(kSequence);
  seq.string(kOctetString, a.type);
  BerReader vals = seq.constructed(kSet);
  while (vals.ok() && !vals.atEnd()) vals.string(kOctetString, a.values.next());
  return in.ok() && seq.ok() && vals.ok();
}

bool readAttributeList(BerReader& in, ReusingVector<LdapAttribute>& out) {
  BerReader list = in.constructed(kSequence);
  while (list.ok() && !list.atEnd()) {
    if (!readAttribute(list, out.next())) return false;
  }
  return list.ok();
}

// The operation's contents (`op` the tag's number, `c` its contents).
bool readOperation(LdapMessage& m, std::span<const std::uint8_t> c) {
  BerReader in(c);
  switch (m.op) {
    case LdapOp::BindRequest: {
      in.integer(kInteger, m.version);
      in.string(kOctetString, m.dn);
      std::uint8_t tag = 0;
      std::span<const std::uint8_t> auth;
      if (!in.next(tag, auth)) return false;
      if (tag == 0xa3) {  // sasl
        m.sasl = true;
        BerReader sasl(auth);
        sasl.string(kOctetString, m.sasl_mechanism);
        if (!sasl.atEnd()) m.has_sasl_credentials = sasl.string(kOctetString, m.sasl_credentials);
        return sasl.ok();
      }
      return tag == 0x80;  // simple (the password is not kept)
    }
    case LdapOp::BindResponse:
      if (!readResult(in, m)) return false;
      if (in.peek() == 0x87) m.has_server_sasl_creds = in.string(0x87, m.server_sasl_creds);
      return in.ok();
    case LdapOp::UnbindRequest:
      return c.empty();
    case LdapOp::SearchRequest: {
      in.string(kOctetString, m.dn);
      in.integer(kEnumerated, m.scope);
      in.integer(kEnumerated, m.deref_aliases);
      in.integer(kInteger, m.size_limit);
      in.integer(kInteger, m.time_limit);
      in.boolean(m.types_only);
      std::uint8_t tag = 0;
      std::span<const std::uint8_t> filter;
      if (!in.next(tag, filter) || (tag & 0xc0) != 0x80) return false;  // a context-specific CHOICE
      if (tag == 0x87) {
        m.filter_present = true;
        assign(m.filter_attribute, filter);
      }
      BerReader attributes = in.constructed(kSequence);
      while (attributes.ok() && !attributes.atEnd()) attributes.string(kOctetString, m.names.next());
      return in.ok() && attributes.ok();
    }
    case LdapOp::SearchResultEntry:
      in.string(kOctetString, m.dn);
      return readAttributeList(in, m.attributes) && in.ok();
    case LdapOp::SearchResultReference:
      while (in.ok() && !in.atEnd()) in.string(kOctetString, m.names.next());
      return in.ok() && !m.names.empty();
    case LdapOp::SearchResultDone:
    case LdapOp::ModifyResponse:
    case LdapOp::AddResponse:
    case LdapOp::DelResponse:
    case LdapOp::ModDnResponse:
    case LdapOp::CompareResponse:
      return readResult(in, m);
    case LdapOp::ModifyRequest: {
      in.string(kOctetString, m.dn);
      BerReader changes = in.constructed(kSequence);
      while (changes.ok() && !changes.atEnd()) {
        LdapChange& change = m.changes.next();
        BerReader one = changes.constructed(kSequence);
        one.integer(kEnumerated, change.operation);
        if (!readAttribute(one, change.modification)) return false;
      }
      return in.ok() && changes.ok();
    }
    case LdapOp::AddRequest:
      in.string(kOctetString, m.dn);
      return readAttributeList(in, m.attributes) && in.ok();
    case LdapOp::DelRequest:
      assign(m.dn, c);
      return true;
    case LdapOp::ModDnRequest:
      in.string(kOctetString, m.dn);
      in.string(kOctetString, m.new_rdn);
      in.boolean(m.delete_old_rdn);
      if (in.peek() == 0x80) m.has_new_superior = in.string(0x80, m.new_superior);
      return in.ok();
    case LdapOp::CompareRequest: {
      in.string(kOctetString, m.dn);
      BerReader ava = in.constructed(kSequence);
      ava.string(kOctetString, m.assertion_description);
      ava.string(kOctetString, m.assertion_value);
      return in.ok() && ava.ok();
    }
    case LdapOp::AbandonRequest:
      return BerReader::toUnsigned(c, m.abandon_id);
    case LdapOp::ExtendedRequest:
      m.has_name = in.string(0x80, m.name);
      if (in.peek() == 0x81) m.has_value = in.string(0x81, m.value);
      return in.ok();
    case LdapOp::ExtendedResponse:
      if (!readResult(in, m)) return false;
      if (in.peek() == 0x8a) m.has_name = in.string(0x8a, m.name);
      if (in.peek() == 0x8b) m.has_value = in.string(0x8b, m.value);
      return in.ok();
    case LdapOp::IntermediateResponse:
      if (in.peek() == 0x80) m.has_name = in.string(0x80, m.name);
      if (in.peek() == 0x81) m.has_value = in.string(0x81, m.value);
      return in.ok();
    case LdapOp::Unknown:
      return false;
  }
  return false;
}

// Whether `tag` is the protocolOp's form of its operation: primitive for unbind, del and
// abandon, constructed for the others.
bool knownOperation(std::uint8_t tag, LdapOp& op) {
  if ((tag & 0xc0) != 0x40) return false;  // [APPLICATION n]
  const unsigned number = tag & 0x1f;
  const bool primitive = (tag & 0x20) == 0;
  switch (number) {
    case 2: case 10: case 16:
      if (!primitive) return false;
      break;
    case 0: case 1: case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 11: case 12: case 13: case 14:
    case 15: case 19: case 23: case 24: case 25:
      if (primitive) return false;
      break;
    default:
      return false;
  }
  op = static_cast<LdapOp>(number);
  return true;
}

}  // namespace

std::string_view ldapOpName(LdapOp op) { return signatures::ldapOperationName(static_cast<std::uint8_t>(op)); }

bool ldapOpIsRequest(LdapOp op) {
  switch (op) {
    case LdapOp::BindRequest: case LdapOp::UnbindRequest: case LdapOp::SearchRequest: case LdapOp::ModifyRequest:
    case LdapOp::AddRequest: case LdapOp::DelRequest: case LdapOp::ModDnRequest: case LdapOp::CompareRequest:
    case LdapOp::AbandonRequest: case LdapOp::ExtendedRequest:
      return true;
    default:
      return false;
  }
}

void LdapMessage::clear() {
  message_id = 0;
  op = LdapOp::Unknown;
  dn.clear();
  has_result = false;
  result_code = 0;
  matched_dn.clear();
  diagnostic_message.clear();
  version = 0;
  sasl = false;
  sasl_mechanism.clear();
  has_sasl_credentials = false;
  sasl_credentials.clear();
  has_server_sasl_creds = false;
  server_sasl_creds.clear();
  scope = deref_aliases = size_limit = time_limit = 0;
  types_only = false;
  filter_present = false;
  filter_attribute.clear();
  names.clear();
  attributes.clear();
  changes.clear();
  new_rdn.clear();
  delete_old_rdn = false;
  has_new_superior = false;
  new_superior.clear();
  assertion_description.clear();
  assertion_value.clear();
  has_name = false;
  name.clear();
  has_value = false;
  value.clear();
  abandon_id = 0;
  has_controls = false;
  controls.clear();
}

LdapDecode decodeLdapMessage(std::span<const std::uint8_t> data, LdapMessage& m, std::size_t& used) {
  m.clear();
  used = 0;
  if (data.empty()) return LdapDecode::Incomplete;
  if (data[0] != kSequence) return LdapDecode::Invalid;
  // The envelope's length first: a message declared too long is refused before it is waited for.
  if (data.size() >= 2 && (data[1] & 0x80) != 0) {
    const std::size_t octets = data[1] & 0x7f;
    if (octets == 0 || octets > 4) return LdapDecode::Invalid;
    if (data.size() >= 2 + octets) {
      std::size_t length = 0;
      for (std::size_t i = 0; i < octets; ++i) length = length << 8 | data[2 + i];
      if (length > kMaxMessageSize) return LdapDecode::Invalid;
    }
  }
  BerReader outer(data);
  std::uint8_t tag = 0;
  std::span<const std::uint8_t> contents;
  bool incomplete = false;
  if (!outer.next(tag, contents, &incomplete)) return incomplete ? LdapDecode::Incomplete : LdapDecode::Invalid;
  used = static_cast<std::size_t>(contents.data() + contents.size() - data.data());
  BerReader in(contents);
  if (!in.integer(kInteger, m.message_id)) return LdapDecode::Invalid;
  std::span<const std::uint8_t> op;
  if (!in.next(tag, op) || !knownOperation(tag, m.op)) return LdapDecode::Invalid;
  if (!readOperation(m, op)) return LdapDecode::Invalid;
  if (in.peek() == 0xa0) {  // controls
    m.has_controls = true;
    BerReader controls = in.constructed(0xa0);
    while (controls.ok() && !controls.atEnd()) {
      LdapControl& control = m.controls.next();
      control.criticality = false;
      control.has_value = false;
      control.value.clear();
      BerReader one = controls.constructed(kSequence);
      one.string(kOctetString, control.type);
      if (one.peek() == kBoolean) one.boolean(control.criticality);
      if (one.peek() == kOctetString) control.has_value = one.string(kOctetString, control.value);
      if (!one.ok()) return LdapDecode::Invalid;
    }
    if (!controls.ok()) return LdapDecode::Invalid;
  }
  return in.ok() ? LdapDecode::Ok : LdapDecode::Invalid;
}

void LdapState::parse(FlowDirection dir, const TransactionSink& sink) {
  Side& side = sides_[dir == FlowDirection::ToServer ? 0 : 1];
  AckedBytes& in = pending(dir);
  while (!side.failed && !start_tls_) {
    const std::string_view ready = in.ready();
    if (ready.empty()) return;
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(ready.data()), ready.size());
    std::size_t used = 0;
    const LdapDecode result = decodeLdapMessage(bytes, message_, used);
    if (result == LdapDecode::Incomplete) return;
    if (result == LdapDecode::Invalid) {
      if (side.resync) {  // after a gap: look for the next message start
        in.consume(1);
        continue;
      }
      invalid(side);
      in.clear();
      return;
    }
    side.resync = false;
    in.consume(used);
    handle(dir, sink);
  }
  // Parsing stopped for good (invalid data, or the flow is TLS now): nothing more is held.
  if (side.failed) in.clear();
}

void LdapState::onDatagram(FlowDirection dir, std::span<const std::uint8_t> payload, const TransactionSink& sink) {
  // A request datagram holds one message; a response datagram the entries and the done.
  while (!payload.empty()) {
    std::size_t used = 0;
    const LdapDecode result = decodeLdapMessage(payload, message_, used);
    if (result != LdapDecode::Ok) {
      ++errors_;
      events.set(result == LdapDecode::Incomplete ? AnomalyEvent::LdapIncompleteData : AnomalyEvent::LdapInvalidData);
      return;
    }
    payload = payload.subspan(used);
    handle(dir, sink);
    if (dir == FlowDirection::ToServer) return;
  }
}

void LdapState::invalid(Side& side) {
  ++errors_;
  events.set(AnomalyEvent::LdapInvalidData);
  side.failed = true;
}

void LdapState::gap(FlowDirection dir) {
  pending(dir).clear();
  sides_[dir == FlowDirection::ToServer ? 0 : 1].resync = true;
  ++errors_;
}

LdapTransaction& LdapState::open(const TransactionSink& sink) {
  // Suricata's max-tx: past it, the oldest open transaction is given up on.
  if (open_.size() > max_tx_ && !open_.empty()) {
    events.set(AnomalyEvent::LdapTooManyTransactions);
    finish(open_.front().get(), sink);
  }
  std::unique_ptr<LdapTransaction> tx;
  if (spare_.empty()) {
    tx = std::make_unique<LdapTransaction>();
  } else {
    tx = std::move(spare_.back());
    spare_.pop_back();
  }
  tx->tx_id = next_tx_id_++;
  tx->has_request = false;
  tx->responses.clear();
  tx->dropped_responses = 0;
  tx->complete = false;
  tx->alerted.clear();
  open_.push_back(std::move(tx));
  return *open_.back();
}

void LdapState::finish(LdapTransaction* tx, const TransactionSink& sink) {
  const auto it = std::find_if(open_.begin(), open_.end(), [&](const auto& t) { return t.get() == tx; });
  if (it == open_.end()) return;
  std::unique_ptr<LdapTransaction> owned = std::move(*it);
  open_.erase(it);
  owned->complete = true;
  sink(FlowDirection::Any, *owned);
  spare_.push_back(std::move(owned));
}

void LdapState::handle(FlowDirection dir, const TransactionSink& sink) {
  const LdapOp op = message_.op;
  if (ldapOpIsRequest(op)) {
    // As Suricata, whatever side it came from: a request opens a transaction.
    LdapTransaction& tx = open(sink);
    tx.has_request = true;
    std::swap(tx.request, message_);
    if (tx.request.op == LdapOp::ExtendedRequest && tx.request.name == kLdapStartTlsOid) {
      start_tls_requested_ = true;
      start_tls_id_ = tx.request.message_id;
    }
    sink(dir, tx);
    // An unbind and an abandon are answered by nothing.
    if (op == LdapOp::UnbindRequest || op == LdapOp::AbandonRequest) finish(&tx, sink);
    return;
  }
  LdapTransaction* tx = nullptr;
  for (auto& t : open_) {
    if (t->has_request && t->request.message_id == message_.message_id) {
      tx = t.get();
      break;
    }
  }
  if (tx == nullptr) {
    // An unsolicited notification (an extended response, message id 0), or a response to a
    // request this sensor did not see.
    if (op != LdapOp::ExtendedResponse) events.set(AnomalyEvent::LdapRequestNotFound);
    tx = &open(sink);
  }
  const bool final = op != LdapOp::SearchResultEntry && op != LdapOp::SearchResultReference &&
                     op != LdapOp::IntermediateResponse;
  if (op == LdapOp::ExtendedResponse && message_.result_code == 0 && start_tls_requested_ &&
      (message_.message_id == start_tls_id_ || message_.name == kLdapStartTlsOid)) {
    start_tls_ = true;
  }
  if (tx->responses.size() < LdapTransaction::kMaxResponses) {
    std::swap(tx->responses.next(), message_);
  } else {
    ++tx->dropped_responses;
  }
  sink(dir, *tx);
  if (final || !tx->has_request) finish(tx, sink);
}

void LdapState::close(const TransactionSink& sink) {
  while (!open_.empty()) finish(open_.front().get(), sink);
}

void LdapState::reset() {
  for (FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) pending(dir).clear();
  for (Side& side : sides_) side = Side{};
  while (!open_.empty()) {
    spare_.push_back(std::move(open_.back()));
    open_.pop_back();
  }
  gaps_seen = {};
  next_tx_id_ = 0;
  start_tls_ = false;
  start_tls_requested_ = false;
  start_tls_id_ = 0;
  errors_ = 0;
  events.clear();
}

}  // namespace gsoc::sensor
