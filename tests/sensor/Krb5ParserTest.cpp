// Kerberos 5 as Krb5State reads it: an AS-REQ, its AS-REP with the reply's and the ticket's
// encryption types, a KRB-ERROR taking the type of the request it answers (and 30 alone), the
// TCP record mark with records split and coalesced across segments, the encryption type names
// and weakness, the DER reader's bounds, and malformed messages counted without a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gsoc/signatures/Krb5Names.hpp"
#include "sensor/app/DerReader.hpp"
#include "sensor/app/Krb5Parser.hpp"

using gsoc::sensor::DerElement;
using gsoc::sensor::Krb5Message;
using gsoc::sensor::Krb5State;
using gsoc::sensor::looksLikeKrb5;
using gsoc::sensor::parseKrb5Message;
using gsoc::sensor::readDer;
using gsoc::signatures::FlowDirection;

namespace {

std::string tlv(std::uint8_t tag, const std::string& content) {
  std::string out(1, static_cast<char>(tag));
  if (content.size() < 128) {
    out += static_cast<char>(content.size());
  } else {
    out += static_cast<char>(0x82);
    out += static_cast<char>(content.size() >> 8);
    out += static_cast<char>(content.size() & 0xff);
  }
  return out + content;
}
std::string ctx(int n, const std::string& c) { return tlv(static_cast<std::uint8_t>(0xa0 | n), c); }
std::string seq(const std::string& c) { return tlv(0x30, c); }
std::string integer(int v) { return tlv(0x02, std::string(1, static_cast<char>(v))); }
std::string gstr(const std::string& s) { return tlv(0x1b, s); }
std::string principal(int type, const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& n : names) list += gstr(n);
  return seq(ctx(0, integer(type)) + ctx(1, seq(list)));
}
std::string encrypted(int etype) { return seq(ctx(0, integer(etype)) + ctx(2, tlv(0x04, "cipher"))); }

const std::string kRealm = "DEMO.LOCAL";

std::string asReq() {
  const std::string body = seq(ctx(0, tlv(0x03, std::string("\0\x40\0\0\0", 5))) + ctx(1, principal(1, {"testuser"})) +
                               ctx(2, gstr(kRealm)) + ctx(3, principal(2, {"krbtgt", kRealm})));
  return tlv(0x6a, seq(ctx(1, integer(5)) + ctx(2, integer(10)) + ctx(4, body)));
}

std::string asRep(int etype, int ticket_etype) {
  const std::string ticket = tlv(0x61, seq(ctx(0, integer(5)) + ctx(1, gstr(kRealm)) + ctx(2, principal(2, {"krbtgt", kRealm})) +
                                           ctx(3, encrypted(ticket_etype))));
  return tlv(0x6b, seq(ctx(0, integer(5)) + ctx(1, integer(11)) + ctx(3, gstr(kRealm)) + ctx(4, principal(1, {"testuser"})) +
                       ctx(5, ticket) + ctx(6, encrypted(etype))));
}

std::string krbError(int code) {
  return tlv(0x7e, seq(ctx(0, integer(5)) + ctx(1, integer(30)) + ctx(4, tlv(0x18, "20240101000000Z")) + ctx(5, integer(1)) +
                       ctx(6, integer(code)) + ctx(9, gstr(kRealm)) + ctx(10, principal(2, {"krbtgt", kRealm}))));
}

std::string recordMark(const std::string& m) {
  const auto n = static_cast<std::uint32_t>(m.size());
  return std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)} + m;
}

std::span<const std::uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

struct Seen {
  std::uint8_t type, failed;
  bool error;
  std::int32_t code;
  std::string cname, sname, realm;
  std::optional<std::int32_t> etype, ticket_etype;
};

std::string joined(const gsoc::sensor::Krb5Principal& p) {
  std::string out;
  for (std::size_t i = 0; i < p.parts.size(); ++i) out += (i ? "/" : "") + p.parts[i];
  return out;
}

}  // namespace

