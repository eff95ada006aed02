// PostgreSQL as PgsqlState reads it: the SSL request and its refusal, a startup with MD5
// authentication, a password answered with parameters and the key, a simple query with rows,
// an error, COPY in, a notification between transactions, the switch to TLS, bytes released
// only as far as they are acknowledged, and garbage counted without a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/PgsqlParser.hpp"

using gsoc::sensor::PgsqlRequestKind;
using gsoc::sensor::PgsqlResponseItem;
using gsoc::sensor::PgsqlState;
using gsoc::sensor::PgsqlTransaction;
using gsoc::signatures::FlowDirection;

namespace {

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}
std::string be16(std::uint16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v)}; }
std::string msg(char type, const std::string& body) { return std::string(1, type) + be32(static_cast<std::uint32_t>(body.size() + 4)) + body; }
std::string cstr(const std::string& s) { return s + std::string(1, '\0'); }

struct Seen {
  std::uint64_t tx_id;
  PgsqlRequestKind request;
  std::string payload;
  std::vector<PgsqlResponseItem> responses;
  std::vector<std::pair<std::string, std::string>> params;
  std::string user;
};

class PgsqlParserTest : public ::testing::Test {
 protected:
  void send(FlowDirection dir, const std::string& bytes) {
    pg.pending(dir).append({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
    pg.pending(dir).release();
    pg.parse(dir, sink);
  }
  PgsqlState pg;
  std::vector<Seen> seen;
  std::function<void(const PgsqlTransaction&)> record = [this](const PgsqlTransaction& tx) {
    Seen s{tx.tx_id, tx.request, tx.payload, {}, {}, tx.user};
    for (const PgsqlResponseItem& it : tx.responses) s.responses.push_back(it);
    for (const auto& p : tx.params) s.params.emplace_back(p.name, p.value);
    seen.push_back(std::move(s));
  };
  PgsqlState::TransactionSink sink = record;
};

TEST_F(PgsqlParserTest, SessionFromSslRefusalToQuery) {
  send(FlowDirection::ToServer, be32(8) + be32(80877103));
  EXPECT_TRUE(seen.empty());  // the answer completes it
  send(FlowDirection::ToClient, "N");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].tx_id, 1u);
  EXPECT_EQ(seen[0].request, PgsqlRequestKind::SslRequest);
  ASSERT_EQ(seen[0].responses.size(), 1u);
  EXPECT_EQ(seen[0].responses[0].kind, PgsqlResponseItem::Kind::SslAnswer);
  EXPECT_EQ(seen[0].responses[0].a, 0u);

  const std::string params = cstr("user") + cstr("alice") + cstr("database") + cstr("db") + cstr("DateStyle") + cstr("ISO") + std::string(1, '\0');
  send(FlowDirection::ToServer, be32(static_cast<std::uint32_t>(8 + params.size())) + be32(0x00030000) + params);
  send(FlowDirection::ToClient, msg('R', be32(5) + "salt"));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].request, PgsqlRequestKind::Startup);
  EXPECT_EQ(seen[1].user, "alice");
  ASSERT_EQ(seen[1].params.size(), 2u);
  EXPECT_EQ(seen[1].params[0], (std::pair<std::string, std::string>{"database", "db"}));
  EXPECT_EQ(seen[1].params[1], (std::pair<std::string, std::string>{"DateStyle", "ISO"}));  // startup names as sent
  ASSERT_EQ(seen[1].responses.size(), 1u);
  EXPECT_EQ(seen[1].responses[0].key, "authentication_md5_password");
  EXPECT_EQ(seen[1].responses[0].text, "salt");

  send(FlowDirection::ToServer, msg('p', cstr("md5secret")));
  send(FlowDirection::ToClient, msg('R', be32(0)) + msg('S', cstr("DateStyle") + cstr("ISO, MDY")) + msg('K', be32(42) + be32(7)) + msg('Z', "I"));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].request, PgsqlRequestKind::Password);
  EXPECT_EQ(seen[2].payload, "md5secret");
  ASSERT_EQ(seen[2].responses.size(), 3u);
  EXPECT_EQ(seen[2].responses[0].text, "authentication_ok");
  EXPECT_EQ(seen[2].responses[1].key, "date_style");  // the server's parameters by Suricata's names
  EXPECT_EQ(seen[2].responses[1].text, "ISO, MDY");
  EXPECT_EQ(seen[2].responses[2].a, 42u);
  EXPECT_EQ(seen[2].responses[2].b, 7u);

  send(FlowDirection::ToServer, msg('Q', cstr("SELECT 1;")));
  const std::string row = msg('D', be16(1) + be32(1) + "1");
  send(FlowDirection::ToClient, msg('T', be16(1) + std::string(20, 'x')) + row + row + msg('C', cstr("SELECT 2")) + msg('Z', "I"));
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[3].payload, "SELECT 1;");
  ASSERT_EQ(seen[3].responses.size(), 3u);
  EXPECT_EQ(seen[3].responses[0].a, 1u);  // field_count
  EXPECT_EQ(seen[3].responses[1].kind, PgsqlResponseItem::Kind::DataRows);
  EXPECT_EQ(seen[3].responses[1].a, 2u);
  EXPECT_EQ(seen[3].responses[1].b, 2u);
  EXPECT_EQ(seen[3].responses[2].text, "SELECT 2");

  send(FlowDirection::ToServer, msg('Q', cstr("SELECT 1/0;")));
  send(FlowDirection::ToClient, msg('E', "SERROR" + std::string(1, '\0') + "C22012" + std::string(1, '\0') + std::string(1, '\0')) + msg('Z', "I"));
  ASSERT_EQ(seen.size(), 5u);
  ASSERT_EQ(seen[4].responses.size(), 2u);
  EXPECT_EQ(seen[4].responses[0].key, "severity_localizable");
  EXPECT_EQ(seen[4].responses[1].key, "code");
  EXPECT_EQ(seen[4].responses[1].text, "22012");

  send(FlowDirection::ToServer, msg('X', ""));
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen[5].request, PgsqlRequestKind::Terminate);
  EXPECT_EQ(pg.errors(), 0u);
}

