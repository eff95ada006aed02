#pragma once
// BitTorrent DHT (BEP 5: KRPC over UDP, bencoded), as Suricata 8's bittorrent-dht parser reads
// it: a datagram starting like a KRPC dictionary ("d1:ad", "d1:rd", "d2:ip", "d1:el") is a
// transaction, a query (its type and arguments), a response (node id, compact nodes, peers,
// token) or an error (code and message), with its transaction id and client version. A message
// that does not decode as one of them still is a transaction, with what was read before the
// fault, and raises bittorrent-dht.malformed_packet, as in Suricata. Strings and lists are
// reused from message to message: steady state allocates nothing.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "common/FunctionRef.hpp"
#include "common/ReusingVector.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

// A peer's compact address: 4 octets (IPv4) or 16 (IPv6), then the port.
struct DhtPeer {
  std::array<std::uint8_t, 16> ip{};
  std::uint8_t ip_size = 0;
  std::uint16_t port = 0;
};
// A node's compact info: its 20-octet id and address.
struct DhtNode {
  std::array<std::uint8_t, 20> id{};
  DhtPeer address;
};

struct BittorrentDhtMessage {
  std::uint64_t tx_id = 0;
  std::string transaction_id;                 // "t"; empty when absent
  std::optional<std::string> client_version;  // "v"
  // A query ("y" q): its type ("q") and arguments ("a").
  bool has_request = false;
  std::string request_type;
  std::string request_id;
  std::optional<std::string> target, info_hash, request_token;
  std::optional<std::uint8_t> implied_port;
  std::optional<std::uint16_t> port;
  // A response ("y" r): its "r" dictionary.
  bool has_response = false;
  std::string response_id;
  std::optional<std::string> response_token;
  ReusingVector<DhtNode> nodes, nodes6;
  ReusingVector<DhtPeer> values;
  // An error ("y" e): its code and message.
  bool has_error = false;
  std::uint16_t error_num = 0;
  std::string error_msg;
  bool malformed = false;  // decoding stopped at a fault (bittorrent-dht.malformed_packet)
  void clear();
};

// Whether a datagram starts like a KRPC message (Suricata's check before parsing).
bool looksLikeBittorrentDht(std::span<const std::uint8_t> data);
// Whether a datagram carries Suricata's detection pattern "d1:ad2:id20:" (a query).
bool startsBittorrentDhtQuery(std::span<const std::uint8_t> data);
// Decodes one message into `out` (cleared first); false, with out.malformed, at a fault. What
// was read before the fault stays in `out`.
bool parseBittorrentDhtMessage(std::span<const std::uint8_t> data, BittorrentDhtMessage& out);

class BittorrentDhtState final : public AppState {
 public:
  using MessageSink = FunctionRef<void(const BittorrentDhtMessage&)>;
  // One UDP datagram, either way; one that does not start like KRPC is ignored.
  void datagram(std::span<const std::uint8_t> payload, const MessageSink& sink);
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  void reset();

 private:
  BittorrentDhtMessage message_;
  std::uint64_t next_tx_id_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor
