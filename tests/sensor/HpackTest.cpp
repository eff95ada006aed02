// HPACK against the examples of RFC 7541 Appendix C: Huffman strings (C.4), a dynamic table kept
// across the blocks of one connection, and eviction when it is full (C.5's responses, encoded
// for a 256-byte table that the encoder announces with a size update here).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/Hpack.hpp"

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
