// SMB (sensor/app/SmbParser: NBSS, SMB2 and SMB1 commands, trees, files, named pipes with their
// DCERPC calls) and DCERPC over TCP (DcerpcParser: PDU framing, binds, calls) over both
// directions, split where the input's records say (AppStream.hpp). Bit 1 of a record's control
// byte picks the parser for the whole input (first record), bit 2 releases the bytes at once (as
// stream.inline) instead of at the other side's next record (IDS mode). Invariants: the error
// count never goes down; transactions, interfaces, kept stub and file bytes stay within their
// caps; a closed file without holes has 32- and 64-digit hex hashes; after close() every file
// transaction is complete.
#include <cstdint>

#include "sensor/app/DcerpcParser.hpp"
#include "sensor/app/SmbParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::fuzz::isHex;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

FlowDirection other(FlowDirection d) { return d == FlowDirection::ToServer ? FlowDirection::ToClient : FlowDirection::ToServer; }

void checkSession(DceSession& session) {
  check(session.transactions().size() <= DceSession::kMaxTransactions, "too many DCERPC calls kept");
  check(session.interfaces().size() <= DceSession::kMaxInterfaces, "too many DCERPC interfaces kept");
  for (const DceTransaction& tx : session.transactions()) {
    check(tx.stub_ts.size() <= DceSession::kMaxStubBytes && tx.stub_tc.size() <= DceSession::kMaxStubBytes, "stub over its cap");
    check(tx.pdu_ts.size() <= 0xffff && tx.pdu_tc.size() <= 0xffff, "a PDU longer than a fragment can be");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gsoc::fuzz::RecordReader peek(data, size);
  const auto first = peek.next();
  const bool smb = !first || (first->control & 2) == 0;
  SmbState smb_state;
  DcerpcState dce_state;
  std::uint64_t errors = 0;
  auto pending = [&](FlowDirection d) -> AckedBytes& { return smb ? smb_state.pending(d) : dce_state.pending(d); };
  auto parse = [&](FlowDirection d) {
    if (smb) smb_state.parse(d);
    else dce_state.parse(d);
    const std::uint64_t now = smb ? smb_state.errors() : dce_state.errors();
    check(now >= errors, "error count went down");
    errors = now;
    if (smb) {
      check(smb_state.transactions().size() <= SmbState::kMaxTransactions, "too many SMB transactions kept");
      std::size_t kept = 0;
      for (const SmbTransaction& tx : smb_state.transactions()) {
        kept += tx.file.data.size();
        check(tx.file.data.size() <= SmbFile::kMaxInspectedBytes, "file data over its cap");
        if (!tx.file.md5.empty()) check(tx.file.md5.size() == 32 && isHex(tx.file.md5), "file MD5 is not 32 hex digits");
        if (!tx.file.sha256.empty()) check(tx.file.sha256.size() == 64 && isHex(tx.file.sha256), "file SHA-256 is not 64 hex digits");
      }
      check(kept <= SmbState::kMaxKeptFileBytes, "kept file bytes over the connection's cap");
      checkSession(smb_state.pipes());
    } else {
      checkSession(dce_state.session());
    }
  };
  gsoc::fuzz::RecordReader reader(data, size);
  std::string copy;
  while (auto record = reader.next()) {
    copy.assign(record->bytes.begin(), record->bytes.end());
    const FlowDirection dir = gsoc::fuzz::directionOf(*record);
    // IDS mode: this record acknowledges what the other side sent before it.
    pending(other(dir)).release();
    parse(other(dir));
    pending(dir).append(std::span(reinterpret_cast<const std::uint8_t*>(copy.data()), copy.size()));
    if (record->control & 4) {
      pending(dir).release();
      parse(dir);
    }
    if (smb) smb_state.pruneFinished();
  }
  for (const FlowDirection d : {FlowDirection::ToServer, FlowDirection::ToClient}) {
    pending(d).release();
    parse(d);
  }
  if (smb) {
    smb_state.close();
    for (const SmbTransaction& tx : smb_state.transactions()) {
      if (tx.type == SmbTransaction::Type::File) check(tx.complete(), "a file transaction left open after close()");
    }
  }
  return 0;
}
