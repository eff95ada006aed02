#include "sensor/app/QuicParser.hpp"

#include <algorithm>
#include <cstring>

namespace gsoc::sensor {

using signatures::AnomalyEvent;
using signatures::FlowDirection;

namespace {

constexpr std::uint32_t kQ043 = 0x51303433;
constexpr std::uint32_t kQ044 = 0x51303434;
constexpr std::uint32_t kQ045 = 0x51303435;
constexpr std::uint32_t kQ046 = 0x51303436;
constexpr std::uint32_t kQuicV2 = 0x6b3343cf;

// Google's versions with their own header layout (Q046 has the IETF type bits, not the rest).
bool isGquic(std::uint32_t v) { return v == kQ043 || v == kQ044 || v == kQ045 || v == kQ046; }

// A bounds-checked reader of a packet or its frames.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> d) : d_(d) {}
  bool u8(std::uint8_t& v) {
    if (left() < 1) return false;
    v = d_[pos_++];
    return true;
  }
  bool be(std::size_t n, std::uint64_t& v) {
    if (left() < n) return false;
    v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v << 8 | d_[pos_ + i];
    pos_ += n;
    return true;
  }
  bool le(std::size_t n, std::uint64_t& v) {
    if (left() < n) return false;
    v = 0;
    for (std::size_t i = n; i > 0; --i) v = v << 8 | d_[pos_ + i - 1];
    pos_ += n;
    return true;
  }
  // RFC 9000 16: a variable-length integer.
  bool varint(std::uint64_t& v) {
    if (left() < 1) return false;
    const std::size_t n = std::size_t{1} << (d_[pos_] >> 6);
    if (left() < n) return false;
    v = d_[pos_] & 0x3f;
    for (std::size_t i = 1; i < n; ++i) v = v << 8 | d_[pos_ + i];
    pos_ += n;
    return true;
  }
  bool bytes(std::uint64_t n, std::span<const std::uint8_t>& out) {
    if (left() < n) return false;
    out = d_.subspan(pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return true;
  }
  bool skip(std::uint64_t n) {
    std::span<const std::uint8_t> ignored;
    return bytes(n, ignored);
  }
  [[nodiscard]] std::size_t left() const { return d_.size() - pos_; }
  [[nodiscard]] std::size_t pos() const { return pos_; }
  [[nodiscard]] std::span<const std::uint8_t> rest() const { return d_.subspan(pos_); }
  void finish() { pos_ = d_.size(); }

 private:
  std::span<const std::uint8_t> d_;
  std::size_t pos_ = 0;
};

// gQUIC's public header (Q043 and before): flags, an 8-byte connection ID, a diversification
// nonce, the version, the packet number and the message authentication hash, as Suricata reads
// it. A packet with the version flag is an Initial, the others short.
bool parsePublicHeader(std::span<const std::uint8_t> in, QuicHeader& out) {
  Reader r(in);
  std::uint8_t flags = 0;
  r.u8(flags);
  constexpr std::uint8_t kDcid = 0x08, kNonce = 0x04, kVersion = 0x01;
  std::span<const std::uint8_t> dcid;
  if ((flags & kDcid) != 0 && !r.bytes(8, dcid)) return false;
  if ((flags & kNonce) != 0 && (flags & kDcid) == 0 && !r.skip(32)) return false;
  std::uint64_t version = 0;
  if ((flags & kVersion) != 0 && !r.be(4, version)) return false;
  if (!r.skip(1u + ((flags & 0x30) >> 4))) return false;
  if ((flags & kDcid) != 0 && !r.skip(12)) return false;
  if (r.left() > 0xffff) return false;
  out.first = flags;
  out.is_long = false;
  out.type = (flags & kVersion) != 0 ? QuicPacketType::Initial : QuicPacketType::Short;
  out.version = static_cast<std::uint32_t>(version);
  out.dcid = dcid;
  out.header_len = r.pos();
  out.length = r.left();
  return true;
}

QuicPacketType longType(std::uint8_t first, std::uint32_t version, bool& ok) {
  ok = true;
  if (version == 0) return QuicPacketType::VersionNegotiation;
  if (isGquic(version) && version != kQ046) {
    switch (first & 0x7f) {
      case 0x7f: return QuicPacketType::Initial;
      case 0x7e: return QuicPacketType::Retry;
      case 0x7d: return QuicPacketType::Handshake;
      case 0x7c: return QuicPacketType::ZeroRtt;
      default: ok = false; return QuicPacketType::Initial;
    }
  }
  const unsigned bits = (first & 0x30) >> 4;
  if (version == kQuicV2) {  // RFC 9369 3.2: the types are rotated
    static constexpr QuicPacketType kV2[] = {QuicPacketType::Retry, QuicPacketType::Initial, QuicPacketType::ZeroRtt,
                                             QuicPacketType::Handshake};
    return kV2[bits];
  }
  static constexpr QuicPacketType kV1[] = {QuicPacketType::Initial, QuicPacketType::ZeroRtt, QuicPacketType::Handshake,
                                           QuicPacketType::Retry};
  return kV1[bits];
}

std::uint32_t be24(const std::uint8_t* p) { return std::uint32_t{p[0]} << 16 | std::uint32_t{p[1]} << 8 | p[2]; }

// gQUIC's CHLO tags, as Suricata knows them: the tag's value and its CYU name.
struct StreamTag {
  std::uint32_t value;
  std::string_view name;
};
constexpr StreamTag kStreamTags[] = {
    {0x41454144, "AEAD"}, {0x43435254, "CCRT"}, {0x43435300, "CCS"},  {0x43455456, "CETV"}, {0x43464357, "CFCW"},
    {0x43484c4f, "CHLO"}, {0x434f5054, "COPT"}, {0x43534354, "CSCT"}, {0x4354494d, "CTIM"}, {0x4943534c, "ICSL"},
    {0x49525454, "IRTT"}, {0x4b455853, "KEXS"}, {0x4d494453, "MIDS"}, {0x4d535043, "MSPC"}, {0x4e4f4e43, "NONC"},
    {0x4e4f4e50, "NONP"}, {0x50414400, "PAD"},  {0x50444d44, "PDMD"}, {0x50554253, "PUBS"}, {0x53434944, "SCID"},
    {0x53434c53, "SCLS"}, {0x53464357, "SFCW"}, {0x534d484c, "SMHL"}, {0x534e4900, "SNI"},  {0x534e4f00, "SNO"},
    {0x53544b00, "STK"},  {0x54434944, "TCID"}, {0x55414944, "UAID"}, {0x56455200, "VER"},  {0x584c4354, "XLCT"},
};
constexpr std::uint32_t kTagSni = 0x534e4900;
constexpr std::uint32_t kTagUaid = 0x55414944;

const StreamTag* findTag(std::uint32_t value) {
  for (const StreamTag& t : kStreamTags) {
    if (t.value == value) return &t;
  }
  return nullptr;
}

// The CYU version digits (Suricata maps Q045 to "44").
std::string_view cyuVersion(std::uint32_t version) {
  switch (version) {
    case kQ043: return "43";
    case kQ044: return "44";
    case kQ045: return "44";
    case kQ046: return "46";
    default: return {};
  }
}

}  // namespace

bool parseQuicHeader(std::span<const std::uint8_t> in, QuicHeader& out) {
  if (in.empty()) return false;
  const std::uint8_t first = in[0];
  if ((first & 0x80) == 0) {
    if ((first & 0x40) == 0) return parsePublicHeader(in, out);
    if (in.size() - 1 > 0xffff) return false;
    out = QuicHeader{first, false, QuicPacketType::Short, 0, {}, 1, in.size() - 1};
    return true;
  }
  Reader r(in.subspan(1));
  std::uint64_t version64 = 0;
  if (!r.be(4, version64)) return false;
  const auto version = static_cast<std::uint32_t>(version64);
  bool ok = false;
  const QuicPacketType type = longType(first, version, ok);
  if (!ok) return false;
  std::span<const std::uint8_t> dcid;
  if (isGquic(version)) {
    std::uint8_t lengths = 0;
    if (!r.u8(lengths)) return false;
    std::size_t dcid_len = lengths >> 4;
    std::size_t scid_len = lengths & 0x0f;
    if (dcid_len != 0) dcid_len += 3;
    if (scid_len != 0) scid_len += 3;
    if (!r.bytes(dcid_len, dcid) || !r.skip(scid_len)) return false;
  } else {
    std::uint8_t dcid_len = 0, scid_len = 0;
    if (!r.u8(dcid_len) || !r.bytes(dcid_len, dcid) || !r.u8(scid_len) || !r.skip(scid_len)) return false;
  }
  std::uint64_t length = r.left();
  if (type == QuicPacketType::Initial) {
    if (isGquic(version)) {
      if (!r.skip(4) || !r.skip(12)) return false;  // packet number, message authentication hash
      length = r.left();
    } else {
      std::uint64_t token_len = 0;
      if (!r.varint(token_len) || !r.skip(token_len) || !r.varint(length) || length > r.left()) return false;
    }
  }
  if (length > 0xffff) return false;
  out = QuicHeader{first, true, type, version, dcid, 1 + r.pos(), static_cast<std::size_t>(length)};
  return true;
}

bool quicKnownVersion(std::uint32_t v) {
  return v == 1 || v == kQuicV2 || (v >= 0xff000017 && v <= 0xff000022) || v == 0xfaceb002 || v == 0x51303339 || isGquic(v) ||
         v == 0x51303530;
}

void quicVersionName(std::uint32_t version, std::string& out) {
  out.clear();
  if (version == 0x51303339 || isGquic(version)) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((version >> shift) & 0xff));
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 28; shift >= 0; shift -= 4) {
    const unsigned digit = (version >> shift) & 15;
    if (digit == 0 && !started && shift > 0) continue;
    started = true;
    out.push_back(kHex[digit]);
  }
}

