#pragma once
// What one worker's SMTP sessions share (the app layer keeps one): the buffers a session's DATA
// phase collects the message into, lent from DATA to the end of the message and then given back
// for the next session's mail, and the buffers the MIME walk parses each message with. A worker
// parses one message at a time, so one MailScratch serves them all; only the sessions inside
// DATA at once hold a message buffer, so a short list of them is enough.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "common/FreeList.hpp"
#include "common/ReusingVector.hpp"
#include "sensor/app/FileHasher.hpp"

namespace gsoc::sensor {

// The MIME walk's buffers, reused message after message.
struct MailScratch {
  static constexpr std::size_t kMaxDepth = 8;  // nested multiparts deeper than this are not walked
  // The header fields (name, value) of the part being read: the message's head, then each MIME
  // part in turn, into the strings the last part left.
  ReusingVector<std::pair<std::string, std::string>> headers;
  // "--boundary" of each multipart level being walked (a child's headers replace its parent's).
  std::array<std::string, kMaxDepth + 1> delimiters;
  std::string decoded;  // a quoted-printable text part's content, for its URLs
  // The message's attachments decoded, one after the other (file_data inspects each); the
  // message is at most SmtpState::kMaxMessageBytes, so this is too.
  std::string contents;
  std::string name;     // an RFC 2231 file name joined from its numbered sections
  FileHasher hasher;  // restarted after each attachment
  // A file name longer than kMaxFileName (cut there) in the last message walked, as Suricata's
  // MIME decoder warns of it.
  static constexpr std::size_t kMaxFileName = 255;
  bool long_filename = false;
};

class SmtpWorkspace {
 public:
  // Message buffers kept for reuse at most, and the largest capacity kept (a bigger one, grown
  // by one large mail, is freed when given back): at most 8 MiB per worker. On the uplink
  // profile at most 5 sessions were inside DATA at once, and with 256 KiB kept 11 of 169 mails
  // grew a buffer anew (a doubling string: about 15 allocations each).
  static constexpr std::size_t kPooledMessages = 8;
  static constexpr std::size_t kKeptMessageBytes = 1024 * 1024;

  // An empty buffer for a message, with the capacity an earlier one grew when one is free.
  std::string takeMessage() { return messages_.take([] { return std::string(); }); }
  void giveMessage(std::string message) {
    if (message.capacity() > kKeptMessageBytes) return messages_.discard(std::move(message));
    message.clear();
    messages_.give(std::move(message));
  }
  [[nodiscard]] FreeListCounters messageCounters() const { return messages_.counters(); }

  MailScratch scratch;

 private:
  FreeList<std::string> messages_{kPooledMessages};
};

}  // namespace gsoc::sensor
