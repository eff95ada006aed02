#pragma once
// TLS handshake metadata from the clear-text start of a connection: ClientHello (version, SNI,
// JA3 string and MD5, JA4), ServerHello (version, cipher, JA3S), the client's certificate chain
// when the server asks for one, and the server's certificate chain
// (subject, issuer, serial, SHA-1 fingerprint and DER bytes of each, via OpenSSL), and each
// hello's 32-byte random. Parsing stops at the first encrypted record.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/FunctionRef.hpp"
#include "common/ReusingVector.hpp"
#include "common/ByteBufferPool.hpp"
#include "sensor/app/Ja4.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct TlsCertificate {
  std::string subject;
  std::string issuer;
  std::string serial;       // the DER integer's bytes, upper-case hex pairs joined by ':' (Suricata's form)
  std::string not_before;   // validity, UTC, "2015-02-12T18:07:27" (Suricata's form); empty if unreadable
  std::string not_after;
  std::string fingerprint;  // SHA-1 of the DER, lower-case hex pairs joined by ':' (Suricata's form)
  std::string der;          // the certificate as sent, for tls.certs
  std::vector<std::string> dns_names;  // subjectAltName dNSName entries, in order
};

struct TlsHandshake {
  bool client_hello = false;  // else server side (hello and/or certificates)
  // The client's Certificate message (TLS client authentication): `certificates` only.
  bool client_certificate = false;
  std::uint16_t version = 0;  // record-layer/legacy version, or supported_versions for 1.3
  std::string sni;
  std::string ja3;
  std::string ja3_hash;
  std::string ja4;  // ClientHello only (Ja4.hpp)
  std::string ja3s;
  std::string ja3s_hash;
  // The hello's random (4 bytes of time, then 28 random bytes), for tls.random and its halves.
  std::array<std::uint8_t, 32> random{};
  bool has_random = false;
  // The hello's session id: a server echoing the client's resumes that session (EVE's
  // session_resumed; in TLS 1.3 the echo is only for middlebox compatibility).
  std::string session_id;
  std::vector<TlsCertificate> certificates;
  // The ALPN extension's protocols: those the client offers, or the one the server chose
  // (EVE's client_alpns / server_alpns).
  ReusingVector<std::string> alpns;

  // Back to an empty handshake, keeping the strings' capacity.
  void clear();
};

// The hello's lists while its fingerprints are built. TlsStates share their worker's
// (TlsWorkspace); a QuicState keeps its own.
struct TlsHelloScratch {
  ClientHelloFields fields;  // the client's ciphers and extensions in wire order, and JA4's input
  std::vector<std::uint16_t> curves;
  std::vector<std::uint16_t> formats;
  std::string fingerprint;
  Ja4Scratch ja4;
};

// What a worker's TLS parsing reuses across flows (one per AppLayer): the record and handshake
// buffers a side borrows with its first bytes and gives back when its clear-text part is over
// (about 1.4 MiB kept at most: 64 of each class up to 4 KiB, 16 of 64 KiB), so a finished
// handshake holds none and the next one grows none; and the hello's lists, used only while a
// hello is parsed, so a flow does not carry them and a new state parses into the capacity
// earlier hellos grew.
struct TlsWorkspace {
  ByteBufferPool buffers{ByteBufferPool::Kept{64, 64, 64, 16, 0}};
  TlsHelloScratch scratch;
};

class TlsState final : public AppState {
 public:
  static constexpr std::size_t kMaxHandshakeBytes = 64 * 1024;
  using HandshakeSink = FunctionRef<void(signatures::FlowDirection, const TlsHandshake&)>;

  // A state of the worker whose `workspace` it borrows from (the app layer's pool).
  explicit TlsState(TlsWorkspace& workspace) : workspace_(&workspace) {}
  // A state on its own, with a workspace of its own (tests, single flows).
  TlsState() : own_workspace_(std::make_unique<TlsWorkspace>()), workspace_(own_workspace_.get()) {}

  void feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const HandshakeSink& sink) {
    append(dir, data);
    parse(dir, sink);
  }
  // Suricata in IDS mode parses a side's bytes when the other side acknowledges them, so the
  // app layer holds them (append) and parses them at the peer's next packet (parse). Returns
  // whether the held bytes passed kMaxHeldBytes: then they are parsed anyway, since a capture
  // that misses the peer's ACKs must not hold them without bound.
  bool append(signatures::FlowDirection dir, std::span<const std::uint8_t> data);
  void parse(signatures::FlowDirection dir, const HandshakeSink& sink);
  static constexpr std::size_t kMaxHeldBytes = 2 * kMaxHandshakeBytes;
  // The ClientHello seen on this flow, kept for the session record; nullptr before it.
  [[nodiscard]] const TlsHandshake* clientHello() const { return has_client_hello_ ? &client_hello_ : nullptr; }
  // Copied into the strings the last flow's hello grew (a pooled state's), not allocated anew.
  void keepClientHello(const TlsHandshake& hello) {
    client_hello_ = hello;
    has_client_hello_ = true;
  }
  bool logged = false;
  // A side's application data (a record of type 23) was parsed: from here the flow's payload is
  // ciphertext. The record headers are followed as the bytes arrive (append), whether or not the
  // handshake is still parsed, and the record counts once its side is parsed (acknowledged), as
  // Suricata's parser sets its no-payload-inspection flag. As Suricata, a client's application
  // data before the server has sent a record (TLS 1.3 early data) does not count.
  [[nodiscard]] bool encrypted() const { return encrypted_; }
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  // Back to the state of a new connection, keeping the buffers' capacity, for the next flow
  // (AppLayer pools TlsStates).
  void reset();

 private:
  void invalidHandshake() {
    ++errors_;
    events.set(signatures::AnomalyEvent::TlsInvalidHandshakeMessage);
  }
  // Back to the workspace's pool, or freed when larger than the pool keeps.
  void giveBack(std::string& buffer);
  // A side's buffers come from the workspace's pool with its first bytes and go back to it when
  // its clear-text part is over, or at reset().
  struct Side {
    std::string records;    // unparsed record bytes
    std::string handshake;  // reassembled handshake messages
    bool done = false;
    bool hello_seen = false;  // the client's: its hello parsed, its Certificate may follow
    TlsHandshake parsed;
    bool have_output = false;
  };
  void parseHandshake(Side& side, bool client);
  // A side's record boundaries, followed across its bytes without holding them (encrypted()).
  struct RecordWalk {
    std::uint32_t body_left = 0;   // bytes of the current record's body still to come
    std::uint8_t header_have = 0;  // bytes of the next record's 5-byte header seen so far
    std::array<std::uint8_t, 5> header{};
    bool records_seen = false;
    bool app_data = false;  // a record of application data (not early data) was seen
    bool lost = false;  // bytes that are not TLS records (an SSLv2 hello, garbage): not followed
  };
  void walkRecords(bool client, std::span<const std::uint8_t> data);

  std::unique_ptr<TlsWorkspace> own_workspace_;  // without a worker's
  TlsWorkspace* workspace_;
  Side sides_[2];
  std::uint64_t errors_ = 0;
  TlsHandshake client_hello_;
  bool has_client_hello_ = false;
  RecordWalk walks_[2];
  bool encrypted_ = false;
};

// One extension of a hello as sent (GREASE values included): its type and its body.
using TlsExtensionVisitor = FunctionRef<void(std::uint16_t type, std::span<const std::uint8_t> data)>;
// Parses a ClientHello (`client`) or ServerHello body (what follows the 4-byte handshake header)
// into `out`: version, SNI, ALPN, random, JA3 or JA3S and, for a client, JA4 (of transport
// `scratch.fields.quic`). `on_extension`, when given, sees every extension in wire order. False
// when the body is cut short. QUIC's CRYPTO frames carry these hellos too (QuicParser).
bool parseTlsHello(std::span<const std::uint8_t> body, bool client, TlsHandshake& out, TlsHelloScratch& scratch,
                   const TlsExtensionVisitor* on_extension = nullptr);

// Suricata's name of a TLS version in EVE: "TLSv1", "TLS 1.2", "SSLv3", "UNDETERMINED"...
std::string_view tlsVersionName(std::uint16_t version);

std::string md5Hex(std::string_view data);
void md5Hex(std::string_view data, std::string& out);

}  // namespace gsoc::sensor
