#pragma once
// RFB (VNC) 3.3, 3.7 and 3.8 handshakes, as Suricata's rfb parser follows them: the protocol
// versions, the security types offered and chosen, the VNC authentication challenge and
// response, the security result, ClientInit's shared flag and ServerInit's framebuffer, pixel
// format and desktop name. A connection is one transaction, complete at ServerInit (or at the
// flow's end, as far as it got); what follows (the framebuffer updates) is not parsed. A
// security type it cannot follow (Apple's, TLS...) raises rfb.unimplemented_security_type and
// ends the parse there.

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "common/FunctionRef.hpp"
#include "sensor/app/AckedBytes.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct RfbPixelFormat {
  std::uint8_t bits_per_pixel = 0, depth = 0;
  bool big_endian = false, true_color = false;
  std::uint16_t red_max = 0, green_max = 0, blue_max = 0;
  std::uint8_t red_shift = 0, green_shift = 0, blue_shift = 0;
};

struct RfbTransaction {
  std::string server_major, server_minor, client_major, client_minor;  // "003", "008"
  bool has_server_version = false, has_client_version = false;
  bool has_security_type = false;
  std::uint32_t security_type = 0;  // chosen (3.7+) or imposed (3.3)
  bool has_challenge = false, has_response = false;
  std::array<std::uint8_t, 16> challenge{}, response{};
  bool has_security_result = false;
  std::uint32_t security_result = 0;  // 0 OK, 1 failed, 2 too many attempts
  bool has_client_init = false;
  bool shared = false;
  bool has_server_init = false;
  std::uint16_t width = 0, height = 0;
  RfbPixelFormat pixel_format;
  std::string name;
  bool complete = false;
  bool logged = false;
};

class RfbState final : public AppState {
 public:
  // The transaction is complete (ServerInit, a failure, or the flow's end): detection and its record.
  using TransactionSink = FunctionRef<void(signatures::FlowDirection, const RfbTransaction&)>;

  AckedBytes& pending(signatures::FlowDirection dir) { return pending_[dir == signatures::FlowDirection::ToServer ? 0 : 1]; }
  void parse(signatures::FlowDirection dir, const TransactionSink& sink);
  void close(const TransactionSink& sink);
  [[nodiscard]] const RfbTransaction& transaction() const { return tx_; }
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  void reset();

 private:
  // The handshake's next message from each side (the order RFB fixes).
  enum class Server : std::uint8_t { Version, SecurityTypes, AwaitChoice, Challenge, SecurityResult, FailureReason, ServerInit, Done };
  enum class Client : std::uint8_t { Version, AwaitType, SecurityType, Response, ClientInit, Done };
  std::size_t serverMessage(std::string_view d);
  std::size_t clientMessage(std::string_view d);
  // The security type is known: what each side sends next.
  void serverAfterType();
  void clientAfterType();
  void finish(const TransactionSink& sink);
  [[nodiscard]] unsigned minor() const;

  AckedBytes pending_[2];
  RfbTransaction tx_;
  Server server_ = Server::Version;
  Client client_ = Client::Version;
  std::uint64_t errors_ = 0;
};

// An RFB version banner ("RFB 003.008\n"), as Suricata's probe: the server's first bytes.
bool looksLikeRfb(std::span<const std::uint8_t> data);

}  // namespace gsoc::sensor