std::string_view quicTlsExtensionName(std::uint16_t type) {
  static constexpr std::string_view kNames[] = {
      "server_name", "max_fragment_length", "client_certificate_url", "trusted_ca_keys", "truncated_hmac",
      "status_request", "user_mapping", "client_authz", "server_authz", "cert_type", "supported_groups",
      "ec_point_formats", "srp", "signature_algorithms", "use_srtp", "heartbeat", "alpn", "status_request_v2",
      "signed_certificate_timestamp", "client_certificate_type", "server_certificate_type", "padding",
      "encrypt_then_mac", "extended_master_secret", "token_binding", "cached_info", "tls_lts",
      "compress_certificate", "record_size_limit", "pwd_protect", "pwd_clear", "password_salt", "ticket_pinning",
      "tls_cert_with_extern_psk", "delegated_credentials", "session_ticket", "tlmsp", "tlmsp_proxying",
      "tlmsp_delegate", "supported_ekt_ciphers", "", "pre_shared_key", "early_data", "supported_versions",
      "cookie", "psk_key_exchange_modes", "", "certificate_authorities", "oid_filters", "post_handshake_auth",
      "signature_algorithms_cert", "key_share", "transparency_info", "connection_id_deprecated", "connection_id",
      "external_id_hash", "external_session_id", "quic_transport_parameters", "ticket_request", "dnssec_chain",
  };
  if (type < std::size(kNames)) return kNames[type];
  if (type == 13172) return "next_protocol_negotiation";
  if (type == 65281) return "renegotiation_info";
  return {};
}

void QuicTransaction::clear() {
  long_header = false;
  has_version = false;
  version = 0;
  version_bytes = {};
  has_sni = false;
  sni.clear();
  has_ua = false;
  ua.clear();
  cyu.clear();
  extensions.clear();
  has_hello = false;
  ja3.clear();
  ja3_hash.clear();
  ja4.clear();
}

void QuicState::Side::clear() {
  constexpr std::size_t kKeepBytes = 16 * 1024;  // a larger buffer is given back, not kept
  if (crypto.capacity() > kKeepBytes) std::string().swap(crypto);
  else crypto.clear();
  ranges.clear();
  hello_done = false;
}

void QuicState::Side::add(std::uint64_t offset, std::span<const std::uint8_t> data) {
  if (data.empty()) return;
  const auto begin = static_cast<std::uint32_t>(offset);
  const auto end = static_cast<std::uint32_t>(offset + data.size());
  if (crypto.size() < end) crypto.resize(end, '\0');
  std::memcpy(crypto.data() + begin, data.data(), data.size());
  // Insert [begin, end) and merge what it touches.
  auto it = std::lower_bound(ranges.begin(), ranges.end(), std::make_pair(begin, end));
  it = ranges.insert(it, {begin, end});
  if (it != ranges.begin() && std::prev(it)->second >= it->first) {
    --it;
    it->second = std::max(it->second, std::next(it)->second);
    ranges.erase(std::next(it));
  }
  while (std::next(it) != ranges.end() && std::next(it)->first <= it->second) {
    it->second = std::max(it->second, std::next(it)->second);
    ranges.erase(std::next(it));
  }
}

