// NTP (sensor/app/NtpParser: version 3 and 4 messages) over both directions, each record one
// datagram. Invariants: transaction ids count up from 0 without a gap; a message has version 3
// or 4 and a mode below 8; the error count never goes down.
#include <cstdint>

#include "sensor/app/NtpParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  NtpState ntp;
  std::uint64_t errors = 0;
  std::uint64_t next_id = 0;
  const auto onMessage = [&](const NtpMessage& m) {
    check(m.tx_id == next_id++, "transaction ids out of order");
    check(m.version == 3 || m.version == 4, "a version other than 3 or 4");
    check(m.mode < 8, "mode out of range");
  };
  const NtpState::MessageSink sink = onMessage;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection, std::span<const std::uint8_t> bytes) {
        ntp.datagram(bytes, sink);
        check(ntp.errors() >= errors, "error count went down");
        errors = ntp.errors();
      },
      [](FlowDirection) {});
  ntp.reset();
  return 0;
}
