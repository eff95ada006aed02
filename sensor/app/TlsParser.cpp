#include "sensor/app/TlsParser.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>

#include "gsoc/signatures/Digest.hpp"
#include "sensor/app/Ja4.hpp"

namespace gsoc::sensor {
namespace {

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be24(const std::uint8_t* p) { return std::uint32_t{p[0]} << 16 | std::uint32_t{p[1]} << 8 | p[2]; }

bool grease(std::uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

// A bounds-checked reader over one handshake message.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> d) : d_(d) {}
  bool u8(std::uint8_t& v) {
    if (pos_ + 1 > d_.size()) return false;
    v = d_[pos_++];
    return true;
  }
  bool u16(std::uint16_t& v) {
    if (pos_ + 2 > d_.size()) return false;
    v = be16(d_.data() + pos_);
    pos_ += 2;
    return true;
  }
  bool bytes(std::size_t n, std::span<const std::uint8_t>& out) {
    if (pos_ + n > d_.size()) return false;
    out = d_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  [[nodiscard]] bool done() const { return pos_ >= d_.size(); }

 private:
  std::span<const std::uint8_t> d_;
  std::size_t pos_ = 0;
};

void appendList(std::string& out, const std::vector<std::uint16_t>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back('-');
    out += std::to_string(values[i]);
  }
}

}  // namespace

bool parseTlsHello(std::span<const std::uint8_t> body, bool client, TlsHandshake& out, TlsHelloScratch& scratch,
                   const TlsExtensionVisitor* on_extension) {
  Reader r(body);
  std::uint16_t version = 0;
  std::span<const std::uint8_t> skip;
  std::span<const std::uint8_t> random;
  if (!r.u16(version) || !r.bytes(32, random)) return false;
  std::copy(random.begin(), random.end(), out.random.begin());
  out.has_random = true;
  std::uint8_t sid_len = 0;
  if (!r.u8(sid_len) || !r.bytes(sid_len, skip)) return false;
  // From a pointer and a length: assign() from span iterators builds a temporary string first.
  out.session_id.assign(reinterpret_cast<const char*>(skip.data()), skip.size());
  ClientHelloFields& fields = scratch.fields;  // for JA4
  fields.version = version;
  fields.supported_versions.clear();
  fields.signature_algorithms.clear();
  fields.first_alpn.clear();
  out.alpns.clear();
  fields.sni = false;
  std::vector<std::uint16_t>& ciphers = fields.ciphers;
  std::vector<std::uint16_t>& extensions = fields.extensions;
  std::vector<std::uint16_t>& curves = scratch.curves;
  std::vector<std::uint16_t>& formats = scratch.formats;
  ciphers.clear();
  extensions.clear();
  curves.clear();
  formats.clear();
  if (client) {
    std::uint16_t len = 0;
    std::span<const std::uint8_t> list;
    if (!r.u16(len) || !r.bytes(len, list)) return false;
    for (std::size_t i = 0; i + 1 < list.size(); i += 2) {
      const std::uint16_t c = be16(list.data() + i);
      if (!grease(c)) ciphers.push_back(c);
    }
    std::uint8_t comp = 0;
    if (!r.u8(comp) || !r.bytes(comp, skip)) return false;
  } else {
    std::uint16_t cipher = 0;
    std::uint8_t comp = 0;
    if (!r.u16(cipher) || !r.u8(comp)) return false;
    ciphers.push_back(cipher);
  }
  std::uint16_t ext_total = 0;
  std::span<const std::uint8_t> exts;
  if (!r.done() && r.u16(ext_total) && r.bytes(ext_total, exts)) {
    Reader e(exts);
    while (!e.done()) {
      std::uint16_t type = 0, len = 0;
      std::span<const std::uint8_t> data;
      if (!e.u16(type) || !e.u16(len) || !e.bytes(len, data)) break;
      if (on_extension != nullptr) (*on_extension)(type, data);
      if (!grease(type)) extensions.push_back(type);
      if (type == 0) fields.sni = true;
      if (client && type == 13 && data.size() >= 2) {  // signature_algorithms
        for (std::size_t i = 2; i + 1 < data.size() && i < 2u + be16(data.data()); i += 2) {
          const std::uint16_t a = be16(data.data() + i);
          if (!grease(a)) fields.signature_algorithms.push_back(a);
        }
      } else if (type == 16 && data.size() >= 2) {  // ALPN: a list of length-prefixed protocol names
        const std::size_t end = std::min<std::size_t>(data.size(), 2u + be16(data.data()));
        for (std::size_t i = 2; i < end && i + 1 + data[i] <= end; i += 1u + data[i]) {
          if (data[i] == 0) continue;
          const std::string_view name(reinterpret_cast<const char*>(data.data()) + i + 1, data[i]);
          if (client && i == 2) fields.first_alpn.assign(name);  // JA4: the list's first entry
          out.alpns.next().assign(name);
        }
      } else if (client && type == 43 && !data.empty()) {  // supported_versions
        for (std::size_t i = 1; i + 1 < data.size() && i < 1u + data[0]; i += 2) {
          const std::uint16_t v = be16(data.data() + i);
          if (!grease(v)) fields.supported_versions.push_back(v);
        }
      }
      if (type == 0 && client && data.size() >= 5 && data[2] == 0) {  // server_name, host_name
        const std::uint16_t name_len = be16(data.data() + 3);
        if (5u + name_len <= data.size()) out.sni.assign(reinterpret_cast<const char*>(data.data()) + 5, name_len);
      } else if (type == 10 && data.size() >= 2) {
        for (std::size_t i = 2; i + 1 < data.size(); i += 2) {
          const std::uint16_t g = be16(data.data() + i);
          if (!grease(g)) curves.push_back(g);
        }
      } else if (type == 11 && !data.empty()) {
        for (std::size_t i = 1; i < data.size() && i <= data[0]; ++i) formats.push_back(data[i]);
      } else if (type == 43 && !client && data.size() >= 2) {
        version = be16(data.data());  // TLS 1.3 negotiated version
      }
    }
  }
  // JA3 and JA3S take the hello's own version field (0x0303 in a TLS 1.3 ServerHello), not the
  // one supported_versions negotiates, as Suricata computes them.
  const std::uint16_t hello_version = fields.version;
  out.version = version;
  std::string& fingerprint = scratch.fingerprint;
  fingerprint.assign(std::to_string(hello_version)).append(",");
  if (client) {
    appendList(fingerprint, ciphers);
    fingerprint += ",";
    appendList(fingerprint, extensions);
    fingerprint += ",";
    appendList(fingerprint, curves);
    fingerprint += ",";
    appendList(fingerprint, formats);
    out.ja3 = fingerprint;
    md5Hex(fingerprint, out.ja3_hash);
    ja4(fields, scratch.ja4, out.ja4);
  } else {
    fingerprint.append(std::to_string(ciphers.front())).append(",");
    appendList(fingerprint, extensions);
    out.ja3s = fingerprint;
    md5Hex(fingerprint, out.ja3s_hash);
  }
  return true;
}

namespace {

std::string nameText(X509_NAME* name) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_SEP_CPLUS_SPC | ASN1_STRFLGS_UTF8_CONVERT | XN_FLAG_FN_SN);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  std::string text(data, static_cast<std::size_t>(n));
  // Suricata's x509 names call the PKCS#9 emailAddress attribute "Email".
  constexpr std::string_view kOpenSsl = "emailAddress=";
  for (std::size_t at = 0; (at = text.find(kOpenSsl, at)) != std::string::npos;) {
    if (at == 0 || (at >= 2 && text.compare(at - 2, 2, ", ") == 0)) {
      text.replace(at, kOpenSsl.size(), "Email=");
      at += 6;
    } else {
      at += kOpenSsl.size();
    }
  }
  return text;
}

