#pragma once
// IKE (ISAKMP, RFC 2408/2409, and IKEv2, RFC 7296) over UDP on ports 500 and 4500 (after the
// non-ESP marker), as Suricata's ike parser reads it: each datagram is a transaction with its
// header (SPIs, exchange type, message id, flags). IKEv1: the SA payload's proposals and
// transforms (their attributes), key exchange, nonce and vendor ids, and per flow the client's
// and the server's latest key exchange and nonce and the server's chosen transform (what EVE
// logs and ike.chosen_sa_attribute tests). IKEv2: the payload types, notify errors, and the
// proposals' transforms checked for weak or missing cryptography (the ike.weak_crypto_* events).
// Encrypted payloads are not read. A datagram that does not decode is counted and skipped; the
// message and the per-flow data are reused, so steady state allocates nothing.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/FunctionRef.hpp"
#include "common/ReusingVector.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

// One IKEv1 SA attribute: `type` (1 encryption, 2 hash, 3 auth, 4 group, 11 life type, 12 life
// duration, 14 key length...), `raw` the basic (TV) value or the variable (TLV) length; a
// variable attribute of four bytes is a number too, longer ones are kept as hex.
struct IkeAttribute {
  std::uint16_t type = 0;
  std::uint16_t raw = 0;
  bool has_number = false;
  std::uint32_t number = 0;
  std::string hex;  // a variable attribute that is no number
};

// The attributes of a message's transforms, flat: transform i is [ends[i-1], ends[i]).
struct IkeTransforms {
  ReusingVector<IkeAttribute> attributes;
  std::vector<std::uint32_t> ends;
  void clear() {
    attributes.clear();
    ends.clear();
  }
  [[nodiscard]] std::size_t size() const { return ends.size(); }
  [[nodiscard]] std::span<const IkeAttribute> transform(std::size_t i) const;
};

// A side's latest key exchange and nonce (hex) and, for the server, its first transform.
struct IkeParticipant {
  std::string key_exchange;
  std::string nonce;
  std::uint64_t nb_transforms = 0;
  std::vector<IkeAttribute> transform;
};

struct IkeMessage {
  std::uint64_t tx_id = 0;
  signatures::FlowDirection direction = signatures::FlowDirection::ToServer;
  std::uint8_t version_major = 0, version_minor = 0;
  std::uint8_t exchange_type = 0;
  std::uint8_t flags = 0;
  std::uint8_t next_payload = 0;  // the header's: the first payload's type
  std::uint32_t message_id = 0;
  std::uint64_t init_spi = 0, resp_spi = 0;
  std::array<char, 16> init_spi_hex{}, resp_spi_hex{};  // Suricata's buffers: 16 lowercase hex digits
  // IKEv1
  bool encrypted = false;
  std::string key_exchange;  // raw bytes
  std::string nonce;
  ReusingVector<std::string> vendor_ids;  // hex
  IkeTransforms transforms;
  std::array<bool, 256> payload_types{};  // the payload types seen (a set, as Suricata's)
  // IKEv2: the payload types in order, then NoNextPayload; notify types; error notifies.
  std::vector<std::uint8_t> v2_payloads;
  std::vector<std::uint16_t> v2_notifies;
  std::uint32_t v2_errors = 0;
  // The proposals' transforms (type 1 encryption, 2 PRF, 3 integrity, 4 DH, 5 ESN; id), in order.
  std::vector<std::pair<std::uint8_t, std::uint16_t>> v2_transforms;
  void clear();
  [[nodiscard]] std::string_view initSpi() const { return {init_spi_hex.data(), init_spi_hex.size()}; }
  [[nodiscard]] std::string_view respSpi() const { return {resp_spi_hex.data(), resp_spi_hex.size()}; }
};

// EVE and keyword names: "alg_enc", "sa_life_duration"...; "unknown" for another type.
std::string_view ikeAttributeKey(std::uint16_t type);
// "EncAesCbc", "HashSha", "GroupAlternate1024BitModpGroup", "LifeTypeSeconds"...; "Unknown".
std::string_view ikeAttributeValue(std::uint16_t type, std::uint16_t raw);
// The attribute type a key names (ike.chosen_sa_attribute), 0 for none.
std::uint16_t ikeAttributeType(std::string_view key);
// IKEv1 payload type names ("SecurityAssociation"...; empty for an unknown one).
std::string_view ikev1PayloadName(std::uint8_t type);
// IKEv2 payload type names ("Nonce", "KeyExchange"... "NoNextPayload"), else "IkePayloadType(n)".
std::string ikev2PayloadName(std::uint8_t type);
// IKEv2 transform names (ipsec-parser's: "ENCR_AES_CBC", "PRF_HMAC_SHA2_256", "Modp2048"...) of
// a transform type (1 to 5) and id.
std::string ikev2TransformName(std::uint8_t type, std::uint16_t id);

// Whether `payload` (UDP, the marker already removed) starts like an ISAKMP message Suricata's
// probe accepts.
bool looksLikeIke(std::span<const std::uint8_t> payload);

class IkeState final : public AppState {
 public:
  using MessageSink = FunctionRef<void(signatures::FlowDirection, const IkeMessage&)>;
  // One UDP datagram; `nat_t`: it came on port 4500 (non-ESP marker first, ESP otherwise).
  void datagram(signatures::FlowDirection dir, std::span<const std::uint8_t> payload, bool nat_t, const MessageSink& sink);
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  void reset();

  // Per flow, as Suricata's ikev1 container: the doi of the last SA, each side's latest data.
  bool has_doi = false;
  std::uint32_t doi = 0;
  IkeParticipant client, server;
  // IKEv2: the responder's choice, by transform type - 1 (Suricata's defaults: ENCR_NULL, none).
  std::array<std::uint16_t, 5> v2_chosen{11, 0, 0, 0, 0};

 private:
  bool parseV1(signatures::FlowDirection dir, std::span<const std::uint8_t> body);
  void parseV2(signatures::FlowDirection dir, std::span<const std::uint8_t> body);
  IkeMessage message_;
  std::uint64_t next_tx_id_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor
