#pragma once
// NTP (RFC 1305 version 3, RFC 5905 version 4) on UDP port 123, as Suricata 8's ntp parser reads
// it: every message, either way, is a transaction with its version, mode, stratum and reference
// id (EVE ntp records, the ntp.* keywords). A datagram that is no version 3 or 4 message of at
// least 48 octets is counted and skipped (ntp.malformed_data). Nothing is allocated per message.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/FunctionRef.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct NtpMessage {
  std::uint64_t tx_id = 0;
  std::uint8_t version = 0;  // 3 or 4
  std::uint8_t mode = 0;     // 1 symmetric active ... 3 client, 4 server ... 7 private
  std::uint8_t stratum = 0;
  std::array<std::uint8_t, 4> reference_id{};
  [[nodiscard]] std::string_view referenceId() const {
    return {reinterpret_cast<const char*>(reference_id.data()), reference_id.size()};
  }
};

// Decodes one message; false when `data` is not an NTP version 3 or 4 message.
bool parseNtpMessage(std::span<const std::uint8_t> data, NtpMessage& out);
// The mode a name of ntp.mode stands for ("client" 3, "server" 4...); -1 for none.
int ntpModeByName(std::string_view name);

class NtpState final : public AppState {
 public:
  using MessageSink = FunctionRef<void(const NtpMessage&)>;
  // One UDP datagram, either way.
  void datagram(std::span<const std::uint8_t> payload, const MessageSink& sink);
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  void reset();

 private:
  NtpMessage message_;
  std::uint64_t next_tx_id_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor
