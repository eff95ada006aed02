#include "sensor/app/RdpParser.hpp"

#include <algorithm>
#include <array>

#include "sensor/app/DerReader.hpp"

namespace gsoc::sensor {

using signatures::FlowDirection;

namespace {

constexpr std::size_t kTpktHeader = 4;
constexpr std::uint8_t kX224ConnectionRequest = 0xe0;
constexpr std::uint8_t kX224ConnectionConfirm = 0xd0;
constexpr std::uint8_t kX224Data = 0xf0;
constexpr std::uint16_t kCsCore = 0xc001;
constexpr std::uint16_t kCsNet = 0xc003;

// A bounds-checked little-endian reader over one PDU part.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}
  [[nodiscard]] std::size_t left() const { return data_.size() - pos_; }
  bool u8(std::uint8_t& v) {
    if (left() < 1) return false;
    v = data_[pos_++];
    return true;
  }
  bool u16(std::uint16_t& v) {
    if (left() < 2) return false;
    v = static_cast<std::uint16_t>(data_[pos_] | (data_[pos_ + 1] << 8));
    pos_ += 2;
    return true;
  }
  bool u32(std::uint32_t& v) {
    if (left() < 4) return false;
    v = static_cast<std::uint32_t>(data_[pos_]) | (static_cast<std::uint32_t>(data_[pos_ + 1]) << 8) |
        (static_cast<std::uint32_t>(data_[pos_ + 2]) << 16) | (static_cast<std::uint32_t>(data_[pos_ + 3]) << 24);
    pos_ += 4;
    return true;
  }
  bool take(std::size_t n, std::span<const std::uint8_t>& out) {
    if (left() < n) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  // A fixed-size UTF-16LE field up to its first NUL, as UTF-8; false when it is no valid UTF-16.
  bool utf16(std::size_t bytes, std::string& out) {
    std::span<const std::uint8_t> raw;
    if (!take(bytes, raw)) return false;
    out.clear();
    for (std::size_t i = 0; i + 1 < raw.size(); i += 2) {
      std::uint32_t c = raw[i] | (raw[i + 1] << 8);
      if (c == 0) break;
      if (c >= 0xd800 && c <= 0xdbff) {  // a surrogate pair
        if (i + 3 >= raw.size()) return false;
        const std::uint32_t low = raw[i + 2] | (raw[i + 3] << 8);
        if (low < 0xdc00 || low > 0xdfff) return false;
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i += 2;
      } else if (c >= 0xdc00 && c <= 0xdfff) {
        return false;
      }
      if (c < 0x80) {
        out += static_cast<char>(c);
      } else if (c < 0x800) {
        out += static_cast<char>(0xc0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3f));
      } else if (c < 0x10000) {
        out += static_cast<char>(0xe0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (c & 0x3f));
      } else {
        out += static_cast<char>(0xf0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (c & 0x3f));
      }
    }
    return true;
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

// The optional tail of TS_UD_CS_CORE: each field read only when the one before it was, and a
// value outside what the specification allows ends it (as Suricata's parser reads it).
void coreOptionalFields(Reader& r, RdpClientCore& c) {
  std::uint16_t v16 = 0;
  std::uint32_t v32 = 0;
  std::uint8_t v8 = 0;
  if (!r.u16(v16) || v16 < 0xca00 || v16 > 0xca04) return;
  c.post_beta2_color_depth = v16;
  c.has_post_beta2_color_depth = true;
  if (!r.u16(c.product_id)) return;
  c.has_product_id = true;
  if (!r.u32(c.serial_number)) return;
  c.has_serial_number = true;
  if (!r.u16(v16) || (v16 != 4 && v16 != 8 && v16 != 15 && v16 != 16 && v16 != 24)) return;
  c.high_color_depth = v16;
  c.has_high_color_depth = true;
  if (!r.u16(v16) || (v16 & ~0x000f) != 0) return;
  c.supported_color_depth = v16;
  c.has_supported_color_depth = true;
  if (!r.u16(v16) || (v16 & ~0x07ff) != 0) return;
  c.early_capability_flags = v16;
  c.has_early_capability_flags = true;
  if (!r.utf16(64, c.dig_product_id)) return;
  c.has_dig_product_id = true;
  if (!r.u8(v8) || v8 > 7) return;
  c.connection_type = v8;
  c.has_connection_type = true;
  if (!r.u8(v8)) return;  // pad
  if (!r.u32(v32) || (v32 & ~0x0000000fU) != 0) return;
  c.has_server_selected_protocol = true;
  // The physical size and the scale factors: a zero height or device factor is absent.
  std::uint32_t width = 0, height = 0;
  if (!r.u32(width) || width < 10 || width > 10000) return;
  c.physical_width = width;
  c.has_physical_size = true;
  if (!r.u32(height) || height < 10 || height > 10000) return;
  c.physical_height = height;
  if (!r.u16(v16) || (v16 != 0 && v16 != 90 && v16 != 180 && v16 != 270)) return;
  c.orientation = v16;
  c.has_orientation = true;
  std::uint32_t desktop = 0, device = 0;
  if (!r.u32(desktop) || desktop < 100 || desktop > 500) return;
  c.desktop_scale_factor = desktop;
  c.has_scale_factors = true;
  if (!r.u32(device) || (device != 100 && device != 140 && device != 180)) return;
  c.device_scale_factor = device;
}

bool clientCore(std::span<const std::uint8_t> block, RdpClientCore& c) {
  Reader r(block);
  c = RdpClientCore{};
  std::uint16_t sas = 0;
  if (!r.u32(c.version) || !r.u16(c.desktop_width) || !r.u16(c.desktop_height) || !r.u16(c.color_depth) || !r.u16(sas) ||
      !r.u32(c.keyboard_layout) || !r.u32(c.client_build) || !r.utf16(32, c.client_name) || !r.u32(c.keyboard_type) ||
      !r.u32(c.keyboard_subtype) || !r.u32(c.keyboard_function_key) || !r.utf16(64, c.ime_file_name)) {
    return false;
  }
  coreOptionalFields(r, c);
  return true;
}

bool clientNetwork(std::span<const std::uint8_t> block, ReusingVector<std::string>& channels) {
  Reader r(block);
  std::uint32_t count = 0;
  if (!r.u32(count)) return false;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::span<const std::uint8_t> name;
    std::uint32_t options = 0;
    if (!r.take(8, name) || !r.u32(options)) return false;
    const auto end = std::find(name.begin(), name.end(), std::uint8_t{0});
    channels.next().assign(name.begin(), end);
  }
  return true;
}

// T.125 Connect-Initial: past the GCC Conference Create Request up to the client-to-server
// H.221 key "Duca", a PER length, then the client data blocks (MS-RDPBCGR 2.2.1.3).
bool connectInitial(std::span<const std::uint8_t> mcs, RdpTransaction& tx) {
  constexpr std::array<std::uint8_t, 4> kKey = {'D', 'u', 'c', 'a'};
  const auto key = std::search(mcs.begin(), mcs.end(), kKey.begin(), kKey.end());
  if (key == mcs.end()) return false;
  Reader r(mcs.subspan(static_cast<std::size_t>(key - mcs.begin()) + kKey.size()));
  std::uint8_t first = 0, second = 0;
  if (!r.u8(first)) return false;
  std::size_t length = first;
  if ((first & 0x80) != 0) {
    if (!r.u8(second)) return false;
    length = ((first & 0x7fU) << 8) | second;
  }
  std::span<const std::uint8_t> blocks;
  if (!r.take(length, blocks)) return false;
  Reader b(blocks);
  while (b.left() >= 4) {
    std::uint16_t type = 0, size = 0;
    std::span<const std::uint8_t> block;
    if (!b.u16(type) || !b.u16(size) || size < 4 || !b.take(size - 4U, block)) break;
    if (type == kCsCore) {
      if (!clientCore(block, tx.client)) break;
      tx.has_client_core = true;
    } else if (type == kCsNet) {
      if (!clientNetwork(block, tx.channels)) break;
    }
  }
  return true;
}

// A certificate's serial number (tbsCertificate's INTEGER after the optional [0] version) as
// lower-case hex without leading zeros; false when the certificate does not read.
bool certificateSerial(std::span<const std::uint8_t> der, std::string& out) {
  DerElement cert, tbs, e;
  if (!readDer(der, cert) || !cert.is(DerElement::Class::Universal, 16)) return false;
  DerSequence fields(cert.content);
  if (!fields.next(tbs) || !tbs.is(DerElement::Class::Universal, 16)) return false;
  DerSequence inner(tbs.content);
  if (!inner.next(e)) return false;
  if (e.is(DerElement::Class::Context, 0) && !inner.next(e)) return false;
  if (!e.is(DerElement::Class::Universal, 2) || e.content.empty()) return false;
  constexpr char kHex[] = "0123456789abcdef";
  out.clear();
  for (const std::uint8_t b : e.content) {
    if (out.empty() && b == 0) continue;
    if (out.empty() && b < 0x10) {
      out += kHex[b];
    } else {
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  if (out.empty()) out = "0";
  return true;
}

void clearTransaction(RdpTransaction& tx) {
  tx.has_cookie = tx.has_negotiation_request = tx.has_negotiation_response = tx.has_negotiation_failure = false;
  tx.has_client_core = false;
  tx.cookie.clear();
  tx.channels.clear();
  tx.x509_serials.clear();
  tx.request_flags = tx.response_flags = 0;
  tx.requested_protocols = tx.protocol = tx.failure_code = 0;
}

}  // namespace

std::string_view rdpClientVersionName(std::uint32_t version) {
  switch (version) {
    case 0x00080001: return "v4";
    case 0x00080004: return "v5";
    case 0x00080005: return "v10.0";
    case 0x00080006: return "v10.1";
    case 0x00080007: return "v10.2";
    case 0x00080008: return "v10.3";
    case 0x00080009: return "v10.4";
    case 0x0008000a: return "v10.5";
    case 0x0008000b: return "v10.6";
    case 0x0008000c: return "v10.7";
    default: return {};
  }
}

std::string rdpBuildName(std::uint32_t build) {
  std::string_view name;
  switch (build) {
    case 528: name = "Windows NT 3.1"; break;
    case 807: name = "Windows NT 3.5"; break;
    case 1057: name = "Windows NT 3.51"; break;
    case 1381: name = "Windows NT 4.0"; break;
    case 2195: name = "Windows 2000"; break;
    case 2600: name = "Windows XP"; break;
    case 3790: name = "Windows Server 2003"; break;
    case 6000: case 6001: case 6002: name = "Windows Vista"; break;
    case 7600: case 7601: name = "Windows 7"; break;
    case 9200: name = "Windows 8"; break;
    case 9600: name = "Windows 8.1"; break;
    case 10240: case 10586: case 14393: case 15063: case 16299: case 17134: case 17763: name = "Windows 10"; break;
    default: return {};
  }
  std::string_view suffix;
  switch (build) {
    case 6000: case 7600: suffix = " RTM"; break;
    case 6001: case 7601: suffix = " SP1"; break;
    case 6002: suffix = " SP2"; break;
    case 10240: suffix = " TH1"; break;
    case 10586: suffix = " TH2"; break;
    case 14393: suffix = " RS1"; break;
    case 15063: suffix = " RS2"; break;
    case 16299: suffix = " RS3"; break;
    case 17134: suffix = " RS4"; break;
    case 17763: suffix = " RS5"; break;
    default: break;
  }
  std::string out(name);
  out += suffix;
  return out;
}

std::string_view rdpKeyboardTypeName(std::uint32_t type) {
  switch (type) {
    case 1: return "xt";
    case 2: return "ico";
    case 3: return "at";
    case 4: return "enhanced";
    case 5: return "1050";
    case 6: return "9140";
    case 7: return "jp";
    default: return {};
  }
}

std::string_view rdpKeyboardLayoutName(std::uint32_t lcid) {
  // MS-LCID's names of the common keyboard locales.
  struct Locale {
    std::uint32_t id;
    std::string_view name;
  };
  static constexpr Locale kLocales[] = {
      {0x0401, "ar-SA"}, {0x0402, "bg-BG"}, {0x0403, "ca-ES"}, {0x0404, "zh-TW"}, {0x0405, "cs-CZ"}, {0x0406, "da-DK"},
      {0x0407, "de-DE"}, {0x0408, "el-GR"}, {0x0409, "en-US"}, {0x040A, "es-ES_tradnl"}, {0x040B, "fi-FI"},
      {0x040C, "fr-FR"}, {0x040D, "he-IL"}, {0x040E, "hu-HU"}, {0x040F, "is-IS"}, {0x0410, "it-IT"}, {0x0411, "ja-JP"},
      {0x0412, "ko-KR"}, {0x0413, "nl-NL"}, {0x0414, "nb-NO"}, {0x0415, "pl-PL"}, {0x0416, "pt-BR"}, {0x0418, "ro-RO"},
      {0x0419, "ru-RU"}, {0x041A, "hr-HR"}, {0x041B, "sk-SK"}, {0x041D, "sv-SE"}, {0x041E, "th-TH"}, {0x041F, "tr-TR"},
      {0x0421, "id-ID"}, {0x0422, "uk-UA"}, {0x0424, "sl-SI"}, {0x0425, "et-EE"}, {0x0426, "lv-LV"}, {0x0427, "lt-LT"},
      {0x042A, "vi-VN"}, {0x0439, "hi-IN"}, {0x0804, "zh-CN"}, {0x0807, "de-CH"}, {0x0809, "en-GB"}, {0x080A, "es-MX"},
      {0x080C, "fr-BE"}, {0x0813, "nl-BE"}, {0x0816, "pt-PT"}, {0x0C07, "de-AT"}, {0x0C09, "en-AU"}, {0x0C0A, "es-ES"},
      {0x0C0C, "fr-CA"}, {0x1009, "en-CA"}, {0x100C, "fr-CH"}, {0x1409, "en-NZ"}, {0x1809, "en-IE"}, {0x4009, "en-IN"},
  };
  for (const Locale& l : kLocales) {
    if (l.id == lcid) return l.name;
  }
  return {};
}

std::string_view rdpProtocolName(std::uint32_t protocol) {
  switch (protocol) {
    case 0: return "rdp";
    case 1: return "ssl";
    case 2: return "hybrid";
    case 4: return "rds_tls";
    case 8: return "hybrid_ex";
    default: return {};
  }
}

bool looksLikeRdp(std::span<const std::uint8_t> data, bool to_server) {
  return data.size() >= 11 && data[0] == 3 && data[1] == 0 && ((data[2] << 8) | data[3]) >= 11 &&
         data[5] == (to_server ? kX224ConnectionRequest : kX224ConnectionConfirm);
}

bool RdpState::pdu(FlowDirection dir, std::span<const std::uint8_t> pdu, const TransactionSink& sink) {
  // X.224 (ISO 8073): a length indicator, then the TPDU code (its high nibble).
  if (pdu.size() < 2 || pdu[0] + 1U > pdu.size()) return false;
  const std::uint8_t code = pdu[1] & 0xf0;
  const auto fixed = pdu.subspan(1, pdu[0]);  // the header, less its length indicator
  const auto user = pdu.subspan(pdu[0] + 1U);
  clearTransaction(tx_);
  // The client's Connection Request and the server's Confirm; the other way round they are
  // not transactions (Suricata's parser of each side knows only its own).
  if ((code == kX224ConnectionRequest && dir != FlowDirection::ToServer) || (code == kX224ConnectionConfirm && dir != FlowDirection::ToClient)) {
    return true;
  }
  if (code == kX224ConnectionRequest || code == kX224ConnectionConfirm) {
    if (fixed.size() < 6 || fixed[5] != 0) return false;  // class 0, no options only
    auto rest = fixed.subspan(6);
    if (code == kX224ConnectionRequest) {
      tx_.type = RdpTransaction::Type::InitialRequest;
      constexpr std::string_view kCookie = "Cookie: mstshash=";
      const std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());
      if (text.starts_with(kCookie)) {
        const std::size_t end = text.find("\r\n");
        if (end == std::string_view::npos) return false;
        tx_.cookie.assign(text.substr(kCookie.size(), end - kCookie.size()));
        tx_.has_cookie = true;
        rest = rest.subspan(end + 2);
      }
      if (rest.size() >= 8 && rest[0] == 1) {
        tx_.has_negotiation_request = true;
        tx_.request_flags = rest[1];
        tx_.requested_protocols = rest[4] | (rest[5] << 8) | (rest[6] << 16) | (static_cast<std::uint32_t>(rest[7]) << 24);
      }
    } else {
      tx_.type = RdpTransaction::Type::InitialResponse;
      if (rest.size() >= 8 && (rest[0] == 2 || rest[0] == 3)) {
        const std::uint32_t value = rest[4] | (rest[5] << 8) | (rest[6] << 16) | (static_cast<std::uint32_t>(rest[7]) << 24);
        if (rest[0] == 2) {
          tx_.has_negotiation_response = true;
          tx_.response_flags = rest[1];
          tx_.protocol = value;
        } else {
          tx_.has_negotiation_failure = true;
          tx_.failure_code = value;
        }
      }
    }
  } else if (code == kX224Data) {
    // MCS (T.125, BER): Connect-Initial [APPLICATION 101] from the client, Connect-Response
    // [APPLICATION 102] from the server; other data PDUs are not transactions.
    if (user.size() < 2 || user[0] != 0x7f) return true;
    if (dir == FlowDirection::ToServer && user[1] == 0x65) {
      tx_.type = RdpTransaction::Type::ConnectRequest;
      if (!connectInitial(user.subspan(2), tx_)) return false;
    } else if (dir == FlowDirection::ToClient && user[1] == 0x66) {
      tx_.type = RdpTransaction::Type::ConnectResponse;
      done_ = true;  // the setup is over: what follows is the session's (encrypted) traffic
    } else {
      return true;
    }
  } else {
    return true;
  }
  tx_.tx_id = next_tx_id_++;
  sink(dir, tx_);
  return true;
}

bool RdpState::tlsRecord(FlowDirection dir, std::span<const std::uint8_t> record, const TransactionSink& sink) {
  if (dir != FlowDirection::ToClient) return true;  // only the server's certificates are of interest
  // The record's handshake messages: a type, a 24-bit length, the body.
  while (record.size() >= 4) {
    const std::uint8_t type = record[0];
    const std::size_t length = (static_cast<std::size_t>(record[1]) << 16) | (record[2] << 8) | record[3];
    if (record.size() - 4 < length) return false;  // a message split over records
    const auto body = record.subspan(4, length);
    record = record.subspan(4 + length);
    if (type != 11) continue;  // 11: Certificate
    if (body.size() < 3) return false;
    std::size_t total = (static_cast<std::size_t>(body[0]) << 16) | (body[1] << 8) | body[2];
    if (body.size() - 3 < total) return false;
    auto certs = body.subspan(3, total);
    clearTransaction(tx_);
    tx_.type = RdpTransaction::Type::TlsHandshake;
    while (certs.size() >= 3) {
      const std::size_t size = (static_cast<std::size_t>(certs[0]) << 16) | (certs[1] << 8) | certs[2];
      if (certs.size() - 3 < size) return false;
      // A certificate that does not read has no serial in the list (Suricata skips it). Once
      // per connection: the scratch string's allocation does not matter.
      if (std::string serial; certificateSerial(certs.subspan(3, size), serial)) tx_.x509_serials.next() = serial;
      certs = certs.subspan(3 + size);
    }
    tx_.tx_id = next_tx_id_++;
    sink(dir, tx_);
    done_ = true;  // as Suricata, nothing more is parsed once the certificates are known
    return true;
  }
  return true;
}

void RdpState::feed(FlowDirection dir, std::span<const std::uint8_t> data, const TransactionSink& sink) {
  if (failed_ || done_) return;
  const std::size_t side = dir == FlowDirection::ToServer ? 0 : 1;
  std::string& pending = pending_[side];
  pending.append(reinterpret_cast<const char*>(data.data()), data.size());
  std::size_t used = 0;
  while (!failed_ && !done_) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(pending.data()) + used;
    const std::size_t available = pending.size() - used;
    if (available == 0) break;
    if (!tls_[side] && p[0] != 3 && p[0] == 22) tls_[side] = true;  // a TLS handshake record: TLS from here
    if (tls_[side]) {
      if (available < 5) break;
      const std::size_t length = (static_cast<std::size_t>(p[3]) << 8) | p[4];
      if (p[0] < 20 || p[0] > 24 || p[1] != 3) {
        ++errors_;
        failed_ = true;
        break;
      }
      if (available < 5 + length) break;
      if (p[0] == 22 && !tlsRecord(dir, std::span<const std::uint8_t>(p + 5, length), sink)) {
        ++errors_;
        failed_ = true;
      }
      used += 5 + length;
      continue;
    }
    if (available < kTpktHeader) break;
    const std::size_t length = (static_cast<std::size_t>(p[2]) << 8) | p[3];
    if (p[0] != 3 || length < kTpktHeader + 2) {
      // Neither TPKT nor TLS (a fast-path PDU, or not RDP at all): the setup's framing is gone.
      ++errors_;
      failed_ = true;
      break;
    }
    if (available < length) break;
    if (!pdu(dir, std::span<const std::uint8_t>(p + kTpktHeader, length - kTpktHeader), sink)) {
      ++errors_;
      failed_ = true;
    }
    used += length;
  }
  pending.erase(0, used);
  if (failed_ || done_) {
    for (std::string& p : pending_) p.clear();
  }
}

void RdpState::reset() {
  for (std::string& p : pending_) p.clear();
  clearTransaction(tx_);
  tx_.client = RdpClientCore{};
  next_tx_id_ = 0;
  errors_ = 0;
  tls_[0] = tls_[1] = failed_ = done_ = false;
  events.clear();
}

}  // namespace gsoc::sensor
