#include "sensor/app/FtpParser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace gsoc::sensor {

using signatures::FlowDirection;

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool equalsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}

bool number(std::string_view s, unsigned& out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// "h1,h2,h3,h4,p1,p2" (PORT's argument and the 227 reply's numbers).
bool hostPort(std::string_view s, unsigned (&parts)[6]) {
  for (int i = 0; i < 6; ++i) {
    const std::size_t comma = i < 5 ? s.find(',') : s.size();
    if (comma == std::string_view::npos || !number(s.substr(0, comma), parts[i]) || parts[i] > 255) return false;
    s.remove_prefix(std::min(s.size(), comma + 1));
  }
  return true;
}

// Its port: p1 * 256 + p2.
bool portOfHostPort(std::string_view s, std::uint16_t& port) {
  unsigned parts[6];
  if (!hostPort(s, parts)) return false;
  port = static_cast<std::uint16_t>(parts[4] * 256 + parts[5]);
  return true;
}

// "<d>proto<d>address<d>port<d>" (EPRT's argument, RFC 2428) or "(<d><d><d>port<d>)" (229).
bool portOfExtended(std::string_view s, std::uint16_t& port) {
  if (s.size() < 5) return false;
  const char d = s.front();
  std::size_t at = 0;
  for (int i = 0; i < 2; ++i) {  // past the protocol and the address
    at = s.find(d, at + 1);
    if (at == std::string_view::npos) return false;
  }
  const std::size_t end = s.find(d, at + 1);
  unsigned value = 0;
  if (end == std::string_view::npos || !number(s.substr(at + 1, end - at - 1), value) || value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

}  // namespace

void FtpTransaction::clear() {
  has_command = false;
  command.clear();
  command_data.clear();
  command_truncated = false;
  replies.clear();
  codes.clear();
  reply_truncated = false;
  reply_received = false;
  has_dynamic_port = false;
  dynamic_port = 0;
  mode = Mode::None;
  has_port_address = false;
  port_address = 0;
  mode_byte = 0;
  reply_received_byte = 0;
  port_bytes[0] = port_bytes[1] = 0;
}

bool ftpPortOfCommand(std::string_view verb, std::string_view data, std::uint16_t& port) {
  if (equalsNoCase(verb, "PORT")) return portOfHostPort(data, port);
  if (equalsNoCase(verb, "EPRT")) return portOfExtended(data, port);
  return false;
}

bool ftpAddressOfPort(std::string_view data, std::uint32_t& address) {
  unsigned parts[6];
  if (!hostPort(data, parts)) return false;
  address = parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3];
  return true;
}

bool ftpPortOfReply(std::string_view code, std::string_view text, std::uint16_t& port) {
  const std::size_t open = text.find('(');
  const std::size_t close = text.find(')', open == std::string_view::npos ? 0 : open);
  if (open == std::string_view::npos || close == std::string_view::npos) return false;
  const std::string_view inside = text.substr(open + 1, close - open - 1);
  if (code == "227") return portOfHostPort(inside, port);
  if (code == "229") return portOfExtended(inside, port);
  return false;
}

void FtpState::feed(FlowDirection dir, std::span<const std::uint8_t> data, const TransactionSink& sink) {
  if (stopped_) return;
  const bool client = dir == FlowDirection::ToServer;
  Side& side = sides_[client ? 0 : 1];
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t nl = text.find('\n', at);
    const std::string_view piece = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    if (!side.cut) {
      const std::size_t room = max_line_ - side.line.size();
      side.line.append(piece.substr(0, room));
      if (piece.size() > room) {
        side.cut = true;
        events.set(client ? signatures::AnomalyEvent::FtpRequestCommandTooLong
                          : signatures::AnomalyEvent::FtpResponseCommandTooLong);
      }
    }
    if (nl == std::string_view::npos) break;
    at = nl + 1;
    std::string_view line = side.line;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (client) onCommand(line, side.cut, sink);
    else onReply(line, side.cut, sink);
    if (stopped_) return;
    side.line.clear();
    side.cut = false;
  }
}

void FtpState::onCommand(std::string_view line, bool truncated, const TransactionSink& sink) {
  if (line.empty()) return;
  if (open_) complete(sink);  // a command before the last one's reply: that one is done
  if (max_tx_ != 0 && awaiting_reply_ + 1 > max_tx_) {
    // As Suricata 8.0.6: the event is the oldest waiting command's, and parsing stops.
    events.set(signatures::AnomalyEvent::FtpTooManyTransactions);
    stopped_ = true;
    return;
  }
  ++awaiting_reply_;
  tx_.clear();
  tx_.tx_id = next_tx_id_++;
  open_ = true;
  tx_.has_command = true;
  const std::size_t space = line.find(' ');
  tx_.command.assign(line.substr(0, space));
  if (space != std::string_view::npos) tx_.command_data.assign(line.substr(space + 1));
  tx_.command_truncated = truncated;
  if (std::uint16_t port = 0; ftpPortOfCommand(tx_.command, tx_.command_data, port)) {
    tx_.has_dynamic_port = true;
    tx_.dynamic_port = port;
  }
  if (equalsNoCase(tx_.command, "PORT") || equalsNoCase(tx_.command, "EPRT")) tx_.mode = FtpTransaction::Mode::Active;
  if (equalsNoCase(tx_.command, "PORT")) tx_.has_port_address = ftpAddressOfPort(tx_.command_data, tx_.port_address);
  if (equalsNoCase(tx_.command, "PASV") || equalsNoCase(tx_.command, "EPSV")) tx_.mode = FtpTransaction::Mode::Passive;
  if (equalsNoCase(tx_.command, "RETR")) onTransferCommand(FtpTransfer::Command::Retr, line);
  if (equalsNoCase(tx_.command, "STOR")) onTransferCommand(FtpTransfer::Command::Stor, line);
}

void FtpState::onTransferCommand(FtpTransfer::Command command, std::string_view line) {
  // As Suricata: a port negotiated and a file name ("RETR x": more than five bytes), else no
  // data connection is expected; no port at all is an event of its own (Suricata 8.0.6).
  if (dyn_port_ == 0) events.set(signatures::AnomalyEvent::FtpFileBeforePort);
  if (dyn_port_ == 0 || line.size() < 6) return;
  transfer_.command = command;
  transfer_.active = active_;
  transfer_.port = dyn_port_;
  transfer_.file_name.assign(line.substr(5));
  transfer_ready_ = true;
  dyn_port_ = 0;  // one transfer per negotiated port
  active_ = false;
}

bool FtpState::takeTransfer(FtpTransfer& out) {
  if (!transfer_ready_) return false;
  transfer_ready_ = false;
  std::swap(out, transfer_);
  return true;
}

void FtpState::onReply(std::string_view line, bool truncated, const TransactionSink& sink) {
  if (!open_) {  // the greeting, or a reply to nothing: a transaction without a command
    tx_.clear();
    tx_.tx_id = next_tx_id_++;
    open_ = true;
  }
  tx_.reply_received = true;
  tx_.reply_truncated = tx_.reply_truncated || truncated;
  const bool coded = line.size() >= 3 && isDigit(line[0]) && isDigit(line[1]) && isDigit(line[2]) &&
                     (line.size() == 3 || line[3] == ' ' || line[3] == '-');
  if (!coded) {
    tx_.replies.next().assign(line);  // a line inside a multi-line reply
    return;
  }
  const std::string_view code = line.substr(0, 3);
  const std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view();
  tx_.codes.next().assign(code);
  tx_.replies.next().assign(text);
  if (std::uint16_t port = 0; ftpPortOfReply(code, text, port)) {
    tx_.has_dynamic_port = true;
    tx_.dynamic_port = port;
    if (tx_.mode == FtpTransaction::Mode::Passive) {
      dyn_port_ = port;
      active_ = false;
    }
  } else if (tx_.mode == FtpTransaction::Mode::Active && tx_.has_dynamic_port) {
    // A reply to PORT/EPRT: the server will connect to the port the command named.
    dyn_port_ = tx_.dynamic_port;
    active_ = true;
  }
  const bool final = (line.size() == 3 || line[3] == ' ') && code[0] != '1';
  if (final && awaiting_reply_ > 0) --awaiting_reply_;
  if (final) complete(sink);
}

void FtpState::complete(const TransactionSink& sink) {
  tx_.mode_byte = static_cast<std::uint8_t>(tx_.mode);
  tx_.reply_received_byte = tx_.reply_received ? 1 : 0;
  tx_.port_bytes[0] = static_cast<char>(tx_.dynamic_port >> 8);
  tx_.port_bytes[1] = static_cast<char>(tx_.dynamic_port & 0xff);
  open_ = false;
  sink(tx_);
}

void FtpState::close(const TransactionSink& sink) {
  if (open_) complete(sink);
}

void FtpState::reset() {
  for (Side& side : sides_) {
    side.line.clear();
    side.cut = false;
  }
  tx_.clear();
  open_ = false;
  next_tx_id_ = 0;
  dyn_port_ = 0;
  active_ = false;
  transfer_ready_ = false;
  awaiting_reply_ = 0;
  stopped_ = false;
  events.clear();
}

}  // namespace gsoc::sensor
