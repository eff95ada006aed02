// WebSocket as WebsocketState reads it: header length forms, masking, each frame a transaction,
// a message fragmented around a control frame reassembled on its last frame, permessage-deflate,
// bytes split anywhere, and the frames FlowFrames delimits in a WebSocket stream.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "gsoc/signatures/Buffer.hpp"
#include "sensor/app/FlowFrames.hpp"
#include "sensor/app/WebsocketParser.hpp"

using gsoc::sensor::Frame;
using gsoc::sensor::FlowFrames;
using gsoc::sensor::WebsocketFrame;
using gsoc::sensor::WebsocketState;
using gsoc::signatures::AppProto;
using gsoc::signatures::BufferId;
using gsoc::signatures::FlowDirection;

namespace {

struct Seen {
  std::uint64_t tx_id;
  FlowDirection dir;
  std::uint8_t opcode;
  bool fin;
  bool masked;
  std::uint32_t mask;
  std::string payload;
};

// A frame: FIN and opcode byte (plus RSV bits), the length in its shortest form, the mask key
// and the masked payload when `mask` is set.
std::string frame(std::uint8_t first, const std::string& payload, std::optional<std::uint32_t> mask = std::nullopt) {
  std::string out(1, static_cast<char>(first));
  const std::uint8_t m = mask ? 0x80 : 0;
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(m | payload.size()));
  } else {
    out.push_back(static_cast<char>(m | 126));
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xff));
  }
  std::string body = payload;
  if (mask) {
    const char key[4] = {static_cast<char>(*mask >> 24), static_cast<char>(*mask >> 16), static_cast<char>(*mask >> 8),
                         static_cast<char>(*mask)};
    out.append(key, 4);
    for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(body[i] ^ key[i % 4]);
  }
  return out + body;
}

std::vector<Seen> feed(WebsocketState& ws, FlowDirection dir, const std::string& bytes, std::size_t split = 0) {
  std::vector<Seen> seen;
  const auto onFrame = [&](const WebsocketFrame& f) {
    seen.push_back({f.tx_id, f.direction, f.header.opcode, f.header.fin, f.header.masked, f.header.mask, std::string(f.payload)});
  };
  const WebsocketState::FrameSink sink = onFrame;
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  if (split == 0) {
    ws.feed(dir, {p, bytes.size()}, sink);
  } else {
    for (std::size_t at = 0; at < bytes.size(); at += split) ws.feed(dir, {p + at, std::min(split, bytes.size() - at)}, sink);
  }
  return seen;
}

std::string deflateRaw(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(in.size() + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_SYNC_FLUSH);
  out.resize(out.size() - zs.avail_out);
  deflateEnd(&zs);
  // RFC 7692: the message ends without the empty stored block's 00 00 ff ff.
  if (out.size() >= 4 && out.substr(out.size() - 4) == std::string("\x00\x00\xff\xff", 4)) out.resize(out.size() - 4);
  return out;
}

}  // namespace

TEST(WebsocketParser, MaskedTextFromClientUnmaskedFromServer) {
  WebsocketState ws;
  const auto client = feed(ws, FlowDirection::ToServer, frame(0x81, "version,", 0xe2b6a1ed));
  ASSERT_EQ(client.size(), 1u);
  EXPECT_EQ(client[0].tx_id, 0u);
  EXPECT_EQ(client[0].opcode, 1);
  EXPECT_TRUE(client[0].fin);
  EXPECT_TRUE(client[0].masked);
  EXPECT_EQ(client[0].mask, 0xe2b6a1edu);
  EXPECT_EQ(client[0].payload, "version,");
  const auto server = feed(ws, FlowDirection::ToClient, frame(0x81, "version,hybi-draft-13"));
  ASSERT_EQ(server.size(), 1u);
  EXPECT_EQ(server[0].tx_id, 1u);
  EXPECT_FALSE(server[0].masked);
  EXPECT_EQ(server[0].payload, "version,hybi-draft-13");
}

TEST(WebsocketParser, ExtendedLengthSplitAnywhere) {
  WebsocketState ws;
  const std::string payload(300, 'A');
  const auto seen = feed(ws, FlowDirection::ToServer, frame(0x82, payload, 0x01020304) + frame(0x89, "hi", 0x0a0b0c0d), 1);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].opcode, 2);
  EXPECT_EQ(seen[0].payload, payload);
  EXPECT_EQ(seen[1].opcode, 9);
  EXPECT_EQ(seen[1].payload, "hi");
}

TEST(WebsocketParser, FragmentedMessageAroundControlFrame) {
  WebsocketState ws;
  const std::string bytes = frame(0x01, "MALWARE_DOWN", 0x11223344) + frame(0x89, "ping", 0x55667788) +
                            frame(0x80, "LOAD cmd.exe", 0x99aabbcc);
  const auto seen = feed(ws, FlowDirection::ToServer, bytes);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].payload, "MALWARE_DOWN");
  EXPECT_FALSE(seen[0].fin);
  EXPECT_EQ(seen[1].opcode, 9);
  EXPECT_EQ(seen[1].payload, "ping");
  EXPECT_EQ(seen[2].opcode, 0);
  EXPECT_EQ(seen[2].payload, "MALWARE_DOWNLOAD cmd.exe");
}

TEST(WebsocketParser, PermessageDeflateInflatesCompressedMessages) {
  WebsocketState ws;
  ws.setDeflate(true);
  const auto seen = feed(ws, FlowDirection::ToClient, frame(0xc1, deflateRaw("TOGGLE=5659131662f54334")));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].payload, "TOGGLE=5659131662f54334");
  EXPECT_EQ(ws.errors(), 0u);
  // Without the negotiation, RSV1 means nothing: the payload stays as sent.
  WebsocketState plain;
  const std::string compressed = deflateRaw("abc");
  const auto raw = feed(plain, FlowDirection::ToClient, frame(0xc1, compressed));
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_EQ(raw[0].payload, compressed);
}

TEST(WebsocketParser, GarbageDeflateCountedNotFatal) {
  WebsocketState ws;
  ws.setDeflate(true);
  const auto seen = feed(ws, FlowDirection::ToClient, frame(0xc1, "\xff\xff\xff\xff not deflate"));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(ws.errors(), 1u);
}

TEST(WebsocketParser, FramesOfAWebsocketStream) {
  FlowFrames frames;
  std::vector<std::pair<BufferId, std::string>> seen;
  const gsoc::sensor::FrameSink sink = [&](const Frame& f) { seen.emplace_back(f.type, std::string(f.bytes)); };
  const std::string bytes = frame(0x81, "hello", 0x01020304);
  frames.onStream(AppProto::Websocket, FlowDirection::ToServer,
                  {reinterpret_cast<const std::uint8_t*>(bytes.data()), 3}, sink);
  EXPECT_TRUE(seen.empty());  // the PDU is not all there yet
  frames.onStream(AppProto::Websocket, FlowDirection::ToServer,
                  {reinterpret_cast<const std::uint8_t*>(bytes.data()) + 3, bytes.size() - 3}, sink);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].first, BufferId::FrameWebsocketPdu);
  EXPECT_EQ(seen[0].second, bytes);
  EXPECT_EQ(seen[1].first, BufferId::FrameWebsocketHeader);
  EXPECT_EQ(seen[1].second, bytes.substr(0, 6));
  EXPECT_EQ(seen[2].first, BufferId::FrameWebsocketData);
  EXPECT_EQ(seen[2].second, bytes.substr(6));
}
