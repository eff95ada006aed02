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
  std::string helo;
  bool has_message = false;
};

class Session {
 public:
  void client(std::string_view s) {
    smtp_.clientPacket(sink_);  // the packet acknowledges what the server sent before it
    smtp_.feed(FlowDirection::ToServer, bytes(s), sink_);
  }
  void server(std::string_view s) { smtp_.feed(FlowDirection::ToClient, bytes(s), sink_); }
  void close() { smtp_.close(sink_); }
  [[nodiscard]] const signatures::EventSet& events() const { return smtp_.events; }
  std::vector<Seen> seen;

 private:
  void record(const MailTransaction& tx, MailStage stage) {
    seen.push_back({stage, tx.tx_id, tx.mail_from, {tx.rcpt_to.begin(), tx.rcpt_to.end()}, {tx.to.begin(), tx.to.end()},
                    {tx.cc.begin(), tx.cc.end()}, tx.helo, tx.has_message});
  }
  SmtpWorkspace workspace_;
  SmtpState smtp_{workspace_};
  std::function<void(const MailTransaction&, MailStage)> fn_ = [this](const MailTransaction& tx, MailStage stage) { record(tx, stage); };
  SmtpState::TransactionSink sink_{fn_};
};

TEST(SmtpTransaction, ArgumentsAsSentAndAddressListsSplit) {
  Session s;
  s.server("220-hi\r\n220 PIPELINING\r\n");  // the message follows DATA at once
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
  s.server("220 PIPELINING\r\n");
  s.client("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\nSubject: one\r\n\r\n.\r\n");
  ASSERT_EQ(s.seen.size(), 1u);
  s.server("250 ok\r\n250 ok\r\n354 go\r\n250-still\r\n");  // a continuation line does not end the reply
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
  s.server("220 PIPELINING\r\n");
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

// Without PIPELINING the message waits for the 354; a refused DATA leaves no message, and the
// HELO the server accepts inside a transaction ends it (RFC 5321 4.1.4), each logged.
TEST(SmtpTransaction, RefusedDataAndHeloResetEndTheEnvelope) {
  Session s;
  s.client("helo c.example\r\n");
  s.server("250 hi\r\n");
  s.client("data\r\n");
  s.server("503 need RCPT\r\n");
  EXPECT_TRUE(s.events().test(signatures::AnomalyEvent::SmtpDataCommandRejected));
  s.client("ehlo c.example\r\n");
  EXPECT_TRUE(s.seen.empty());  // not before the server accepts it
  EXPECT_TRUE(s.events().test(signatures::AnomalyEvent::SmtpDuplicateFields));
  s.server("250 hi\r\n");
  ASSERT_EQ(s.seen.size(), 2u);
  EXPECT_EQ(s.seen[1].stage, MailStage::Complete);
  EXPECT_EQ(s.seen[1].tx_id, 0u);
  EXPECT_EQ(s.seen[1].helo, "c.example");
  EXPECT_FALSE(s.seen[1].has_message);
  s.client("mail from:<b@x>\r\nrcpt to:<a@y>\r\ndata\r\nFrom: b@x\r\n");  // no 354 yet: commands
  s.server("250 ok\r\n250 ok\r\n354 go\r\n");
  s.client("From: b@x\r\n\r\nhi\r\n.\r\n");
  ASSERT_EQ(s.seen.size(), 3u);
  EXPECT_EQ(s.seen[2].tx_id, 1u);
  EXPECT_EQ(s.seen[2].mail_from, "<b@x>");
  EXPECT_TRUE(s.seen[2].has_message);
}

// A rejected EHLO leaves the envelope as it was; RSET after a finished mail opens none.
TEST(SmtpTransaction, RejectedHeloKeepsTheEnvelope) {
  Session s;
  s.client("helo c\r\nmail from:<a@x>\r\nehlo\r\n");
  s.server("250 hi\r\n250 ok\r\n501 syntax\r\n");
  EXPECT_TRUE(s.seen.empty());
  s.client("rset\r\n");
  s.server("250 reset\r\n");
  ASSERT_EQ(s.seen.size(), 2u);
  EXPECT_EQ(s.seen[1].mail_from, "<a@x>");
  s.client("RSET\r\nQUIT\r\n");
  s.server("250 reset\r\n221 bye\r\n");
  s.close();
  EXPECT_EQ(s.seen.size(), 2u);
}

// BDAT chunks are bytes, not commands, and the LAST chunk ends the message; a BDAT with a tail
// other than LAST is an event and no chunk.
TEST(SmtpTransaction, BdatChunksAndABadTail) {
  Session s;
  s.client("ehlo c\r\nmail from:<a@x>\r\nrcpt to:<b@y>\r\nBDAT 5 X\r\n");
  EXPECT_TRUE(s.events().test(signatures::AnomalyEvent::SmtpInvalidBdat));
  s.client("BDAT 10\r\nRSET\r\nQUIT");
  EXPECT_TRUE(s.seen.empty());
  s.client("BDAT 3 LAST\r\nab\n");
  ASSERT_EQ(s.seen.size(), 1u);
  EXPECT_EQ(s.seen[0].stage, MailStage::Received);
  EXPECT_FALSE(s.seen[0].has_message);  // not MIME parsed, as Suricata's is not
  s.client("mail from:<c@x>\r\n");
  ASSERT_EQ(s.seen.size(), 2u);
  EXPECT_EQ(s.seen[1].mail_from, "<a@x>");
  EXPECT_EQ(s.seen[1].rcpt_to, std::vector<std::string>({"<b@y>"}));
}

// An accepted STARTTLS ends the transaction; what follows is TLS, not commands.
TEST(SmtpTransaction, StarttlsEndsTheSmtpSession) {
  Session s;
  s.client("ehlo c\r\nSTARTTLS\r\n");
  s.server("250 hi\r\n220 go ahead\r\n");
  ASSERT_EQ(s.seen.size(), 2u);
  EXPECT_EQ(s.seen[1].helo, "c");
  s.client("MAIL FROM:<x@y>\r\n");
  s.close();
  EXPECT_EQ(s.seen.size(), 2u);
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

namespace gsoc::sensor {
namespace {

// The header fields behind the email.* keywords, and the http:// URLs of the text parts without
// their scheme, each once, the latest first as Suricata lists them.
TEST(SmtpMessageFields, DateMailerReceivedAndUrls) {
  const std::string message =
      "Received: from a (a [10.0.0.1]) by b; Thu, 10 Apr 2025 12:00:00 -0000\r\n"
      "Received: from b by c\r\nDate: Fri, 21 Apr 2023 05:10:36 +0000\r\nX-Mailer: Outlook, Build 11\r\n"
      "Content-Type: text/plain\r\n\r\n"
      "see http://google.com and http://test-site.org/blah/123/ and https://x.example, http://google.com\r\n";
  MailTransaction tx;
  parseMailMessage(message, tx);
  EXPECT_EQ(tx.date, "Fri, 21 Apr 2023 05:10:36 +0000");
  EXPECT_EQ(tx.x_mailer, "Outlook, Build 11");
  EXPECT_EQ(std::vector<std::string>(tx.received.begin(), tx.received.end()),
            std::vector<std::string>({"from a (a [10.0.0.1]) by b; Thu, 10 Apr 2025 12:00:00 -0000", "from b by c"}));
  EXPECT_EQ(std::vector<std::string>(tx.urls.begin(), tx.urls.end()),
            std::vector<std::string>({"test-site.org/blah/123/", "google.com"}));
}

}  // namespace
}  // namespace gsoc::sensor

namespace gsoc::sensor {
namespace {

// An RFC 2231 file name in numbered sections is joined.
TEST(SmtpMessageFields, Rfc2231FileNameSections) {
  const std::string message = "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\n"
                              "Content-Disposition: attachment;\r\n filename*0=part-one-;\r\n filename*1=two.zip\r\n\r\n"
                              "data\r\n--x--\r\n";
  MailTransaction tx;
  parseMailMessage(message, tx);
  ASSERT_EQ(tx.attachments.size(), 1u);
  EXPECT_EQ(tx.attachments[0].name, "part-one-two.zip");
  EXPECT_EQ(tx.attachments[0].size, 4u);
}

}  // namespace
}  // namespace gsoc::sensor

namespace gsoc::sensor {
namespace {

// file_data inspects an attachment's decoded content, kept in the worker's scratch; the last
// line end of a message that ends without a closing delimiter is not the file's, as in
// Suricata's decoder.
TEST(SmtpAttachment, DecodedContentKeptForFileData) {
  const std::string message = "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"
                              "Content-Disposition: attachment; filename=a.txt\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                              "aGVsbG8gd29ybGQ=\r\n--x\r\nContent-Disposition: attachment; filename=b.txt\r\n\r\nplain text\r\n";
  MailTransaction tx;
  MailScratch scratch;
  parseMailMessage(message, tx, scratch);
  ASSERT_EQ(tx.attachments.size(), 2u);
  EXPECT_EQ(attachmentContent(scratch, tx.attachments[0]), "hello world");
  EXPECT_EQ(attachmentContent(scratch, tx.attachments[1]), "plain text");
  EXPECT_EQ(tx.attachments[1].size, 10u);
}

// Padding ends a base64 quantum (RFC 2045 6.8): "NA==" and "Mg==" across lines are "4" and "2".
TEST(SmtpAttachment, PaddingEndsABase64Quantum) {
  const std::string message = "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"
                              "Content-Disposition: attachment; filename=n.zip\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                              "NA=\r\n=Mg\r\n==\r\n\r\n--x--\r\n";
  MailTransaction tx;
  MailScratch scratch;
  parseMailMessage(message, tx, scratch);
  ASSERT_EQ(tx.attachments.size(), 1u);
  EXPECT_EQ(attachmentContent(scratch, tx.attachments[0]), "42");
}

// An encapsulated message (message/rfc822) starts over at its own header fields: the enclosing
// part's base64 encoding and file name are not the inner attachment's.
TEST(SmtpAttachment, EncapsulatedMessageStartsOver) {
  const std::string message = "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n"
                              "Content-Disposition: attachment; filename=\"innocent.txt\"\r\n\r\n"
                              "Subject: Inner\r\nContent-Type: application/octet-stream\r\n"
                              "Content-Disposition: attachment; filename=\"malware.exe\"\r\n\r\nEICAR-MIME-BYPASS-TEST-PAYLOAD\r\n";
  MailTransaction tx;
  MailScratch scratch;
  parseMailMessage(message, tx, scratch);
  ASSERT_EQ(tx.attachments.size(), 1u);
  EXPECT_EQ(tx.attachments[0].name, "malware.exe");
  EXPECT_EQ(tx.attachments[0].size, 30u);
  EXPECT_EQ(attachmentContent(scratch, tx.attachments[0]), "EICAR-MIME-BYPASS-TEST-PAYLOAD");
}

// A file name longer than 255 bytes is cut there, and the walk says so (MIME_LONG_FILENAME).
TEST(SmtpAttachment, LongFileNameCut) {
  const std::string name(300, 'n');
  const std::string message = "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"
                              "Content-Disposition: attachment; filename=\"" + name + "\"\r\n\r\ndata\r\n--x--\r\n";
  MailTransaction tx;
  MailScratch scratch;
  parseMailMessage(message, tx, scratch);
  ASSERT_EQ(tx.attachments.size(), 1u);
  EXPECT_EQ(tx.attachments[0].name, name.substr(0, 255));
  EXPECT_TRUE(scratch.long_filename);
  parseMailMessage("Subject: short\r\n\r\nbody\r\n", tx, scratch);
  EXPECT_FALSE(scratch.long_filename);
}

// A command line of 4096 bytes or more with its line end is cut to its first 4096 bytes (its
// carriage return among them when it falls there), as Suricata's line buffer cuts it.
TEST(SmtpTransaction, LongCommandLineCut) {
  Session s;
  s.server("220 mx ESMTP\r\n");
  const std::string name(4090, 'O');
  s.client("EHLO " + name + "\r\n");  // 4097 bytes with its line end
  s.server("250 mx\r\n");
  s.client("QUIT\r\n");
  s.close();
  ASSERT_FALSE(s.seen.empty());
  EXPECT_EQ(s.seen.front().helo, name + "\r");
  EXPECT_TRUE(s.events().test(signatures::AnomalyEvent::SmtpTruncatedLine));
}

}  // namespace
}  // namespace gsoc::sensor

namespace gsoc::sensor {
namespace {

// A reply whose code Suricata does not know (472) is an invalid reply and a parser error after
// which the flow is not parsed further; a known one (521, RFC 7504) is not.
TEST(SmtpTransaction, UnknownReplyCodeEndsParsing) {
  Session known;
  known.server("220 mx ESMTP\r\n");
  known.client("EHLO a\r\n");
  known.server("521 no mail here\r\n");
  EXPECT_FALSE(known.events().test(signatures::AnomalyEvent::SmtpInvalidReply));

  SmtpWorkspace workspace;
  SmtpState smtp(workspace);
  std::vector<std::uint64_t> mails;
  std::function<void(const MailTransaction&, MailStage)> fn = [&](const MailTransaction& tx, MailStage) { mails.push_back(tx.tx_id); };
  const SmtpState::TransactionSink sink{fn};
  smtp.feed(FlowDirection::ToClient, bytes("220 mx ESMTP\r\n"), sink);
  smtp.feed(FlowDirection::ToServer, bytes("EHLO a\r\n"), sink);
  smtp.feed(FlowDirection::ToClient, bytes("472 DNS A-record is empty\r\n"), sink);
  EXPECT_TRUE(smtp.events.test(signatures::AnomalyEvent::SmtpInvalidReply));
  EXPECT_EQ(smtp.errors(), 1u);
  smtp.feed(FlowDirection::ToClient, bytes("400 again\r\n"), sink);  // not parsed any more
  EXPECT_EQ(smtp.errors(), 1u);
}

}  // namespace
}  // namespace gsoc::sensor
