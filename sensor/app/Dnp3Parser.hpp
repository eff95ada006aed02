#pragma once
// DNP3 over TCP (port 20000), as Suricata 8 parses it: link-layer frames (0x05 0x64 start, a
// length, control, destination and source, a CRC over the header and one after every 16 octets
// of user data), the transport layer's segments (FIR, FIN and a 6-bit sequence) reassembled into
// application fragments, and each fragment's application header (control, function code; a
// response's internal indications) and objects (Dnp3Objects.hpp). Every fragment is a
// transaction of its own: a request from the master (to the server), a response or unsolicited
// response from the outstation. A header with a bad CRC or a length under the minimum raises its
// event and ends the parsing of that side (Suricata's parser error); a frame whose user data
// fails its CRCs is skipped with bad_transport_crc. More unanswered requests than max-tx raise
// flooded; a fragment longer than the transport sequence space allows raises
// too_long_reassembly. Transactions and their buffers are reused: steady state allocates
// nothing.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/FunctionRef.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/app/AckedBytes.hpp"
#include "sensor/app/Dnp3Objects.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

// The DNP3 CRC (polynomial 0x3d65, reflected, inverted) of `data`.
std::uint16_t dnp3Crc(std::span<const std::uint8_t> data);
// Whether `d` starts with a link header (start octets, a length of at least 5, a good CRC).
bool dnp3LinkHeaderValid(std::span<const std::uint8_t> d);
struct Dnp3Limits {
  std::size_t max_tx = 32;  // Suricata's app-layer.protocols.dnp3.max-tx: unanswered requests before flooded
  Dnp3ObjectLimits objects;
};

struct Dnp3Transaction {
  std::uint64_t tx_id = 0;
  bool request = false;
  // The link header of its first frame.
  std::uint8_t link_control = 0;
  std::uint16_t src = 0, dst = 0;
  std::uint8_t transport = 0;  // the last segment's transport header (its sequence continues)
  std::uint8_t app_control = 0;
  std::uint8_t function_code = 0;
  std::uint16_t iin = 0;  // responses: IIN1 << 8 | IIN2
  bool done = false;      // its last segment arrived (or it was given up)
  bool complete = false;  // done, and every object decoded
  bool inspected = false;
  std::string data;  // the application fragment: header and objects, without CRCs (dnp3.data)
  Dnp3Objects objects;
  [[nodiscard]] bool unsolicited() const { return !request && function_code == 130; }
  // "request", "response" or "unsolicited_response" (EVE's dnp3.type).
  [[nodiscard]] std::string_view typeName() const {
    return request ? "request" : unsolicited() ? "unsolicited_response" : "response";
  }
};

class Dnp3State final : public AppState {
 public:
  using TransactionSink = FunctionRef<void(Dnp3Transaction&)>;

  explicit Dnp3State(const Dnp3Limits& limits) : limits_(&limits) {}
  // A side's bytes, held until the other side acknowledges them (AckedBytes).
  AckedBytes& pending(signatures::FlowDirection dir) { return sides_[side(dir)].bytes; }
  // Parses the released bytes of `dir`: each transaction done goes to `sink` (its record).
  void parse(signatures::FlowDirection dir, const TransactionSink& sink);
  // Transactions done and not yet inspected, of one direction (requests to the server).
  template <typename F>
  void forUninspected(signatures::FlowDirection dir, bool all, F&& f) {
    const bool requests = dir == signatures::FlowDirection::ToServer;
    for (auto& tx : txs_) {
      if (tx->inspected || tx->request != requests || !(tx->done || all)) continue;
      tx->inspected = true;
      f(*tx);
    }
  }
  // The flow ends: fragments still waiting for their last segment are dropped unlogged and
  // uninspected, as Suricata's.
  void close();
  // Drops transactions done and inspected (kept for reuse).
  void prune();
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  void reset();

 private:
  struct Side {
    AckedBytes bytes;
    bool failed = false;
  };
  static std::size_t side(signatures::FlowDirection dir) { return dir == signatures::FlowDirection::ToServer ? 0 : 1; }
  // One whole link frame of user data (its CRCs checked).
  void userData(bool request, std::span<const std::uint8_t> frame, const TransactionSink& sink);
  Dnp3Transaction& open();
  void finish(Dnp3Transaction& tx, bool request, const TransactionSink& sink);

  const Dnp3Limits* limits_;
  Side sides_[2];
  std::vector<std::unique_ptr<Dnp3Transaction>> txs_;    // oldest first
  std::vector<std::unique_ptr<Dnp3Transaction>> spare_;  // for reuse
  std::uint64_t next_tx_id_ = 0;
  std::size_t unreplied_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor
