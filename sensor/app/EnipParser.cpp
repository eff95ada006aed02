#include "sensor/app/EnipParser.hpp"

#include <utility>

namespace gsoc::sensor {

using signatures::FlowDirection;

namespace {

constexpr std::uint16_t kListServices = 0x04, kListIdentity = 0x63, kListInterfaces = 0x64, kRegisterSession = 0x65,
                        kUnregisterSession = 0x66, kSendRRData = 0x6f, kSendUnitData = 0x70;
constexpr std::uint16_t kItemIdentity = 0x0c, kItemServices = 0x100, kItemConnectedData = 0xb1,
                        kItemUnconnectedData = 0xb2;
constexpr std::uint8_t kGetAttributeList = 0x03, kSetAttributeList = 0x04, kMultipleService = 0x0a;

// Little-endian reads over a span that fail (false) past its end.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> d) : d_(d) {}
  bool u8(std::uint8_t& v) {
    if (at_ + 1 > d_.size()) return false;
    v = d_[at_++];
    return true;
  }
  bool u16(std::uint16_t& v) {
    if (at_ + 2 > d_.size()) return false;
    v = static_cast<std::uint16_t>(d_[at_] | d_[at_ + 1] << 8);
    at_ += 2;
    return true;
  }
  bool u32(std::uint32_t& v) {
    if (at_ + 4 > d_.size()) return false;
    v = static_cast<std::uint32_t>(d_[at_]) | static_cast<std::uint32_t>(d_[at_ + 1]) << 8 |
        static_cast<std::uint32_t>(d_[at_ + 2]) << 16 | static_cast<std::uint32_t>(d_[at_ + 3]) << 24;
    at_ += 4;
    return true;
  }
  bool take(std::size_t n, std::span<const std::uint8_t>& out) {
    if (at_ + n > d_.size()) return false;
    out = d_.subspan(at_, n);
    at_ += n;
    return true;
  }
  [[nodiscard]] std::span<const std::uint8_t> rest() const { return d_.subspan(at_); }

 private:
  std::span<const std::uint8_t> d_;
  std::size_t at_ = 0;
};

void assign(std::string& s, std::span<const std::uint8_t> bytes) {
  s.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

CipService& nextService(EnipPdu& pdu) {
  if (pdu.cip.size() <= pdu.cip_count) pdu.cip.emplace_back();
  CipService& s = pdu.cip[pdu.cip_count++];
  s.clear();
  return s;
}

bool parseCip(std::span<const std::uint8_t> d, EnipPdu& pdu, bool multi);

// A Multiple Service Packet's list: a count, offsets from the count, and a service at each.
bool parseMultiple(std::span<const std::uint8_t> start, EnipPdu& pdu) {
  Reader r(start);
  std::uint16_t n = 0;
  if (!r.u16(n)) return false;
  for (std::uint16_t i = 0; i < n; ++i) {
    std::uint16_t offset = 0;
    if (!r.u16(offset)) return false;
    if (offset >= start.size()) return false;
    if (!parseCip(start.subspan(offset), pdu, false)) return false;
  }
  return true;
}

// One CIP service (a Multiple Service Packet's services after it, one level deep).
bool parseCip(std::span<const std::uint8_t> d, EnipPdu& pdu, bool multi) {
  Reader r(d);
  std::uint8_t service = 0;
  if (!r.u8(service)) return false;
  CipService& s = nextService(pdu);
  s.service = service & 0x7f;
  s.response = (service & 0x80) != 0;
  if (s.response) {
    std::uint8_t reserved = 0, ext_words = 0;
    std::span<const std::uint8_t> ext;
    if (!r.u8(reserved) || !r.u8(s.status) || !r.u8(ext_words) || !r.take(ext_words, ext)) return false;
    assign(s.status_extended, ext);
    if (s.service == kMultipleService && multi) return parseMultiple(r.rest(), pdu);
    return true;
  }
  std::uint8_t words = 0;
  std::span<const std::uint8_t> path;
  if (!r.u8(words) || !r.take(std::size_t{words} * 2, path)) return false;
  Reader p(path);
  while (!p.rest().empty()) {
    CipSegment seg;
    if (!p.u8(seg.type) || seg.type >> 5 != 1) return false;  // logical segments only
    switch (seg.type & 3) {
      case 0: {
        std::uint8_t v = 0;
        if (!p.u8(v)) return false;
        seg.value = v;
        break;
      }
      case 1: {
        std::uint8_t pad = 0;
        std::uint16_t v = 0;
        if (!p.u8(pad) || !p.u16(v)) return false;
        seg.value = v;
        break;
      }
      case 2: {
        std::uint8_t pad = 0;
        if (!p.u8(pad) || !p.u32(seg.value)) return false;
        break;
      }
      default: return false;
    }
    // `s` may move when a nested service grows pdu.cip: it is still the last one here.
    pdu.cip[pdu.cip_count - 1].path.push_back(seg);
  }
  if (s.service == kGetAttributeList) {
    std::uint16_t n = 0;
    if (!r.u16(n)) return false;
    for (std::uint16_t i = 0; i < n; ++i) {
      std::uint16_t a = 0;
      if (!r.u16(a)) return false;
      s.attributes.push_back(a);
    }
  } else if (s.service == kSetAttributeList) {
    std::uint16_t n = 0, first = 0;
    if (!r.u16(n)) return false;
    if (n > 0) {
      if (!r.u16(first)) return false;
      s.attributes.push_back(first);
    }
  } else if (s.service == kMultipleService && multi) {
    return parseMultiple(r.rest(), pdu);
  }
  return true;
}

// Common packet format items (after the handle and timeout for SendRRData/SendUnitData): the
// identity or service of a list reply, the CIP service of the first data item.
bool parseItems(Reader& r, EnipPdu& pdu) {
  std::uint16_t n = 0;
  if (!r.u16(n)) return false;
  pdu.item_count = n;
  for (std::uint16_t i = 0; i < n; ++i) {
    std::uint16_t type = 0, length = 0;
    std::span<const std::uint8_t> data;
    if (!r.u16(type) || !r.u16(length) || !r.take(length, data)) return false;
    if (i == 1) pdu.second_item_type = type;
    Reader d(data);
    if (type == kItemIdentity) {
      EnipIdentity id;
      std::span<const std::uint8_t> sockaddr, name;
      std::uint8_t name_len = 0;
      if (!d.u16(id.protocol_version) || !d.take(16, sockaddr) || !d.u16(id.vendor_id) || !d.u16(id.device_type) ||
          !d.u16(id.product_code) || !d.u8(id.revision_major) || !d.u8(id.revision_minor) || !d.u16(id.status) ||
          !d.u32(id.serial) || !d.u8(name_len) || !d.take(name_len, name) || !d.u8(id.state)) {
        return false;
      }
      if (!pdu.has_identity) {
        pdu.has_identity = true;
        EnipIdentity& kept = pdu.identity;
        std::string product = std::move(kept.product_name);
        kept = id;
        kept.product_name = std::move(product);
        assign(kept.product_name, name);
      }
    } else if (type == kItemServices) {
      std::uint16_t version = 0, capabilities = 0;
      std::span<const std::uint8_t> name;
      if (!d.u16(version) || !d.u16(capabilities) || !d.take(16, name)) return false;
      if (!pdu.has_service_item) {
        pdu.has_service_item = true;
        pdu.service_item.protocol_version = version;
        pdu.service_item.capabilities = capabilities;
        assign(pdu.service_item.name, name);
      }
    } else if (type == kItemConnectedData || type == kItemUnconnectedData) {
      if (type == kItemConnectedData) {
        std::uint16_t seq = 0;
        if (!d.u16(seq)) return false;
        if (i == 1) {
          pdu.has_sequence = true;
          pdu.sequence = seq;
        }
      }
      // Only the first data item's service is kept (what Suricata logs and inspects), but
      // every one must decode.
      const std::size_t kept = pdu.cip_count;
      if (!parseCip(d.rest(), pdu, true)) return false;
      if (kept > 0) pdu.cip_count = kept;
    }
  }
  return true;
}

}  // namespace

void EnipPdu::clear() {
  command = length = 0;
  session = status = options = 0;
  payload = Payload::Unparsed;
  invalid = false;
  session_version = session_options = 0;
  has_identity = has_service_item = false;
  item_count = second_item_type = 0;
  has_sequence = false;
  sequence = 0;
  cip_count = 0;
}

std::size_t parseEnipPdu(std::span<const std::uint8_t> d, EnipPdu& out) {
  out.clear();
  Reader r(d);
  std::uint32_t context_low = 0, context_high = 0;
  if (!r.u16(out.command) || !r.u16(out.length) || !r.u32(out.session) || !r.u32(out.status) || !r.u32(context_low) ||
      !r.u32(context_high) || !r.u32(out.options)) {
    return 0;
  }
  std::span<const std::uint8_t> data;
  if (!r.take(out.length, data)) return 0;
  Reader body(data);
  bool ok = true;
  switch (out.command) {
    case kRegisterSession:
      ok = body.u16(out.session_version) && body.u16(out.session_options);
      if (ok) out.payload = EnipPdu::Payload::RegisterSession;
      break;
    case kListServices:
    case kListInterfaces:
    case kListIdentity:
      if (out.length == 0) break;  // a request: no data
      ok = parseItems(body, out);
      if (ok) {
        out.payload = out.command == kListServices    ? EnipPdu::Payload::ListServices
                      : out.command == kListIdentity ? EnipPdu::Payload::ListIdentity
                                                     : EnipPdu::Payload::ListInterfaces;
      }
      break;
    case kSendRRData:
    case kSendUnitData: {
      std::uint32_t handle = 0;
      std::uint16_t timeout = 0;
      ok = body.u32(handle) && body.u16(timeout) && parseItems(body, out);
      if (ok) out.payload = EnipPdu::Payload::Cip;
      break;
    }
    default: break;
  }
  if (!ok) {
    // Kept as a header without data, as Suricata's (its invalid_pdu event).
    const std::uint16_t command = out.command, length = out.length;
    const std::uint32_t session = out.session, status = out.status, options = out.options;
    out.clear();
    out.command = command;
    out.length = length;
    out.session = session;
    out.status = status;
    out.options = options;
    out.invalid = true;
  }
  return kEnipHeaderSize + out.length;
}

bool looksLikeEnip(std::span<const std::uint8_t> d) {
  if (d.size() < kEnipHeaderSize) return false;
  const auto u16 = [&](std::size_t at) { return static_cast<std::uint16_t>(d[at] | d[at + 1] << 8); };
  const std::uint16_t command = u16(0), length = u16(2);
  const std::uint32_t status = static_cast<std::uint32_t>(u16(8)) | static_cast<std::uint32_t>(u16(10)) << 16;
  const std::uint32_t options = static_cast<std::uint32_t>(u16(20)) | static_cast<std::uint32_t>(u16(22)) << 16;
  if (enipStatusName(status).empty() || enipCommandName(command).empty()) return false;
  if (command == 0 && options != 0) return false;
  if (command == kRegisterSession && length != 4) return false;
  if (command == kUnregisterSession && length != 4 && length != 0) return false;
  if (command == kListInterfaces) {
    // Its data must hold a count and as many 16-bit entries.
    if (d.size() < kEnipHeaderSize + 2) return false;
    const std::size_t n = u16(kEnipHeaderSize);
    if (d.size() < kEnipHeaderSize + 2 + 2 * n) return false;
  }
  return true;
}

void EnipState::parse(FlowDirection dir) {
  AckedBytes& side = pending(dir);
  const std::string_view ready = side.ready();
  const std::span<const std::uint8_t> d(reinterpret_cast<const std::uint8_t*>(ready.data()), ready.size());
  std::size_t at = 0;
  while (at < d.size()) {
    const std::size_t n = parseEnipPdu(d.subspan(at), scratch_);
    if (n == 0) break;  // the rest of a PDU comes later
    add(dir == FlowDirection::ToServer, d.subspan(at, n));
    at += n;
  }
  side.consume(at);
}

bool EnipState::datagram(FlowDirection dir, std::span<const std::uint8_t> payload) {
  if (parseEnipPdu(payload, scratch_) == 0) {
    ++errors_;
    return false;
  }
  add(dir == FlowDirection::ToServer, payload);
  return true;
}

void EnipState::add(bool request, std::span<const std::uint8_t> /*pdu*/) {
  if (scratch_.invalid) ++errors_;
  if (!request) {
    // The oldest open request this reply answers; those passed over are done.
    for (auto& tx : txs_) {
      if (!tx->has_request || tx->has_response) continue;
      tx->done = true;
      const EnipPdu& req = tx->request;
      bool matches = req.command == scratch_.command &&
                     (req.session == scratch_.session || req.command == kRegisterSession);
      if (matches) {
        if (req.payload == EnipPdu::Payload::Cip && scratch_.payload == EnipPdu::Payload::Cip) {
          if (req.item_count >= 2 && scratch_.item_count >= 2 && req.second_item_type == kItemConnectedData &&
              scratch_.second_item_type == kItemConnectedData) {
            matches = req.has_sequence && scratch_.has_sequence && req.sequence == scratch_.sequence;
          }
        } else {
          matches = req.payload != EnipPdu::Payload::Cip && scratch_.payload != EnipPdu::Payload::Cip;
        }
      }
      if (matches) {
        std::swap(tx->response, scratch_);
        tx->has_response = true;
        return;
      }
    }
  }
  EnipTransaction& tx = open();
  if (request) {
    std::swap(tx.request, scratch_);
    tx.has_request = true;
  } else {
    std::swap(tx.response, scratch_);
    tx.has_response = true;
  }
}

EnipTransaction& EnipState::open() {
  if (txs_.size() >= kMaxTx) {
    // Given up: the oldest goes (logged and inspected as far as it was).
    spare_.push_back(std::move(txs_.front()));
    txs_.erase(txs_.begin());
  }
  std::unique_ptr<EnipTransaction> tx;
  if (!spare_.empty()) {
    tx = std::move(spare_.back());
    spare_.pop_back();
  } else {
    tx = std::make_unique<EnipTransaction>();
  }
  tx->tx_id = ++next_tx_id_;
  tx->has_request = tx->has_response = tx->done = false;
  tx->request_inspected = tx->response_inspected = tx->logged = false;
  txs_.push_back(std::move(tx));
  return *txs_.back();
}

void EnipState::prune() {
  for (auto it = txs_.begin(); it != txs_.end();) {
    EnipTransaction& tx = **it;
    const bool inspected = (!tx.has_request || tx.request_inspected) && (!tx.has_response || tx.response_inspected);
    if (tx.logged && inspected) {
      spare_.push_back(std::move(*it));
      it = txs_.erase(it);
    } else {
      ++it;
    }
  }
}

void EnipState::reset() {
  for (auto& tx : txs_) spare_.push_back(std::move(tx));
  txs_.clear();
  for (AckedBytes& s : sides_) s.clear();
  next_tx_id_ = 0;
  errors_ = 0;
  events.clear();
}

}  // namespace gsoc::sensor