TEST_F(PgsqlParserTest, CopyInAndNotificationBetweenTransactions) {
  send(FlowDirection::ToServer, msg('Q', cstr("COPY t FROM STDIN")));
  send(FlowDirection::ToClient, msg('G', std::string(1, '\0') + be16(3) + be16(0) + be16(0) + be16(0)));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].responses[0].kind, PgsqlResponseItem::Kind::CopyInResponse);
  EXPECT_EQ(seen[0].responses[0].a, 3u);
  send(FlowDirection::ToServer, msg('d', "a\tb\n") + msg('d', "c\td\n") + msg('c', ""));
  send(FlowDirection::ToClient, msg('C', cstr("COPY 2")) + msg('Z', "I"));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].tx_id, 2u);
  EXPECT_EQ(seen[1].request, PgsqlRequestKind::CopyDataIn);

  send(FlowDirection::ToClient, msg('A', be32(9) + cstr("chan") + cstr("hello")));
  EXPECT_EQ(seen.size(), 2u);  // kept for the next transaction
  send(FlowDirection::ToServer, msg('Q', cstr("SELECT 2;")));
  send(FlowDirection::ToClient, msg('C', cstr("SELECT 1")) + msg('Z', "I"));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].tx_id, 3u);
  ASSERT_EQ(seen[2].responses.size(), 2u);
  EXPECT_EQ(seen[2].responses[0].kind, PgsqlResponseItem::Kind::Notification);
  EXPECT_EQ(seen[2].responses[0].key, "chan");
}

TEST_F(PgsqlParserTest, SslAcceptedHandsOverAndAcknowledgedBytesOnly) {
  const std::string ssl = be32(8) + be32(80877103);
  pg.pending(FlowDirection::ToServer).append({reinterpret_cast<const std::uint8_t*>(ssl.data()), ssl.size()});
  pg.pending(FlowDirection::ToServer).release(4);  // half of it acknowledged
  pg.parse(FlowDirection::ToServer, sink);
  send(FlowDirection::ToClient, "S");
  EXPECT_FALSE(pg.tlsAccepted());  // the request is not parsed yet: 'S' is not an SSL answer
  pg.pending(FlowDirection::ToServer).release();
  pg.parse(FlowDirection::ToServer, sink);
  EXPECT_EQ(seen.size(), 0u);

  PgsqlState fresh;
  const std::string tail = "\x16\x03\x01";
  fresh.pending(FlowDirection::ToServer).append({reinterpret_cast<const std::uint8_t*>(ssl.data()), ssl.size()});
  fresh.pending(FlowDirection::ToServer).release();
  fresh.parse(FlowDirection::ToServer, sink);
  const std::string answer = "S" + tail;
  fresh.pending(FlowDirection::ToClient).append({reinterpret_cast<const std::uint8_t*>(answer.data()), answer.size()});
  fresh.pending(FlowDirection::ToClient).release();
  fresh.parse(FlowDirection::ToClient, sink);
  EXPECT_TRUE(fresh.tlsAccepted());
  EXPECT_EQ(fresh.pending(FlowDirection::ToClient).held(), tail);  // TLS's, left for it
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].responses[0].a, 1u);
}

TEST_F(PgsqlParserTest, GarbageIsCountedAndSkipped) {
  send(FlowDirection::ToServer, std::string("\0\0\0\2junk", 8));
  send(FlowDirection::ToClient, std::string("Q\xff\xff\xff\xff", 5));
  EXPECT_EQ(pg.errors(), 2u);
  pg.close(sink);
  EXPECT_TRUE(seen.empty());
}

}  // namespace
