// DNS over HTTP/2 as Suricata 8 finds it: a GET's base64url "dns" parameter, a body sent as
// application/dns-message, and the 64 KiB limit past which a body is not parsed.
#include <gtest/gtest.h>

#include <string>

#include "sensor/app/DnsOverHttp2.hpp"
#include "sensor/app/HttpParser.hpp"

namespace gsoc::sensor {
namespace {

std::string text(std::span<const std::uint8_t> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

TEST(DnsOverHttp2, Base64UrlWithOrWithoutPadding) {
  std::string out;
  ASSERT_TRUE(decodeBase64Url("AAABAAAB-_8", out));
  EXPECT_EQ(out, std::string("\x00\x00\x01\x00\x00\x01\xfb\xff", 8));
  ASSERT_TRUE(decodeBase64Url("aGk=", out));
  EXPECT_EQ(out, "hi");
  EXPECT_FALSE(decodeBase64Url("a+b/", out));  // the standard alphabet's characters are not base64url
  EXPECT_FALSE(decodeBase64Url("abcde", out));
}

TEST(DnsOverHttp2, AGetCarriesTheMessageInItsDnsParameter) {
  HttpMessage m;
  m.http2 = true;
  m.method = "GET";
  m.raw_uri = "/dns-query?ct=x&dns=aGk";
  std::string scratch;
  const DohPayload p = dohPayload(m, scratch);
  ASSERT_EQ(p.kind, DohPayload::Kind::Dns);
  EXPECT_EQ(text(p.bytes), "hi");
  m.raw_uri = "/dns-query?name=example.com";
  EXPECT_EQ(dohPayload(m, scratch).kind, DohPayload::Kind::None);
  m.http2 = false;  // HTTP/1 is not DoH2
  m.raw_uri = "/dns-query?dns=aGk";
  EXPECT_EQ(dohPayload(m, scratch).kind, DohPayload::Kind::None);
}

TEST(DnsOverHttp2, ABodyOfTypeDnsMessageUpTo64KiB) {
  HttpMessage m;
  m.http2 = true;
  m.request = false;
  m.headers.emplace_back("content-type", "application/dns-message");
  m.body = "abc";
  m.body_wire_bytes = 3;
  std::string scratch;
  DohPayload p = dohPayload(m, scratch);
  ASSERT_EQ(p.kind, DohPayload::Kind::Dns);
  EXPECT_EQ(text(p.bytes), "abc");
  m.body_wire_bytes = 70000;
  EXPECT_EQ(dohPayload(m, scratch).kind, DohPayload::Kind::TooLong);
  m.headers.clear();
  m.headers.emplace_back("content-type", "text/html");
  m.body_wire_bytes = 3;
  EXPECT_EQ(dohPayload(m, scratch).kind, DohPayload::Kind::None);
}

}  // namespace
}  // namespace gsoc::sensor
