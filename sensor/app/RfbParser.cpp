#include "sensor/app/RfbParser.hpp"

#include <string_view>

namespace gsoc::sensor {

using signatures::AnomalyEvent;
using signatures::FlowDirection;

namespace {

constexpr std::size_t kVersionSize = 12;       // "RFB 003.008\n"
constexpr std::uint32_t kMaxReason = 1 << 16;  // failure reasons and desktop names longer are malformed

std::uint32_t be32(std::string_view d, std::size_t at) {
  return (std::uint32_t{static_cast<unsigned char>(d[at])} << 24) | (std::uint32_t{static_cast<unsigned char>(d[at + 1])} << 16) |
         (std::uint32_t{static_cast<unsigned char>(d[at + 2])} << 8) | std::uint32_t{static_cast<unsigned char>(d[at + 3])};
}
std::uint16_t be16(std::string_view d, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(d[at]) << 8) | static_cast<unsigned char>(d[at + 1]));
}
bool digits(std::string_view s) {
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}
// "RFB xxx.yyy\n": its major and minor.
bool parseVersion(std::string_view d, std::string& major, std::string& minor) {
  if (d.size() < kVersionSize || !d.starts_with("RFB ") || d[7] != '.' || d[11] != '\n') return false;
  if (!digits(d.substr(4, 3)) || !digits(d.substr(8, 3))) return false;
  major.assign(d.substr(4, 3));
  minor.assign(d.substr(8, 3));
  return true;
}

}  // namespace

bool looksLikeRfb(std::span<const std::uint8_t> data) {
  const std::string_view d(reinterpret_cast<const char*>(data.data()), data.size());
  std::string major, minor;
  if (d.size() < kVersionSize) return d.size() >= 4 && d.starts_with("RFB ");
  return parseVersion(d, major, minor);
}

void RfbState::reset() {
  for (AckedBytes& p : pending_) p.clear();
  tx_ = RfbTransaction{};
  server_ = Server::Version;
  client_ = Client::Version;
  errors_ = 0;
  events.clear();
}

unsigned RfbState::minor() const {
  // The version both use: the client's answer (3.3, 3.7; 3.8 and anything newer as 3.8).
  const std::string& m = tx_.has_client_version ? tx_.client_minor : tx_.server_minor;
  if (m == "003") return 3;
  if (m == "007") return 7;
  return 8;
}

void RfbState::serverAfterType() {
  switch (tx_.security_type) {
    case 1: server_ = minor() >= 8 ? Server::SecurityResult : Server::ServerInit; break;  // None: 3.8 still sends a result
    case 2: server_ = Server::Challenge; break;  // VNC authentication: challenge, response, result
    default:
      events.set(AnomalyEvent::RfbUnimplementedSecurityType);
      server_ = Server::Done;
      client_ = Client::Done;
      break;
  }
}

void RfbState::clientAfterType() {
  switch (tx_.security_type) {
    case 1: client_ = Client::ClientInit; break;
    case 2: client_ = Client::Response; break;
    default:
      events.set(AnomalyEvent::RfbUnimplementedSecurityType);
      server_ = Server::Done;
      client_ = Client::Done;
      break;
  }
}

void RfbState::finish(const TransactionSink& sink) {
  if (tx_.complete) return;
  tx_.complete = true;
  sink(FlowDirection::Any, tx_);
}

void RfbState::parse(FlowDirection dir, const TransactionSink& sink) {
  const bool to_server = dir == FlowDirection::ToServer;
  AckedBytes& bytes = pending(dir);
  for (;;) {
    const std::string_view d = bytes.ready();
    if (d.empty()) break;
    if ((to_server ? client_ == Client::Done : server_ == Server::Done)) {
      bytes.consume(d.size());  // past the handshake: framebuffer traffic, not parsed
      break;
    }
    const std::size_t before_errors = errors_;
    const std::size_t used = to_server ? clientMessage(d) : serverMessage(d);
    if (errors_ != before_errors) {  // malformed: this side is followed no further
      events.set(AnomalyEvent::RfbMalformedMessage);
      if (to_server) client_ = Client::Done;
      else server_ = Server::Done;
      bytes.consume(d.size());
      break;
    }
    if (used == 0) break;
    bytes.consume(used);
  }
  if (server_ == Server::Done && client_ == Client::Done) finish(sink);
}

std::size_t RfbState::clientMessage(std::string_view d) {
  switch (client_) {
    case Client::Version:
      if (d.size() < kVersionSize) return 0;
      if (!parseVersion(d, tx_.client_major, tx_.client_minor)) {
        ++errors_;
        return 0;
      }
      tx_.has_client_version = true;
      // 3.7 and 3.8: the client picks a type; 3.3: the server imposes one (what follows waits for it).
      client_ = minor() >= 7 ? Client::SecurityType : Client::AwaitType;
      return kVersionSize;
    case Client::AwaitType:
      return 0;
    case Client::SecurityType:
      tx_.has_security_type = true;
      tx_.security_type = static_cast<unsigned char>(d[0]);
      clientAfterType();
      if (server_ == Server::AwaitChoice) serverAfterType();
      return 1;
    case Client::Response:
      if (!tx_.has_security_type) return 0;  // 3.3, before the server's choice is parsed
      if (d.size() < 16) return 0;
      for (std::size_t i = 0; i < 16; ++i) tx_.response[i] = static_cast<std::uint8_t>(d[i]);
      tx_.has_response = true;
      client_ = Client::ClientInit;
      return 16;
    case Client::ClientInit:
      tx_.has_client_init = true;
      tx_.shared = d[0] != 0;
      client_ = Client::Done;
      return 1;
    case Client::Done:
      return d.size();
  }
  return 0;
}

std::size_t RfbState::serverMessage(std::string_view d) {
  switch (server_) {
    case Server::Version:
      if (d.size() < kVersionSize) return 0;
      if (!parseVersion(d, tx_.server_major, tx_.server_minor)) {
        ++errors_;
        return 0;
      }
      tx_.has_server_version = true;
      server_ = Server::SecurityTypes;
      return kVersionSize;
    case Server::SecurityTypes: {
      if (!tx_.has_client_version) return 0;  // which form depends on the client's version
      if (minor() < 7) {
        if (d.size() < 4) return 0;
        tx_.security_type = be32(d, 0);
        tx_.has_security_type = true;
        if (tx_.security_type == 0) {
          server_ = Server::FailureReason;
          client_ = Client::Done;
        } else {
          serverAfterType();
          if (client_ == Client::AwaitType) clientAfterType();
        }
        return 4;
      }
      const std::size_t count = static_cast<unsigned char>(d[0]);
      if (count == 0) {
        server_ = Server::FailureReason;
        client_ = Client::Done;
        return 1;
      }
      if (d.size() < 1 + count) return 0;
      if (tx_.has_security_type) serverAfterType();
      else server_ = Server::AwaitChoice;  // settled by the client's choice
      return 1 + count;
    }
    case Server::AwaitChoice:
      return 0;
    case Server::Challenge:
      if (d.size() < 16) return 0;
      for (std::size_t i = 0; i < 16; ++i) tx_.challenge[i] = static_cast<std::uint8_t>(d[i]);
      tx_.has_challenge = true;
      server_ = Server::SecurityResult;
      return 16;
    case Server::SecurityResult:
      if (d.size() < 4) return 0;
      tx_.security_result = be32(d, 0);
      tx_.has_security_result = true;
      if (tx_.security_result > 2) events.set(AnomalyEvent::RfbUnknownSecurityResult);
      if (tx_.security_result == 0) {
        server_ = Server::ServerInit;
      } else {
        server_ = minor() >= 8 ? Server::FailureReason : Server::Done;
        client_ = Client::Done;
      }
      return 4;
    case Server::FailureReason: {
      if (d.size() < 4) return 0;
      const std::uint32_t length = be32(d, 0);
      if (length > kMaxReason) {
        ++errors_;
        return 0;
      }
      if (d.size() < 4 + std::size_t{length}) return 0;
      server_ = Server::Done;
      return 4 + length;
    }
    case Server::ServerInit: {
      if (d.size() < 24) return 0;
      const std::uint32_t length = be32(d, 20);
      if (length > kMaxReason) {
        ++errors_;
        return 0;
      }
      if (d.size() < 24 + std::size_t{length}) return 0;
      tx_.width = be16(d, 0);
      tx_.height = be16(d, 2);
      RfbPixelFormat& p = tx_.pixel_format;
      p.bits_per_pixel = static_cast<std::uint8_t>(d[4]);
      p.depth = static_cast<std::uint8_t>(d[5]);
      p.big_endian = d[6] != 0;
      p.true_color = d[7] != 0;
      p.red_max = be16(d, 8);
      p.green_max = be16(d, 10);
      p.blue_max = be16(d, 12);
      p.red_shift = static_cast<std::uint8_t>(d[14]);
      p.green_shift = static_cast<std::uint8_t>(d[15]);
      p.blue_shift = static_cast<std::uint8_t>(d[16]);
      tx_.name.assign(d.substr(24, length));
      tx_.has_server_init = true;
      server_ = Server::Done;
      client_ = Client::Done;
      return 24 + length;
    }
    case Server::Done:
      return d.size();
  }
  return 0;
}

void RfbState::close(const TransactionSink& sink) {
  if (tx_.has_server_version || tx_.has_client_version) finish(sink);
}

}  // namespace gsoc::sensor