// Suricata's certificate fingerprint: the SHA-1 of the DER bytes as "90:86:a4:...".
std::string fingerprintText(const X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha1(), digest, &len) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 3);
  for (unsigned i = 0; i < len; ++i) {
    if (i > 0) out.push_back(':');
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

// Suricata's serial: the bytes of the DER INTEGER's content (a leading 00 kept, as on the wire),
// upper-case hex pairs joined by ':', "00:97:E6:47:09:8E:EA:C9:B4".
std::string serialText(const ASN1_INTEGER* serial) {
  unsigned char* der = nullptr;
  const int n = i2d_ASN1_INTEGER(serial, &der);
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> owned(der, [](unsigned char* p) { OPENSSL_free(p); });
  if (n < 2) return {};
  // Tag 0x02, then the length in short form or long form (0x8N and N bytes).
  std::size_t at = 2;
  if (der[1] & 0x80) at += der[1] & 0x7f;
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (std::size_t i = at; i < static_cast<std::size_t>(n); ++i) {
    if (i > at) out.push_back(':');
    out.push_back(kHex[der[i] >> 4]);
    out.push_back(kHex[der[i] & 15]);
  }
  return out;
}

std::string timeText(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return {};
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(text, n);
}

// What is wrong with a certificate's outer DER structure, told apart as Suricata's X.509 decoder
// does: a tag-length header cut short by its container is a length error, a length that passes
// its container an invalid certificate. Checks the certificate's SEQUENCE and the first element
// inside it (the tbsCertificate), where a truncated or forged certificate breaks first.
enum class DerProblem { None, CutHeader, Overrun };

DerProblem derProblem(std::span<const std::uint8_t> der) {
  std::size_t at = 0;
  std::size_t end = der.size();
  for (int depth = 0; depth < 2; ++depth) {
    if (end - at < 2) return DerProblem::CutHeader;
    std::size_t len = der[at + 1];
    std::size_t header = 2;
    if (len & 0x80) {
      const std::size_t bytes = len & 0x7f;
      if (bytes == 0 || bytes > 8) return DerProblem::Overrun;  // indefinite or absurd: not DER
      if (end - at < 2 + bytes) return DerProblem::CutHeader;
      len = 0;
      for (std::size_t i = 0; i < bytes; ++i) len = (len << 8) | der[at + 2 + i];
      header += bytes;
    }
    if (len > end - at - header) return DerProblem::Overrun;
    end = at + header + len;  // the next level lies inside this one
    at += header;
  }
  return DerProblem::None;
}

// Returns false where the first certificate cannot be decoded (its events set in `events`):
// Suricata then gives up on the handshake message.
bool parseCertificates(std::span<const std::uint8_t> body, TlsHandshake& out, signatures::EventSet& events) {
  if (body.size() < 3) return true;
  std::size_t pos = 3;
  const std::size_t end = std::min<std::size_t>(body.size(), 3 + be24(body.data()));
  while (pos + 3 <= end && out.certificates.size() < 10) {
    const std::size_t len = be24(body.data() + pos);
    pos += 3;
    if (pos + len > end) return true;
    const unsigned char* der = body.data() + pos;
    std::unique_ptr<X509, decltype(&X509_free)> cert(d2i_X509(nullptr, &der, static_cast<long>(len)), X509_free);
    const std::size_t start = pos;
    pos += len;
    if (!cert) {
      if (!out.certificates.empty()) continue;  // only the chain's first is decoded, as Suricata does
      const DerProblem problem = derProblem(body.subspan(start, len));
      events.set(problem == DerProblem::CutHeader ? signatures::AnomalyEvent::TlsCertificateInvalidLength
                                                   : signatures::AnomalyEvent::TlsInvalidCertificate);
      return false;
    }
    TlsCertificate c;
    c.der.assign(reinterpret_cast<const char*>(body.data() + start), len);
    c.fingerprint = fingerprintText(cert.get());
    c.subject = nameText(X509_get_subject_name(cert.get()));
    c.issuer = nameText(X509_get_issuer_name(cert.get()));
    c.serial = serialText(X509_get0_serialNumber(cert.get()));
    c.not_before = timeText(X509_get0_notBefore(cert.get()));
    c.not_after = timeText(X509_get0_notAfter(cert.get()));
    if (auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr))) {
      for (int i = 0; i < sk_GENERAL_NAME_num(names) && c.dns_names.size() < 64; ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
        if (name->type != GEN_DNS) continue;
        const ASN1_STRING* dns = name->d.dNSName;
        c.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)), static_cast<std::size_t>(ASN1_STRING_length(dns)));
      }
      GENERAL_NAMES_free(names);
    }
    out.certificates.push_back(std::move(c));
  }
  return true;
}

}  // namespace


std::string_view tlsVersionName(std::uint16_t version) {
  switch (version) {
    case 0x0002: return "SSLv2";
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    default: return "UNDETERMINED";
  }
}

std::string md5Hex(std::string_view data) {
  std::string out;
  md5Hex(data, out);
  return out;
}

void md5Hex(std::string_view data, std::string& out) {
  // One digest per thread (a worker's), restarted per hash: EVP_Digest with EVP_md5() allocates
  // a context and fetches the digest again for every hello (issue 17).
  thread_local signatures::Digest md5(signatures::Digest::Algorithm::Md5);
  try {
    md5.update(data).hexDigestAndRestart(out);
  } catch (const std::runtime_error&) {
    out.clear();  // as before: no hash text when the digest fails
  }
}

void TlsHandshake::clear() {
  client_hello = false;
  client_certificate = false;
  version = 0;
  has_random = false;
  for (std::string* s : {&sni, &ja3, &ja3_hash, &ja4, &ja3s, &ja3s_hash, &session_id}) s->clear();
  certificates.clear();
  alpns.clear();
}

void TlsState::giveBack(std::string& buffer) {
  buffer.clear();
  workspace_->buffers.keep(buffer);  // takes any heap buffer, so the state holds none
}

void TlsState::reset() {
  for (Side& side : sides_) {
    giveBack(side.records);  // a pooled state holds no buffers: the next flow's sides take them
    giveBack(side.handshake);
    side.done = false;
    side.hello_seen = false;
    side.parsed.clear();
    side.have_output = false;
  }
  client_hello_.clear();
  has_client_hello_ = false;
  walks_[0] = walks_[1] = RecordWalk{};
  encrypted_ = false;
  logged = false;
  errors_ = 0;
  events.clear();
}

void TlsState::walkRecords(bool client, std::span<const std::uint8_t> data) {
  RecordWalk& walk = walks_[client ? 0 : 1];
  for (std::size_t i = 0; i < data.size() && !walk.lost && !walk.app_data;) {
    if (walk.body_left > 0) {
      const std::size_t n = std::min<std::size_t>(walk.body_left, data.size() - i);
      walk.body_left -= static_cast<std::uint32_t>(n);
      i += n;
      continue;
    }
    walk.header[walk.header_have++] = data[i++];
    if (walk.header_have < walk.header.size()) continue;
    walk.header_have = 0;
    const std::uint8_t type = walk.header[0];
    if (type < 20 || type > 24 || walk.header[1] != 3) {
      walk.lost = true;
      break;
    }
    walk.records_seen = true;
    // A client's application data before any server record is early data (0-RTT).
    if (type == 23 && (!client || walks_[1].records_seen)) walk.app_data = true;
    walk.body_left = static_cast<std::uint32_t>(walk.header[3]) << 8 | walk.header[4];
  }
}

bool TlsState::append(signatures::FlowDirection dir, std::span<const std::uint8_t> data) {
  const bool client = dir == signatures::FlowDirection::ToServer;
  walkRecords(client, data);
  Side& side = sides_[client ? 0 : 1];
  if (side.done) return false;
  workspace_->buffers.lend(side.records);
  workspace_->buffers.append(side.records, std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
  return side.records.size() > kMaxHeldBytes;
}

void TlsState::parse(signatures::FlowDirection dir, const HandshakeSink& sink) {
  const bool client = dir == signatures::FlowDirection::ToServer;
  Side& side = sides_[client ? 0 : 1];
  if (walks_[client ? 0 : 1].app_data) encrypted_ = true;
  if (side.done && !side.have_output) return;
  while (side.records.size() >= 5 && !side.done) {
    const auto* r = reinterpret_cast<const std::uint8_t*>(side.records.data());
    if (client && !side.hello_seen && (r[0] & 0x80) != 0 && r[2] == 1) {
      // An SSLv2 CLIENT-HELLO (two-byte record header, high bit set): a client that may go on
      // in TLS once the server answers so. Only its version is read (no random, no
      // extensions: no fingerprints), as Suricata reads it for ssl_version.
      const std::size_t v2_len = static_cast<std::size_t>(r[0] & 0x7f) << 8 | r[1];
      if (side.records.size() < 2 + v2_len) break;
      side.parsed.clear();
      side.parsed.client_hello = true;
      side.parsed.version = be16(r + 3);
      side.hello_seen = true;
      side.records.erase(0, 2 + v2_len);
      sink(dir, side.parsed);
      side.parsed.clear();
      continue;
    }
    const std::size_t len = be16(r + 3);
    if (r[0] < 20 || r[0] > 24 || r[1] != 3) {
      ++errors_;
      events.set(r[0] < 20 || r[0] > 24 ? signatures::AnomalyEvent::TlsInvalidRecordType
                                         : signatures::AnomalyEvent::TlsInvalidRecordVersion);
      side.done = true;
      break;
    }
    if (side.records.size() < 5 + len) break;
    if (r[0] == 22) {
      workspace_->buffers.lend(side.handshake);
      workspace_->buffers.append(side.handshake, std::string_view(side.records).substr(5, len));
    } else {
      side.done = true;  // ChangeCipherSpec / application data: the clear part is over
    }
    side.records.erase(0, 5 + len);
    parseHandshake(side, client);
    if (client && side.have_output && !side.done && !side.handshake.empty()) {
      // A second flight in the hello's record: the hello first, then the rest.
      sink(dir, side.parsed);
      side.have_output = false;
      side.parsed.clear();
      parseHandshake(side, client);
    }
    if (side.handshake.size() > kMaxHandshakeBytes) side.done = true;
    if (client && side.have_output && !side.done) {  // the hello goes out before the client's next flight
      sink(dir, side.parsed);
      side.have_output = false;
      side.parsed.clear();
    }
  }
  if (side.done) {  // the clear-text part is over: give the buffers back
    giveBack(side.records);
    giveBack(side.handshake);
  }
  if (side.have_output && (side.done || client)) {
    sink(dir, side.parsed);
    side.have_output = false;
    side.parsed.clear();
  }
}

void TlsState::parseHandshake(Side& side, bool client) {
  while (!side.done && side.handshake.size() >= 4) {  // done: the clear-text part is over
    const auto* h = reinterpret_cast<const std::uint8_t*>(side.handshake.data());
    const std::size_t len = be24(h + 1);
    if (side.handshake.size() < 4 + len) return;
    const std::span<const std::uint8_t> body(h + 4, len);
    if (client && side.hello_seen) {
      // The client's second flight: its Certificate when the server asked for one (it comes
      // first); whatever else follows is not clear-text metadata. The hello, if still held
      // (both in one record), goes out first: parse() sends it and calls again.
      if (side.have_output) return;
      if (h[0] == 11) {
        side.parsed.client_certificate = true;
        if (!parseCertificates(body, side.parsed, events)) invalidHandshake();
        side.have_output = true;
      }
      side.done = true;
    } else if (h[0] == 1 && client) {
      side.parsed.client_hello = true;
      side.hello_seen = true;
      if (parseTlsHello(body, true, side.parsed, workspace_->scratch)) side.have_output = true;
      else {
        invalidHandshake();
        side.done = true;
      }
    } else if (h[0] == 2 && !client) {
      if (parseTlsHello(body, false, side.parsed, workspace_->scratch)) side.have_output = true;
      else invalidHandshake();
    } else if (h[0] == 11 && !client) {
      if (!parseCertificates(body, side.parsed, events)) invalidHandshake();
      side.have_output = true;
      side.done = true;
    } else if (h[0] == 14 && !client) {  // ServerHelloDone
      side.done = true;
    }
    side.handshake.erase(0, 4 + len);
  }
}

}  // namespace gsoc::sensor
