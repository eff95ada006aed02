// SMTP transactions as Suricata 8.0.7 has them: MAIL FROM and RCPT TO arguments as sent, the To
// and Cc fields split into addresses, a mail detected at its end and complete (logged) once the
// server's reply to that end is acknowledged by the client, or as it arrives in inline mode.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/SmtpParser.hpp"

namespace gsoc::sensor {
namespace {

using signatures::FlowDirection;

std::span<const std::uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

struct Seen {
  MailStage stage;
  std::uint64_t tx_id;
  std::string mail_from;
  std::vector<std::string> rcpt_to, to, cc;
};

class Session {
 public:
  void client(std::string_view s) {
    smtp_.clientPacket(sink_);  // the packet acknowledges what the server sent before it
    smtp_.feed(FlowDirection::ToServer, bytes(s), sink_);
  }
  void server(std::string_view s) { smtp_.feed(FlowDirection::ToClient, bytes(s), sink_); }
  void close() { smtp_.close(sink_); }
  std::vector<Seen> seen;

 private:
  void record(const MailTransaction& tx, MailStage stage) {
    seen.push_back({stage, tx.tx_id, tx.mail_from, {tx.rcpt_to.begin(), tx.rcpt_to.end()}, {tx.to.begin(), tx.to.end()},
                    {tx.cc.begin(), tx.cc.end()}});
  }
  SmtpWorkspace workspace_;
  SmtpState smtp_{workspace_};
  std::function<void(const MailTransaction&, MailStage)> fn_ = [this](const MailTransaction& tx, MailStage stage) { record(tx, stage); };
  SmtpState::TransactionSink sink_{fn_};
};

TEST(SmtpTransaction, ArgumentsAsSentAndAddressListsSplit) {
  Session s;
  s.client("EHLO c\r\nMAIL FROM:  <a@x.example> SIZE=100\r\nRCPT TO:<b@y.example>\r\nDATA\r\n");
  s.client("From: A <a@x.example>\r\nTo: b@y.example, \"Doe, J\" <j@y.example>\r\nCc: <c@z.example>\r\n\r\nhi\r\n.\r\n");
  ASSERT_EQ(s.seen.size(), 1u);
  EXPECT_EQ(s.seen[0].stage, MailStage::Received);
  EXPECT_EQ(s.seen[0].mail_from, "<a@x.example>");  // spaces after the colon skipped, SIZE= left out
  EXPECT_EQ(s.seen[0].rcpt_to, std::vector<std::string>({"<b@y.example>"}));
  EXPECT_EQ(s.seen[0].to, std::vector<std::string>({"b@y.example", "\"Doe, J\" <j@y.example>"}));
  EXPECT_EQ(s.seen[0].cc, std::vector<std::string>({"<c@z.example>"}));
  EXPECT_EQ(mailboxAddress(s.seen[0].mail_from), "a@x.example");
  EXPECT_EQ(mailboxAddress("\"Doe, J\" <j@y.example>"), "j@y.example");
}

TEST(SmtpTransaction, CompleteWhenTheClientAcknowledgesTheReply) {
  Session s;
  s.client("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\nSubject: one\r\n\r\n.\r\n");
  ASSERT_EQ(s.seen.size(), 1u);
  s.server("250-still\r\n");  // a continuation line does not end the reply
  s.client("");
  EXPECT_EQ(s.seen.size(), 1u);
  s.server("250 queued\r\n");
  EXPECT_EQ(s.seen.size(), 1u);  // parsed, in IDS mode, when the client acknowledges it
  s.client("QUIT\r\n");
  ASSERT_EQ(s.seen.size(), 2u);
  EXPECT_EQ(s.seen[1].stage, MailStage::Complete);
  EXPECT_EQ(s.seen[1].tx_id, 0u);
  EXPECT_EQ(s.seen[1].rcpt_to, std::vector<std::string>({"<b@y>"}));
}

TEST(SmtpTransaction, NextMailOrTheEndCompletesAnUnansweredOne) {
  Session s;
  s.client("MAIL FROM:<a@x>\r\nDATA\r\n\r\n.\r\nMAIL FROM:<c@x>\r\nDATA\r\n\r\n.\r\n");
  ASSERT_EQ(s.seen.size(), 3u);
  EXPECT_EQ(s.seen[1].stage, MailStage::Complete);
  EXPECT_EQ(s.seen[1].mail_from, "<a@x>");
  EXPECT_EQ(s.seen[2].stage, MailStage::Received);
  EXPECT_EQ(s.seen[2].tx_id, 1u);
  s.close();
  ASSERT_EQ(s.seen.size(), 4u);
  EXPECT_EQ(s.seen[3].stage, MailStage::Complete);
  EXPECT_EQ(s.seen[3].mail_from, "<c@x>");
  s.close();
  EXPECT_EQ(s.seen.size(), 4u);  // once
}

}  // namespace
}  // namespace gsoc::sensor

namespace gsoc::sensor {
namespace {

// An attachment's MD5 and SHA-256 are of its content alone: the EICAR test file, whose hashes
// every file indicator list knows, ends before the CRLF that precedes the closing delimiter.
TEST(SmtpAttachment, HashesOfTheContentWithoutTheDelimitersLineEnd) {
  const std::string eicar = R"(X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*)";
  const std::string message = "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/plain\r\n"
                              "Content-Disposition: attachment; filename=\"eicar.com\"\r\n\r\n" + eicar + "\r\n--x--\r\n";
  MailTransaction tx;
  parseMailMessage(message, tx);
  ASSERT_EQ(tx.attachments.size(), 1u);
  EXPECT_EQ(tx.attachments[0].size, 68u);
  EXPECT_EQ(tx.attachments[0].md5, "44d88612fea8a8f36de82e1278abb02f");
  EXPECT_EQ(tx.attachments[0].sha256, "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f");
}

}  // namespace
}  // namespace gsoc::sensor
