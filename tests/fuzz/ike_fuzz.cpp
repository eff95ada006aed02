// IKE (sensor/app/IkeParser: ISAKMP headers, IKEv1 SA/proposal/transform nesting and attributes,
// IKEv2 payload chains and proposals) over both directions, each record a UDP datagram, on port
// 500 and behind the NAT-T marker (AppStream.hpp splits the input). Invariants: transaction ids
// are handed out in order; a message is IKEv1 or IKEv2; the error count never goes down.
#include <cstdint>

#include "sensor/app/IkeParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  IkeState plain, nat;
  std::uint64_t next[2] = {0, 0};
  std::uint64_t errors = 0;
  const auto onMessage = [&](std::size_t which) {
    return [&, which](FlowDirection, const IkeMessage& m) {
      check(m.tx_id == next[which]++, "transaction ids out of order");
      check(m.version_major == 1 || m.version_major == 2, "a message of another version");
      check(m.transforms.attributes.size() == (m.transforms.size() ? m.transforms.ends.back() : 0u), "transform ends disagree");
    };
  };
  const auto plain_sink = onMessage(0);
  const auto nat_sink = onMessage(1);
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        plain.datagram(dir, bytes, false, plain_sink);
        nat.datagram(dir, bytes, true, nat_sink);
        check(plain.errors() >= errors, "error count went down");
        errors = plain.errors();
      },
      [](FlowDirection) {});
  plain.reset();
  nat.reset();
  return 0;
}
