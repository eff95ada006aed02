#include "sensor/app/Http2Parser.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "sensor/app/Http2Frames.hpp"
#include "sensor/app/HttpParser.hpp"

namespace gsoc::sensor {

using signatures::FlowDirection;

namespace {

enum FrameType : std::uint8_t {
  kData = 0, kHeaders = 1, kPriorityFrame = 2, kRstStream = 3, kSettings = 4, kPushPromise = 5, kPing = 6, kGoaway = 7,
  kWindowUpdate = 8, kContinuation = 9
};

std::uint32_t be32(std::span<const std::uint8_t> p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 | static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}
enum FrameFlag : std::uint8_t { kEndStream = 0x1, kEndHeaders = 0x4, kPadded = 0x8, kPriority = 0x20 };

std::size_t sideOf(FlowDirection dir) { return dir == FlowDirection::ToServer ? 0 : 1; }

}  // namespace

struct Http2Connection::Stream {
  HttpMessage message;
  std::string encoding;  // content-encoding, as sent
  Http2Frames frames;
};

struct Http2Connection::Side {
  explicit Side(bool from_client) : client(from_client), preface_left(from_client ? kPreface.size() : 0) {}
  bool client;
  std::size_t preface_left;  // bytes of the client preface still to check
  bool broken = false;
  // The frame being read.
  std::array<std::uint8_t, 9> header{};
  std::size_t header_have = 0;
  bool in_frame = false;
  std::uint32_t length = 0;
  std::uint32_t left = 0;  // payload bytes still to come
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::uint32_t stream = 0;
  std::string payload;     // every frame but DATA is buffered whole
  bool pad_pending = false;  // DATA: the pad-length byte is next
  std::uint32_t data_left = 0;  // DATA: body bytes before the padding
  // A header block spread over HEADERS/PUSH_PROMISE and CONTINUATION frames.
  bool in_block = false;
  bool block_is_push = false;
  bool block_end_stream = false;
  std::uint32_t block_stream = 0;
  std::string block;
  int header_priority = -1;  // the weight a HEADERS frame gave its stream, -1 for none
  HpackDecoder hpack;
  std::map<std::uint32_t, Stream> streams;
  std::size_t held_body_bytes = 0;  // over all of `streams`
  // A frame of stream 0 is a transaction of its own (Suricata's): these are reused for each.
  HttpMessage control;
  Http2Frames control_frames;
};

Http2Connection::Http2Connection(signatures::EventSet& events) : events_(events) {
  sides_[0] = std::make_unique<Side>(true);
  sides_[1] = std::make_unique<Side>(false);
}

Http2Connection::~Http2Connection() = default;

void Http2Connection::fail(Side& side, signatures::AnomalyEvent event) {
  ++errors_;
  events_.set(event);
  side.broken = true;
}

void Http2Connection::feed(FlowDirection dir, std::span<const std::uint8_t> bytes, const MessageSink& sink) {
  Side& side = *sides_[sideOf(dir)];
  while (!bytes.empty() && side.preface_left > 0 && !side.broken) {
    if (bytes.front() != static_cast<std::uint8_t>(kPreface[kPreface.size() - side.preface_left])) {
      return fail(side, signatures::AnomalyEvent::Http2InvalidClientMagic);
    }
    bytes = bytes.subspan(1);
    --side.preface_left;
  }
  while (!bytes.empty() && !side.broken) {
    if (!side.in_frame) {
      const std::size_t take = std::min(bytes.size(), side.header.size() - side.header_have);
      std::copy_n(bytes.begin(), take, side.header.begin() + static_cast<std::ptrdiff_t>(side.header_have));
      side.header_have += take;
      bytes = bytes.subspan(take);
      if (side.header_have < side.header.size()) return;
      const auto& h = side.header;
      side.header_have = 0;
      side.length = static_cast<std::uint32_t>(h[0]) << 16 | static_cast<std::uint32_t>(h[1]) << 8 | h[2];
      side.type = h[3];
      side.flags = h[4];
      side.stream = (static_cast<std::uint32_t>(h[5]) << 24 | static_cast<std::uint32_t>(h[6]) << 16 |
                     static_cast<std::uint32_t>(h[7]) << 8 | h[8]) & 0x7fffffffu;
      side.left = side.length;
      side.payload.clear();
      // A header block continues in CONTINUATION frames of its stream, and nothing else (6.10).
      if (side.in_block && (side.type != kContinuation || side.stream != side.block_stream)) {
        return fail(side, signatures::AnomalyEvent::Http2InvalidFrameHeader);
      }
      if (side.type == kData) {
        side.pad_pending = (side.flags & kPadded) != 0;
        side.data_left = side.pad_pending ? 0 : side.length;
      } else if (side.length > kMaxHeaderBlockBytes) {
        return fail(side, signatures::AnomalyEvent::Http2InvalidFrameLength);
      }
      side.in_frame = true;
      if (side.left == 0) {
        side.in_frame = false;
        frame(side, dir, sink);
      }
      continue;
    }
    const std::size_t take = std::min<std::size_t>(bytes.size(), side.left);
    std::span<const std::uint8_t> part = bytes.first(take);
    bytes = bytes.subspan(take);
    side.left -= static_cast<std::uint32_t>(take);
    if (side.type == kData) {
      if (side.pad_pending) {
        const std::uint32_t pad = part.front();
        part = part.subspan(1);
        side.pad_pending = false;
        if (pad > side.length - 1) return fail(side, signatures::AnomalyEvent::Http2InvalidFrameData);
        side.data_left = side.length - 1 - pad;
      }
      const std::size_t body = std::min<std::size_t>(part.size(), side.data_left);
      data(side, part.first(body));
      side.data_left -= static_cast<std::uint32_t>(body);
    } else {
      side.payload.append(reinterpret_cast<const char*>(part.data()), part.size());
    }
    if (side.left == 0) {
      side.in_frame = false;
      frame(side, dir, sink);
    }
  }
}

void Http2Connection::data(Side& side, std::span<const std::uint8_t> bytes) {
  const auto it = side.streams.find(side.stream);
  if (it == side.streams.end() || bytes.empty()) return;  // no headers seen for it: nothing to attach to
  HttpMessage& m = it->second.message;
  const std::size_t message_room = HttpState::kMaxBodyBytes > m.body.size() ? HttpState::kMaxBodyBytes - m.body.size() : 0;
  const std::size_t room = std::min(message_room, kMaxHeldBodyBytes - side.held_body_bytes);
  if (bytes.size() > room) m.body_truncated = true;
  m.body_wire_bytes += bytes.size();
  const std::size_t take = std::min(room, bytes.size());
  m.body.append(reinterpret_cast<const char*>(bytes.data()), take);
  side.held_body_bytes += take;
}

void Http2Connection::recordFrame(Side& side, Http2Frames& frames, std::span<const std::uint8_t> p) {
  frames.addType(side.type);
  switch (side.type) {
    case kSettings:
      for (std::size_t i = 0; i + 6 <= p.size(); i += 6) {
        Http2Frames::add(frames.settings, static_cast<std::uint32_t>(p[i]) << 8 | p[i + 1], 2);
        Http2Frames::add(frames.settings, be32(p.subspan(i + 2)), 4);
      }
      break;
    case kWindowUpdate:
      if (p.size() >= 4) Http2Frames::add(frames.windows, be32(p) & 0x7fffffffu, 4);
      break;
    case kRstStream:
      if (p.size() >= 4) Http2Frames::add(frames.error_codes, be32(p), 4);
      break;
    case kGoaway:
      if (p.size() >= 8) Http2Frames::add(frames.error_codes, be32(p.subspan(4)), 4);
      break;
    case kPriorityFrame:
      if (p.size() >= 5) Http2Frames::add(frames.priorities, p[4], 1);
      break;
    case kHeaders:
      if (side.flags & kPriority) {
        const std::size_t at = (side.flags & kPadded) ? 5 : 4;
        if (p.size() > at) Http2Frames::add(frames.priorities, p[at], 1);
      }
      break;
    default:
      break;
  }
}

void Http2Connection::frame(Side& side, FlowDirection dir, const MessageSink& sink) {
  std::span<const std::uint8_t> p(reinterpret_cast<const std::uint8_t*>(side.payload.data()), side.payload.size());
  if (side.stream == 0) {
    side.control.clear();
    side.control_frames.clear();
    recordFrame(side, side.control_frames, p);
    side.control.request = side.client;
    side.control.protocol = "HTTP/2";
    side.control.http2 = true;
    side.control.frames = &side.control_frames;
    sink(dir, side.control);
    return;
  }
  if (side.type != kHeaders && side.type != kPushPromise && side.type != kContinuation) {
    if (const auto it = side.streams.find(side.stream); it != side.streams.end()) recordFrame(side, it->second.frames, p);
  }
  switch (side.type) {
    case kData:
      if (side.flags & kEndStream) endStream(side, side.stream, dir, sink);
      return;
    case kHeaders:
    case kPushPromise: {
      std::size_t pad = 0;
      if (side.flags & kPadded) {
        if (p.empty()) return fail(side, signatures::AnomalyEvent::Http2InvalidFrameData);
        pad = p.front();
        p = p.subspan(1);
      }
      const std::size_t skip = side.type == kPushPromise ? 4 : (side.flags & kPriority) ? 5 : 0;  // promised id; priority
      side.header_priority = side.type == kHeaders && (side.flags & kPriority) && p.size() >= 5 ? p[4] : -1;
      if (p.size() < skip + pad) return fail(side, signatures::AnomalyEvent::Http2InvalidFrameData);
      p = p.subspan(skip, p.size() - skip - pad);
      side.block.assign(reinterpret_cast<const char*>(p.data()), p.size());
      side.block_stream = side.stream;
      side.block_is_push = side.type == kPushPromise;
      side.block_end_stream = side.type == kHeaders && (side.flags & kEndStream);
      side.in_block = (side.flags & kEndHeaders) == 0;
      if (!side.in_block) headerBlock(side, dir, side.block_stream, side.block_end_stream, sink);
      return;
    }
    case kContinuation:
      if (!side.in_block) return fail(side, signatures::AnomalyEvent::Http2InvalidFrameHeader);
      side.block.append(side.payload);
      if (side.block.size() > kMaxHeaderBlockBytes) return fail(side, signatures::AnomalyEvent::Http2InvalidFrameLength);
      if (side.flags & kEndHeaders) {
        side.in_block = false;
        headerBlock(side, dir, side.block_stream, side.block_end_stream, sink);
      }
      return;
    case kRstStream:
      endStream(side, side.stream, dir, sink);  // what it carried so far is still a message
      return;
    default:
      return;  // SETTINGS, PING, GOAWAY, WINDOW_UPDATE, PRIORITY, unknown: nothing to inspect
  }
}

void Http2Connection::headerBlock(Side& side, FlowDirection dir, std::uint32_t stream, bool end_stream, const MessageSink& sink) {
  std::vector<HeaderField> fields;
  const std::span<const std::uint8_t> block(reinterpret_cast<const std::uint8_t*>(side.block.data()), side.block.size());
  // Every block is decoded, pushed ones too: each one changes the dynamic table.
  if (!side.hpack.decode(block, fields)) return fail(side, signatures::AnomalyEvent::Http2InvalidHeader);
  side.block.clear();
  if (side.block_is_push) return;
  auto it = side.streams.find(stream);
  if (it != side.streams.end()) {  // trailers: the message has its headers already
    if (end_stream) endStream(side, stream, dir, sink);
    return;
  }
  if (side.streams.size() >= kMaxOpenStreams) {
    events_.set(signatures::AnomalyEvent::Http2TooManyStreams);
  }
  if (side.streams.size() >= kMaxOpenStreams) endStream(side, side.streams.begin()->first, dir, sink);  // oldest first
  Stream& s = side.streams[stream];
  HttpMessage& m = s.message;
  m.request = side.client;
  m.protocol = "HTTP/2";
  m.http2 = true;
  m.stream_id = stream;
  s.frames.addType(kHeaders);
  if (side.header_priority >= 0) Http2Frames::add(s.frames.priorities, static_cast<std::uint64_t>(side.header_priority), 1);
  for (const std::uint64_t size : side.hpack.sizeUpdates()) Http2Frames::add(s.frames.size_updates, size, 4);
  // Pseudo-headers stay among the fields, in their order, as Suricata presents HTTP/2 headers
  // (http.header, http.request_header, EVE's request_headers).
  for (auto& [name, value] : fields) {
    if (name == ":method") m.method = value;
    else if (name == ":path") m.raw_uri = value;
    else if (name == ":status") m.status_code = value;
    else if (name == "content-encoding") s.encoding = value;
    m.raw_headers.append(name).append(": ").append(value).append("\r\n");
    m.headers.emplace_back(name, value);
  }
  if (m.request) {
    // :authority and Host should name the same host; userinfo has no place in :authority (RFC
    // 9113 8.3.1): both are ways to make one request read differently by different parsers.
    const std::string* authority = m.header(":authority");
    const std::string* host = m.header("host");
    if (authority != nullptr && host != nullptr && *authority != *host) events_.set(signatures::AnomalyEvent::Http2AuthorityHostMismatch);
    if (authority != nullptr && authority->find('@') != std::string::npos) events_.set(signatures::AnomalyEvent::Http2UserinfoInUri);
  }
  m.uri = normalizeHttpUri(m.raw_uri);
  m.start_line = m.request ? m.method + " " + m.raw_uri + " HTTP/2" : "HTTP/2 " + m.status_code;
  if (end_stream) endStream(side, stream, dir, sink);
}

void Http2Connection::endStream(Side& side, std::uint32_t stream, FlowDirection dir, const MessageSink& sink) {
  const auto it = side.streams.find(stream);
  if (it == side.streams.end()) return;
  HttpMessage& m = it->second.message;
  side.held_body_bytes -= m.body.size();  // as held, before decoding
  if (!m.body.empty() && !decodeHttpBody(m.body, it->second.encoding)) {
    ++errors_;
    events_.set(signatures::AnomalyEvent::Http2FailedDecompression);
  }
  // EVE's length: the body as sent, before its content coding came off (as Suricata's).
  m.body_length = m.body_wire_bytes;
  m.frames = &it->second.frames;
  sink(dir, m);
  side.streams.erase(it);
}

void Http2Connection::close(FlowDirection dir, const MessageSink& sink) {
  Side& side = *sides_[sideOf(dir)];
  while (!side.streams.empty()) endStream(side, side.streams.begin()->first, dir, sink);
}

}  // namespace gsoc::sensor

