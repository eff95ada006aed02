// HPACK against the examples of RFC 7541 Appendix C: Huffman strings (C.4), a dynamic table kept
// across the blocks of one connection, and eviction when it is full (C.6's responses, encoded
// for a 256-byte table that the encoder announces with a size update here); and HPACK and
// HTTP/2 framing fed random input.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "sensor/Http2Frames.hpp"
#include "sensor/app/Hpack.hpp"
#include "sensor/app/Http2Parser.hpp"
#include "sensor/app/HttpParser.hpp"

namespace gsoc::sensor {
namespace {

std::vector<std::uint8_t> hex(std::string_view text) {
  std::vector<std::uint8_t> out;
  std::string digits;
  for (const char c : text) {
    if (c != ' ') digits.push_back(c);
  }
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

std::vector<HeaderField> decode(HpackDecoder& d, std::string_view block) {
  std::vector<HeaderField> fields;
  EXPECT_TRUE(d.decode(hex(block), fields)) << block;
  return fields;
}

TEST(Huffman, DecodesTheRfcStrings) {
  EXPECT_EQ(huffmanDecode(hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff")), "www.example.com");
  EXPECT_EQ(huffmanDecode(hex("a8eb 1064 9cbf")), "no-cache");
  EXPECT_EQ(huffmanDecode(hex("25a8 49e9 5ba9 7d7f")), "custom-key");
  EXPECT_EQ(huffmanDecode(hex("d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff")), "Mon, 21 Oct 2013 20:13:21 GMT");
  EXPECT_EQ(huffmanDecode(hex("9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3")), "https://www.example.com");
  EXPECT_EQ(huffmanDecode({}), "");
}

TEST(Huffman, RefusesBadPaddingAndEos) {
  EXPECT_FALSE(huffmanDecode(hex("f1e3 c2e5 f23a 6ba0 ab90 f4")));  // 'w'... cut mid-code: padding not all ones
  EXPECT_FALSE(huffmanDecode(hex("ffff ffff")));                   // EOS (30 ones) inside the string
  EXPECT_FALSE(huffmanDecode(hex("1f ff")));                        // a symbol, then 8 bits of padding
}

TEST(Hpack, RequestsWithHuffmanShareTheDynamicTable) {
  HpackDecoder d;
  EXPECT_EQ(decode(d, "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"),
            (std::vector<HeaderField>{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}}));
  EXPECT_EQ(d.tableSize(), 57u);
  EXPECT_EQ(decode(d, "8286 84be 5886 a8eb 1064 9cbf"),
            (std::vector<HeaderField>{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"},
                                      {"cache-control", "no-cache"}}));
  EXPECT_EQ(d.tableSize(), 110u);
  EXPECT_EQ(decode(d, "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"),
            (std::vector<HeaderField>{{":method", "GET"}, {":scheme", "https"}, {":path", "/index.html"},
                                      {":authority", "www.example.com"}, {"custom-key", "custom-value"}}));
  EXPECT_EQ(d.tableSize(), 164u);
  EXPECT_EQ(d.tableEntries(), 3u);
}

TEST(Hpack, ResponsesEvictTheOldestEntries) {
  HpackDecoder d;
  // 3f e1 01: a dynamic table size update to 256 (5-bit prefix: 31 + 225).
  EXPECT_EQ(decode(d, "3fe1 01 4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3"),
            (std::vector<HeaderField>{{":status", "302"}, {"cache-control", "private"}, {"date", "Mon, 21 Oct 2013 20:13:21 GMT"},
                                      {"location", "https://www.example.com"}}));
  EXPECT_EQ(d.tableSize(), 222u);
  // ":status 307" no longer fits beside the other three: the oldest entry (:status 302) goes.
  EXPECT_EQ(decode(d, "4883 640e ffc1 c0bf"),
            (std::vector<HeaderField>{{":status", "307"}, {"cache-control", "private"}, {"date", "Mon, 21 Oct 2013 20:13:21 GMT"},
                                      {"location", "https://www.example.com"}}));
  EXPECT_EQ(d.tableSize(), 222u);
  EXPECT_EQ(d.tableEntries(), 4u);
}

TEST(Hpack, MalformedBlocksAreRefused) {
  HpackDecoder d;
  std::vector<HeaderField> fields;
  EXPECT_FALSE(d.decode(hex("be"), fields));          // index 62: the dynamic table is empty
  EXPECT_FALSE(d.decode(hex("80"), fields));          // index 0
  EXPECT_FALSE(d.decode(hex("40 0a 6162"), fields));  // a name longer than the block
  EXPECT_FALSE(d.decode(hex("ff ff ff ff ff ff ff ff ff ff"), fields));  // an integer that never ends
  EXPECT_FALSE(d.decode(hex("3f ff ff 03"), fields)); // a table larger than the sensor allows
}

}  // namespace
}  // namespace gsoc::sensor

namespace gsoc::sensor {
namespace {

// Hostile HTTP/2: after a valid preface, frames of random type, flags, stream and length (some
// lengths lie), with random or half-valid header blocks, cut at random segment boundaries. Nothing
// crashes or reads past what arrived (scripts/test runs this under ASan/UBSan), and every message
// handed on has its stream's fields.
TEST(Http2Robustness, RandomFramesNeverCrash) {
  std::mt19937 rng(2026);
  std::uint64_t messages = 0, errors = 0;
  for (int round = 0; round < 300; ++round) {
    signatures::EventSet events;
    Http2Connection h2(events);
    const auto sink = [&](signatures::FlowDirection, const HttpMessage& m) {
      ++messages;
      EXPECT_EQ(m.protocol, "HTTP/2");
    };
    for (const auto dir : {signatures::FlowDirection::ToServer, signatures::FlowDirection::ToClient}) {
      std::string bytes = dir == signatures::FlowDirection::ToServer ? std::string(Http2Connection::kPreface) : std::string();
      for (int f = 0; f < 20; ++f) {
        std::string payload;
        const int kind = static_cast<int>(rng() % 4);
        if (kind == 0) {
          payload = "\x82\x86\x84\x41\x0f" "www.example.com";  // a valid request block
        } else {
          const std::size_t n = rng() % 64;
          for (std::size_t i = 0; i < n; ++i) payload.push_back(static_cast<char>(rng()));
        }
        const std::uint32_t length = rng() % 10 == 0 ? static_cast<std::uint32_t>(rng() % 200) : static_cast<std::uint32_t>(payload.size());
        const std::uint8_t type = static_cast<std::uint8_t>(rng() % 11);
        const std::uint8_t flags = static_cast<std::uint8_t>(rng());
        const std::uint32_t stream = rng() % 4;
        bytes += test::h2Frame(type, flags, stream, payload, length);
      }
      for (std::size_t at = 0; at < bytes.size();) {
        const std::size_t n = std::min<std::size_t>(bytes.size() - at, 1 + rng() % 100);
        // Fed from a buffer of exactly the segment's size: ASan sees any read past it.
        const std::vector<std::uint8_t> segment(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                                                bytes.begin() + static_cast<std::ptrdiff_t>(at + n));
        h2.feed(dir, segment, sink);
        at += n;
      }
      h2.close(dir, sink);
    }
    errors += h2.errors();
  }
  EXPECT_GT(messages, 0u);  // some valid blocks got through
  EXPECT_GT(errors, 0u);    // and the rest was refused, counted
}

// Many streams each sending part of a body: what one connection holds for inspection is capped
// over all its streams, and the messages say they were cut.
TEST(Http2Limits, BodiesHeldOverAllStreamsAreCapped) {
  using test::h2Frame;
  const std::string headers = "\x83\x86\x84";  // :method POST, :scheme http, :path /
  std::string client(Http2Connection::kPreface);
  for (std::uint32_t stream = 1; stream <= 19; stream += 2) {
    client += h2Frame(1, 0x4, stream, headers);  // END_HEADERS, the body follows
    for (int i = 0; i < 13; ++i) client += h2Frame(0, 0, stream, std::string(16000, 'b'));  // 208 kB each, no END_STREAM
  }
  signatures::EventSet events;
  Http2Connection h2(events);
  std::uint64_t held = 0, truncated = 0, messages = 0;
  const auto sink = [&](signatures::FlowDirection, const HttpMessage& m) {
    ++messages;
    held += m.body.size();  // what was held (body_length is the length as sent, EVE's)
    truncated += m.body_truncated ? 1 : 0;
  };
  h2.feed(signatures::FlowDirection::ToServer, std::span(reinterpret_cast<const std::uint8_t*>(client.data()), client.size()), sink);
  h2.close(signatures::FlowDirection::ToServer, sink);
  EXPECT_EQ(messages, 10u);
  EXPECT_EQ(held, Http2Connection::kMaxHeldBodyBytes);
  EXPECT_EQ(truncated, 5u);  // five streams fit whole (5 x 208,000 bytes); the sixth is cut, the other four get nothing
  EXPECT_EQ(h2.errors(), 0u);
}

TEST(HpackRobustness, RandomBlocksNeverCrash) {
  std::mt19937 rng(7);
  HpackDecoder d;
  std::size_t decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::uint8_t> block(rng() % 40);
    for (auto& b : block) b = static_cast<std::uint8_t>(rng());
    std::vector<HeaderField> fields;
    decoded += d.decode(block, fields) ? 1 : 0;
    EXPECT_LE(d.tableSize(), HpackDecoder::kMaxTableSize);
  }
  EXPECT_GT(decoded, 0u);
}

}  // namespace
}  // namespace gsoc::sensor
