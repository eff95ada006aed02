#include "sensor/app/SshParser.hpp"

#include <algorithm>
#include <string_view>

#include "sensor/app/TlsParser.hpp"  // md5Hex

namespace gsoc::sensor {

using signatures::FlowDirection;

namespace {

constexpr std::uint8_t kMsgKexInit = 20;
constexpr std::uint8_t kMsgNewKeys = 21;
constexpr std::size_t kPacketHeaderBytes = 6;  // uint32 packet_length, byte padding_length, byte message code
constexpr std::size_t kCookieBytes = 16;

std::uint32_t be32(const char* p) {
  const auto b = [&](int i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

// Takes up to `want` bytes more of `data` (from `at`) into `into`; true when it holds `want`.
bool collect(std::string& into, std::size_t want, std::span<const std::uint8_t> data, std::size_t& at) {
  const std::size_t take = std::min(want - into.size(), data.size() - at);
  into.append(reinterpret_cast<const char*>(data.data() + at), take);
  at += take;
  return into.size() == want;
}

}  // namespace

void SshEndpoint::clear() {
  proto_version.clear();
  software_version.clear();
  hassh_string.clear();
  hassh.clear();
  banner_done = kexinit_done = finished = false;
}

bool parseSshBanner(std::string_view line, SshEndpoint& out) {
  if (!line.starts_with("SSH-")) return false;
  line.remove_prefix(4);
  const std::size_t dash = line.find('-');
  if (dash == 0 || dash == std::string_view::npos) return false;
  out.proto_version.assign(line.substr(0, dash));
  const std::string_view rest = line.substr(dash + 1);
  out.software_version.assign(rest.substr(0, rest.find_first_of(" \r\n")));
  return true;
}

bool parseSshKexInit(std::span<const std::uint8_t> payload, bool client, SshEndpoint& out) {
  if (payload.size() < kCookieBytes) return false;
  std::size_t at = kCookieBytes;
  // Name-lists in order: kex, host key, encryption c2s, s2c, MAC c2s, s2c, compression c2s, s2c.
  std::string_view lists[8];
  for (std::string_view& list : lists) {
    if (payload.size() - at < 4) return false;
    const std::uint32_t length = be32(reinterpret_cast<const char*>(payload.data() + at));
    at += 4;
    if (payload.size() - at < length) return false;
    list = {reinterpret_cast<const char*>(payload.data() + at), length};
    at += length;
  }
  const std::size_t own = client ? 0 : 1;  // the lists of the direction this side sends in
  out.hassh_string.assign(lists[0]);
  for (const std::size_t i : {2 + own, 4 + own, 6 + own}) {
    out.hassh_string.push_back(';');
    out.hassh_string.append(lists[i]);
  }
  md5Hex(out.hassh_string, out.hassh);
  return true;
}

void SshState::malformed(Side& side) {
  ++errors_;
  side.phase = Phase::Done;
  side.endpoint.finished = true;
  side.pending.clear();
}

void SshState::feed(FlowDirection dir, std::span<const std::uint8_t> data, const StageSink& sink) {
  const bool client = dir == FlowDirection::ToServer;
  Side& side = sides_[client ? 0 : 1];
  std::size_t at = 0;
  while (at < data.size() && side.phase != Phase::Done) {
    switch (side.phase) {
      case Phase::Banner: {
        const auto* begin = data.data() + at;
        const auto* eol = std::find(begin, data.data() + data.size(), '\n');
        const std::size_t take = static_cast<std::size_t>(eol - begin);
        if (side.pending.size() + take > kMaxBannerBytes) {
          malformed(side);
          break;
        }
        side.pending.append(reinterpret_cast<const char*>(begin), take);
        at += take;
        if (at == data.size()) break;  // the line goes on in the next segment
        ++at;                          // the '\n'
        std::string_view line = side.pending;
        if (line.ends_with('\r')) line.remove_suffix(1);
        if (!parseSshBanner(line, side.endpoint)) {
          malformed(side);
          break;
        }
        side.endpoint.banner_done = true;
        side.pending.clear();
        // SSH-1 has no KEXINIT; "1.99" is a version 2 server that also speaks 1.
        const bool v2 = side.endpoint.proto_version == "2.0" || side.endpoint.proto_version == "1.99";
        side.phase = v2 ? Phase::PacketHeader : Phase::Done;
        side.endpoint.finished = !v2;
        sink(dir, SshStage::Banner);
        break;
      }
      case Phase::PacketHeader: {
        if (!collect(side.pending, kPacketHeaderBytes, data, at)) break;
        const std::uint32_t length = be32(side.pending.data());
        const auto code = static_cast<std::uint8_t>(side.pending[5]);
        if (length < 2 || length > kMaxPacketBytes) {
          malformed(side);
          break;
        }
        side.left = length - 2;
        side.pending.clear();
        if (code == kMsgNewKeys) {  // what follows is encrypted
          side.phase = Phase::Done;
          side.endpoint.finished = true;
        } else if (code == kMsgKexInit && side.left <= kMaxKexInitBytes) {
          side.phase = Phase::PacketBody;
        } else {
          side.phase = Phase::Skip;
        }
        break;
      }
      case Phase::PacketBody: {
        if (!collect(side.pending, side.left, data, at)) break;
        // The padding is at the end of the payload; the lists never reach it in a well-formed
        // packet, so it needs no trimming.
        const std::span<const std::uint8_t> payload(reinterpret_cast<const std::uint8_t*>(side.pending.data()),
                                                    side.pending.size());
        if (!parseSshKexInit(payload, client, side.endpoint)) {
          malformed(side);
          break;
        }
        side.endpoint.kexinit_done = true;
        side.pending.clear();
        side.phase = Phase::PacketHeader;
        sink(dir, SshStage::KexInit);
        break;
      }
      case Phase::Skip: {
        const std::size_t take = std::min<std::size_t>(side.left, data.size() - at);
        at += take;
        side.left -= static_cast<std::uint32_t>(take);
        if (side.left == 0) side.phase = Phase::PacketHeader;
        break;
      }
      case Phase::Done: break;
    }
  }
}

void SshState::reset() {
  constexpr std::size_t kKeepBytes = 16 * 1024;  // a larger buffer is given back, not kept
  for (Side& side : sides_) {
    if (side.pending.capacity() > kKeepBytes) std::string().swap(side.pending);
    else side.pending.clear();
    side.phase = Phase::Banner;
    side.left = 0;
    side.endpoint.clear();
  }
  logged = false;
  errors_ = 0;
  awaiting_ack.clear();
  uninspected[0] = uninspected[1] = 0;
  events.clear();
}

}  // namespace gsoc::sensor