TEST(Krb5Parser, AsExchangeOverUdp) {
  Krb5State state;
  std::vector<Seen> seen;
  const auto sink = [&](FlowDirection, const Krb5Message& m) {
    seen.push_back({m.msg_type, m.failed_request, m.error, m.error_code, joined(m.cname), joined(m.sname), m.realm, m.etype, m.ticket_etype});
  };
  const std::string req = asReq(), err = krbError(25), rep = asRep(23, 18);
  EXPECT_TRUE(looksLikeKrb5(bytes(req), false));
  state.datagram(FlowDirection::ToServer, bytes(req), sink);
  state.datagram(FlowDirection::ToClient, bytes(err), sink);
  state.datagram(FlowDirection::ToServer, bytes(req), sink);
  state.datagram(FlowDirection::ToClient, bytes(rep), sink);
  state.datagram(FlowDirection::ToClient, bytes(err), sink);  // answers no request
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0].type, 10);
  EXPECT_EQ(seen[0].cname, "testuser");
  EXPECT_EQ(seen[0].sname, "krbtgt/DEMO.LOCAL");
  EXPECT_EQ(seen[0].realm, kRealm);
  EXPECT_FALSE(seen[0].etype);
  EXPECT_TRUE(seen[1].error);
  EXPECT_EQ(seen[1].type, 30);
  EXPECT_EQ(seen[1].failed, 10);  // the failed request
  EXPECT_EQ(seen[1].code, 25);
  EXPECT_EQ(seen[3].type, 11);
  EXPECT_EQ(seen[3].etype, 23);
  EXPECT_EQ(seen[3].ticket_etype, 18);
  EXPECT_EQ(seen[3].sname, "krbtgt/DEMO.LOCAL");
  EXPECT_EQ(seen[4].type, 30);
  EXPECT_EQ(seen[4].failed, 0);
  EXPECT_EQ(gsoc::sensor::krb5FailedRequestName(0), "UNKNOWN");
  EXPECT_EQ(state.errors(), 0u);
  EXPECT_EQ(gsoc::sensor::krb5ErrorName(25), "KDC_ERR_PREAUTH_REQUIRED");
  EXPECT_EQ(gsoc::sensor::krb5MessageTypeName(13), "KRB_TGS_REP");
}

TEST(Krb5Parser, TcpRecordsSplitAndCoalesced) {
  const std::string stream = recordMark(asReq()) + recordMark(asReq());
  for (std::size_t split : {std::size_t{0}, std::size_t{2}, std::size_t{40}, stream.size() - 1}) {
    Krb5State state;
    int messages = 0;
    const auto sink = [&](FlowDirection, const Krb5Message& m) {
      EXPECT_EQ(m.msg_type, 10);
      ++messages;
    };
    if (split == 0) {
      state.feed(FlowDirection::ToServer, bytes(stream), sink);
    } else {
      state.feed(FlowDirection::ToServer, bytes(stream.substr(0, split)), sink);
      state.feed(FlowDirection::ToServer, bytes(stream.substr(split)), sink);
    }
    EXPECT_EQ(messages, 2) << split;
  }
  EXPECT_TRUE(looksLikeKrb5(bytes(stream), true));
}

TEST(Krb5Parser, EncryptionNames) {
  EXPECT_EQ(gsoc::signatures::krb5EncryptionName(18), "aes256-cts-hmac-sha1-96");
  EXPECT_EQ(gsoc::signatures::krb5EncryptionName(23), "rc4-hmac");
  EXPECT_EQ(gsoc::signatures::krb5EncryptionType("rc4-hmac"), 23);
  EXPECT_TRUE(gsoc::sensor::krb5WeakEncryption(23));
  EXPECT_TRUE(gsoc::sensor::krb5WeakEncryption(3));
  EXPECT_FALSE(gsoc::sensor::krb5WeakEncryption(18));
}

TEST(Krb5Parser, MalformedCountedAndBounded) {
  Krb5State state;
  int messages = 0;
  const auto sink = [&](FlowDirection, const Krb5Message&) { ++messages; };
  std::string cut = asReq();
  cut.resize(cut.size() - 3);
  state.datagram(FlowDirection::ToServer, bytes(cut), sink);
  state.datagram(FlowDirection::ToServer, bytes(std::string("\x6a\x80\x00\x00", 4)), sink);  // indefinite length
  EXPECT_EQ(messages, 0);
  EXPECT_EQ(state.errors(), 2u);
  state.feed(FlowDirection::ToServer, bytes(std::string("\x7f\xff\xff\xff", 4)), sink);  // a record past the maximum
  state.feed(FlowDirection::ToServer, bytes(recordMark(asReq())), sink);
  EXPECT_EQ(messages, 0);
  DerElement e;
  EXPECT_FALSE(readDer(bytes(std::string("\x30\x85\x01\x02\x03\x04\x05", 7)), e));
  EXPECT_FALSE(readDer(bytes(std::string("\x1f\xff\xff\xff\xff\x7f\x00", 7)), e));
  EXPECT_TRUE(readDer(bytes(std::string("\x30\x00", 2)), e));
  EXPECT_EQ(e.size, 2u);
}
