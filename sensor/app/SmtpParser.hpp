#pragma once
// SMTP sessions: HELO/EHLO, MAIL FROM, RCPT TO, and the DATA message: From, Subject (RFC 2047
// encoded words decoded to UTF-8), Message-ID, and MIME attachments (file name, size, SHA-256 of
// the base64- or quoted-printable-decoded content). One transaction per message. Targeted mail
// is the first stage of most attacks on agencies, so this is metadata the SOC keeps.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/FunctionRef.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct MailAttachment {
  std::string name;
  std::uint64_t size = 0;
  std::string sha256;
  std::string content_type;
};

struct MailTransaction {
  std::string helo;
  std::string mail_from;
  std::vector<std::string> rcpt_to;
  std::string from;
  std::string subject;
  std::string message_id;
  std::vector<MailAttachment> attachments;
  bool truncated = false;
};

class SmtpState final : public AppState {
 public:
  static constexpr std::size_t kMaxMessageBytes = 8 * 1024 * 1024;
  using TransactionSink = FunctionRef<void(const MailTransaction&)>;

  void feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const TransactionSink& sink);

 private:
  void command(std::string_view line);
  void finishMessage(const TransactionSink& sink);

  std::string pending_;
  bool in_data_ = false;
  std::string message_;
  MailTransaction tx_;
  std::string helo_;
};

// Parses a complete RFC 5322 message (headers and MIME body) into `tx`.
void parseMailMessage(std::string_view message, MailTransaction& tx);
// "=?UTF-8?B?...?=" and "=?ISO-2022-JP?Q?...?=" words decoded (charset kept as bytes).
std::string decodeEncodedWords(std::string_view header);

}  // namespace gsoc::sensor
