// HTTP/1.x (sensor/app/HttpParser, HttpState) over both directions of a connection, split where
// the input's records say (AppStream.hpp); an HTTP/2 preface hands the connection to HTTP/2 as
// in the sensor. Each message is also turned into the signature engine's buffers. Invariants: a
// request comes from the client and a response from the server; bodies stay within the
// inspection cap (decoded: at most four times it); the error count never goes down.
#include <cstdint>
#include <string>
#include <vector>

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
  const HttpMessage s = m.summary();
  check(s.request == m.request && s.body.empty() && s.headers.size() <= 3, "summary keeps more than it should");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  HttpState http;
  const HttpState::MessageSink sink = checkMessage;
  gsoc::fuzz::replayParser(http, sink, data, size);
  return 0;
}
