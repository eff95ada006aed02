#include "sensor/app/DnsParser.hpp"

#include <arpa/inet.h>

namespace gsoc::sensor {
namespace {

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

// Reads a possibly compressed name at `pos`; advances `pos` past it in the message.
bool readName(std::span<const std::uint8_t> msg, std::size_t& pos, DnsName& out) {
  out.clear();
  std::size_t cursor = pos;
  bool jumped = false;
  for (int guard = 0; guard < 128; ++guard) {
    if (cursor >= msg.size()) return false;
    const std::uint8_t len = msg[cursor];
    if (len == 0) {
      if (!jumped) pos = cursor + 1;
      return true;
    }
    if ((len & 0xC0) == 0xC0) {
      if (cursor + 1 >= msg.size()) return false;
      if (!jumped) pos = cursor + 2;
      cursor = static_cast<std::size_t>((len & 0x3F) << 8 | msg[cursor + 1]);
      jumped = true;
      continue;
    }
    if ((len & 0xC0) != 0 || cursor + 1 + len > msg.size()) return false;
    if (!out.empty() && !out.push_back('.')) return false;
    if (!out.append(std::string_view(reinterpret_cast<const char*>(msg.data()) + cursor + 1, len))) return false;
    cursor += 1 + len;
  }
  return false;  // pointer loop
}

// An A or AAAA record's address as text (inet_ntop's form, as IpAddress::toString).
void addressText(std::span<const std::uint8_t> rdata, DnsName& out) {
  char text[INET6_ADDRSTRLEN];
  const char* written = inet_ntop(rdata.size() == 4 ? AF_INET : AF_INET6, rdata.data(), text, sizeof text);
  out.assign(written != nullptr ? std::string_view(written) : std::string_view());
}

}  // namespace

void DnsMessage::clear() {
  id = 0;
  response = false;
  rcode = 0;
  queries.clear();
  query_types.clear();
  answers.clear();
}

bool parseDnsMessage(std::span<const std::uint8_t> msg, DnsMessage& out) {
  out.clear();
  if (msg.size() < 12) return false;
  out.id = be16(msg.data());
  const std::uint16_t flags = be16(msg.data() + 2);
  out.response = (flags & 0x8000) != 0;
  out.rcode = flags & 0x0F;
  if (((flags >> 11) & 0x0F) > 5) return false;  // opcode
  const std::uint16_t qd = be16(msg.data() + 4);
  const std::uint16_t an = be16(msg.data() + 6);
  if (qd == 0 || qd > 32) return false;
  std::size_t pos = 12;
  for (std::uint16_t i = 0; i < qd; ++i) {
    DnsName& name = out.queries.emplace_back();
    if (!readName(msg, pos, name) || pos + 4 > msg.size()) return false;
    out.query_types.push_back(be16(msg.data() + pos));
    pos += 4;
  }
  for (std::uint16_t i = 0; i < an && i < 64; ++i) {
    DnsMessage::Answer& a = out.answers.emplace_back();
    if (!readName(msg, pos, a.name) || pos + 10 > msg.size()) {  // answers are metadata only
      out.answers.pop_back();
      break;
    }
    a.type = be16(msg.data() + pos);
    a.ttl = std::uint32_t{be16(msg.data() + pos + 4)} << 16 | be16(msg.data() + pos + 6);
    const std::uint16_t rdlength = be16(msg.data() + pos + 8);
    pos += 10;
    if (pos + rdlength > msg.size()) {
      out.answers.pop_back();
      break;
    }
    const auto rdata = msg.subspan(pos, rdlength);
    if ((a.type == 1 && rdlength == 4) || (a.type == 28 && rdlength == 16)) {
      addressText(rdata, a.data);
    } else if (a.type == 5 || a.type == 2 || a.type == 12) {
      std::size_t p = pos;
      // A name that does not decode (overlong, a pointer loop, cut short) is no answer data:
      // readName leaves what it read so far.
      if (!readName(msg, p, a.data)) a.data.clear();
    }
    pos += rdlength;
  }
  return true;
}

bool DnsTcpState::feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, DnsMessage& message,
                       const MessageSink& sink) {
  if (broken_) return false;
  std::string& pending = pending_[dir == signatures::FlowDirection::ToServer ? 0 : 1];
  pending.append(reinterpret_cast<const char*>(data.data()), data.size());
  while (pending.size() >= 2) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(pending.data());
    const std::size_t length = be16(p);
    if (length < 12) {
      broken_ = true;
      return false;
    }
    if (pending.size() < 2 + length) break;
    if (!parseDnsMessage(std::span(p + 2, length), message)) {
      broken_ = true;
      return false;
    }
    sink(dir, message);
    pending.erase(0, 2 + length);
  }
  return true;
}

}  // namespace gsoc::sensor
