#include "sensor/app/FlowFrames.hpp"

#include "sensor/app/WebsocketParser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace gsoc::sensor {

using signatures::AppProto;
using signatures::BufferId;
using signatures::FlowDirection;

namespace {

using Bytes = std::span<const std::uint8_t>;

std::string_view text(Bytes b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// Hands on the frames one PDU holds, with their bytes out of `b` (stream offset `base`).
struct Emitter {
  FlowDirection dir;
  Bytes b;
  std::uint64_t base;
  std::uint64_t& next_id;
  const FrameSink& sink;
  bool complete = true;
  void operator()(BufferId type, std::size_t off, std::size_t len, bool provisional = false) const {
    if (off > b.size()) return;
    len = std::min(len, b.size() - off);
    Frame f;
    f.type = type;
    f.direction = dir;
    f.id = provisional ? next_id : next_id++;
    f.provisional = provisional;
    f.stream_offset = base + off;
    f.length = len;
    f.complete = complete;
    f.bytes = text(b.subspan(off, len));
    sink(f);
  }
};

// The result of delimiting one PDU at the start of the held bytes.
constexpr std::size_t kNeedMore = 0;

std::size_t lineEnd(std::string_view s, std::size_t from = 0) {
  const std::size_t nl = s.find('\n', from);
  return nl == std::string_view::npos ? std::string_view::npos : nl + 1;
}

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) return false;
  }
  return true;
}

// The end of a header block (past its empty line) and where its empty line starts.
bool headerEnd(std::string_view s, std::size_t& empty_line, std::size_t& end) {
  std::size_t pos = 0;
  while (true) {
    const std::size_t next = lineEnd(s, pos);
    if (next == std::string_view::npos) return false;
    const std::string_view line = s.substr(pos, next - pos);
    if (line == "\r\n" || line == "\n") {
      empty_line = pos;
      end = next;
      return true;
    }
    pos = next;
  }
}

// A header field's value in a header block (`names`: its spellings), trimmed; empty when absent.
std::string_view headerValue(std::string_view head, std::initializer_list<std::string_view> names) {
  std::size_t pos = 0;
  while (pos < head.size()) {
    const std::size_t next = std::min(lineEnd(head, pos), head.size());
    const std::string_view line = head.substr(pos, next - pos);
    for (const std::string_view name : names) {
      if (startsWithNoCase(line, name)) {
        std::string_view rest = line.substr(name.size());
        const std::size_t colon = rest.find_first_not_of(" \t");
        if (colon == std::string_view::npos || rest[colon] != ':') continue;
        rest = rest.substr(colon + 1);
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
        while (!rest.empty() && (rest.back() == '\r' || rest.back() == '\n' || rest.back() == ' ')) rest.remove_suffix(1);
        return rest;
      }
    }
    pos = next;
  }
  return {};
}

std::optional<std::uint64_t> number(std::string_view v, int base = 10) {
  std::uint64_t n = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n, base);
  if (ec != std::errc() || p == v.data()) return std::nullopt;
  return n;
}

// MQTT: the fixed header (type byte, remaining length in 1-4 bytes), then the rest.
std::size_t mqtt(Bytes b, const Emitter& emit) {
  if (b.size() < 2) return kNeedMore;
  std::uint64_t remaining = 0;
  std::size_t i = 1;
  for (unsigned shift = 0;; shift += 7) {
    if (i >= b.size()) return kNeedMore;
    if (i > 4) return b.size();  // malformed: skip what is here
    remaining |= static_cast<std::uint64_t>(b[i] & 0x7f) << shift;
    if ((b[i++] & 0x80) == 0) break;
  }
  const std::size_t total = i + remaining;
  if (b.size() < total) return kNeedMore;
  emit(BufferId::FrameMqttPdu, 0, total);
  emit(BufferId::FrameMqttHeader, 0, i);
  if (remaining > 0) emit(BufferId::FrameMqttData, i, remaining);
  return total;
}

