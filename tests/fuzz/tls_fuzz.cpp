// TLS handshakes (sensor/app/TlsParser, TlsState: ClientHello with SNI, JA3 and JA4, ServerHello
// with JA3S, certificate chains through OpenSSL) over both directions, split where the input's
// records say (AppStream.hpp). Invariants: a ClientHello, or the client's certificate (client
// authentication), comes from the client, and the server side yields neither; JA3/JA3S hashes are the MD5 of their strings; JA4 has its fixed shape
// (10 characters, then two 12-digit hex hashes); the error count never goes down.
#include <cstdint>
#include <string>

#include "sensor/app/TlsParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::fuzz::isHex;
using namespace gsoc::sensor;

void checkHandshake(gsoc::signatures::FlowDirection dir, const TlsHandshake& h) {
  const bool from_client = dir == gsoc::signatures::FlowDirection::ToServer;
  // From the client: its hello, or its second flight's Certificate (client authentication).
  check(!h.client_certificate || !h.client_hello, "a handshake both a ClientHello and the client's certificate");
  check((h.client_hello || h.client_certificate) == from_client,
        "a ClientHello or client certificate from the server, or a server hello from the client");
  if (!h.ja3.empty()) check(h.ja3_hash == md5Hex(h.ja3), "JA3 hash is not the MD5 of the JA3 string");
  if (!h.ja3s.empty()) check(h.ja3s_hash == md5Hex(h.ja3s), "JA3S hash is not the MD5 of the JA3S string");
  check(h.ja3_hash.empty() || (h.ja3_hash.size() == 32 && isHex(h.ja3_hash)), "JA3 hash is not 32 hex digits");
  if (!h.ja4.empty()) {
    check(from_client, "JA4 on the server side");
    check(h.ja4.size() == 36 && h.ja4[10] == '_' && h.ja4[23] == '_', "JA4 is not a_b_c of 10, 12 and 12 characters");
    check(isHex(h.ja4.substr(11, 12)) && isHex(h.ja4.substr(24)), "JA4 hashes are not hex");
    for (std::size_t i = 0; i < 10; ++i) {
      check(h.ja4[i] > 0x20 && h.ja4[i] < 0x7f, "JA4's first part is not printable ASCII");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  TlsState tls;
  std::uint64_t errors = 0;
  const TlsState::HandshakeSink sink = checkHandshake;
  gsoc::fuzz::replayStream(
      data, size,
      [&](gsoc::signatures::FlowDirection dir, std::span<const std::uint8_t> bytes) {
        tls.feed(dir, bytes, sink);
        check(tls.errors() >= errors, "error count went down");
        errors = tls.errors();
      },
      [](gsoc::signatures::FlowDirection) {});
  return 0;
}
