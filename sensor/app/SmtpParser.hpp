#pragma once
// SMTP sessions: HELO/EHLO, MAIL FROM, RCPT TO, and the DATA message: From, Subject (RFC 2047
// encoded words decoded to UTF-8), Message-ID, and MIME attachments (file name, size, SHA-256 of
// the base64- or quoted-printable-decoded content). One transaction per message. Targeted mail
// is the first stage of most attacks on agencies, so this is metadata the SOC keeps.
//
// Allocation (issue 17): a session's transaction is cleared, not rebuilt, between mails (its
// strings, recipients and attachments keep their capacity), the message text is a buffer lent by
// the worker's SmtpWorkspace for the DATA phase only, and the MIME walk parses into the
// workspace's reused header fields; attachments are hashed as they are decoded, never held whole.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/FunctionRef.hpp"
#include "common/ReusingVector.hpp"
#include "sensor/app/AckedSides.hpp"
#include "sensor/app/SmtpWorkspace.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct MailAttachment {
  std::string name;
  std::uint64_t size = 0;
  std::string md5, sha256;  // lower-case hex of the decoded content
  std::string content_type;
  // Where the decoded content starts in the MailScratch::contents it was parsed with (`size`
  // bytes): file_data inspects it when the mail is handed over as received, before the worker
  // parses its next message.
  std::size_t content_offset = 0;
};

// The decoded content of `a`, parsed with `scratch` as the worker's last message; empty when
// the scratch no longer holds it.
std::string_view attachmentContent(const MailScratch& scratch, const MailAttachment& a);

struct MailTransaction {
  std::string helo;
  // The MAIL FROM and RCPT TO arguments as sent, "<a@example.org>" (Suricata's smtp.mail_from
  // and smtp.rcpt_to: the first word after the colon); mailboxAddress() gives the bare address.
  std::string mail_from;
  ReusingVector<std::string> rcpt_to;
  std::string from;
  // The To and Cc header fields split into their addresses (commas inside quotes do not split),
  // as Suricata's email.to and email.cc.
  ReusingVector<std::string> to;
  ReusingVector<std::string> cc;
  std::string subject;
  std::string message_id;
  std::string date;
  std::string x_mailer;
  ReusingVector<std::string> received;  // each Received field, in message order
  // URLs in the text parts, without their scheme (Suricata's email.url, log-url-scheme off).
  ReusingVector<std::string> urls;
  ReusingVector<MailAttachment> attachments;
  // A DATA message was accepted and read (Suricata logs the email object only then); a BDAT
  // message is not MIME parsed, as Suricata's is not.
  bool has_message = false;
  bool truncated = false;
  // The mail's place in its session, from 0 (EVE's tx_id).
  std::uint64_t tx_id = 0;

  // Back to an empty transaction, keeping the strings' and lists' capacity.
  void clear();
};

// "a@example.org" from "<a@example.org>" or "Name <a@example.org>"; an argument without angle
// brackets as it is, up to its first space.
std::string_view mailboxAddress(std::string_view arg);

// When a mail reaches the sink: once its message has ended (the "." line: detection runs on it),
// then once it is complete (it is logged): Suricata 8.0.7 completes an SMTP transaction at the
// server's reply to the end of the message, which it parses (in IDS mode, as all TCP data) when
// the client acknowledges it, so the record carries the client's next packet. A mail whose
// session moves on (a new MAIL FROM, RSET) or ends before that is complete then.
enum class MailStage : std::uint8_t { Received, Complete };

class SmtpState final : public AppState {
 public:
  static constexpr std::size_t kMaxMessageBytes = 8 * 1024 * 1024;
  using TransactionSink = FunctionRef<void(const MailTransaction&, MailStage)>;

  // `workspace` (the worker's) lends the message buffers and the MIME walk's scratch. A state
  // destroyed inside DATA frees its message buffer itself (as HttpState its messages), so the
  // workspace need not outlive the flows.
  explicit SmtpState(SmtpWorkspace& workspace) : workspace_(&workspace) {}

  void feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const TransactionSink& sink);
  // A packet from the client: a reply it acknowledges completes the mail that waited for it.
  void clientPacket(const TransactionSink& sink) {
    if (answered_) complete(sink);
  }
  // The connection ended: a mail still waiting for its reply is complete.
  void close(const TransactionSink& sink);
  // Back to the state of a new connection, keeping the buffers' capacity (up to a limit), for
  // the next flow (AppLayer pools SmtpStates); a message being received goes back unparsed.
  void reset();
  // The transaction being read or waiting for its reply (a frame's, for its alerts).
  [[nodiscard]] const MailTransaction& current() const { return tx_; }
  // Bytes waiting for their acknowledgement (AppLayer; issue 15).
  AckedSides awaiting_ack;
  // Replies with a code Suricata does not know: each a parser error, after which the flow is
  // not parsed further (Suricata disables the app layer of a flow whose parser failed).
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }

 private:
  // What a reply answers: the commands are queued as sent and each complete reply takes the
  // oldest (Suricata's command buffer). The end of a DATA message counts as a command.
  enum class Command : std::uint8_t { Other, HeloReset, Data, DataEnd, Bdat, BdatLast, Starttls, Rset };
  static constexpr std::size_t kMaxQueued = 64;  // pipelined commands remembered at most
  static constexpr std::size_t kMaxLine = 4096;  // Suricata's longest command or reply line

  void command(std::string_view line, const TransactionSink& sink);
  void reply(std::string_view line, const TransactionSink& sink);
  void queue(Command c);
  // A transaction for the command being read, when none is open (RSET and QUIT after a
  // transaction open none, as in Suricata).
  void open(const TransactionSink& sink);
  // The open transaction ends without a message waiting for its reply: detected and logged now.
  void finish(const TransactionSink& sink);
  void enterData();
  void finishMessage(const TransactionSink& sink);
  // Hands the mail waiting for its reply to the sink as complete and starts the next.
  void complete(const TransactionSink& sink);
  // Leaves the DATA phase, giving the message buffer back.
  void endData();

  SmtpWorkspace* workspace_;
  std::string pending_;
  std::string reply_line_;  // the server's current reply line, up to kMaxLine bytes
  bool in_data_ = false;
  std::string message_;  // lent by workspace_ while in_data_
  MailTransaction tx_;
  std::string helo_;
  bool tx_open_ = false;         // tx_ is a transaction still reading commands
  bool tx_data_ = false;         // ... that sent DATA
  bool data_waiting_ = false;    // DATA sent, the message waits for the server's 354
  bool pipelining_ = false;      // the server offered PIPELINING: a message follows DATA at once
  bool tls_ = false;             // STARTTLS accepted: the rest is TLS, not SMTP
  bool failed_ = false;          // a parser error: the rest is not parsed
  std::uint64_t errors_ = 0;
  bool awaiting_reply_ = false;  // tx_ is a received mail, not yet complete
  bool answered_ = false;        // ... and the server has replied to its end
  std::uint64_t chunk_left_ = 0;  // BDAT chunk bytes still to come
  bool chunk_last_ = false;       // ... of the LAST chunk
  std::array<Command, kMaxQueued> queue_{};
  std::size_t queue_head_ = 0, queue_size_ = 0;
  std::uint64_t reset_tx_ = 0;  // the transaction a queued RSET (or HELO) resets
  std::uint64_t mails_ = 0;  // transactions opened in this session
};

// Parses a complete RFC 5322 message (headers and MIME body) into `tx` (attachments appended),
// with `scratch`'s buffers.
void parseMailMessage(std::string_view message, MailTransaction& tx, MailScratch& scratch);
void parseMailMessage(std::string_view message, MailTransaction& tx);
// "=?UTF-8?B?...?=" and "=?ISO-2022-JP?Q?...?=" words decoded (charset kept as bytes) into `out`.
void decodeEncodedWords(std::string_view header, std::string& out);
std::string decodeEncodedWords(std::string_view header);

}  // namespace gsoc::sensor
