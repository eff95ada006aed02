#include "sensor/app/WebsocketParser.hpp"

#include <zlib.h>

#include <algorithm>

namespace gsoc::sensor {

using signatures::FlowDirection;

std::optional<WebsocketHeader> parseWebsocketHeader(std::span<const std::uint8_t> b) {
  if (b.size() < 2) return std::nullopt;
  WebsocketHeader h;
  h.fin = (b[0] & 0x80) != 0;
  h.flags = b[0] & 0xf0;
  h.opcode = b[0] & 0x0f;
  h.masked = (b[1] & 0x80) != 0;
  std::size_t at = 2;
  const std::uint8_t len7 = b[1] & 0x7f;
  if (len7 == 126) {
    if (b.size() < 4) return std::nullopt;
    h.payload_length = static_cast<std::uint64_t>(b[2]) << 8 | b[3];
    at = 4;
  } else if (len7 == 127) {
    if (b.size() < 10) return std::nullopt;
    for (std::size_t i = 0; i < 8; ++i) h.payload_length = h.payload_length << 8 | b[2 + i];
    at = 10;
  } else {
    h.payload_length = len7;
  }
  if (h.masked) {
    if (b.size() < at + 4) return std::nullopt;
    h.mask = static_cast<std::uint32_t>(b[at]) << 24 | static_cast<std::uint32_t>(b[at + 1]) << 16 |
             static_cast<std::uint32_t>(b[at + 2]) << 8 | b[at + 3];
    at += 4;
  }
  h.size = at;
  return h;
}

std::string_view websocketOpcodeName(std::uint8_t opcode) {
  switch (opcode) {
    case 0: return "continuation";
    case 1: return "text";
    case 2: return "binary";
    case 8: return "close";
    case 9: return "ping";
    case 10: return "pong";
    default: return "unknown";
  }
}

struct WebsocketState::Inflater {
  z_stream zs{};
  bool ready = false;
  Inflater() { ready = inflateInit2(&zs, -MAX_WBITS) == Z_OK; }
  ~Inflater() {
    if (ready) inflateEnd(&zs);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
};

WebsocketState::WebsocketState() = default;
WebsocketState::~WebsocketState() = default;

bool WebsocketState::inflate(std::size_t side_index, std::string_view in) {
  auto& inflater = inflaters_[side_index];
  if (!inflater) inflater = std::make_unique<Inflater>();
  if (!inflater->ready) return false;
  std::string& out = sides_[side_index].inflated;
  out.clear();
  // RFC 7692: the sender removed the final empty stored block's 00 00 ff ff; put it back.
  static constexpr unsigned char kTail[] = {0x00, 0x00, 0xff, 0xff};
  z_stream& zs = inflater->zs;
  bool ok = true;
  for (const std::string_view part : {in, std::string_view(reinterpret_cast<const char*>(kTail), sizeof kTail)}) {
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(part.data()));
    zs.avail_in = static_cast<uInt>(part.size());
    while (zs.avail_in > 0 && out.size() < kMaxPayload) {
      std::array<char, 4096> chunk{};
      zs.next_out = reinterpret_cast<Bytef*>(chunk.data());
      zs.avail_out = static_cast<uInt>(chunk.size());
      const int rc = ::inflate(&zs, Z_SYNC_FLUSH);
      out.append(chunk.data(), chunk.size() - zs.avail_out);
      if (rc == Z_STREAM_END) {
        inflateReset(&zs);
        break;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        ok = false;
        inflateReset(&zs);
        break;
      }
      if (rc == Z_BUF_ERROR && zs.avail_out != 0) break;  // no progress possible
    }
    if (!ok) break;
  }
  if (out.size() > kMaxPayload) out.resize(kMaxPayload);
  return ok;
}

void WebsocketState::feed(FlowDirection dir, std::span<const std::uint8_t> data, const FrameSink& sink) {
  const std::size_t index = dir == FlowDirection::ToServer ? 0 : 1;
  Side& side = sides_[index];
  side.pending.append(reinterpret_cast<const char*>(data.data()), data.size());
  std::size_t at = 0;
  while (at < side.pending.size()) {
    const std::span<const std::uint8_t> rest(reinterpret_cast<const std::uint8_t*>(side.pending.data()) + at,
                                             side.pending.size() - at);
    const auto header = parseWebsocketHeader(rest);
    if (!header) break;
    // A payload past the cap is skipped as it comes: only its first kMaxPayload bytes are kept.
    if (header->payload_length > rest.size() - header->size) {
      if (header->payload_length > kMaxPayload && rest.size() > header->size + kMaxPayload) {
        ++errors_;
        side.pending.clear();  // resynchronising inside a huge payload is not possible: give up the side's bytes
        return;
      }
      break;
    }
    const std::size_t length = static_cast<std::size_t>(header->payload_length);
    side.payload.assign(side.pending, at + header->size, length);
    if (header->masked) {
      const std::array<std::uint8_t, 4> key = {static_cast<std::uint8_t>(header->mask >> 24),
                                               static_cast<std::uint8_t>(header->mask >> 16),
                                               static_cast<std::uint8_t>(header->mask >> 8),
                                               static_cast<std::uint8_t>(header->mask)};
      for (std::size_t i = 0; i < side.payload.size(); ++i) side.payload[i] = static_cast<char>(side.payload[i] ^ key[i % 4]);
    }
    at += header->size + length;
    std::string_view payload = side.payload;
    const bool control = (header->opcode & 0x08) != 0;
    if (!control) {
      // A data frame: a message's first or only frame (text, binary) or a continuation.
      if (header->opcode != 0) {
        side.in_message = !header->fin;
        side.message_compressed = deflate_ && (header->flags & 0x40) != 0;
        side.message.clear();
        if (side.in_message) side.message.assign(payload.substr(0, kMaxPayload));
      } else if (side.in_message) {
        side.message.append(payload.substr(0, kMaxPayload - std::min(kMaxPayload, side.message.size())));
        if (header->fin) {
          side.in_message = false;
          payload = side.message;
        }
      }
      const bool message_done = header->fin && (header->opcode != 0 || !side.in_message);
      if (message_done && side.message_compressed) {
        if (inflate(index, payload)) payload = side.inflated;
        else ++errors_;
        side.message_compressed = false;
      }
    }
    WebsocketFrame frame;
    frame.tx_id = next_tx_id_++;
    frame.direction = dir;
    frame.header = *header;
    frame.payload = payload;
    sink(frame);
    last_[index] = frame;
    last_[index].payload = {};
  }
  side.pending.erase(0, at);
}

void WebsocketState::reset() {
  for (Side& side : sides_) {
    side.pending.clear();
    side.payload.clear();
    side.message.clear();
    side.inflated.clear();
    side.in_message = false;
    side.message_compressed = false;
  }
  for (auto& inflater : inflaters_) {
    if (inflater && inflater->ready) inflateReset(&inflater->zs);
  }
  deflate_ = false;
  last_ = {};
  next_tx_id_ = 0;
  errors_ = 0;
  events.clear();
}

}  // namespace gsoc::sensor
