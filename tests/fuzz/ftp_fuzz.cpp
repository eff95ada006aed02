// FTP's control channel (sensor/app/FtpParser, FtpState: command and reply lines, transactions,
// data ports) over both directions, split where the input's records say (AppStream.hpp).
// Invariants: transaction ids strictly increase; no line kept beyond kMaxLineBytes (a cut line
// says so); a completion code is three digits; a transaction with codes had a reply.
#include <cstdint>

#include "sensor/app/FtpParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FtpState ftp;
  std::uint64_t next_id = 0;
  const auto onTx = [&](const FtpTransaction& tx) {
    check(tx.tx_id >= next_id, "transaction ids went back");
    next_id = tx.tx_id + 1;
    check(tx.command.size() + tx.command_data.size() <= FtpState::kMaxLineBytes, "command line longer than the cap");
    for (const std::string& code : tx.codes) {
      check(code.size() == 3 && code.find_first_not_of("0123456789") == std::string::npos, "completion code not 3 digits");
    }
    for (const std::string& reply : tx.replies) check(reply.size() <= FtpState::kMaxLineBytes, "reply line longer than the cap");
    check(tx.codes.empty() || tx.reply_received, "codes without a reply");
  };
  const FtpState::TransactionSink sink = onTx;
  gsoc::fuzz::replayStream(
      data, size, [&](FlowDirection dir, std::span<const std::uint8_t> bytes) { ftp.feed(dir, bytes, sink); },
      [](FlowDirection) {});
  ftp.close(sink);
  ftp.reset();
  return 0;
}
