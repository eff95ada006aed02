#pragma once
// QUIC Initial packet protection (RFC 9001 section 5, RFC 9369 for QUIC v2): the keys both
// sides derive from the client's first Destination Connection ID and the version's initial salt
// (HKDF-SHA256), header protection removal (AES-128-ECB mask over a sample of the ciphertext)
// and payload decryption (AES-128-GCM, the packet number XORed into the IV). A passive sensor can
// read Initial packets, and only those: they carry the TLS ClientHello and ServerHello.

#include <array>
#include <cstdint>
#include <memory>
#include <span>

namespace gsoc::sensor {

// The key, IV and header-protection key of one direction.
struct QuicPacketKeys {
  std::array<std::uint8_t, 16> key{};
  std::array<std::uint8_t, 12> iv{};
  std::array<std::uint8_t, 16> hp{};
};

struct QuicInitialKeys {
  QuicPacketKeys client;  // protects what the client sends
  QuicPacketKeys server;
};

// The initial keys of `version` for a client's Destination Connection ID; false for a version
// without a known initial salt (gQUIC before Q050, unknown versions).
bool quicInitialKeys(std::uint32_t version, std::span<const std::uint8_t> dcid, QuicInitialKeys& out);

// The OpenSSL cipher contexts, made once and reused for every packet (a pooled QUIC state keeps
// its own): AES-128-ECB for header protection masks, AES-128-GCM for payloads.
class QuicPacketCipher {
 public:
  QuicPacketCipher();
  ~QuicPacketCipher();
  QuicPacketCipher(const QuicPacketCipher&) = delete;
  QuicPacketCipher& operator=(const QuicPacketCipher&) = delete;

  // The 5-byte mask of a 16-byte ciphertext sample (RFC 9001 5.4.3).
  bool headerMask(const QuicPacketKeys& keys, std::span<const std::uint8_t, 16> sample, std::array<std::uint8_t, 5>& mask);
  // Decrypts `payload` (ciphertext then the 16-byte tag) in place with `header` as associated
  // data; `plain_len` is what is left of it. False when the tag does not verify.
  bool open(const QuicPacketKeys& keys, std::uint64_t packet_number, std::span<const std::uint8_t> header,
            std::span<std::uint8_t> payload, std::size_t& plain_len);

 private:
  struct Contexts;
  std::unique_ptr<Contexts> contexts_;
};

}  // namespace gsoc::sensor
