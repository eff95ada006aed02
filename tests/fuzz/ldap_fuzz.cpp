// LDAP (sensor/app/LdapParser, LdapState: BER decoding of every operation and its controls,
// transactions by message id, StartTLS) over both directions, split where the input's records
// say (AppStream.hpp), with the first record's bytes also decoded alone and as a CLDAP
// datagram. Invariants: a decoded message uses no more bytes than it was given; a transaction
// is handed over complete once (and never updated after), a finished one holds a request or a
// response; the error count never goes down.
#include <cstdint>
#include <set>

#include "sensor/app/LdapParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    LdapMessage message;
    std::size_t used = 0;
    const LdapDecode result = decodeLdapMessage({data, size}, message, used);
    check(result != LdapDecode::Ok || (used > 0 && used <= size), "decoded message beyond its input");
  }
  LdapState ldap;
  std::uint64_t errors = 0;
  std::set<std::uint64_t> finished;
  const auto onTx = [&](FlowDirection dir, LdapTransaction& tx) {
    check(finished.count(tx.tx_id) == 0, "transaction updated after it was finished");
    if (dir != FlowDirection::Any) return;
    finished.insert(tx.tx_id);
    check(tx.complete, "transaction finished incomplete");
    check(tx.has_request || !tx.responses.empty(), "transaction with neither request nor response");
  };
  const LdapState::TransactionSink sink = onTx;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        ldap.pending(dir).append(bytes);
        ldap.pending(dir).release();
        ldap.parse(dir, sink);
        check(ldap.errors() >= errors, "error count went down");
        errors = ldap.errors();
      },
      [](FlowDirection) {});
  ldap.close(sink);
  ldap.reset();
  finished.clear();
  ldap.onDatagram(FlowDirection::ToClient, {data, size}, sink);
  ldap.close(sink);
  return 0;
}