namespace gsoc::sensor {

std::string_view http2SettingName(std::uint16_t id) {
  static constexpr std::string_view kNames[] = {"",
                                                "SETTINGSHEADERTABLESIZE",
                                                "SETTINGSENABLEPUSH",
                                                "SETTINGSMAXCONCURRENTSTREAMS",
                                                "SETTINGSINITIALWINDOWSIZE",
                                                "SETTINGSMAXFRAMESIZE",
                                                "SETTINGSMAXHEADERLISTSIZE",
                                                "",
                                                "SETTINGSENABLECONNECTPROTOCOL"};
  return id < std::size(kNames) ? kNames[id] : std::string_view{};
}

std::string_view http2ErrorName(std::uint32_t code) {
  static constexpr std::string_view kNames[] = {
      "NOERROR",        "PROTOCOLERROR", "INTERNALERROR",     "FLOWCONTROLERROR", "SETTINGSTIMEOUT",
      "STREAMCLOSED",   "FRAMESIZEERROR", "REFUSEDSTREAM",    "CANCEL",           "COMPRESSIONERROR",
      "CONNECTERROR",   "ENHANCEYOURCALM", "INADEQUATESECURITY", "HTTP11REQUIRED"};
  return code < std::size(kNames) ? kNames[code] : std::string_view{};
}

}  // namespace gsoc::sensor
