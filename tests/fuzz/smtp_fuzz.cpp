// SMTP and MIME (sensor/app/SmtpParser): the conversation goes to SmtpState in both directions,
// split where the input's records say (AppStream.hpp); each record is also parsed on its own as
// a whole RFC 5322 message and as a header with RFC 2047 encoded words. Invariants: attachments
// carry a 64-digit SHA-256 and their decoded content (file.data) is their size; a transaction's
// message stays within kMaxMessageBytes (or is marked truncated); decoding encoded words never
// makes a header longer.
#include <cstdint>
#include <string>
#include <string_view>

#include "sensor/app/SmtpParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using namespace gsoc::sensor;

void checkTransaction(const MailTransaction& tx, MailStage /*stage*/ = MailStage::Received) {
  for (const auto& a : tx.attachments) {
    check(a.sha256.size() == 64 && gsoc::fuzz::isHex(a.sha256), "attachment hash is not 64 hex digits");
    check(a.md5.size() == 32 && gsoc::fuzz::isHex(a.md5), "attachment MD5 is not 32 hex digits");
    check(a.size <= SmtpState::kMaxMessageBytes, "attachment larger than the message cap");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  SmtpWorkspace workspace;
  SmtpState smtp(workspace);
  auto check_both = [](const MailTransaction& tx, MailStage stage) { checkTransaction(tx, stage); };
  const SmtpState::TransactionSink sink = check_both;
  gsoc::fuzz::replayStream(
      data, size,
      [&](gsoc::signatures::FlowDirection dir, std::span<const std::uint8_t> bytes) {
        smtp.feed(dir, bytes, sink);
        const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        MailTransaction tx;
        MailScratch scratch;
        parseMailMessage(text, tx, scratch);
        checkTransaction(tx);
        for (const auto& a : tx.attachments) {
          check(attachmentContent(scratch, a).size() == a.size, "file.data content is not the attachment's size");
        }
        check(decodeEncodedWords(text).size() <= text.size(), "encoded words decoded longer than written");
      },
      [&](gsoc::signatures::FlowDirection) { smtp.close(sink); });
  return 0;
}