// SSH: the version line, then binary packets (length, padding length, message code...) until a
// side's NEWKEYS: what follows is encrypted.
std::size_t ssh(FlowFrames::Side& side, Bytes b, const Emitter& emit) {
  const std::string_view s = text(b);
  if (!side.banner_done) {
    const std::size_t end = lineEnd(s);
    if (end == std::string_view::npos) return kNeedMore;
    if (s.starts_with("SSH-")) side.banner_done = true;
    return end;
  }
  if (b.size() < 6) return kNeedMore;
  const std::uint64_t len = std::uint64_t{b[0]} << 24 | std::uint64_t{b[1]} << 16 | std::uint64_t{b[2]} << 8 | b[3];
  if (len > 256 * 1024) {  // not a cleartext record
    side.stopped = true;
    return b.size();
  }
  const std::size_t total = 4 + len;
  if (b.size() < total) return kNeedMore;
  emit(BufferId::FrameSshRecordPdu, 0, total);
  emit(BufferId::FrameSshRecordHdr, 0, 6);
  if (total > 6) emit(BufferId::FrameSshRecordData, 6, total - 6);
  if (b[5] == 21) side.stopped = true;  // NEWKEYS
  return total;
}

// DCERPC over TCP: a 16-byte header whose frag_length (little-endian when the data
// representation says so) is the PDU's.
std::size_t dcerpc(FlowFrames::Side& side, Bytes b, const Emitter& emit) {
  if (b.size() < 16) return kNeedMore;
  if (b[0] != 5) {
    side.stopped = true;
    return b.size();
  }
  const bool little = (b[4] & 0x10) != 0;
  const std::size_t len = little ? (b[8] | b[9] << 8) : (b[8] << 8 | b[9]);
  if (len < 16) {
    side.stopped = true;
    return b.size();
  }
  if (b.size() < len) return kNeedMore;
  emit(BufferId::FrameDcerpcPdu, 0, len);
  emit(BufferId::FrameDcerpcHdr, 0, 16);
  if (len > 16) emit(BufferId::FrameDcerpcData, 16, len - 16);
  return len;
}

// DNS over TCP: a two-byte length, then the message (the frame).
std::size_t dnsTcp(Bytes b, const Emitter& emit) {
  if (b.size() < 2) return kNeedMore;
  const std::size_t len = b[0] << 8 | b[1];
  if (b.size() < 2 + len) return kNeedMore;
  if (len > 0) emit(BufferId::FrameDnsPdu, 2, len);
  return 2 + len;
}

// LDAP: one BER SEQUENCE (tag, definite length in short or long form).
std::size_t ldap(FlowFrames::Side& side, Bytes b, const Emitter& emit) {
  if (b.size() < 2) return kNeedMore;
  if (b[0] != 0x30) {
    side.stopped = true;
    return b.size();
  }
  std::uint64_t len = b[1];
  std::size_t header = 2;
  if (len & 0x80) {
    const std::size_t n = len & 0x7f;
    if (n == 0 || n > 4) {
      side.stopped = true;
      return b.size();
    }
    if (b.size() < 2 + n) return kNeedMore;
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = len << 8 | b[2 + i];
    header += n;
  }
  const std::size_t total = header + len;
  if (b.size() < total) return kNeedMore;
  emit(BufferId::FrameLdapPdu, 0, total);
  return total;
}

// NBSS (a type byte, a 17-bit length) and the SMB1, SMB2 or SMB3 (transform) PDU it carries;
// SMB2 compounds are PDUs one after another.
std::size_t smb(Bytes b, const Emitter& emit) {
  if (b.size() < 4) return kNeedMore;
  const std::size_t len = (b[1] & 0x01) << 16 | b[2] << 8 | b[3];
  const std::size_t total = 4 + len;
  if (b.size() < total) return kNeedMore;
  emit(BufferId::FrameNbssPdu, 0, total);
  emit(BufferId::FrameNbssHdr, 0, 4);
  if (b[0] != 0 || len < 4) return total;  // a session message carries SMB
  const Bytes pdu = b.subspan(4, len);
  if (pdu[0] == 0xff && text(pdu.subspan(1, 3)) == "SMB") {
    emit(BufferId::FrameSmb1Pdu, 4, len);
    emit(BufferId::FrameSmb1Hdr, 4, std::min<std::size_t>(32, len));
    if (len > 32) emit(BufferId::FrameSmb1Data, 36, len - 32);
  } else if (pdu[0] == 0xfd && text(pdu.subspan(1, 3)) == "SMB") {
    emit(BufferId::FrameSmb3Pdu, 4, len);
    emit(BufferId::FrameSmb3Hdr, 4, std::min<std::size_t>(52, len));
    if (len > 52) emit(BufferId::FrameSmb3Data, 56, len - 52);
  } else if (pdu[0] == 0xfe && text(pdu.subspan(1, 3)) == "SMB") {
    std::size_t at = 0;
    while (at + 64 <= len) {
      const Bytes h = pdu.subspan(at);
      const std::size_t next = h[20] | h[21] << 8 | h[22] << 16 | static_cast<std::size_t>(h[23]) << 24;
      const std::size_t size = next != 0 && next <= len - at ? next : len - at;
      if (size < 64) break;
      emit(BufferId::FrameSmb2Pdu, 4 + at, size);
      emit(BufferId::FrameSmb2Hdr, 4 + at, 64);
      if (size > 64) emit(BufferId::FrameSmb2Data, 4 + at + 64, size - 64);
      if (next == 0 || next > len - at) break;
      at += next;
    }
  }
  return total;
}

// SMTP: the client's command lines, and the mail data from DATA to its end line; the server's
// reply lines.
std::size_t smtp(FlowFrames::Side& side, FlowDirection dir, Bytes b, const Emitter& emit) {
  const std::string_view s = text(b);
  if (dir == FlowDirection::ToServer && side.in_data) {
    std::size_t end = 0;
    if (s.starts_with(".\r\n")) {
      end = 3;
    } else {
      const std::size_t at = s.find("\r\n.\r\n");
      if (at == std::string_view::npos) return kNeedMore;
      end = at + 5;
    }
    emit(BufferId::FrameSmtpData, 0, end);
    side.in_data = false;
    return end;
  }
  const std::size_t end = lineEnd(s);
  if (end == std::string_view::npos) return kNeedMore;
  if (dir == FlowDirection::ToClient) {
    emit(BufferId::FrameSmtpResponseLine, 0, end);
    return end;
  }
  // Suricata inspects a command line first as far as the stream goes (the line and its end of
  // line), then once more when its length (the line without the end of line) is set.
  const std::string_view line = s.substr(0, end);
  emit(BufferId::FrameSmtpCommandLine, 0, end, true);
  emit(BufferId::FrameSmtpCommandLine, 0, line.ends_with("\r\n") ? end - 2 : end - 1);
  if (startsWithNoCase(line, "DATA") && line.substr(4).find_first_not_of("\r\n ") == std::string_view::npos) side.in_data = true;
  if (startsWithNoCase(line, "STARTTLS")) side.stopped = true;
  return end;
}

// An HTTP/1 chunked body from `at`: its end (past the last chunk's trailer), or npos.
std::size_t chunkedEnd(std::string_view s, std::size_t at) {
  while (true) {
    const std::size_t end = lineEnd(s, at);
    if (end == std::string_view::npos) return std::string_view::npos;
    std::string_view size_text = s.substr(at, end - at);
    size_text = size_text.substr(0, size_text.find_first_of(";\r\n \t"));
    const auto size = number(size_text, 16);
    if (!size) return s.size();  // malformed: the rest
    if (*size == 0) {
      // The trailer: lines up to an empty one.
      std::size_t pos = end;
      while (true) {
        const std::size_t next = lineEnd(s, pos);
        if (next == std::string_view::npos) return std::string_view::npos;
        const std::string_view line = s.substr(pos, next - pos);
        if (line == "\r\n" || line == "\n") return next;
        pos = next;
      }
    }
    if (*size > s.size() || end + *size + 2 > s.size()) return std::string_view::npos;
    at = end + *size;
    const std::size_t after = lineEnd(s, at);
    if (after == std::string_view::npos) return std::string_view::npos;
    at = after;
  }
}

