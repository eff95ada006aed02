#pragma once
// TFTP (RFC 1350) on UDP port 69, as Suricata's tftp parser reads it: each read or write
// request the client sends to the port is a transaction with its opcode, file name and transfer
// mode (lower-cased). The transfer itself goes between other ports (a flow of its own) and is
// not followed, as in Suricata. A request that does not parse (no opcode, a name or mode not
// NUL-terminated) is counted and skipped. The request's strings are reused: steady state
// allocates nothing.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/FunctionRef.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct TftpTransaction {
  std::uint64_t tx_id = 0;
  std::uint8_t opcode = 0;  // 1 RRQ, 2 WRQ; another opcode sent to the port logs as "error"
  std::string file;
  std::string mode;
};

// "read", "write" or, for any other opcode, "error" (Suricata's packet names).
std::string_view tftpPacketName(std::uint8_t opcode);

// Decodes a request: a zero octet, the opcode, then the file name and the mode, each ended by a
// NUL; false when `data` is not one.
bool parseTftpRequest(std::span<const std::uint8_t> data, TftpTransaction& out);
// Whether a datagram to port 69 starts like a TFTP packet (opcode 1 to 5).
bool looksLikeTftp(std::span<const std::uint8_t> data);

class TftpState final : public AppState {
 public:
  using TransactionSink = FunctionRef<void(const TftpTransaction&)>;
  // One UDP datagram; only the client's are requests.
  void datagram(signatures::FlowDirection dir, std::span<const std::uint8_t> payload, const TransactionSink& sink);
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  void reset();

 private:
  TftpTransaction tx_;
  std::uint64_t next_tx_id_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor
