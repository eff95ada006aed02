#include "sensor/app/IkeParser.hpp"

#include <algorithm>

#include "gsoc/signatures/AnomalyEvent.hpp"

namespace gsoc::sensor {

using signatures::AnomalyEvent;
using signatures::FlowDirection;

namespace {

constexpr std::size_t kHeaderSize = 28;
constexpr char kHex[] = "0123456789abcdef";

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 | static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}
std::uint64_t be64(const std::uint8_t* p) { return static_cast<std::uint64_t>(be32(p)) << 32 | be32(p + 4); }

void appendHex(std::string& out, std::span<const std::uint8_t> bytes) {
  for (const std::uint8_t b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
}

void assignRaw(std::string& out, std::span<const std::uint8_t> bytes) {
  out.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

void spiHex(std::uint64_t spi, std::array<char, 16>& out) {
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[spi & 15];
    spi >>= 4;
  }
}

// One generic payload of a list (ISAKMP's and IKEv2's share the header): next type, body.
struct Payload {
  std::uint8_t next = 0;
  std::span<const std::uint8_t> body;
};

// Suricata's payload list (many0 of complete payloads): payloads while a whole header and body
// are there; `rest` is what no whole payload covers.
template <typename F>
void forEachPayload(std::span<const std::uint8_t> data, std::span<const std::uint8_t>& rest, F&& f) {
  std::size_t at = 0;
  while (data.size() - at >= 4) {
    const std::uint16_t length = be16(data.data() + at + 2);
    const std::size_t body = length >= 4 ? length - 4u : 0u;
    if (data.size() - at - 4 < body) break;
    f(Payload{data[at], data.subspan(at + 4, body)});
    at += 4 + body;
  }
  rest = data.subspan(at);
}

// Transform attributes (many0 of complete attributes).
void parseAttributes(std::span<const std::uint8_t> d, IkeTransforms& out) {
  std::size_t at = 0;
  while (d.size() - at >= 4) {
    const std::uint16_t b = be16(d.data() + at);
    const std::uint16_t v = be16(d.data() + at + 2);
    const bool basic = (b >> 15) != 0;
    std::size_t need = 4;
    if (!basic) need += v;
    if (d.size() - at < need) break;
    IkeAttribute& a = out.attributes.next();
    a.type = b & 0x7fff;
    a.raw = v;
    a.hex.clear();
    if (basic) {
      a.has_number = true;
      a.number = v;
    } else if (v == 4) {
      a.has_number = true;
      a.number = be32(d.data() + at + 4);
    } else {
      a.has_number = false;
      a.number = 0;
      appendHex(a.hex, d.subspan(at + 4, v));
    }
    at += need;
  }
  out.ends.push_back(static_cast<std::uint32_t>(out.attributes.size()));
}

// IKEv1 payloads, Suricata's parse_payload: false when an SA or proposal does not decode.
bool v1Payload(std::uint8_t type, std::span<const std::uint8_t> d, IkeState& state, IkeMessage& m) {
  m.payload_types[type] = true;
  switch (type) {
    case 1: {  // Security Association: DOI, situation, proposals
      if (d.size() < 4) return false;
      state.has_doi = true;
      state.doi = be32(d.data());
      if (state.doi != 1) return true;
      if (d.size() < 8) return false;
      std::uint8_t cur = 2;
      bool ok = true;
      std::span<const std::uint8_t> rest;
      forEachPayload(d.subspan(8), rest, [&](const Payload& p) {
        if (ok && !v1Payload(cur, p.body, state, m)) ok = false;
        cur = p.next;
      });
      return ok;
    }
    case 2: {  // Proposal: number, protocol, SPI size, transform count, SPI, transforms
      if (d.size() < 4 || d.size() - 4 < d[2]) return false;
      std::uint8_t cur = 3;
      bool ok = true;
      std::span<const std::uint8_t> rest;
      forEachPayload(d.subspan(4u + d[2]), rest, [&](const Payload& p) {
        if (ok && !v1Payload(cur, p.body, state, m)) ok = false;
        cur = p.next;
      });
      return ok;
    }
    case 3:  // Transform: number, id, reserved, attributes
      if (d.size() >= 4) parseAttributes(d.subspan(4), m.transforms);
      return true;
    case 4:
      assignRaw(m.key_exchange, d);
      return true;
    case 10:
      assignRaw(m.nonce, d);
      return true;
    case 13: {
      std::string& v = m.vendor_ids.next();
      v.clear();
      appendHex(v, d);
      return true;
    }
    default:
      return true;
  }
}

void update(IkeParticipant& p, const IkeMessage& m) {
  p.key_exchange.clear();
  appendHex(p.key_exchange, {reinterpret_cast<const std::uint8_t*>(m.key_exchange.data()), m.key_exchange.size()});
  p.nonce.clear();
  appendHex(p.nonce, {reinterpret_cast<const std::uint8_t*>(m.nonce.data()), m.nonce.size()});
  if (p.nb_transforms == 0 && m.transforms.size() != 0) {
    const auto first = m.transforms.transform(0);
    p.transform.assign(first.begin(), first.end());
  }
  p.nb_transforms += m.transforms.size();
}

void resetParticipant(IkeParticipant& p) {
  p.key_exchange.clear();
  p.nonce.clear();
  p.nb_transforms = 0;
  p.transform.clear();
}

// ipsec-parser's AEAD encryption types: lack of an integrity transform is fine with them.
bool aead(std::uint16_t enc) { return (enc >= 14 && enc <= 16) || (enc >= 18 && enc <= 20) || (enc >= 25 && enc <= 28); }

}  // namespace

std::span<const IkeAttribute> IkeTransforms::transform(std::size_t i) const {
  const std::size_t begin = i == 0 ? 0 : ends[i - 1];
  if (attributes.empty()) return {};  // before taking the first element's address
  const std::span<const IkeAttribute> all{&*attributes.begin(), attributes.size()};
  return all.subspan(begin, ends[i] - begin);
}

void IkeMessage::clear() {
  version_major = version_minor = exchange_type = flags = next_payload = 0;
  message_id = 0;
  init_spi = resp_spi = 0;
  encrypted = false;
  key_exchange.clear();
  nonce.clear();
  vendor_ids.clear();
  transforms.clear();
  payload_types.fill(false);
  v2_payloads.clear();
  v2_notifies.clear();
  v2_errors = 0;
  v2_transforms.clear();
}

std::string_view ikeAttributeKey(std::uint16_t type) {
  static constexpr std::string_view kKeys[] = {"unknown",
                                               "alg_enc",
                                               "alg_hash",
                                               "alg_auth",
                                               "alg_dh",
                                               "sa_group_type",
                                               "sa_group_prime",
                                               "sa_group_generator_one",
                                               "sa_group_generator_two",
                                               "sa_group_curve_a",
                                               "sa_group_curve_b",
                                               "sa_life_type",
                                               "sa_life_duration",
                                               "alg_prf",
                                               "sa_key_length",
                                               "sa_field_size",
                                               "sa_group_order"};
  return type < std::size(kKeys) ? kKeys[type] : kKeys[0];
}

std::uint16_t ikeAttributeType(std::string_view key) {
  for (std::uint16_t t = 1; t <= 16; ++t) {
    if (ikeAttributeKey(t) == key) return t;
  }
  return 0;
}

std::string_view ikeAttributeValue(std::uint16_t type, std::uint16_t raw) {
  static constexpr std::string_view kEnc[] = {"EncDesCbc",       "EncIdeaCbc", "EncBlowfishCbc", "EncRc5R16B64Cbc",
                                              "EncTripleDesCbc", "EncCastCbc", "EncAesCbc",      "EncCamelliaCbc"};
  static constexpr std::string_view kHash[] = {"HashMd5", "HashSha", "HashTiger", "HashSha2_256", "HashSha2_384", "HashSha2_512"};
  static constexpr std::string_view kAuth[] = {"AuthPreSharedKey", "AuthDssSignatures", "AuthRsaSignatures",
                                               "AuthEncryptionWithRsa", "AuthRevisedEncryptionWithRsa", "AuthReserved",
                                               "AuthReserved", "AuthReserved", "AuthEcdsaSha256", "AuthEcdsaSha384",
                                               "AuthEcdsaSha512"};
  static constexpr std::string_view kGroup[] = {
      "GroupDefault768BitModp", "GroupAlternate1024BitModpGroup", "GroupEc2nOnGp2p155", "GroupEc2nOnGp2p185",
      "GroupModp1536Bit", "GroupEc2nOverGf2p163", "GroupEc2nOverGf2p163", "GroupEc2nOverGf2p283",
      "GroupEc2nOverGf2p283", "GroupEc2nOverGf2p409", "GroupEc2nOverGf2p409", "GroupEc2nOverGf2p571",
      "GroupEc2nOverGf2p571", "GroupModp2048Bit", "GroupModp3072Bit", "GroupModp4096Bit", "GroupModp6144Bit",
      "GroupModp8192Bit", "GroupRandomEcp256", "GroupRandomEcp384", "GroupRandomEcp521",
      "GroupModp1024With160BitPrime", "GroupModp2048With224BitPrime", "GroupModp2048With256BitPrime",
      "GroupRandomEcp192", "GroupRandomEcp224", "GroupBrainpoolEcp224", "GroupBrainpoolEcp256",
      "GroupBrainpoolEcp384", "GroupBrainpoolEcp512"};
  const auto pick = [raw](std::span<const std::string_view> names) -> std::string_view {
    return raw >= 1 && raw <= names.size() ? names[raw - 1] : "Unknown";
  };
  switch (type) {
    case 1: return pick(kEnc);
    case 2: return pick(kHash);
    case 3: return pick(kAuth);
    case 4: return pick(kGroup);
    case 11: return raw == 1 ? "LifeTypeSeconds" : raw == 2 ? "LifeTypeKilobytes" : "Unknown";
    default: return "Unknown";
  }
}

std::string_view ikev1PayloadName(std::uint8_t type) {
  static constexpr std::string_view kNames[] = {"None", "SecurityAssociation", "Proposal", "Transform", "KeyExchange",
                                                "Identification", "Certificate", "CertificateRequest", "Hash",
                                                "Signature", "Nonce", "Notification", "Delete", "VendorID", "",
                                                "SaKekPayload", "SaTekPayload", "KeyDownload", "SequenceNumber",
                                                "ProofOfPossession", "NatDiscovery", "NatOriginalAddress",
                                                "GroupAssociatedPolicy"};
  return type < std::size(kNames) ? kNames[type] : std::string_view{};
}

std::string ikev2PayloadName(std::uint8_t type) {
  static constexpr std::string_view kNames[] = {
      "SecurityAssociation", "KeyExchange", "IdentInitiator", "IdentResponder", "Certificate",
      "CertificateRequest", "Authentication", "Nonce", "Notify", "Delete", "VendorID",
      "TrafficSelectorInitiator", "TrafficSelectorResponder", "EncryptedAndAuthenticated", "Configuration",
      "ExtensibleAuthentication"};
  if (type == 0) return "NoNextPayload";
  if (type >= 33 && type < 33 + std::size(kNames)) return std::string(kNames[type - 33]);
  return "IkePayloadType(" + std::to_string(type) + ")";
}

std::string ikev2TransformName(std::uint8_t type, std::uint16_t id) {
  static constexpr std::string_view kEnc[] = {"", "ENCR_DES_IV64", "ENCR_DES", "ENCR_3DES", "ENCR_RC5", "ENCR_IDEA",
                                              "ENCR_CAST", "ENCR_BLOWFISH", "ENCR_3IDEA", "ENCR_DES_IV32", "",
                                              "ENCR_NULL", "ENCR_AES_CBC", "ENCR_AES_CTR", "ENCR_AES_CCM_8",
                                              "ENCR_AES_CCM_12", "ENCR_AES_CCM_16", "", "ENCR_AES_GCM_8",
                                              "ENCR_AES_GCM_12", "ENCR_AES_GCM_16", "ENCR_NULL_AUTH_AES_GMAC", "",
                                              "ENCR_CAMELLIA_CBC", "ENCR_CAMELLIA_CTR", "ENCR_CAMELLIA_CCM_8",
                                              "ENCR_CAMELLIA_CCM_12", "ENCR_CAMELLIA_CCM_16", "ENCR_CHACHA20_POLY1305"};
  static constexpr std::string_view kPrf[] = {"PRF_NULL", "PRF_HMAC_MD5", "PRF_HMAC_SHA1", "PRF_HMAC_TIGER",
                                              "PRF_AES128_XCBC", "PRF_HMAC_SHA2_256", "PRF_HMAC_SHA2_384",
                                              "PRF_HMAC_SHA2_512", "PRF_AES128_CMAC"};
  static constexpr std::string_view kAuth[] = {"NONE", "AUTH_HMAC_MD5_96", "AUTH_HMAC_SHA1_96", "AUTH_DES_MAC",
                                               "AUTH_KPDK_MD5", "AUTH_AES_XCBC_96", "AUTH_HMAC_MD5_128",
                                               "AUTH_HMAC_SHA1_160", "AUTH_AES_CMAC_96", "AUTH_AES_128_GMAC",
                                               "AUTH_AES_192_GMAC", "AUTH_AES_256_GMAC", "AUTH_HMAC_SHA2_256_128",
                                               "AUTH_HMAC_SHA2_384_192", "AUTH_HMAC_SHA2_512_256"};
  static constexpr std::string_view kDh[] = {"None", "Modp768", "Modp1024", "", "", "Modp1536", "", "", "", "", "", "", "",
                                             "", "Modp2048", "Modp3072", "Modp4096", "Modp6144", "Modp8192", "Ecp256",
                                             "Ecp384", "Ecp521", "Modp1024s160", "Modp2048s224", "Modp2048s256",
                                             "Ecp192", "Ecp224", "BrainpoolP224r1", "BrainpoolP256r1",
                                             "BrainpoolP384r1", "BrainpoolP512r1", "Curve25519", "Curve448"};
  static constexpr std::string_view kEsn[] = {"NoESN", "ESN"};
  std::span<const std::string_view> names;
  std::string_view kind;
  switch (type) {
    case 1: names = kEnc; kind = "IkeTransformEncType"; break;
    case 2: names = kPrf; kind = "IkeTransformPRFType"; break;
    case 3: names = kAuth; kind = "IkeTransformAuthType"; break;
    case 4: names = kDh; kind = "IkeTransformDHType"; break;
    case 5: names = kEsn; kind = "IkeTransformESNType"; break;
    default: return "Unknown";
  }
  if (id < names.size() && !names[id].empty()) return std::string(names[id]);
  return std::string(kind) + "(" + std::to_string(id) + ")";
}

bool looksLikeIke(std::span<const std::uint8_t> d) {
  if (d.size() < kHeaderSize) return false;
  const std::uint8_t major = d[17] >> 4, minor = d[17] & 15;
  if (major == 1) return true;
  if (major != 2 || minor != 0) return false;
  if (d[18] < 34 || d[18] > 37) return false;
  return be32(d.data() + 24) == d.size();
}

void IkeState::datagram(FlowDirection dir, std::span<const std::uint8_t> payload, bool nat_t, const MessageSink& sink) {
  if (nat_t) {
    // RFC 3948: IKE on 4500 follows four zero octets; anything else is ESP.
    if (payload.size() < 4 || be32(payload.data()) != 0) return;
    payload = payload.subspan(4);
  }
  if (payload.empty()) return;
  if (payload.size() < kHeaderSize) {
    ++errors_;
    events.set(AnomalyEvent::IkeMalformedData);
    return;
  }
  IkeMessage& m = message_;
  m.clear();
  m.direction = dir;
  m.init_spi = be64(payload.data());
  m.resp_spi = be64(payload.data() + 8);
  spiHex(m.init_spi, m.init_spi_hex);
  spiHex(m.resp_spi, m.resp_spi_hex);
  m.version_major = payload[17] >> 4;
  m.version_minor = payload[17] & 15;
  m.next_payload = payload[16];
  m.exchange_type = payload[18];
  m.flags = payload[19];
  m.message_id = be32(payload.data() + 20);
  const auto body = payload.subspan(kHeaderSize);
  if (m.version_major == 1) {
    if (!parseV1(dir, body)) {
      ++errors_;
      return;  // Suricata keeps no transaction of a message whose payloads do not decode
    }
  } else if (m.version_major == 2) {
    parseV2(dir, body);
  } else {
    ++errors_;
    return;
  }
  m.tx_id = next_tx_id_++;
  sink(dir, m);
}

bool IkeState::parseV1(FlowDirection dir, std::span<const std::uint8_t> body) {
  IkeMessage& m = message_;
  m.encrypted = (m.flags & 1) != 0;
  std::uint8_t cur = m.next_payload;
  m.payload_types[cur] = true;
  if (m.encrypted) return true;
  bool ok = true;
  std::span<const std::uint8_t> rest;
  forEachPayload(body, rest, [&](const Payload& p) {
    if (ok && !v1Payload(cur, p.body, *this, m)) ok = false;
    cur = p.next;
  });
  if (!ok) return false;
  const bool to_server = dir == FlowDirection::ToServer;
  IkeParticipant& side = to_server ? client : server;
  // A new SA starts a new negotiation: the side's earlier proposals no longer apply.
  if (m.payload_types[1]) resetParticipant(side);
  if (!to_server && server.nb_transforms <= 1 && server.nb_transforms + m.transforms.size() > 1) {
    events.set(AnomalyEvent::IkeMultipleServerProposal);
  }
  update(side, m);
  if (!rest.empty()) events.set(AnomalyEvent::IkePayloadExtraData);
  return true;
}

void IkeState::parseV2(FlowDirection dir, std::span<const std::uint8_t> body) {
  IkeMessage& m = message_;
  std::uint8_t cur = m.next_payload;
  // ipsec-parser decodes the whole chain first: a payload that is cut short drops them all.
  std::size_t at = 0;
  std::size_t count = 0;
  for (std::uint8_t type = cur; type != 0;) {
    if (body.size() - at < 4) return;
    const std::uint16_t length = be16(body.data() + at + 2);
    if (length < 4 || body.size() - at < length) return;
    type = body[at];
    at += length;
    ++count;
  }
  at = 0;
  const bool to_client = dir == FlowDirection::ToClient;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t type = cur;
    const std::uint16_t length = be16(body.data() + at + 2);
    const auto d = body.subspan(at + 4, length - 4u);
    m.v2_payloads.push_back(type);
    if (type == 33) {  // Security Association: proposals, each with its transforms
      std::size_t p = 0;
      while (d.size() - p >= 8) {
        const std::uint16_t plen = be16(d.data() + p + 2);
        if (plen < 8 || d.size() - p < plen) break;
        const auto prop = d.subspan(p, plen);
        const std::uint8_t protocol = prop[5], spi_size = prop[6], ntransforms = prop[7];
        std::size_t t = 8u + spi_size;
        bool has_dh = false, has_auth = false, has_aead = false;
        for (std::uint8_t k = 0; k < ntransforms && t + 8 <= prop.size(); ++k) {
          const std::uint16_t tlen = be16(prop.data() + t + 2);
          if (tlen < 8 || prop.size() - t < tlen) break;
          const std::uint8_t ttype = prop[t + 4];
          const std::uint16_t id = be16(prop.data() + t + 6);
          m.v2_transforms.emplace_back(ttype, id);
          switch (ttype) {
            case 1:
              if ((id >= 1 && id <= 9) || id == 11) events.set(AnomalyEvent::IkeWeakCryptoEnc);
              if (aead(id)) has_aead = true;
              break;
            case 2:
              if (id == 0) events.set(AnomalyEvent::IkeInvalidProposal);
              if (id == 1 || id == 2) events.set(AnomalyEvent::IkeWeakCryptoPrf);
              break;
            case 3:
              if (id >= 1 && id <= 7) events.set(AnomalyEvent::IkeWeakCryptoAuth);
              if (id != 0) has_auth = true;
              break;
            case 4:
              has_dh = true;
              if (id == 0) events.set(AnomalyEvent::IkeInvalidProposal);
              if (id == 1 || id == 2 || id == 5 || id == 22) events.set(AnomalyEvent::IkeWeakCryptoDh);
              break;
            case 5:
              break;
            default:
              events.set(AnomalyEvent::IkeUnknownProposal);
          }
          if (to_client && ttype >= 1 && ttype <= 5) v2_chosen[ttype - 1u] = id;
          t += tlen;
        }
        if (!has_dh) events.set(AnomalyEvent::IkeWeakCryptoNoDh);
        if (protocol == 2) events.set(AnomalyEvent::IkeNoEncryption);  // AH: no confidentiality
        if (!has_auth && !has_aead) events.set(AnomalyEvent::IkeWeakCryptoNoAuth);
        p += plen;
      }
    } else if (type == 41 && d.size() >= 4) {  // Notify: protocol, SPI size, type
      const std::uint16_t notify = be16(d.data() + 2);
      m.v2_notifies.push_back(notify);
      if (notify < 16384) ++m.v2_errors;
    }
    cur = body[at];
    at += length;
  }
  m.v2_payloads.push_back(0);
}

void IkeState::reset() {
  message_.clear();
  has_doi = false;
  doi = 0;
  resetParticipant(client);
  resetParticipant(server);
  v2_chosen = {11, 0, 0, 0, 0};
  next_tx_id_ = 0;
  errors_ = 0;
  events.clear();
}

}  // namespace gsoc::sensor