// HTTP/1: a request or response with its body (Content-Length, chunked; a response with
// neither runs to the end of the stream).
std::size_t http(FlowDirection dir, Bytes b, bool at_end, const Emitter& emit) {
  const std::string_view s = text(b);
  const std::size_t skip = s.find_first_not_of("\r\n");
  if (skip == std::string_view::npos) return s.size();
  if (skip > 0) return skip;
  std::size_t empty = 0;
  std::size_t head_end = 0;
  const BufferId type = dir == FlowDirection::ToServer ? BufferId::FrameHttp1Request : BufferId::FrameHttp1Response;
  if (!headerEnd(s, empty, head_end)) {
    if (!at_end) return kNeedMore;
    emit(type, 0, s.size());
    return s.size();
  }
  const std::string_view head = s.substr(0, head_end);
  std::size_t total = head_end;
  bool no_body = false;
  if (dir == FlowDirection::ToClient && head.size() > 12) {
    const std::string_view code = head.substr(9, 3);
    no_body = code.starts_with('1') || code == "204" || code == "304";
  }
  if (!no_body) {
    const std::string_view te = headerValue(head, {"Transfer-Encoding"});
    const std::string_view cl = headerValue(head, {"Content-Length"});
    if (startsWithNoCase(te, "chunked")) {
      const std::size_t end = chunkedEnd(s, head_end);
      if (end == std::string_view::npos) {
        if (!at_end) return kNeedMore;
        total = s.size();
      } else {
        total = end;
      }
    } else if (const auto n = number(cl)) {
      if (head_end + *n > s.size()) {
        if (!at_end) return kNeedMore;
        total = s.size();
      } else {
        total = head_end + *n;
      }
    } else if (dir == FlowDirection::ToClient) {
      if (!at_end) return kNeedMore;
      total = s.size();
    }
  }
  emit(type, 0, total);
  return total;
}

// SIP: a message's start line, header fields and body (Content-Length, or its compact form l).
std::size_t sip(Bytes b, bool datagram, const Emitter& emit) {
  const std::string_view s = text(b);
  const std::size_t skip = s.find_first_not_of("\r\n");
  if (skip == std::string_view::npos) return s.size();
  if (skip > 0) return skip;
  std::size_t empty = 0;
  std::size_t head_end = 0;
  if (!headerEnd(s, empty, head_end)) {
    if (!datagram) return kNeedMore;
    empty = head_end = s.size();
  }
  const std::string_view head = s.substr(0, head_end);
  std::size_t body = 0;
  if (const auto n = number(headerValue(head, {"Content-Length", "l"}))) body = *n;
  if (datagram) body = std::min(body, s.size() - head_end);
  if (head_end + body > s.size()) return kNeedMore;
  const bool request = !s.starts_with("SIP/");
  const std::size_t line_end = std::min(lineEnd(s), empty);
  const std::size_t total = head_end + body;
  emit(BufferId::FrameSipPdu, 0, total);
  emit(request ? BufferId::FrameSipRequestLine : BufferId::FrameSipResponseLine, 0, line_end);
  if (empty > line_end) emit(request ? BufferId::FrameSipRequestHeaders : BufferId::FrameSipResponseHeaders, line_end, empty - line_end);
  if (body > 0) emit(request ? BufferId::FrameSipRequestBody : BufferId::FrameSipResponseBody, head_end, body);
  return total;
}

// One PDU at the start of `b`: the bytes it took, or kNeedMore.
std::size_t delimit(AppProto app, FlowFrames::Side& side, FlowDirection dir, Bytes b, bool at_end, bool datagram,
                    const Emitter& emit) {
  switch (app) {
    case AppProto::Mqtt: return mqtt(b, emit);
    case AppProto::Ssh: return ssh(side, b, emit);
    case AppProto::Dcerpc: return dcerpc(side, b, emit);
    case AppProto::Dns:
      if (datagram) {
        emit(BufferId::FrameDnsPdu, 0, b.size());
        return b.size();
      }
      return dnsTcp(b, emit);
    case AppProto::Ldap: return ldap(side, b, emit);
    case AppProto::Smb: return smb(b, emit);
    case AppProto::Smtp: return smtp(side, dir, b, emit);
    case AppProto::Http: return http(dir, b, at_end, emit);
    case AppProto::Sip: return sip(b, datagram, emit);
    case AppProto::Websocket: {
      const auto h = parseWebsocketHeader(b);
      if (!h) return kNeedMore;
      if (h->payload_length > FlowFrames::kMaxHeld) {
        side.stopped = true;
        return b.size();
      }
      const std::size_t total = h->size + static_cast<std::size_t>(h->payload_length);
      if (b.size() < total) return kNeedMore;
      emit(BufferId::FrameWebsocketPdu, 0, total);
      emit(BufferId::FrameWebsocketHeader, 0, h->size);
      if (total > h->size) emit(BufferId::FrameWebsocketData, h->size, total - h->size);
      return total;
    }
    case AppProto::None:
    case AppProto::Tls:
    case AppProto::Ftp:
    case AppProto::FtpData:
    case AppProto::Quic:
    case AppProto::Mdns:
    case AppProto::Pgsql:  // frames of these protocols are not delimited yet
    case AppProto::Rfb:
    case AppProto::Pop3:
    case AppProto::Imap:
    case AppProto::Dnp3:
    case AppProto::Krb5:
    case AppProto::Http2:
    case AppProto::Doh2:
    case AppProto::Http1:
    case AppProto::Snmp:  // small UDP/ICS protocols: datagrams, no stream frames
    case AppProto::Tftp:
    case AppProto::Dhcp:
    case AppProto::Ike:
    case AppProto::Nfs:  // NFS: no frames yet
    case AppProto::Enip:  // EtherNet/IP and Modbus: no frames yet
    case AppProto::Modbus:
    case AppProto::Ntp:  // NTP, RDP, BitTorrent DHT: no frames yet
    case AppProto::Rdp:
    case AppProto::BittorrentDht:
    case AppProto::Count_: break;
  }
  side.stopped = true;
  return b.size();
}

}  // namespace

void FlowFrames::onStream(AppProto app, FlowDirection dir, std::span<const std::uint8_t> data, const FrameSink& sink) {
  Side& side = sides_[dir == FlowDirection::ToServer ? 0 : 1];
  if (side.stopped || data.empty()) {
    side.held_offset += data.size();
    return;
  }
  // Parse from the new bytes themselves when nothing is held, else from the held bytes.
  const bool direct = side.held.empty();
  if (!direct) side.held.append(reinterpret_cast<const char*>(data.data()), data.size());
  const Bytes all = direct ? data : Bytes(reinterpret_cast<const std::uint8_t*>(side.held.data()), side.held.size());
  std::size_t at = 0;
  while (at < all.size() && !side.stopped) {
    const Emitter emit{dir, all.subspan(at), side.held_offset + at, next_id_, sink};
    const std::size_t used = delimit(app, side, dir, all.subspan(at), false, false, emit);
    if (used == kNeedMore) break;
    at += used;
  }
  if (side.stopped) at = all.size();
  side.held_offset += at;
  if (direct) {
    side.held.assign(reinterpret_cast<const char*>(data.data()) + at, data.size() - at);
  } else {
    side.held.erase(0, at);
  }
  if (side.held.size() > kMaxHeld) {
    ++dropped_;
    side.held_offset += side.held.size();
    side.held.clear();
    side.stopped = true;
  }
}

void FlowFrames::onDatagram(AppProto app, FlowDirection dir, std::span<const std::uint8_t> payload, const FrameSink& sink) {
  Side side;  // a datagram stands alone
  std::size_t at = 0;
  while (at < payload.size() && !side.stopped) {
    const Emitter emit{dir, payload.subspan(at), 0, next_id_, sink};
    const std::size_t used = delimit(app, side, dir, payload.subspan(at), true, true, emit);
    if (used == kNeedMore) break;
    at += used;
  }
}

void FlowFrames::onEnd(AppProto app, const FrameSink& sink) {
  for (std::size_t i = 0; i < sides_.size(); ++i) {
    Side& side = sides_[i];
    if (side.stopped || side.held.empty()) continue;
    const FlowDirection dir = i == 0 ? FlowDirection::ToServer : FlowDirection::ToClient;
    const Bytes all(reinterpret_cast<const std::uint8_t*>(side.held.data()), side.held.size());
    std::size_t at = 0;
    while (at < all.size() && !side.stopped) {
      Emitter emit{dir, all.subspan(at), side.held_offset + at, next_id_, sink};
      std::size_t used = delimit(app, side, dir, all.subspan(at), true, false, emit);
      if (used == kNeedMore) {
        // The PDU's first frame as far as it came (Suricata logs it incomplete).
        emit.complete = false;
        if (app == AppProto::Mqtt) emit(BufferId::FrameMqttPdu, 0, all.size() - at);
        used = all.size() - at;
      }
      at += used;
    }
    side.held.clear();
  }
}

void FlowFrames::reset() {
  for (Side& side : sides_) {
    side.held.clear();
    side.held_offset = 0;
    side.stopped = false;
    side.banner_done = false;
    side.in_data = false;
  }
  next_id_ = 1;
}

}  // namespace gsoc::sensor
