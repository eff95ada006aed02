// HTTP/2 in cleartext (sensor/app/Http2Parser, Http2Connection with HPACK) over both directions,
// split where the input's records say (AppStream.hpp). The client's connection preface is sent
// first by the harness, so the fuzzer spends its bytes on frames. Invariants: requests come
// from the client, responses from the server; bodies stay within the inspection cap; the error
// count never goes down. Messages also go through the signature engine's HTTP buffers.
#include <cstdint>
#include <string>
#include <vector>

#include "sensor/app/Http2Parser.hpp"
#include "sensor/app/HttpParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using namespace gsoc::sensor;

void checkMessage(gsoc::signatures::FlowDirection dir, const HttpMessage& m) {
  check(m.request == (dir == gsoc::signatures::FlowDirection::ToServer), "a message in the wrong direction");
  check(m.body.size() <= 4 * HttpState::kMaxBodyBytes, "body over four times the inspection cap");
  std::vector<std::string> scratch;
  gsoc::signatures::BufferSet buffers;
  fillHttpBuffers(m, scratch, buffers);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gsoc::signatures::EventSet events;
  Http2Connection h2(events);
  const Http2Connection::MessageSink sink = checkMessage;
  const auto preface = Http2Connection::kPreface;
  h2.feed(gsoc::signatures::FlowDirection::ToServer,
          std::span(reinterpret_cast<const std::uint8_t*>(preface.data()), preface.size()), sink);
  check(h2.errors() == 0, "the connection preface counted as an error");
  gsoc::fuzz::replayParser(h2, sink, data, size);
  return 0;
}
