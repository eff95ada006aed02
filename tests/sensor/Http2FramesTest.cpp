// HTTP/2 frames as transactions: each frame of stream 0 is one, a stream's frames go with its
// message (Http2Frames), the http2 app-layer events, and the frame buffers the http2.* keywords
// test.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/Http2Frames.hpp"
#include "sensor/app/Http2Frames.hpp"
#include "sensor/app/Http2Parser.hpp"
#include "sensor/app/HttpParser.hpp"

namespace gsoc::sensor {
namespace {

using signatures::AnomalyEvent;
using signatures::BufferId;
using signatures::FlowDirection;
using test::h2Frame;
using test::h2Headers;

std::span<const std::uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

// What the sink saw of each message: the frames are only valid while it runs.
struct Seen {
  bool request = false;
  std::uint32_t stream = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  Http2Frames frames;
};

struct Capture {
  std::vector<Seen> seen;
  void operator()(FlowDirection, const HttpMessage& m) {
    Seen s;
    s.request = m.request;
    s.stream = m.stream_id;
    for (const auto& [name, value] : m.headers) s.headers.emplace_back(name, value);
    if (m.frames != nullptr) s.frames = *m.frames;
    EXPECT_TRUE(m.http2);
    seen.push_back(std::move(s));
  }
};

std::string be(std::uint64_t v, int n) {
  std::string out;
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

TEST(Http2Frames, StreamZeroFramesAreTransactionsOfTheirOwn) {
  signatures::EventSet events;
  Http2Connection h2(events);
  Capture capture;
  const Http2Connection::MessageSink sink = capture;
  std::string client(Http2Connection::kPreface);
  client += h2Frame(4, 0, 0, be(3, 2) + be(100, 4) + be(4, 2) + be(65535, 4));  // SETTINGS
  client += h2Frame(8, 0, 0, be(34634, 4));                                       // WINDOW_UPDATE
  client += h2Frame(7, 0, 0, be(0, 4) + be(2, 4));                                // GOAWAY INTERNAL_ERROR
  h2.feed(FlowDirection::ToServer, bytes(client), sink);
  ASSERT_EQ(capture.seen.size(), 3u);
  for (const Seen& s : capture.seen) {
    EXPECT_TRUE(s.request);
    EXPECT_EQ(s.stream, 0u);
  }
  EXPECT_EQ(capture.seen[0].frames.types, std::string(1, '\x04'));
  EXPECT_EQ(capture.seen[0].frames.settings, be(3, 2) + be(100, 4) + be(4, 2) + be(65535, 4));
  EXPECT_EQ(capture.seen[1].frames.windows, be(34634, 4));
  EXPECT_EQ(capture.seen[2].frames.types, std::string(1, '\x07'));
  EXPECT_EQ(capture.seen[2].frames.error_codes, be(2, 4));
  EXPECT_FALSE(events.any());
  EXPECT_EQ(http2SettingName(3), "SETTINGSMAXCONCURRENTSTREAMS");
  EXPECT_EQ(http2ErrorName(2), "INTERNALERROR");
}

TEST(Http2Frames, StreamFramesGoWithTheirMessageWithPseudoHeadersInOrder) {
  signatures::EventSet events;
  Http2Connection h2(events);
  Capture capture;
  const Http2Connection::MessageSink sink = capture;
  std::string client(Http2Connection::kPreface);
  // HEADERS with PRIORITY (weight 15), then RST_STREAM CANCEL.
  client += h2Frame(1, 0x24, 1, be(0, 4) + std::string(1, '\x0f') +
                                     h2Headers({{":method", "GET"}, {":path", "/a"}, {":authority", "user@x.example"}, {"host", "y.example"}}));
  client += h2Frame(3, 0, 1, be(8, 4));
  h2.feed(FlowDirection::ToServer, bytes(client), sink);
  ASSERT_EQ(capture.seen.size(), 1u);
  const Seen& s = capture.seen[0];
  EXPECT_EQ(s.stream, 1u);
  ASSERT_EQ(s.headers.size(), 4u);
  EXPECT_EQ(s.headers[0].first, ":method");
  EXPECT_EQ(s.headers[2].first, ":authority");
  EXPECT_EQ(s.frames.types, std::string("\x01\x03", 2));
  EXPECT_EQ(s.frames.priorities, std::string(1, '\x0f'));
  EXPECT_EQ(s.frames.error_codes, be(8, 4));
  EXPECT_TRUE(events.test(AnomalyEvent::Http2AuthorityHostMismatch));
  EXPECT_TRUE(events.test(AnomalyEvent::Http2UserinfoInUri));
}

TEST(Http2Frames, BadPrefaceIsAnEvent) {
  signatures::EventSet events;
  Http2Connection h2(events);
  Capture capture;
  const Http2Connection::MessageSink sink = capture;
  h2.feed(FlowDirection::ToServer, bytes("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"), sink);
  EXPECT_TRUE(events.test(AnomalyEvent::Http2InvalidClientMagic));
  EXPECT_EQ(h2.errors(), 1u);
  EXPECT_TRUE(capture.seen.empty());
}

TEST(Http2Frames, FrameBuffersHoldOneInstancePerValue) {
  Http2Frames f;
  f.addType(4);
  f.addType(4);
  f.addType(8);
  Http2Frames::add(f.windows, 34634, 4);
  Http2Frames::add(f.settings, 1, 2);
  Http2Frames::add(f.settings, 4096, 4);
  signatures::BufferSet buffers;
  addHttp2FrameBuffers(f, buffers);
  ASSERT_EQ(buffers.get(BufferId::Http2FrameTypeNumber).size(), 2u);
  EXPECT_EQ(buffers.get(BufferId::Http2FrameTypeNumber)[1], std::string_view("\x08", 1));
  ASSERT_EQ(buffers.get(BufferId::Http2WindowNumber).size(), 1u);
  EXPECT_EQ(buffers.get(BufferId::Http2WindowNumber)[0], be(34634, 4));
  ASSERT_EQ(buffers.get(BufferId::Http2SettingNumber).size(), 1u);
  EXPECT_EQ(buffers.get(BufferId::Http2SettingNumber)[0], be(1, 2) + be(4096, 4));
}

}  // namespace
}  // namespace gsoc::sensor
