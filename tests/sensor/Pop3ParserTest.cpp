// POP3 as Pop3State reads it: the greeting, commands with their arguments, single-line and
// multi-line answers (dot-unstuffed), -ERR, a SASL AUTH exchange, STLS, unknown commands and
// wrong argument counts (the events), and lines split across segments.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gsoc/signatures/AnomalyEvent.hpp"
#include "sensor/app/Pop3Parser.hpp"

using gsoc::sensor::Pop3State;
using gsoc::sensor::Pop3Transaction;
using gsoc::signatures::AnomalyEvent;
using gsoc::signatures::FlowDirection;

namespace {

struct Seen {
  bool has_request;
  std::string command;
  std::vector<std::string> args;
  bool success;
  std::string status, header;
  std::vector<std::string> data;
};

class Pop3ParserTest : public ::testing::Test {
 protected:
  void send(FlowDirection dir, const std::string& bytes) {
    pop3.pending(dir).append({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
    pop3.pending(dir).release();
    pop3.parse(dir, sink);
  }
  Pop3State pop3;
  std::vector<Seen> seen;
  std::function<void(const Pop3Transaction&)> record = [this](const Pop3Transaction& tx) {
    Seen s{tx.has_request, tx.command, {}, tx.success, tx.status, tx.header, {}};
    for (const auto& a : tx.args) s.args.push_back(a);
    for (const auto& d : tx.data) s.data.push_back(d);
    seen.push_back(std::move(s));
  };
  Pop3State::TransactionSink sink = record;
};

TEST_F(Pop3ParserTest, GreetingCommandsAndBodies) {
  send(FlowDirection::ToClient, "+OK POP server ready\r\n");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0].has_request);
  EXPECT_EQ(seen[0].header, "POP server ready");
  send(FlowDirection::ToServer, "user bob\r\nPASS a b\r\n");
  send(FlowDirection::ToClient, "+OK\r\n-ERR the password incorrect\r\n");
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1].command, "USER");
  EXPECT_EQ(seen[1].args, (std::vector<std::string>{"bob"}));
  EXPECT_EQ(seen[1].header, "");
  EXPECT_FALSE(seen[2].success);
  EXPECT_EQ(seen[2].status, "ERR");
  EXPECT_EQ(seen[2].header, "the password incorrect");
  send(FlowDirection::ToServer, "LIST\r\n");
  send(FlowDirection::ToClient, "+OK 2 300\r\n1 100\r\n..2 200\r");
  EXPECT_EQ(seen.size(), 3u);  // the body is not over
  send(FlowDirection::ToClient, "\n.\r\n");
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[3].data, (std::vector<std::string>{"1 100", ".2 200"}));
  send(FlowDirection::ToServer, "LIST 1\r\n");
  send(FlowDirection::ToClient, "+OK 1 100\r\n");
  ASSERT_EQ(seen.size(), 5u);  // with an argument: one line
  EXPECT_TRUE(seen[4].data.empty());
  EXPECT_FALSE(pop3.events.any());
}

TEST_F(Pop3ParserTest, SaslAuthenticationAndStls) {
  send(FlowDirection::ToServer, "AUTH XOAUTH2\r\n");
  send(FlowDirection::ToClient, "+ \r\n");
  send(FlowDirection::ToServer, "dXNlcj1qb2U=\r\n");
  send(FlowDirection::ToClient, "+OK Welcome.\r\n");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].command, "AUTH");
  EXPECT_EQ(seen[0].status, "OK");
  EXPECT_EQ(seen[1].command, "<SASL DATA>");
  EXPECT_TRUE(seen[1].args.empty());
  EXPECT_EQ(seen[1].header, "Welcome.");
  send(FlowDirection::ToServer, "STAT\r\n");
  send(FlowDirection::ToClient, "+OK 1 2\r\n");
  EXPECT_EQ(seen.back().command, "STAT");  // the exchange is over
  send(FlowDirection::ToServer, "STLS\r\n");
  send(FlowDirection::ToClient, "+OK Begin TLS\r\n\x16\x03\x01");
  EXPECT_TRUE(pop3.startTls());
  EXPECT_EQ(pop3.pending(FlowDirection::ToClient).held(), "\x16\x03\x01");
}

TEST_F(Pop3ParserTest, UnknownCommandsAndArgumentCounts) {
  send(FlowDirection::ToServer, "XYZZY\r\nUSER\r\n");
  EXPECT_TRUE(pop3.events.test(AnomalyEvent::Pop3UnknownCommand));
  EXPECT_TRUE(pop3.events.test(AnomalyEvent::Pop3IncorrectArgumentCount));
  send(FlowDirection::ToClient, "garbage\r\n-ERR what\r\n-ERR no\r\n");
  EXPECT_EQ(pop3.errors(), 1u);
  ASSERT_EQ(seen.size(), 2u);
  send(FlowDirection::ToServer, std::string(Pop3State::kMaxLine + 1, 'a'));
  EXPECT_TRUE(pop3.events.test(AnomalyEvent::Pop3RequestTooLong));
  send(FlowDirection::ToServer, "QUIT\r\n");
  pop3.close(sink);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].command, "QUIT");
}

}  // namespace