void QuicState::reset() {
  for (Side& side : sides_) side.clear();
  has_keys_ = false;
  retried_ = false;
  tx_.clear();
  next_tx_id_ = 0;
  errors_ = 0;
  events.clear();
}

void QuicState::startTransaction(const QuicHeader& h) {
  tx_.clear();
  tx_.long_header = h.is_long;
  tx_.has_version = h.type != QuicPacketType::Short;
  tx_.version = h.version;
  for (std::size_t i = 0; i < 4; ++i) tx_.version_bytes[i] = static_cast<std::uint8_t>(h.version >> (24 - 8 * i));
}

void QuicState::failed(FlowDirection dir, const QuicHeader& h, AnomalyEvent event, const TransactionSink& sink) {
  ++errors_;
  events.set(event);
  startTransaction(h);  // what the packet's frames gave so far is dropped, as Suricata's empty transaction
  emit(dir, sink);
}

void QuicState::emit(FlowDirection dir, const TransactionSink& sink) {
  tx_.tx_id = next_tx_id_++;
  sink(dir, tx_);
}

void QuicState::datagram(FlowDirection dir, std::span<const std::uint8_t> payload, const TransactionSink& sink) {
  const bool to_server = dir == FlowDirection::ToServer;
  Side& side = sides_[to_server ? 0 : 1];
  std::span<const std::uint8_t> buf = payload;
  while (!buf.empty()) {
    QuicHeader h;
    if (!parseQuicHeader(buf, h)) {
      ++errors_;
      return;
    }
    if (side.hello_done || h.type == QuicPacketType::Short) return;  // the rest is encrypted with keys we lack
    if (!has_keys_ && h.type == QuicPacketType::Initial) {
      has_keys_ = quicInitialKeys(h.version, h.dcid, keys_);
    } else if (!to_server && has_keys_ && h.type == QuicPacketType::Retry && !retried_) {
      // The client answers with a new Initial under new keys (RFC 9000 17.2.5.2: one Retry only).
      has_keys_ = false;
      retried_ = true;
      sides_[0].clear();
    }
    const std::span<const std::uint8_t> packet = buf.first(h.header_len + h.length);
    buf = buf.subspan(packet.size());
    if (h.type != QuicPacketType::Initial) {  // only the version is readable
      startTransaction(h);
      emit(dir, sink);
      continue;
    }
    std::span<const std::uint8_t> frames_bytes = packet.subspan(h.header_len);
    if (has_keys_ && !frames_bytes.empty()) {
      if (!decrypt(to_server, h, packet)) {
        failed(dir, h, AnomalyEvent::QuicFailedDecrypt, sink);
        return;
      }
      frames_bytes = plain_;
    }
    startTransaction(h);
    if (!frames(to_server, frames_bytes)) {
      failed(dir, h, AnomalyEvent::QuicErrorOnData, sink);
      return;
    }
    emit(dir, sink);
  }
}

bool QuicState::decrypt(bool to_server, const QuicHeader& h, std::span<const std::uint8_t> packet) {
  constexpr std::size_t kSampleOffset = 4;  // RFC 9001 5.4.2: as if the packet number had 4 bytes
  if (h.length < kSampleOffset + 16) return false;
  if (!cipher_) cipher_ = std::make_unique<QuicPacketCipher>();
  const QuicPacketKeys& keys = to_server ? keys_.client : keys_.server;
  std::array<std::uint8_t, 5> mask{};
  const std::span<const std::uint8_t, 16> sample(packet.data() + h.header_len + kSampleOffset, 16);
  if (!cipher_->headerMask(keys, sample, mask)) return false;
  const std::uint8_t first = h.first ^ (mask[0] & (h.is_long ? 0x0f : 0x1f));
  const std::size_t pn_len = (first & 3u) + 1;
  aad_.assign(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(h.header_len + pn_len));
  aad_[0] = first;
  std::uint64_t pn = 0;
  for (std::size_t i = 0; i < pn_len; ++i) {
    aad_[h.header_len + i] ^= mask[1 + i];
    pn = pn << 8 | aad_[h.header_len + i];
  }
  plain_.assign(packet.begin() + static_cast<std::ptrdiff_t>(h.header_len + pn_len), packet.end());
  std::size_t plain_len = 0;
  if (!cipher_->open(keys, pn, aad_, plain_, plain_len)) return false;
  plain_.resize(plain_len);
  return true;
}

