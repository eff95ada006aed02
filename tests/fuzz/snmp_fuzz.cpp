// SNMP (sensor/app/SnmpParser, DerReader: v1, v2c and v3 messages, PDUs, traps, USM) over both
// directions, each record one datagram. Invariants: transaction ids count up from 0 without a
// gap; a version is 1, 2 or 3, a community only on 1 and 2, a USM name only on 3; an encrypted
// message has no PDU; the error count never goes down.
#include <cstdint>

#include "sensor/app/SnmpParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  SnmpState snmp;
  std::uint64_t errors = 0;
  std::uint64_t next_id = 0;
  const auto onMessage = [&](FlowDirection, const SnmpMessage& m) {
    check(m.tx_id == next_id++, "transaction ids out of order");
    check(m.version >= 1 && m.version <= 3, "version out of range");
    check(!m.has_community || m.version < 3, "a community on v3");
    check(!m.has_usm || m.version == 3, "a USM name before v3");
    check(!(m.encrypted && m.has_pdu), "an encrypted message with a PDU");
    check(!m.has_pdu || m.pdu_type <= 8, "PDU type out of range");
  };
  const SnmpState::MessageSink sink = onMessage;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        snmp.datagram(dir, bytes, sink);
        check(snmp.errors() >= errors, "error count went down");
        errors = snmp.errors();
      },
      [](FlowDirection) {});
  snmp.reset();
  return 0;
}
