// EVE strings from arbitrary bytes: Suricata's escaping on known inputs, and seeded fuzzing that
// every string the escaper or the EVE writer produces is strict UTF-8 and parses as JSON with the
// value Suricata would log.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "sensor/app/AppMetadata.hpp"
#include "sensor/app/DnsParser.hpp"
#include "sensor/export/EveWriter.hpp"
#include "sensor/export/JsonString.hpp"
#include "tests/sensor/DnsTestFlow.hpp"
#include "tests/sensor/EveTextOracle.hpp"

namespace gsoc::sensor {
namespace {

std::string json(std::string_view bytes) {
  std::string out;
  appendJsonString(out, bytes);
  return out;
}

using gsoc::oracle::strictUtf8;
using gsoc::oracle::suricataText;

// Bytes that look like what hostile traffic carries: ASCII, controls, quotes, stray continuation
// and lead bytes, valid and broken multi-byte sequences, surrogates and overlong forms.
std::string fuzzBytes(std::mt19937& rng) {
  static const std::string kPieces[] = {"\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xc0\x80",
                                        "\xe0\x80\xaf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xfd\xbf",
                                        "\"", "\\", "\\u0041", "\x7f", std::string(1, '\0')};
  std::uniform_int_distribution<int> length(0, 48), kind(0, 9), byte(0, 255), ascii(0x20, 0x7e),
      piece(0, static_cast<int>(std::size(kPieces)) - 1);
  std::string s;
  for (int n = length(rng); n > 0; --n) {
    switch (kind(rng)) {
      case 0: case 1: case 2: s.push_back(static_cast<char>(ascii(rng))); break;
      case 3: case 4: s += kPieces[piece(rng)]; break;
      case 5: s.push_back(static_cast<char>(0x80 | (byte(rng) & 0x3f))); break;
      case 6: s.push_back(static_cast<char>(0xc0 | (byte(rng) & 0x3f))); break;
      default: s.push_back(static_cast<char>(byte(rng))); break;
    }
  }
  return s;
}

TEST(JsonString, EscapesAsSuricataDoes) {
  EXPECT_EQ(json(""), R"("")");
  EXPECT_EQ(json("plain /path?q=1"), R"("plain /path?q=1")");
  EXPECT_EQ(json("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(json("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(json(std::string("\0\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(json("\x7f"), "\"\x7f\"");
  // Valid UTF-8 is text.
  EXPECT_EQ(json("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\"");
  // Anything else: every byte from 0x80 up as \xNN, valid sequences included (the whole string
  // is bytes then), as Suricata's jsonbuilder does.
  EXPECT_EQ(json("\xfa\xb9\x80"), R"("\\xfa\\xb9\\x80")");
  EXPECT_EQ(json("VACKD\x03\xc5\xe9\x01"), R"("VACKD\u0003\\xc5\\xe9\u0001")");
  EXPECT_EQ(json("\xc3\xa9\xff"), R"("\\xc3\\xa9\\xff")");
}

TEST(JsonString, RejectsEveryMalformedUtf8Form) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("\xed\x9f\xbf"));          // U+D7FF
  EXPECT_TRUE(isValidUtf8("\xf4\x8f\xbf\xbf"));      // U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xc0\xaf"));             // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xe0\x80\xaf"));         // overlong, three bytes
  EXPECT_FALSE(isValidUtf8("\xf0\x80\x80\xaf"));     // overlong, four bytes
  EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));         // surrogate U+D800
  EXPECT_FALSE(isValidUtf8("\xf4\x90\x80\x80"));     // past U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xfa\xb9\x80"));         // 0xf5-0xff never start a sequence
  EXPECT_FALSE(isValidUtf8("\xe6\x97"));             // truncated
  EXPECT_FALSE(isValidUtf8("\x80"));                 // stray continuation
  EXPECT_FALSE(isValidUtf8("\xc3\x28"));             // lead without continuation
}

TEST(JsonString, FuzzedBytesGiveStrictUtf8JsonWithSuricatasValue) {
  std::mt19937 rng(20260615);
  for (int i = 0; i < 100000; ++i) {
    const std::string bytes = fuzzBytes(rng);
    EXPECT_EQ(isValidUtf8(bytes), strictUtf8(bytes)) << testing::PrintToString(bytes);
    const std::string literal = json(bytes);
    ASSERT_TRUE(strictUtf8(literal)) << testing::PrintToString(bytes);
    nlohmann::json parsed;
    ASSERT_NO_THROW(parsed = nlohmann::json::parse(literal)) << testing::PrintToString(bytes);
    ASSERT_TRUE(parsed.is_string());
    ASSERT_EQ(parsed.get<std::string>(), suricataText(bytes)) << testing::PrintToString(bytes);
  }
}

TEST(JsonString, EveRecordsOfFuzzedNamesAreStrictUtf8Json) {
  DnsTestFlow dns(1, 1'700'000'000'000'000'000);
  ASSERT_TRUE(dns.decoded);
  Flow& flow = *dns.flow;
  const RawPacket& raw = dns.raw;

  const std::string path = (std::filesystem::temp_directory_path() / "gsoc-json-string-test.json").string();
  std::mt19937 rng(7);
  constexpr int kRecords = 2000;
  {
    EveWriter writer(path);
    for (int i = 0; i < kRecords; ++i) {
      DnsMessage m;
      m.response = true;
      const auto name = [&] { return DnsName(fuzzBytes(rng).substr(0, DnsName::kCapacity)); };
      m.queries = {name()};
      m.query_types = {1};
      const DnsName answer = name();
      m.answers = {{answer, 5, 60, name()}};  // a CNAME: EVE writes its rdata, escaped
      AppMetadata record;
      record.kind = AppMetadata::Kind::Dns;
      record.flow = &flow;
      record.dns = &m;
      record.timestamp_ns = raw.timestamp_ns;
      writer.metadataRecord(record);
    }
  }
  std::ifstream in(path, std::ios::binary);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    ASSERT_TRUE(strictUtf8(line)) << "line " << lines;
    nlohmann::json record;
    ASSERT_NO_THROW(record = nlohmann::json::parse(line)) << "line " << lines;
    EXPECT_EQ(record["event_type"], "dns");
  }
  EXPECT_EQ(lines, kRecords);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace gsoc::sensor
