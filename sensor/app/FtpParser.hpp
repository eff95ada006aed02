#pragma once
// FTP's control channel (RFC 959, RFC 2428) over one TCP flow: the client's command lines and
// the server's replies, grouped as Suricata does into one transaction per command with every
// reply line up to its final one (a 2xx-5xx line whose code is followed by a space; 1xx is
// preliminary), the server's greeting being a transaction without a command. PORT and EPRT
// (active) and the 227 and 229 replies to PASV and EPSV (passive) give the data connection's
// port. Lines longer than the line cap (kMaxLineBytes unless set) are cut (command_truncated / reply_truncated, as
// Suricata's max-line-length). Transactions and their strings are reused.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/FunctionRef.hpp"
#include "common/ReusingVector.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct FtpTransaction {
  enum class Mode : std::uint8_t { None, Active, Passive };
  std::uint64_t tx_id = 0;
  bool has_command = false;
  std::string command;       // the verb as sent ("USER")
  std::string command_data;  // what follows it, without the separating space
  bool command_truncated = false;
  ReusingVector<std::string> replies;  // each reply line's text, after its code
  ReusingVector<std::string> codes;    // each reply line's completion code ("230")
  bool reply_truncated = false;
  bool reply_received = false;
  bool has_dynamic_port = false;
  std::uint16_t dynamic_port = 0;
  Mode mode = Mode::None;
  // PORT's host address (h1.h2.h3.h4 as a number), for ftpbounce.
  bool has_port_address = false;
  std::uint32_t port_address = 0;
  // One-byte views for the ftp.mode and ftp.reply_received keywords, and the port big-endian
  // for ftp.dynamic_port (set with the fields above, by the parser).
  std::uint8_t mode_byte = 0;
  std::uint8_t reply_received_byte = 0;
  char port_bytes[2] = {0, 0};
  void clear();
};

// The data port a PORT/EPRT command or a 227/229 reply names; false when it names none.
bool ftpPortOfCommand(std::string_view verb, std::string_view data, std::uint16_t& port);
// PORT's "h1,h2,h3,h4,p1,p2": the host address as a number (h1 most significant).
bool ftpAddressOfPort(std::string_view data, std::uint32_t& address);
bool ftpPortOfReply(std::string_view code, std::string_view text, std::uint16_t& port);

// A RETR or STOR whose data connection the control channel set up: the data port (PORT/EPRT's
// when active, the 227/229 reply's when passive) and the file name, as Suricata's expectation.
struct FtpTransfer {
  enum class Command : std::uint8_t { Retr = 1, Stor = 2 };  // ftpdata_command's values
  Command command = Command::Retr;
  bool active = false;
  std::uint16_t port = 0;
  std::string file_name;
};

class FtpState final : public AppState {
 public:
  static constexpr std::size_t kMaxLineBytes = 4096;  // Suricata's ftp max-line-length default
  // Suricata's ftp max-line-length (at least 1); kept across reset().
  void setMaxLineBytes(std::size_t bytes) { max_line_ = bytes == 0 ? 1 : bytes; }
  static constexpr std::size_t kDefaultMaxTx = 256;  // Suricata's ftp max-tx default
  // Suricata's ftp max-tx: a command that would leave more than this many commands awaiting
  // their final reply raises too_many_transactions and ends the flow's parsing (0: no limit).
  // Kept across reset().
  void setMaxTx(std::size_t max_tx) { max_tx_ = max_tx; }
  // A transaction complete: its final reply came, the next command came, or the flow ended.
  using TransactionSink = FunctionRef<void(const FtpTransaction&)>;

  void feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const TransactionSink& sink);
  // The flow ends: a command still waiting for its reply is complete as it is.
  void close(const TransactionSink& sink);
  [[nodiscard]] std::uint64_t errors() const override { return 0; }
  void reset();
  // The transfer the last RETR or STOR set up, once: false when none is waiting.
  bool takeTransfer(FtpTransfer& out);

 private:
  struct Side {
    std::string line;  // the line being collected
    bool cut = false;  // longer than the line cap: the rest up to its end is dropped
  };
  void onCommand(std::string_view line, bool truncated, const TransactionSink& sink);
  void onReply(std::string_view line, bool truncated, const TransactionSink& sink);
  void complete(const TransactionSink& sink);

  void onTransferCommand(FtpTransfer::Command command, std::string_view line);

  Side sides_[2];
  std::size_t max_line_ = kMaxLineBytes;
  std::size_t max_tx_ = kDefaultMaxTx;
  std::size_t awaiting_reply_ = 0;  // commands without their final reply yet
  bool stopped_ = false;            // max-tx passed: nothing more is parsed
  // The data port the last PORT/EPRT (once answered) or PASV/EPSV reply named, until a RETR or
  // STOR uses it (Suricata's dyn_port and active).
  std::uint16_t dyn_port_ = 0;
  bool active_ = false;
  FtpTransfer transfer_;
  bool transfer_ready_ = false;
  FtpTransaction tx_;      // the command waiting for its final reply (or the greeting)
  bool open_ = false;      // tx_ holds one
  std::uint64_t next_tx_id_ = 0;
};

}  // namespace gsoc::sensor
