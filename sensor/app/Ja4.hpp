#pragma once
// JA4 (FoxIO), the TLS client fingerprint that succeeds JA3: unlike JA3 it sorts the cipher and
// extension lists, so clients that shuffle their extension order (Chrome since 110) keep one
// fingerprint. Format, e.g. "t13d1516h2_8daaf6152771_d8a2da3f94cd":
//   a: transport (t: TCP, q: QUIC), TLS version (highest supported_versions value, else the hello's),
//      d/i (SNI present or not), cipher count, extension count (2 digits each, at most 99),
//      first and last character of the first ALPN value ("00": none)
//   b: SHA-256 of the sorted cipher list in 4-digit hex, comma separated, first 12 hex digits
//   c: the same of the sorted extensions without SNI (0000) and ALPN (0010), then "_" and the
//      signature algorithms in wire order (no "_" when there are none)
// Empty lists hash to "000000000000". GREASE values are left out everywhere.

#include <cstdint>
#include <string>
#include <vector>

#include "gsoc/signatures/Sha256.hpp"

namespace gsoc::sensor {

// What JA4 reads of a ClientHello, GREASE already removed, lists in wire order.
struct ClientHelloFields {
  std::uint16_t version = 0;                     // the hello's legacy_version
  std::vector<std::uint16_t> supported_versions;  // extension 43
  std::vector<std::uint16_t> ciphers;
  std::vector<std::uint16_t> extensions;
  std::vector<std::uint16_t> signature_algorithms;  // extension 13
  std::string first_alpn;                           // extension 16, the first protocol
  bool sni = false;
  bool quic = false;  // transport "q": the hello came in QUIC CRYPTO frames
};

// The buffers ja4() builds its parts in, kept by the TLS parser state so that fingerprinting a
// hello allocates nothing once warm.
struct Ja4Scratch {
  std::vector<std::uint16_t> sorted;  // the ciphers, then the extensions, sorted
  std::string list;                   // a list in hex, the text hashed
  std::string digest;                 // its SHA-256 in hex
  signatures::Sha256 sha256;          // restarted after each digest
};

// The fingerprint written into `out`.
void ja4(const ClientHelloFields& hello, Ja4Scratch& scratch, std::string& out);
std::string ja4(const ClientHelloFields& hello);

}  // namespace gsoc::sensor
