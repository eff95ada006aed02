#include "sensor/app/QuicCrypto.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <stdexcept>
#include <string_view>

namespace gsoc::sensor {
namespace {

constexpr std::uint32_t kQuicV2 = 0x6b3343cf;

using Salt = std::array<std::uint8_t, 20>;

// RFC 9001 5.2, RFC 9369 3.3.1, the drafts' and Google's Q050 salts (as Suricata knows them).
const Salt* initialSalt(std::uint32_t version) {
  static constexpr Salt kV1 = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                               0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
  static constexpr Salt kV2 = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                               0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
  static constexpr Salt kDraft29 = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
                                    0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};
  static constexpr Salt kDraft23 = {0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
                                    0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02};
  static constexpr Salt kQ050 = {0x50, 0x45, 0x74, 0xef, 0xd0, 0x66, 0xfe, 0x2f, 0x9d, 0x94,
                                 0x5c, 0xfc, 0xdb, 0xd3, 0xa7, 0xf0, 0xd3, 0xb5, 0x6b, 0x45};
  if (version == 1 || (version >= 0xff000021 && version <= 0xff000022)) return &kV1;
  if (version == kQuicV2) return &kV2;
  if (version >= 0xff00001d && version <= 0xff000020) return &kDraft29;
  if (version == 0xfaceb002 || (version >= 0xff000017 && version <= 0xff00001c)) return &kDraft23;
  if (version == 0x51303530) return &kQ050;
  return nullptr;
}

using Secret = std::array<std::uint8_t, 32>;

// HKDF-Expand-Label (RFC 8446 7.1) with an empty context, for outputs of one SHA-256 block at
// most (every QUIC initial secret and key is).
template <std::size_t N>
bool expandLabel(const Secret& secret, std::string_view label, std::array<std::uint8_t, N>& out) {
  static_assert(N <= 32);
  std::array<std::uint8_t, 64> info{};
  std::size_t n = 0;
  info[n++] = 0;
  info[n++] = static_cast<std::uint8_t>(N);
  const std::string_view prefix = "tls13 ";
  info[n++] = static_cast<std::uint8_t>(prefix.size() + label.size());
  for (const char c : prefix) info[n++] = static_cast<std::uint8_t>(c);
  for (const char c : label) info[n++] = static_cast<std::uint8_t>(c);
  info[n++] = 0;  // context
  info[n++] = 1;  // the first (only) block
  Secret block{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), info.data(), n, block.data(), &len) == nullptr ||
      len != block.size()) {
    return false;
  }
  std::copy_n(block.begin(), N, out.begin());
  return true;
}

bool packetKeys(const Secret& secret, bool v2, QuicPacketKeys& out) {
  return expandLabel(secret, v2 ? "quicv2 key" : "quic key", out.key) && expandLabel(secret, v2 ? "quicv2 iv" : "quic iv", out.iv) &&
         expandLabel(secret, v2 ? "quicv2 hp" : "quic hp", out.hp);
}

}  // namespace

bool quicInitialKeys(std::uint32_t version, std::span<const std::uint8_t> dcid, QuicInitialKeys& out) {
  const Salt* salt = initialSalt(version);
  if (salt == nullptr) return false;
  Secret initial{};  // HKDF-Extract(salt, dcid)
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), salt->data(), static_cast<int>(salt->size()), dcid.data(), dcid.size(), initial.data(), &len) == nullptr) {
    return false;
  }
  Secret client{};
  Secret server{};
  const bool v2 = version == kQuicV2;
  return expandLabel(initial, "client in", client) && expandLabel(initial, "server in", server) &&
         packetKeys(client, v2, out.client) && packetKeys(server, v2, out.server);
}

struct QuicPacketCipher::Contexts {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ecb{EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free};
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> gcm{EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free};
};

QuicPacketCipher::QuicPacketCipher() : contexts_(std::make_unique<Contexts>()) {
  if (!contexts_->ecb || !contexts_->gcm) throw std::runtime_error("QUIC: cannot allocate cipher contexts");
}

QuicPacketCipher::~QuicPacketCipher() = default;

bool QuicPacketCipher::headerMask(const QuicPacketKeys& keys, std::span<const std::uint8_t, 16> sample,
                                  std::array<std::uint8_t, 5>& mask) {
  EVP_CIPHER_CTX* ctx = contexts_->ecb.get();
  std::array<std::uint8_t, 32> block{};
  int len = 0;
  if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), nullptr, keys.hp.data(), nullptr) != 1 || EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
      EVP_EncryptUpdate(ctx, block.data(), &len, sample.data(), static_cast<int>(sample.size())) != 1 || len != 16) {
    return false;
  }
  std::copy_n(block.begin(), mask.size(), mask.begin());
  return true;
}

bool QuicPacketCipher::open(const QuicPacketKeys& keys, std::uint64_t packet_number, std::span<const std::uint8_t> header,
                            std::span<std::uint8_t> payload, std::size_t& plain_len) {
  constexpr std::size_t kTag = 16;
  if (payload.size() < kTag) return false;
  std::array<std::uint8_t, 12> nonce = keys.iv;
  for (std::size_t i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<std::uint8_t>(packet_number >> (8 * i));
  EVP_CIPHER_CTX* ctx = contexts_->gcm.get();
  const std::size_t text_len = payload.size() - kTag;
  int len = 0;
  if (EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, keys.key.data(), nonce.data()) != 1 ||
      EVP_DecryptUpdate(ctx, nullptr, &len, header.data(), static_cast<int>(header.size())) != 1 ||
      EVP_DecryptUpdate(ctx, payload.data(), &len, payload.data(), static_cast<int>(text_len)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTag), payload.data() + text_len) != 1) {
    return false;
  }
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx, payload.data() + len, &final_len) != 1) return false;
  plain_len = static_cast<std::size_t>(len + final_len);
  return true;
}

}  // namespace gsoc::sensor
