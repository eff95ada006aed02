// DNS over HTTP/2 (sensor/app/DnsOverHttp2): the first input byte picks a GET (the rest is its
// path) or a body of type application/dns-message (the rest is the body); what it carries is
// parsed as DNS as the app layer does. Invariants: base64url output is 3/4 of its input at most;
// a body's DNS bytes are the body itself, never past 64 KiB.
#include <cstdint>
#include <string>

#include "sensor/app/DnsOverHttp2.hpp"
#include "sensor/app/DnsParser.hpp"
#include "sensor/app/HttpParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  HttpMessage m;
  m.http2 = true;
  if (data[0] & 1) {
    m.method = "GET";
    m.raw_uri = rest;
  } else {
    m.method = "POST";
    m.headers.emplace_back("content-type", "application/dns-message");
    m.body = rest;
    m.body_wire_bytes = rest.size();
  }
  std::string scratch;
  const DohPayload p = dohPayload(m, scratch);
  if (p.kind == DohPayload::Kind::Dns) {
    if (data[0] & 1) check(p.bytes.size() * 4 <= rest.size() * 3 + 3, "base64url grew");
    else check(p.bytes.size() == rest.size() && p.bytes.size() < 0xFFFF, "body bytes changed");
    DnsMessage dns;
    (void)parseDnsMessage(p.bytes, dns);
  }
  std::string out;
  if (decodeBase64Url(rest, out)) check(out.size() * 4 <= rest.size() * 3 + 3, "base64url grew");
  return 0;
}
