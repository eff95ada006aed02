// SSH's cleartext opening (sensor/app/SshParser, SshState: banners, binary packets, KEXINIT and
// HASSH) over both directions, split where the input's records say (AppStream.hpp). Invariants:
// a stage is reported for the side that sent it, a banner only once per side and before that
// side's KEXINIT; HASSH is the MD5 of its string, 32 hex digits; the error count never goes down.
#include <cstdint>

#include "sensor/app/SshParser.hpp"
#include "sensor/app/TlsParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::fuzz::isHex;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  SshState ssh;
  std::uint64_t errors = 0;
  int banners[2] = {0, 0};
  const auto stage = [&](FlowDirection dir, SshStage s) {
    const bool client = dir == FlowDirection::ToServer;
    const SshEndpoint& side = client ? ssh.client() : ssh.server();
    if (s == SshStage::Banner) {
      check(++banners[client ? 0 : 1] == 1, "a side's banner reported twice");
      check(side.banner_done && !side.kexinit_done, "banner reported out of order");
    } else {
      check(side.banner_done && side.kexinit_done, "KEXINIT reported before the side's banner");
      check(side.hassh.size() == 32 && isHex(side.hassh), "HASSH is not 32 hex digits");
      check(side.hassh == md5Hex(side.hassh_string), "HASSH is not the MD5 of its string");
    }
  };
  const SshState::StageSink sink = stage;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        ssh.feed(dir, bytes, sink);
        check(ssh.errors() >= errors, "error count went down");
        errors = ssh.errors();
      },
      [](FlowDirection) {});
  return 0;
}
