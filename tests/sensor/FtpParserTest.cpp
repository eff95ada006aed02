// FTP's control channel as FtpState reads it: the greeting as a transaction without a command,
// a command with its preliminary and final replies, multi-line replies, the data port of PORT,
// EPRT, PASV (227) and EPSV (229), lines split anywhere, over-long lines cut, and a command left
// without a reply completed when the flow ends.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/FtpParser.hpp"

using gsoc::sensor::FtpState;
using gsoc::sensor::FtpTransaction;
using gsoc::signatures::FlowDirection;

namespace {

struct FtpTx {
  std::string command, data;
  std::vector<std::string> replies, codes;
  bool received = false, has_port = false, command_truncated = false;
  std::uint16_t port = 0;
  FtpTransaction::Mode mode = FtpTransaction::Mode::None;
};

struct FtpRun {
  FtpState state;
  std::vector<FtpTx> txs;
  void take(const FtpTransaction& tx) {
    FtpTx t{tx.command, tx.command_data, {tx.replies.begin(), tx.replies.end()}, {tx.codes.begin(), tx.codes.end()},
            tx.reply_received, tx.has_dynamic_port, tx.command_truncated, tx.dynamic_port, tx.mode};
    txs.push_back(t);
  }
  void feed(FlowDirection dir, const std::string& bytes, std::size_t piece = 0) {
    if (piece == 0) piece = bytes.size();
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
      const std::string part = bytes.substr(at, piece);
      state.feed(dir, {reinterpret_cast<const std::uint8_t*>(part.data()), part.size()},
                 [&](const FtpTransaction& tx) { take(tx); });
    }
  }
};

TEST(FtpParser, GreetingAndCommandsWithTheirReplies) {
  FtpRun run;
  run.feed(FlowDirection::ToClient, "220 (vsFTPd 3.0.3)\r\n", 3);
  run.feed(FlowDirection::ToServer, "USER anonymous\r\n", 2);
  run.feed(FlowDirection::ToClient, "331 Please specify the password.\r\n");
  run.feed(FlowDirection::ToServer, "NLST\r\n");
  run.feed(FlowDirection::ToClient, "150 Here comes the directory listing.\r\n");
  run.feed(FlowDirection::ToClient, "226 Directory send OK.\r\n");
  ASSERT_EQ(run.txs.size(), 3U);
  EXPECT_EQ(run.txs[0].command, "");
  EXPECT_EQ(run.txs[0].codes, (std::vector<std::string>{"220"}));
  EXPECT_EQ(run.txs[1].command, "USER");
  EXPECT_EQ(run.txs[1].data, "anonymous");
  EXPECT_EQ(run.txs[1].replies, (std::vector<std::string>{"Please specify the password."}));
  EXPECT_TRUE(run.txs[1].received);
  EXPECT_EQ(run.txs[2].replies, (std::vector<std::string>{"Here comes the directory listing.", "Directory send OK."}));
  EXPECT_EQ(run.txs[2].codes, (std::vector<std::string>{"150", "226"}));
}

TEST(FtpParser, MultiLineReplyEndsWithItsCodeAndASpace) {
  FtpRun run;
  run.feed(FlowDirection::ToServer, "HELP\r\n");
  run.feed(FlowDirection::ToClient, "214-The following commands are recognized.\r\n ABOR ACCT\r\n214 Help OK.\r\n");
  ASSERT_EQ(run.txs.size(), 1U);
  EXPECT_EQ(run.txs[0].replies.size(), 3U);
  EXPECT_EQ(run.txs[0].codes, (std::vector<std::string>{"214", "214"}));
}

TEST(FtpParser, DataPortsOfActiveAndPassiveModes) {
  FtpRun run;
  run.feed(FlowDirection::ToServer, "PORT 192,168,0,13,234,10\r\n");
  run.feed(FlowDirection::ToClient, "200 PORT command successful.\r\n");
  run.feed(FlowDirection::ToServer, "EPRT |2|::1|34325|\r\n");
  run.feed(FlowDirection::ToClient, "200 EPRT command successful.\r\n");
  run.feed(FlowDirection::ToServer, "PASV\r\n");
  run.feed(FlowDirection::ToClient, "227 Entering Passive Mode (10,0,0,1,184,237).\r\n");
  run.feed(FlowDirection::ToServer, "EPSV\r\n");
  run.feed(FlowDirection::ToClient, "229 Entering Extended Passive Mode (|||58612|)\r\n");
  ASSERT_EQ(run.txs.size(), 4U);
  EXPECT_EQ(run.txs[0].port, 234 * 256 + 10);
  EXPECT_EQ(run.txs[0].mode, FtpTransaction::Mode::Active);
  EXPECT_EQ(run.txs[1].port, 34325);
  EXPECT_EQ(run.txs[2].port, 184 * 256 + 237);
  EXPECT_EQ(run.txs[2].mode, FtpTransaction::Mode::Passive);
  EXPECT_EQ(run.txs[3].port, 58612);
  for (const FtpTx& tx : run.txs) EXPECT_TRUE(tx.has_port);
}

TEST(FtpParser, LongLinesAreCutAndUnansweredCommandsCompleteAtClose) {
  FtpRun run;
  run.feed(FlowDirection::ToServer, "RETR " + std::string(FtpState::kMaxLineBytes + 100, 'a') + "\r\n", 1000);
  run.state.close([&](const FtpTransaction& tx) { run.take(tx); });
  ASSERT_EQ(run.txs.size(), 1U);
  EXPECT_TRUE(run.txs[0].command_truncated);
  EXPECT_EQ(run.txs[0].data.size(), FtpState::kMaxLineBytes - 5);
  EXPECT_FALSE(run.txs[0].received);
}

TEST(FtpParser, LineCapIsConfigurable) {
  FtpRun run;
  run.state.setMaxLineBytes(8000);
  run.feed(FlowDirection::ToServer, "RETR " + std::string(5000, 'a') + "\r\n");
  run.state.close([&](const FtpTransaction& tx) { run.take(tx); });
  ASSERT_EQ(run.txs.size(), 1U);
  EXPECT_FALSE(run.txs[0].command_truncated);
  EXPECT_EQ(run.txs[0].data.size(), 5000U);
}

// max-tx: a command that would leave more than max-tx commands unanswered raises
// too_many_transactions and ends the parsing (Suricata 8.0.6).
TEST(FtpParser, MaxTxStopsTheParsing) {
  FtpRun run;
  run.state.setMaxTx(1);
  run.feed(FlowDirection::ToClient, "220 hi\r\n");
  run.feed(FlowDirection::ToServer, "USER u\r\n");
  run.feed(FlowDirection::ToClient, "331 pw\r\n");
  run.feed(FlowDirection::ToServer, "PWD\r\nPWD\r\nPWD\r\n");
  EXPECT_TRUE(run.state.events.test(gsoc::signatures::AnomalyEvent::FtpTooManyTransactions));
  run.feed(FlowDirection::ToClient, "257 \"/\"\r\n");
  run.feed(FlowDirection::ToServer, "CWD /tmp\r\n");
  run.state.close([&](const FtpTransaction& tx) { run.take(tx); });
  ASSERT_EQ(run.txs.size(), 3U);  // the greeting, USER, the first PWD
  EXPECT_EQ(run.txs[2].command, "PWD");
}

TEST(FtpParser, RetrBeforeAnyPortIsAnEvent) {
  FtpRun run;
  run.feed(FlowDirection::ToServer, "RETR x.txt\r\n");
  EXPECT_TRUE(run.state.events.test(gsoc::signatures::AnomalyEvent::FtpFileBeforePort));
}

}  // namespace
