#pragma once
// QUIC over UDP as Suricata 8 reads it: each datagram's packets (long headers of IETF QUIC v1,
// v2, the drafts and Google's Q043-Q050, gQUIC's public header; a short header ends the
// datagram's parsing), one transaction per long-header packet until a side's TLS hello is seen.
// Initial packets are decrypted with the keys derived from the client's first Destination
// Connection ID (QuicCrypto); their CRYPTO frames are reassembled across packets (out of order,
// with gaps filled later, up to 64 KiB a side) until the ClientHello or ServerHello is whole,
// which the TLS parser reads (SNI, ALPN, extensions, JA3/JA3S, JA4 with transport "q"). gQUIC's
// cleartext CHLO tags give the SNI, the user agent and the CYU fingerprint. A Retry from the
// server discards the keys (once): the client's next Initial brings new ones. Malformed packets
// are counted and end the datagram's parsing; the flow's state, its transaction and buffers are
// reused, so a flow's steady state allocates nothing.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/FunctionRef.hpp"
#include "common/ReusingVector.hpp"
#include "gsoc/signatures/AnomalyEvent.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/app/QuicCrypto.hpp"
#include "sensor/app/TlsParser.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

enum class QuicPacketType : std::uint8_t { Initial, ZeroRtt, Handshake, Retry, VersionNegotiation, Short };

// One packet's header. `header_len` counts the bytes before the packet number (IETF Initial) or
// the payload; `length` the bytes after them that are this packet's (the rest of the datagram
// where the header has no Length field).
struct QuicHeader {
  std::uint8_t first = 0;
  bool is_long = false;
  QuicPacketType type = QuicPacketType::Short;
  std::uint32_t version = 0;
  std::span<const std::uint8_t> dcid;
  std::size_t header_len = 0;
  std::size_t length = 0;
};

// False when `in` does not hold a whole header (Suricata's probe: a UDP flow whose first
// datagram fails it is not QUIC).
bool parseQuicHeader(std::span<const std::uint8_t> in, QuicHeader& out);
// IETF v1, v2, the drafts, Facebook's mvfst draft and Google's Q0xx: the versions whose long
// header identifies QUIC away from its ports.
bool quicKnownVersion(std::uint32_t version);
// EVE's version: "Q046" for Google's, else lower-case hex ("1", "ff00001d", "6b3343cf").
void quicVersionName(std::uint32_t version, std::string& out);
// Suricata's name of a TLS extension type in quic.extensions[]; empty for unnamed ones.
std::string_view quicTlsExtensionName(std::uint16_t type);

struct QuicTlsExtension {
  std::uint16_t type = 0;
  ReusingVector<std::string> values;  // server_name: the names; alpn: the protocols
};

// gQUIC's CYU fingerprint: "46,PAD-SNI-..." (the version's digits, the CHLO's tags in order)
// and its MD5.
struct QuicCyu {
  std::string string;
  std::string hash;
};

// One packet's transaction (Suricata's): its header's version, what its frames carried.
struct QuicTransaction {
  std::uint64_t tx_id = 0;
  bool long_header = false;  // quic.version inspects the version's bytes of long headers only
  bool has_version = false;  // not a short header: EVE writes the version (and sni, ua)
  std::uint32_t version = 0;
  std::array<std::uint8_t, 4> version_bytes{};
  bool has_sni = false;
  std::string sni;
  bool has_ua = false;
  std::string ua;
  ReusingVector<QuicCyu> cyu;
  ReusingVector<QuicTlsExtension> extensions;
  // The TLS hello this packet completed: JA3 (a client's, in to_server transactions) or JA3S
  // (a server's), and the client's JA4.
  bool has_hello = false;
  std::string ja3;
  std::string ja3_hash;
  std::string ja4;
  void clear();
};

class QuicState final : public AppState {
 public:
  // CRYPTO stream bytes kept per side at most (Suricata's limit): past it the frame is skipped
  // and quic.crypto_frag_too_long raised.
  static constexpr std::size_t kMaxCryptoBytes = 65535;
  using TransactionSink = FunctionRef<void(signatures::FlowDirection, const QuicTransaction&)>;

  // One datagram of the flow: its packets' transactions, in order.
  void datagram(signatures::FlowDirection dir, std::span<const std::uint8_t> payload, const TransactionSink& sink);
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  // Back to the state of a new flow, keeping buffers and cipher contexts (AppLayer pools it).
  void reset();

 private:
  struct Side {
    std::string crypto;  // the CRYPTO stream from offset 0, holes zero until filled
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;  // filled [begin, end), sorted, merged
    bool hello_done = false;
    void clear();
    [[nodiscard]] std::size_t contiguous() const { return !ranges.empty() && ranges.front().first == 0 ? ranges.front().second : 0; }
    void add(std::uint64_t offset, std::span<const std::uint8_t> data);
  };
  // A header-only transaction carrying `event`, counted as malformed (Suricata's set_event_notx).
  void failed(signatures::FlowDirection dir, const QuicHeader& h, signatures::AnomalyEvent event, const TransactionSink& sink);
  // A new transaction of header `h`, empty; emit() numbers it and hands it over.
  void startTransaction(const QuicHeader& h);
  void emit(signatures::FlowDirection dir, const TransactionSink& sink);
  // Removes header protection and decrypts the Initial packet `packet` into plain_.
  bool decrypt(bool to_server, const QuicHeader& h, std::span<const std::uint8_t> packet);
  // The frames of an Initial packet; false when one is malformed.
  bool frames(bool to_server, std::span<const std::uint8_t> payload);
  bool gquicTags(std::span<const std::uint8_t> data);
  // The side's reassembled hello, once whole: into the transaction. False when it is not a hello.
  bool hello(Side& side);

  Side sides_[2];
  QuicInitialKeys keys_;
  bool has_keys_ = false;
  bool retried_ = false;
  QuicTransaction tx_;
  std::uint64_t next_tx_id_ = 0;
  std::uint64_t errors_ = 0;
  std::vector<std::uint8_t> aad_;    // the unprotected header of the packet being decrypted
  std::vector<std::uint8_t> plain_;  // its decrypted payload
  std::unique_ptr<QuicPacketCipher> cipher_;  // made at the first encrypted Initial
  TlsHandshake hello_;
  TlsHelloScratch scratch_;
};

}  // namespace gsoc::sensor
