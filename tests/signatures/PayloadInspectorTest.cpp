// Keyword semantics on hand-made buffers: each case is one rule body inspecting the payload.
#include <gtest/gtest.h>

#include "gsoc/signatures/PayloadInspector.hpp"
#include "gsoc/signatures/RuleParser.hpp"

namespace gsoc::signatures {
namespace {

bool matches(std::string_view options, std::string_view buffer) {
  const RuleVariables vars = RuleVariables::withDefaults();
  const Rule rule = RuleParser(vars).parse("alert tcp any any -> any any (" + std::string(options) + " sid:1;)");
  MatchData data;
  PayloadInspector inspector(data);
  return inspector.inspect(rule.inspections.at(0), buffer);
}

TEST(Content, PlainNocaseAndHex) {
  EXPECT_TRUE(matches(R"(content:"evil";)", "an evil thing"));
  EXPECT_FALSE(matches(R"(content:"evil";)", "an EVIL thing"));
  EXPECT_TRUE(matches(R"(content:"evil"; nocase;)", "an EVIL thing"));
  EXPECT_TRUE(matches(R"(content:"|00 ff|A";)", std::string_view("x\0\xff" "A", 4)));
  EXPECT_FALSE(matches(R"(content:"|00 ff|A";)", std::string_view("x\0\xfe" "A", 4)));
}

TEST(Content, OffsetAndDepthAreAbsolute) {
  EXPECT_TRUE(matches(R"(content:"abc"; offset:2; depth:3;)", "xxabcxx"));
  EXPECT_FALSE(matches(R"(content:"abc"; offset:3;)", "xxabcxx"));
  EXPECT_FALSE(matches(R"(content:"abc"; depth:4;)", "xxabcxx"));  // must end within 4 bytes
  EXPECT_TRUE(matches(R"(content:"abc"; depth:5;)", "xxabcxx"));
}

TEST(Content, StartsWithEndsWith) {
  EXPECT_TRUE(matches(R"(content:"GET"; startswith;)", "GET /"));
  EXPECT_FALSE(matches(R"(content:"GET"; startswith;)", " GET /"));
  EXPECT_TRUE(matches(R"(content:".exe"; endswith;)", "a.exe.b.exe"));
  EXPECT_FALSE(matches(R"(content:".exe"; endswith;)", "a.exe.b"));
  EXPECT_TRUE(matches(R"(content:"abc"; startswith; endswith;)", "abc"));
  EXPECT_FALSE(matches(R"(content:"abc"; startswith; endswith;)", "abcd"));
}

TEST(Content, RelativeChainsBacktrack) {
  // The first "a" is followed by "c" too far away; the second one is not.
  EXPECT_TRUE(matches(R"(content:"a"; content:"c"; distance:1; within:2;)", "a...ab c"));
  EXPECT_TRUE(matches(R"(content:"a"; content:"c"; distance:0; within:1;)", "axxxac"));
  EXPECT_FALSE(matches(R"(content:"a"; content:"c"; distance:0; within:1;)", "axxxa c"));
  // distance is counted from the end of the previous match; negative distance looks back.
  EXPECT_TRUE(matches(R"(content:"bc"; content:"ab"; distance:-3; within:2;)", "abc"));
  EXPECT_FALSE(matches(R"(content:"b"; content:"a"; distance:0;)", "ab"));
  // Three-step chain needing backtracking at the first step.
  EXPECT_TRUE(matches(R"(content:"k="; content:"1"; distance:0; within:1; content:"&"; distance:0; within:1;)",
                      "k=2&k=1x&k=1&"));
}

TEST(Content, NegatedContent) {
  EXPECT_TRUE(matches(R"(content:"User-Agent"; content:!"Mozilla";)", "User-Agent: curl"));
  EXPECT_FALSE(matches(R"(content:"User-Agent"; content:!"Mozilla";)", "User-Agent: Mozilla/5.0"));
  // Relative negation: "POST" not followed within 10 bytes by "/ok".
  EXPECT_TRUE(matches(R"(content:"POST"; content:!"/ok"; distance:0; within:10;)", "POST /evil HTTP/1.1 /ok"));
  EXPECT_FALSE(matches(R"(content:"POST"; content:!"/ok"; distance:0; within:10;)", "POST /ok HTTP/1.1"));
}

TEST(IsDataAt, AbsoluteRelativeNegated) {
  EXPECT_TRUE(matches(R"(content:"ab"; isdataat:3;)", "abcd"));
  EXPECT_FALSE(matches(R"(content:"ab"; isdataat:4;)", "abcd"));
  EXPECT_TRUE(matches(R"(content:"ab"; isdataat:1,relative;)", "abcd"));
  EXPECT_FALSE(matches(R"(content:"ab"; isdataat:2,relative;)", "abcd"));
  EXPECT_TRUE(matches(R"(content:"cd"; isdataat:!1,relative;)", "abcd"));
}

TEST(Bsize, ComparesBufferLength) {
  const RuleVariables vars = RuleVariables::withDefaults();
  auto check = [&](std::string_view opts, std::string_view buf) {
    const Rule rule = RuleParser(vars).parse("alert http any any -> any any (http.uri; " + std::string(opts) + " sid:1;)");
    MatchData data;
    return PayloadInspector(data).inspect(rule.inspections.at(0), buf);
  };
  EXPECT_TRUE(check(R"(content:"/a"; bsize:2;)", "/a"));
  EXPECT_FALSE(check(R"(content:"/a"; bsize:2;)", "/ab"));
  EXPECT_TRUE(check(R"(content:"/a"; bsize:>2;)", "/ab"));
  EXPECT_TRUE(check(R"(content:"/a"; bsize:<=3;)", "/ab"));
  EXPECT_TRUE(check(R"(content:"/a"; bsize:2<>5;)", "/abc"));
  EXPECT_FALSE(check(R"(content:"/a"; bsize:2<>5;)", "/abcd"));
}

TEST(Pcre, RelativeAnchorsAtPreviousMatch) {
  EXPECT_TRUE(matches(R"(content:"id="; pcre:"/^[0-9]+&/R";)", "x=1&id=42&"));
  EXPECT_FALSE(matches(R"(content:"id="; pcre:"/^[0-9]+&/R";)", "id=x42&"));
  EXPECT_TRUE(matches(R"(pcre:"/^GET\s+\/[a-z]{3}\.php/";)", "GET /abc.php"));
  EXPECT_FALSE(matches(R"(pcre:"/^GET\s+\/[a-z]{3}\.php/";)", "xGET /abc.php"));
  EXPECT_TRUE(matches(R"(pcre:"/evil/i";)", "EViL"));
  EXPECT_TRUE(matches(R"(pcre:/evil/i;)", "EViL"));  // unquoted, as Suricata accepts
  EXPECT_TRUE(matches(R"(content:"a"; pcre:!"/b/R";)", "ba"));
  EXPECT_FALSE(matches(R"(content:"a"; pcre:!"/b/R";)", "ab"));
  // Content after a relative pcre continues from the pcre's match end.
  EXPECT_TRUE(matches(R"(content:"x"; pcre:"/[0-9]+/R"; content:"z"; distance:0; within:1;)", "x123z"));
  EXPECT_FALSE(matches(R"(content:"x"; pcre:"/[0-9]+/R"; content:"z"; distance:0; within:1;)", "x123 z"));
}

TEST(ByteTest, BinaryStringBitmaskNegation) {
  EXPECT_TRUE(matches(R"(content:"L"; byte_test:2,=,258,0,relative;)", std::string_view("L\x01\x02", 3)));
  EXPECT_TRUE(matches(R"(content:"L"; byte_test:2,=,513,0,relative,little;)", std::string_view("L\x01\x02", 3)));
  EXPECT_FALSE(matches(R"(content:"L"; byte_test:2,>,258,0,relative;)", std::string_view("L\x01\x02", 3)));
  EXPECT_TRUE(matches(R"(content:"L"; byte_test:2,!>,258,0,relative;)", std::string_view("L\x01\x02", 3)));
  EXPECT_TRUE(matches(R"(content:"len="; byte_test:4,>,1000,0,relative,string,dec;)", "len=2048;"));
  EXPECT_FALSE(matches(R"(content:"len="; byte_test:4,>,1000,0,relative,string,dec;)", "len=0999;"));
  EXPECT_TRUE(matches(R"(content:"h"; byte_test:2,=,255,0,relative,string,hex;)", "hff"));
  EXPECT_TRUE(matches(R"(content:"F"; byte_test:1,&,0x80,0,relative;)", "F\x81"));
  EXPECT_FALSE(matches(R"(content:"F"; byte_test:1,&,0x80,0,relative;)", "F\x01"));
  EXPECT_TRUE(matches(R"(content:"F"; byte_test:1,=,3,0,relative,bitmask 0x0c;)", "F\x0f"));
  EXPECT_FALSE(matches(R"(content:"F"; byte_test:4,=,1,0,relative;)", "F\x00\x00"));  // out of bounds
  EXPECT_TRUE(matches(R"(content:"n="; byte_test:0,=,7,0,relative,string,dec;)", "n=7"));
}

TEST(ByteJump, MovesTheCursor) {
  // Length byte 3 skips "abc"; "Z" must come right after.
  EXPECT_TRUE(matches(R"(content:"T"; byte_jump:1,0,relative; content:"Z"; within:1;)", "T\x03" "abcZ"));
  EXPECT_FALSE(matches(R"(content:"T"; byte_jump:1,0,relative; content:"Z"; within:1;)", "T\x02" "abcZ"));
  EXPECT_TRUE(matches(R"(content:"T"; byte_jump:1,0,relative,multiplier 2; content:"Z"; within:1;)", "T\x02" "abcdZ"));
  EXPECT_TRUE(matches(R"(content:"T"; byte_jump:1,0,relative,post_offset -1; content:"cZ"; within:2;)", "T\x03" "abcZ"));
  EXPECT_TRUE(matches(R"(byte_jump:1,0,from_beginning; content:"Z"; within:1;)", "\x01" "Z"));
  EXPECT_FALSE(matches(R"(content:"T"; byte_jump:1,0,relative;)", "T\x09" "ab"));  // jumps past the end
}

TEST(ByteExtract, VariablesFeedLaterKeywords) {
  // depth from a decimal digit: "3" lets "ab" end within 3 bytes of offset 1.
  EXPECT_TRUE(matches(R"(byte_extract:1,0,len,string,dec; content:"ab"; offset:1; depth:len;)", "3xab"));
  EXPECT_FALSE(matches(R"(byte_extract:1,0,len,string,dec; content:"ab"; offset:1; depth:len;)", "2xab"));
  // The cursor moves past the extracted byte: distance counts from there.
  EXPECT_TRUE(matches(R"(content:"T"; byte_extract:1,0,skip,relative; content:"Z"; distance:skip; within:1;)", "T\x03" "abcZ"));
  EXPECT_FALSE(matches(R"(content:"T"; byte_extract:1,0,skip,relative; content:"Z"; distance:skip; within:1;)", "T\x02" "abcZ"));
  EXPECT_TRUE(matches(R"(byte_extract:1,0,v; byte_test:1,=,v,1;)", "\x05\x05"));
  EXPECT_FALSE(matches(R"(byte_extract:1,0,v; byte_test:1,=,v,1;)", "\x05\x06"));
  EXPECT_TRUE(matches(R"(byte_extract:2,0,v,little; byte_test:1,=,v,2;)", std::string_view("\x07\x00\x07", 3)));
  // 1 * 3 = 3, aligned up to 4: data must exist at offset 4.
  EXPECT_TRUE(matches(R"(byte_extract:1,0,v,multiplier 3,align 4; isdataat:v;)", "\x01" "abcd"));
  EXPECT_FALSE(matches(R"(byte_extract:1,0,v,multiplier 3,align 4; isdataat:v;)", "\x01" "abc"));
  EXPECT_TRUE(matches(R"(byte_extract:1,0,at; byte_jump:1,at; content:"Z"; within:1;)", std::string_view("\x02" "\x00\x01" "aZ", 5)));
  EXPECT_FALSE(matches(R"(byte_extract:1,0,v;)", ""));  // nothing to read
  // Suricata 8: byte_jump's byte count from a variable (2: the jump is the next two bytes, 3).
  EXPECT_TRUE(matches(R"(byte_extract:1,0,n; byte_jump:n,1; content:"Z"; within:1;)", std::string_view("\x02\x00\x03" "abcZ", 7)));
  EXPECT_FALSE(matches(R"(byte_extract:1,0,n; byte_jump:n,1; content:"Z"; within:1;)", std::string_view("\x09\x00\x03" "abcZ", 7)));
}

TEST(ByteMath, ComputesIntoAVariable) {
  EXPECT_TRUE(matches(R"(byte_math:bytes 1, offset 0, oper +, rvalue 2, result r; byte_test:1,=,r,1;)", "\x03\x05"));
  EXPECT_FALSE(matches(R"(byte_math:bytes 1, offset 0, oper +, rvalue 2, result r; byte_test:1,=,r,1;)", "\x03\x06"));
  EXPECT_TRUE(matches(R"(byte_math:bytes 1, offset 0, oper <<, rvalue 2, result r; byte_test:1,=,r,1;)", "\x22\x88"));
  EXPECT_TRUE(matches(R"(byte_math:bytes 1, offset 0, oper -, rvalue 1, result r; byte_test:1,=,r,1;)", "\x05\x04"));
  EXPECT_TRUE(matches(R"(byte_math:bytes 2, offset 0, oper *, rvalue 3, result r, endian little; byte_test:1,=,r,2;)", std::string_view("\x02\x00\x06", 3)));
  EXPECT_TRUE(matches(R"(byte_math:bytes 2, offset 0, oper >>, rvalue 4, result r, string hex; byte_test:1,=,r,2;)", "ff\x0f"));
  // rvalue from byte_extract; division by zero never matches.
  EXPECT_TRUE(matches(R"(byte_extract:1,1,d; byte_math:bytes 1, offset 0, oper /, rvalue d, result r; byte_test:1,=,r,2;)", "\x06\x02\x03"));
  EXPECT_FALSE(matches(R"(byte_extract:1,1,d; byte_math:bytes 1, offset 0, oper /, rvalue d, result r;)", std::string_view("\x06\x00", 2)));
  // bytes from a variable; the bitmask applies to the result.
  EXPECT_TRUE(matches(R"(byte_extract:1,0,n; byte_math:bytes n, offset 1, oper +, rvalue 0, result r; byte_test:2,=,r,1;)", "\x02\x01\x02"));
  EXPECT_FALSE(matches(R"(byte_extract:1,0,n; byte_math:bytes n, offset 1, oper +, rvalue 0, result r; byte_test:2,=,r,1;)", "\x01\x01\x02"));
  EXPECT_TRUE(matches(R"(byte_math:bytes 1, offset 0, oper +, rvalue 1, result r, bitmask 0xf0; byte_test:1,=,r,1;)", "\x2f\x03"));
}

TEST(Base64, DecodesAtTheCursorForBase64Data) {
  EXPECT_TRUE(matches(R"(content:"foobar="; base64_decode:relative; base64_data; content:"hello"; startswith;)", "x; foobar=aGVsbG8gd29ybGQ="));
  EXPECT_FALSE(matches(R"(content:"foobar="; base64_decode:relative; base64_data; content:"hello"; startswith;)", "foobar=d29ybGQ="));
  // Only the first 4 input bytes: "aGVs" is "hel".
  EXPECT_FALSE(matches(R"(content:"foobar="; base64_decode:bytes 4,relative; base64_data; content:"hello";)", "foobar=aGVsbG8="));
  EXPECT_TRUE(matches(R"(content:"foobar="; base64_decode:bytes 4,relative; base64_data; content:"hel"; bsize:3;)", "foobar=aGVsbG8="));
  EXPECT_TRUE(matches(R"(base64_decode:offset 2; base64_data; content:"|9e|"; startswith;)", "xxnp+"));
  // Decoding stops at the first byte outside the alphabet; no decoded byte is no match.
  EXPECT_TRUE(matches(R"(base64_decode; base64_data; content:"hel"; endswith;)", "aGVs*bG8="));
  EXPECT_FALSE(matches(R"(base64_decode; base64_data; content:"x";)", "*aGVs"));
  // base64_decode alone is a condition: something must decode.
  EXPECT_TRUE(matches(R"(content:"k="; base64_decode:relative;)", "k=aGVs"));
  EXPECT_FALSE(matches(R"(content:"k="; base64_decode:relative;)", "k=*"));
}

TEST(Inspection, RecursionIsBounded) {
  const std::string buf(20000, 'a');
  EXPECT_FALSE(matches(R"(content:"a"; content:"a"; distance:0; content:"b"; distance:0;)", buf));
}

}  // namespace
}  // namespace gsoc::signatures