bool QuicState::gquicTags(std::span<const std::uint8_t> data) {
  // [message tag][entries: N, LE 16][2 padding][N x (tag, LE 32 end offset)][values]
  Reader r(data);
  std::uint64_t message = 0, entries = 0;
  if (!r.be(4, message) || findTag(static_cast<std::uint32_t>(message)) == nullptr || !r.le(2, entries) || !r.skip(2)) {
    return false;
  }
  const std::size_t table = r.pos();
  if (!r.skip(entries * 8)) return false;
  // The whole stream data must be the message (Suricata's all_consuming), else it is not one.
  std::uint64_t previous = 0;
  Reader values = r;
  for (std::uint64_t i = 0; i < entries; ++i) {
    Reader entry(data.subspan(table + i * 8, 8));
    std::uint64_t tag = 0, end = 0;
    entry.be(4, tag);
    entry.le(4, end);
    if (findTag(static_cast<std::uint32_t>(tag)) == nullptr || end < previous || !values.skip(end - previous)) return false;
    previous = end;
  }
  if (values.left() != 0) return false;
  const std::string_view version = cyuVersion(tx_.version);
  QuicCyu* cyu = version.empty() ? nullptr : &tx_.cyu.next();
  if (cyu != nullptr) cyu->string.assign(version).push_back(',');
  bool sni = false, ua = false;
  previous = 0;
  std::size_t at = r.pos();
  for (std::uint64_t i = 0; i < entries; ++i) {
    Reader entry(data.subspan(table + i * 8, 8));
    std::uint64_t tag = 0, end = 0;
    entry.be(4, tag);
    entry.le(4, end);
    const auto value = data.subspan(at, static_cast<std::size_t>(end - previous));
    at += value.size();
    previous = end;
    if (cyu != nullptr) {
      if (i > 0) cyu->string.push_back('-');
      cyu->string.append(findTag(static_cast<std::uint32_t>(tag))->name);
    }
    if (sni && ua) continue;
    const std::string_view text(reinterpret_cast<const char*>(value.data()), value.size());
    if (tag == kTagSni) {
      tx_.sni.assign(text);
      tx_.has_sni = sni = true;
    } else if (tag == kTagUaid) {
      tx_.ua.assign(text);
      tx_.has_ua = ua = true;
    }
  }
  if (cyu != nullptr) md5Hex(cyu->string, cyu->hash);
  return true;
}

