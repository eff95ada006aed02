#pragma once
// SSH's cleartext opening (RFC 4253) over one TCP flow: each side's identification line
// ("SSH-2.0-OpenSSH_9.6 comment") and its binary packets up to NEWKEYS, of which KEXINIT gives
// the algorithm lists that HASSH fingerprints. After NEWKEYS a side is encrypted and nothing
// more of it is read. Malformed input (a first line that is no SSH banner, a packet length out
// of range, a KEXINIT whose lists overrun it) is counted and that side stops being parsed.

#include <cstdint>
#include <span>
#include <string>

#include "common/FunctionRef.hpp"
#include "sensor/app/AckedSides.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

// What one side of an SSH connection said about itself.
struct SshEndpoint {
  std::string proto_version;     // "2.0", "1.99", "1.5"
  std::string software_version;  // up to the first space of the banner ("OpenSSH_9.6")
  // HASSH (salesforce/hassh, as Suricata): the KEXINIT's key exchange, encryption, MAC and
  // compression lists of this side's sending direction, joined by ';', and its MD5 in hex.
  std::string hassh_string;
  std::string hassh;
  bool banner_done = false;
  bool kexinit_done = false;
  // NEWKEYS sent (encrypted from here), the side stopped being parsed, or it spoke SSH-1.
  bool finished = false;
  void clear();
};

// What the parser reports: a side's banner, or its KEXINIT.
enum class SshStage : std::uint8_t { Banner, KexInit };

// The session's fields from its banner: false when `line` (without its line end) is no
// "SSH-protoversion-softwareversion [comments]" line.
bool parseSshBanner(std::string_view line, SshEndpoint& out);
// A KEXINIT packet's payload after its message code (cookie, then the name-lists): fills the
// HASSH of the side that sent it (`client`: its client-to-server lists). False when it is cut.
bool parseSshKexInit(std::span<const std::uint8_t> payload, bool client, SshEndpoint& out);

class SshState final : public AppState {
 public:
  // Suricata's longest banner; a longer first line is no banner.
  static constexpr std::size_t kMaxBannerBytes = 8 * 1024;
  // The largest packet read whole (a KEXINIT); larger packets are skipped unread, larger than
  // kMaxPacketBytes are malformed (RFC 4253 asks for 35,000 at least; implementations cap at 256 KiB).
  static constexpr std::uint32_t kMaxKexInitBytes = 64 * 1024;
  static constexpr std::uint32_t kMaxPacketBytes = 256 * 1024;

  using StageSink = FunctionRef<void(signatures::FlowDirection, SshStage)>;

  void feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const StageSink& sink);
  [[nodiscard]] const SshEndpoint& client() const { return sides_[0].endpoint; }
  [[nodiscard]] const SshEndpoint& server() const { return sides_[1].endpoint; }
  // Both sides are past the cleartext part: the session is as complete as it gets.
  [[nodiscard]] bool finished() const { return client().finished && server().finished; }
  bool logged = false;  // the session's record was written
  // Bytes waiting for their acknowledgement, and per side the stages (1 << SshStage) parsed
  // from acknowledged bytes and waiting for their inspection (AppLayer; issue 15).
  AckedSides awaiting_ack;
  std::uint8_t uninspected[2] = {0, 0};
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  // Back to the state of a new connection, keeping the buffers' capacity (AppLayer pools them).
  void reset();

 private:
  enum class Phase : std::uint8_t { Banner, PacketHeader, PacketBody, Skip, Done };
  struct Side {
    Phase phase = Phase::Banner;
    std::string pending;  // the banner line, the packet header, or the KEXINIT being collected
    std::uint32_t left = 0;  // bytes of the current packet still to read or skip
    SshEndpoint endpoint;
  };
  void malformed(Side& side);

  Side sides_[2];
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor
