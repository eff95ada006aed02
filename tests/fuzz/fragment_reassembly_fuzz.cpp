// IP fragment reassembly (sensor/decode/FragmentReassembler) behind the packet decoder: each
// record is one raw IPv4 or IPv6 packet. Control bits 1-2 advance the clock (0-60 s), bit 3
// expires idle datagrams first, bit 7 replaces a fragment's payload with the bytes a consistent
// sender would have put at its offset. A 64 KiB cap makes the fuzzer reach the memcap path.
// Invariants: a reassembled datagram is at most 65535 bytes, no longer a fragment, and its
// transport header decodes within it; pending datagrams never outnumber the fragments; counters
// add up; and while all fragments are consistent, the reassembled bytes are the ones sent, in
// whatever order and overlap the fragments came.
#include <cstdint>
#include <vector>

#include "sensor/decode/FragmentReassembler.hpp"
#include "sensor/decode/PacketDecoder.hpp"
#include "tests/fuzz/FuzzRecords.hpp"

namespace {

using gsoc::fuzz::check;
using namespace gsoc::sensor;

std::uint8_t sent(std::uint32_t id, std::uint32_t offset) {
  return static_cast<std::uint8_t>(((id * 31u + offset) * 2654435761u) >> 24);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gsoc::fuzz::RecordReader reader(data, size);
  PacketDecoder decoder;
  FragmentReassembler reassembler(64 << 10, 60'000'000'000);
  std::int64_t now = 1'700'000'000'000'000'000;
  bool consistent = true;
  std::vector<std::uint8_t> frame, fill;
  while (auto record = reader.next()) {
    now += std::int64_t{(record->control >> 1) & 3} * 20'000'000'000;
    if (record->control & 8) reassembler.expire(now);
    frame.assign(record->bytes.begin(), record->bytes.end());
    RawPacket raw{now, frame, static_cast<std::uint32_t>(frame.size()), LinkType::Raw};
    DecodedPacket packet;
    if (!decoder.decode(raw, packet) || !packet.is_fragment) continue;
    if (record->control & 0x80) {
      fill.resize(packet.ip_payload.size());
      for (std::size_t i = 0; i < fill.size(); ++i) {
        fill[i] = sent(packet.fragment_id, packet.fragment_offset + static_cast<std::uint32_t>(i));
      }
      packet.ip_payload = fill;
    } else {
      consistent = false;
    }
    const std::span<const std::uint8_t> whole = reassembler.add(packet);
    const FragmentCounters& c = reassembler.counters();
    check(reassembler.pending() <= c.fragments, "more datagrams pending than fragments taken");
    check(c.reassembled + c.too_large + c.memcap_dropped <= c.fragments, "fragment counters do not add up");
    if (whole.empty()) continue;
    check(whole.size() <= 65535, "reassembled datagram over 65535 bytes");
    check(!packet.is_fragment && packet.fragment_offset == 0 && !packet.more_fragments,
          "a reassembled packet still looks like a fragment");
    if (consistent) {
      for (std::size_t i = 0; i < whole.size(); ++i) {
        check(whole[i] == sent(packet.fragment_id, static_cast<std::uint32_t>(i)), "reassembled byte differs from the sent one");
      }
    }
    // As the worker does: the transport header again, from the reassembled payload.
    const std::vector<std::uint8_t> exact(whole.begin(), whole.end());
    if (decoder.decodeTransport(exact, packet)) {
      check(packet.payload.empty() ||
                (packet.payload.data() >= exact.data() && packet.payload.data() + packet.payload.size() <= exact.data() + exact.size()),
            "transport payload outside the reassembled datagram");
    }
  }
  return 0;
}