bool QuicState::frames(bool to_server, std::span<const std::uint8_t> payload) {
  Side& side = sides_[to_server ? 0 : 1];
  Reader r(payload);
  bool new_crypto = false;
  while (r.left() > 0) {
    std::uint8_t type = 0;
    r.u8(type);
    if ((type & 0x80) != 0) {  // gQUIC STREAM: 0b1fdooss
      std::size_t offset_len = (type & 0x1c) >> 2;
      if (offset_len != 0) ++offset_len;
      std::uint64_t data_len = 0;
      if (!r.skip((type & 0x03) + 1u) || !r.skip(offset_len)) return false;
      if ((type & 0x20) != 0) {
        if (!r.be(2, data_len)) return false;
      } else {
        data_len = r.left();
      }
      std::span<const std::uint8_t> data;
      if (!r.bytes(data_len, data)) return false;
      gquicTags(data);
      continue;
    }
    switch (type) {
      case 0x00:  // PADDING: the zeros that follow with it
        while (r.left() > 0 && r.rest()[0] == 0) r.skip(1);
        break;
      case 0x01:  // PING
        break;
      case 0x02:
      case 0x03: {  // ACK, ACK with ECN counts
        std::uint64_t largest = 0, delay = 0, count = 0, first = 0, v = 0;
        if (!r.varint(largest) || !r.varint(delay) || !r.varint(count) || !r.varint(first)) return false;
        for (std::uint64_t i = 0; i < count; ++i) {
          if (!r.varint(v) || !r.varint(v)) return false;
        }
        if (type == 0x03 && (!r.varint(v) || !r.varint(v) || !r.varint(v))) return false;
        break;
      }
      case 0x06: {  // CRYPTO
        std::uint64_t offset = 0, length = 0;
        std::span<const std::uint8_t> data;
        if (!r.varint(offset) || !r.varint(length) || !r.bytes(length, data)) return false;
        if (offset + length >= kMaxCryptoBytes) {
          ++errors_;
          events.set(AnomalyEvent::QuicCryptoFragTooLong);
          break;
        }
        side.add(offset, data);
        new_crypto = new_crypto || !data.empty();
        break;
      }
      case 0x08: {  // gQUIC's crypto stream
        std::uint64_t offset = 0, length = 0;
        std::span<const std::uint8_t> data;
        if (!r.varint(offset) || !r.varint(length) || !r.bytes(length, data)) return false;
        gquicTags(data);
        break;
      }
      default:  // a frame Suricata does not read: the rest of the packet is left alone
        r.finish();
        break;
    }
  }
  if (!new_crypto || side.hello_done) return true;
  const std::size_t have = side.contiguous();
  if (have < 4) return true;
  const auto* h = reinterpret_cast<const std::uint8_t*>(side.crypto.data());
  if (have < 4 + std::size_t{be24(h + 1)}) return true;  // wait for the rest of the hello
  return hello(side);
}

bool QuicState::hello(Side& side) {
  const auto* h = reinterpret_cast<const std::uint8_t*>(side.crypto.data());
  const std::span<const std::uint8_t> body(h + 4, be24(h + 1));
  const bool client = h[0] == 1;
  if (h[0] != 1 && h[0] != 2) {
    side.clear();
    return false;
  }
  const auto on_extension = [&](std::uint16_t type, std::span<const std::uint8_t> data) {
    QuicTlsExtension& e = tx_.extensions.next();
    e.type = type;
    e.values.clear();
    Reader r(data);
    std::uint64_t list = 0;
    if ((type != 0 && type != 16) || !r.be(2, list)) return;
    std::span<const std::uint8_t> entries;
    if (!r.bytes(list, entries)) return;
    Reader er(entries);
    while (er.left() > 0) {
      std::uint64_t len = 0;
      std::span<const std::uint8_t> value;
      if (type == 0 && !er.skip(1)) return;  // the name's type (host_name)
      if (!er.be(type == 0 ? 2 : 1, len) || !er.bytes(len, value)) return;
      e.values.next().assign(reinterpret_cast<const char*>(value.data()), value.size());
    }
  };
  const TlsExtensionVisitor visit = on_extension;
  hello_.clear();
  scratch_.fields.quic = true;
  if (!parseTlsHello(body, client, hello_, scratch_, &visit)) {
    side.clear();
    return false;
  }
  tx_.has_hello = true;
  if (client) {
    tx_.ja3.assign(hello_.ja3);
    tx_.ja3_hash.assign(hello_.ja3_hash);
    tx_.ja4.assign(hello_.ja4);
  } else {
    // Suricata's QUIC JA3S starts with the hello's legacy version (771), not the TLS 1.3 of
    // supported_versions that the TLS parser's JA3S takes.
    const std::string_view ja3s = hello_.ja3s;
    tx_.ja3.assign(std::to_string(body.size() >= 2 ? (body[0] << 8 | body[1]) : 0));
    tx_.ja3.append(ja3s.substr(std::min(ja3s.find(','), ja3s.size())));
    md5Hex(tx_.ja3, tx_.ja3_hash);
  }
  for (const QuicTlsExtension& e : tx_.extensions) {
    if (e.type == 0 && !e.values.empty()) {
      tx_.sni.assign(e.values.front());
      tx_.has_sni = true;
    }
  }
  // The hello is read: the side's later packets are encrypted with keys a sensor cannot derive.
  side.clear();
  side.hello_done = true;
  return true;
}

}  // namespace gsoc::sensor
