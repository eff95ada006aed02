// Suricata's transforms: each one on hand-made values, chains, the rules Suricata refuses, and
// rules with transforms end to end through the prefilter (raw literal or none) and verification.
#include <gtest/gtest.h>

#include "TestRules.hpp"
#include "gsoc/signatures/RuleParser.hpp"
#include "gsoc/signatures/Transform.hpp"

namespace gsoc::signatures {
namespace {

using namespace testing;

// The chain of the first inspection of `alert http ... (<options> sid:1;)` applied to `value`.
std::string transformed(std::string_view options, std::string_view value) {
  const RuleVariables vars = RuleVariables::withDefaults();
  const Rule rule = RuleParser(vars).parse("alert http any any -> any any (" + std::string(options) + " sid:1;)");
  MatchData data;
  TransformEngine engine(data);
  return std::string(engine.apply(rule.inspections.at(0).transforms, value));
}

std::string rejection(std::string_view options) {
  const Ruleset rs = loadRules("alert http any any -> any any (" + std::string(options) + " sid:1;)");
  if (rs.report.errors.empty()) return "";
  return rs.report.errors[0].reason + ": " + rs.report.errors[0].message;
}

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out.push_back(kHex[static_cast<unsigned char>(c) >> 4]);
    out.push_back(kHex[static_cast<unsigned char>(c) & 0xf]);
  }
  return out;
}

TEST(Transform, CaseAndWhitespace) {
  EXPECT_EQ(transformed("http.uri; to_lowercase; content:\"a\";", "/A/Bc?X=Ä"), "/a/bc?x=Ä");  // ASCII only
  EXPECT_EQ(transformed("http.uri; to_uppercase; content:\"A\";", "/a/Bc?x=1"), "/A/BC?X=1");
  EXPECT_EQ(transformed("file.data; strip_whitespace; content:\"a\";", " a\tb\r\nc\v\fd e "), "abcde");
  // Each run becomes its first byte, which need not be a space (Suricata keeps it as is).
  EXPECT_EQ(transformed("file.data; compress_whitespace; content:\"a\";", "I  \t J\t\tK  "), "I J\tK ");
  EXPECT_EQ(transformed("file.data; compress_whitespace; content:\"a\";", "EFGH"), "EFGH");
}

TEST(Transform, UrlDecodeKeepsBrokenEscapes) {
  // Suricata's own test vector: '+' is a space, broken escapes stay as written.
  EXPECT_EQ(transformed("file.data; url_decode; content:\"a\";", "Suricata%20is+%27%61wesome%21%27%25%30%30%ZZ%4"),
            "Suricata is 'awesome!'%00%ZZ%4");
  EXPECT_EQ(transformed("file.data; url_decode; content:\"a\";", "%4%41%"), "%4%41%");
  EXPECT_EQ(transformed("file.data; url_decode; content:\"a\";", "/evil%27sqli%2"), "/evil'sqli%2");
}

