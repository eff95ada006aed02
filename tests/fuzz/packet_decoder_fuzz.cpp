// L2-L4 decoding (sensor/decode/PacketDecoder) of any frame on every link type: byte 0 picks the
// link type, the rest is the frame. Invariants: every view the decoder hands out lies inside the
// captured bytes, each packet is counted exactly once (decoded, a fragment, or one error reason),
// and a decoded packet is IPv4 or IPv6; a transport header decoded again from the IP payload (as
// after reassembly) obeys the same rules. The packets a tunneled one came through (tunnel roots)
// are each counted as decoded, lie inside the frame and nest one level per tunnel.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "sensor/decode/PacketDecoder.hpp"
#include "tests/fuzz/FuzzRecords.hpp"

namespace {

using gsoc::fuzz::check;
using namespace gsoc::sensor;

constexpr std::array<LinkType, 9> kLinkTypes = {LinkType::Ethernet, LinkType::LinuxSll, LinkType::Null,
                                                LinkType::Loop, LinkType::CiscoHdlc, LinkType::Raw,
                                                LinkType::RawIpv4, LinkType::RawIpv6, LinkType::Ppp};

bool inside(std::span<const std::uint8_t> view, std::span<const std::uint8_t> buffer) {
  if (view.empty()) return true;
  return view.data() >= buffer.data() && view.data() + view.size() <= buffer.data() + buffer.size();
}

std::uint64_t errorTotal(const DecodeCounters& c) {
  std::uint64_t n = 0;
  for (const auto e : c.errors) n += e;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // An exact-size copy, so ASan catches a read one byte past the frame.
  const std::vector<std::uint8_t> frame(data + 1, data + size);
  RawPacket raw;
  raw.data = frame;
  raw.wire_length = static_cast<std::uint32_t>(frame.size());
  raw.link_type = kLinkTypes[data[0] % kLinkTypes.size()];
  if (data[0] >= 0xf8) raw.link_type = static_cast<LinkType>(data[0]);  // unknown link types too

  PacketDecoder decoder;
  DecodedPacket packet;
  const bool ok = decoder.decode(raw, packet);
  const DecodeCounters& c = decoder.counters();
  const std::span<DecodedPacket> roots = decoder.tunnelRoots();
  for (std::size_t i = 0; i < roots.size(); ++i) {
    check(roots[i].is_tunnel_root && roots[i].recursion_level == i, "a tunnel root at the wrong level");
    check(inside(roots[i].payload, frame) && inside(roots[i].frame, frame), "a tunnel root's view points outside the frame");
  }
  check(packet.recursion_level == roots.size(), "the packet's recursion level is not its tunnel count");
  check(inside(packet.frame, frame), "a pseudo packet outside the frame");
  if (ok) {
    check(c.decoded + c.fragments == 1 + roots.size() && errorTotal(c) == 0, "a decoded packet is not counted once");
    check(packet.ip_version == 4 || packet.ip_version == 6, "decoded packet is neither IPv4 nor IPv6");
    check(packet.ip_version == 6 || (packet.src.isV4() && packet.dst.isV4()), "an IPv4 packet with IPv6 addresses");
    check(inside(packet.payload, frame) && inside(packet.ip_payload, frame), "a view points outside the frame");
    check(packet.is_fragment == (c.fragments == 1), "fragment flag and counter disagree");
    if (!packet.is_fragment) {
      check(packet.ip_payload.empty() || inside(packet.payload, packet.ip_payload),
            "transport payload outside the IP payload");
    }
    if (!packet.ip_payload.empty()) {
      // The reassembler's path: the transport header decoded again from the IP payload alone.
      PacketDecoder again;
      DecodedPacket whole = packet;
      whole.payload = {};
      if (again.decodeTransport(packet.ip_payload, whole)) {
        check(inside(whole.payload, packet.ip_payload), "decodeTransport view outside its input");
      }
    }
  } else {
    check(c.decoded == roots.size() && c.fragments == 0 && errorTotal(c) == 1, "a failed packet is not counted as one error");
  }
  return 0;
}
