// SIP (sensor/app/SipParser, SipState: start lines, headers, Content-Length framing, SDP bodies)
// over both directions, each record fed once as TCP stream data and once as a UDP datagram.
// Invariants: a request has a method, a URI and a line starting with them; a response's code is
// three digits and its line starts with the version; a TCP body is as long as its Content-Length
// says; transaction ids only grow; the error count never goes down.
#include <cctype>
#include <cstdint>
#include <string>

#include "sensor/app/SipParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  SipState tcp;
  SipState udp;
  std::uint64_t errors = 0;
  std::uint64_t next_tx = 0;
  bool stream = true;
  const auto onMessage = [&](FlowDirection, const SipMessage& m) {
    check(m.tx_id >= next_tx, "transaction id went back");
    next_tx = m.tx_id + 1;
    check(m.version.starts_with("SIP/"), "message without a SIP version");
    if (m.request) {
      check(!m.method.empty() && !m.uri.empty(), "request without a method or URI");
      check(m.line.starts_with(m.method + " " + m.uri + " "), "request line apart from its parts");
    } else {
      check(m.code.size() == 3 && std::isdigit(static_cast<unsigned char>(m.code[0])) != 0, "status code not three digits");
      check(m.line.starts_with(m.version + " " + m.code + " "), "status line apart from its parts");
    }
    if (stream) {
      std::size_t length = 0;
      m.forEach("Content-Length", [&](std::string_view v) { length = std::stoul(std::string(v)); });
      check(m.body.size() == length, "TCP body not its Content-Length");
    }
  };
  const SipState::MessageSink sink = onMessage;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        stream = true;
        next_tx = tcp.transactions();
        tcp.feed(dir, bytes, sink);
        check(tcp.errors() >= errors, "error count went down");
        errors = tcp.errors();
        stream = false;
        next_tx = udp.transactions();
        udp.datagram(dir, bytes, sink);
      },
      [](FlowDirection) {});
  tcp.reset();
  udp.reset();
  return 0;
}