TEST(Transform, DigestsAreRaw) {
  EXPECT_EQ(hex(transformed("http.uri; to_md5; content:\"a\";", "abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex(transformed("http.uri; to_sha1; content:\"a\";", "abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex(transformed("http.uri; to_sha256; content:\"a\";", "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(transformed("http.uri; to_md5; content:\"a\";", "")), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(Transform, XorPcrexformAndHeaders) {
  EXPECT_EQ(transformed("file.data; xor:\"0102\"; content:\"a\";", std::string_view("\x61\x61\x61", 3)), "\x60\x63\x60");
  EXPECT_EQ(transformed(R"(http.request_line; pcrexform:"[a-zA-Z]+\s+(.*)\s+HTTP"; content:"a";)", "GET /z4d4kWk.jpg HTTP/1.1"),
            "/z4d4kWk.jpg");
  // No match: the buffer passes through unchanged.
  EXPECT_EQ(transformed(R"#(http.request_line; pcrexform:"^POST (.*)"; content:"a";)#", "GET / HTTP/1.1"), "GET / HTTP/1.1");
  EXPECT_EQ(transformed("http.header; header_lowercase; content:\"a\";", "Header1: Value1\r\nHeader2:VALUE2\r\n"),
            "header1: Value1\r\nheader2:VALUE2\r\n");
  EXPECT_EQ(transformed("http.header; strip_pseudo_headers; content:\"a\";", "Header1: Value1\n:method:get\nheader2:Value2"),
            "Header1: Value1\nheader2:Value2");
  EXPECT_EQ(transformed("http.header; strip_pseudo_headers; content:\"a\";", ":method:get"), "");
}

TEST(Transform, FromBase64ModesAndInflate) {
  EXPECT_EQ(transformed("http.uri; from_base64: offset 6; content:\"a\";", "/?arg=dGhpc2lzYXRlc3QK"), "thisisatest\n");
  EXPECT_EQ(transformed("http.uri; from_base64: bytes 6, offset 6; content:\"a\";", "/?arg=dGhpc2lzYXRlc3QK"), "this");
  // Bytes outside the alphabet: RFC 4648 stops there, RFC 2045 skips them, strict decodes nothing
  // (and nothing decoded leaves the buffer as it was).
  EXPECT_EQ(transformed("http.uri; from_base64: offset 6, mode rfc4648; content:\"a\";", "/?arg=Zm 9v Ym Fy"), "f");
  EXPECT_EQ(transformed("http.uri; from_base64: offset 6, mode rfc2045; content:\"a\";", "/?arg=Zm 9v Ym Fy"), "foobar");
  EXPECT_EQ(transformed("http.uri; from_base64: offset 6, mode strict; content:\"a\";", "/?arg=Zm 9v Ym Fy"), "/?arg=Zm 9v Ym Fy");
  EXPECT_EQ(transformed("http.uri; from_base64: offset 99; content:\"a\";", "/short"), "/short");
  // "hello hello hello" gzipped and zlib-compressed; max-size cuts the output; garbage inflates to nothing.
  const std::string gz("\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xcb\x48\xcd\xc9\xc9\x57\xc8\x40\x90\x00\x80\x88\xf9\xe5\x11\x00\x00\x00", 28);
  EXPECT_EQ(transformed("file.data; gunzip; content:\"a\";", gz), "hello hello hello");
  EXPECT_EQ(transformed("file.data; gunzip: max-size 5; content:\"a\";", gz), "hello");
  const std::string zl("\x78\x9c\xcb\x48\xcd\xc9\xc9\x57\xc8\x40\x90\x00\x3a\x2e\x06\x7d", 16);
  EXPECT_EQ(transformed("file.data; zlib_deflate; content:\"a\";", zl), "hello hello hello");
  EXPECT_EQ(transformed("file.data; gunzip; content:\"a\";", "not gzip"), "");
  EXPECT_EQ(rejection("file.data; gunzip: level 9; content:\"a\";"), "invalid value for 'gunzip': gunzip: expected max-size N");
}

TEST(Transform, ChainsApplyInOrder) {
  EXPECT_EQ(transformed("dns.query; to_lowercase; dotprefix; content:\"a\";", "WWW.Example.COM"), ".www.example.com");
  EXPECT_EQ(transformed("file.data; url_decode; strip_whitespace; to_uppercase; content:\"A\";", "a%20b+c"), "ABC");
  // Digest of the compressed line: the order matters.
  EXPECT_EQ(transformed("http.request_line; compress_whitespace; to_sha256; content:\"a\";", "GET  /"),
            transformed("http.request_line; to_sha256; content:\"a\";", "GET /"));
}

TEST(Transform, RulesSuricataRefuses) {
  EXPECT_NE(rejection(R"(file_data; to_lowercase; content:"AT PATPOOPY";)").find("incompatible with the to_lowercase"), std::string::npos);
  EXPECT_NE(rejection(R"(file_data; to_uppercase; content:"at patpoopy";)").find("incompatible with the to_uppercase"), std::string::npos);
  EXPECT_NE(rejection(R"(file.data; strip_whitespace; content:"|53 0d|";)").find("strip_whitespace"), std::string::npos);
  EXPECT_EQ(rejection(R"(file.data; strip_whitespace; content:"|00 53|";)"), "");
  EXPECT_NE(rejection(R"(file_data; compress_whitespace; content:"embrace   holistically";)").find("compress_whitespace"), std::string::npos);
  EXPECT_EQ(rejection(R"(file_data; compress_whitespace; content:"embrace holistically";)"), "");
  // After a digest any byte may follow: no case check.
  EXPECT_EQ(rejection(R"(http.uri; to_lowercase; to_md5; content:"|AB CD|";)"), "");
  EXPECT_NE(rejection(R"(http.response_line; pcrexform; content:"x";)").find("pcrexform"), std::string::npos);
  EXPECT_NE(rejection(R"(http.request_line; pcrexform:[a-z]+(.*); content:"x";)").find("quoted"), std::string::npos);
  EXPECT_NE(rejection(R"#(http.request_line; pcrexform:"(a)(b)"; content:"x";)#").find("exactly one capture"), std::string::npos);
  EXPECT_NE(rejection(R"(file.data; xor:"0d0"; content:"x";)").find("hex"), std::string::npos);
  EXPECT_NE(rejection(R"(to_lowercase; content:"x";)").find("sticky buffer"), std::string::npos);
  EXPECT_NE(rejection(R"(http.uri; to_lowercase:1; content:"x";)").find("takes no value"), std::string::npos);
}

TEST(Transform, DetectorPrefiltersOnRawLiteralsOrVerifiesTheChain) {
  const auto rs = compileRules(R"(
alert http any any -> any any (msg:"lower"; http.uri; to_lowercase; content:"/admin.php"; sid:1;)
alert http any any -> any any (msg:"decoded"; http.uri; url_decode; content:"/evil'sqli"; sid:2;)
alert http any any -> any any (msg:"digest"; http.uri; to_md5; content:"|90 01 50 98 3c d2 4f b0 d6 96 3f 7d 28 e1 7f 72|"; sid:3;)
alert http any any -> any any (msg:"mixed"; http.host; content:"evil.example"; http.uri; strip_whitespace; content:"/ab"; sid:4;)
alert http any any -> any any (msg:"raw and lower"; http.uri; content:"/X"; http.uri; to_lowercase; content:"/x/y"; sid:5;)
alert http any any -> any any (msg:"bsize of transformed"; http.uri; url_decode; bsize:2; sid:6;)
)");
  Detector d(rs);
  EXPECT_EQ(fire(d, httpInput("GET", "/ADMIN.PHP", "h")), Sids({1}));
  EXPECT_EQ(fire(d, httpInput("GET", "/admin.ph", "h")), Sids({}));
  EXPECT_EQ(fire(d, httpInput("GET", "/evil%27sqli", "h")), Sids({2}));
  EXPECT_EQ(fire(d, httpInput("GET", "/evil'sqli", "h")), Sids({2}));
  EXPECT_EQ(fire(d, httpInput("GET", "abc", "h")), Sids({3}));
  EXPECT_EQ(fire(d, httpInput("GET", "/a b", "evil.example")), Sids({4}));
  EXPECT_EQ(fire(d, httpInput("GET", "/a b", "good.example")), Sids({}));
  EXPECT_EQ(fire(d, httpInput("GET", "/X/Y", "h")), Sids({5}));
  EXPECT_EQ(fire(d, httpInput("GET", "/x/y", "h")), Sids({}));  // the raw content needs "/X"
  EXPECT_EQ(fire(d, httpInput("GET", "%41", "h")), Sids({}));   // "A" is one byte
  EXPECT_EQ(fire(d, httpInput("GET", "%41B", "h")), Sids({6}));
}

}  // namespace
}  // namespace gsoc::signatures
