// WebSocket (sensor/app/WebsocketParser, WebsocketState: headers of every length form, masking,
// fragmented messages around control frames, permessage-deflate) and its frames (FlowFrames with
// the websocket protocol) over both directions, split where the input's records say
// (AppStream.hpp); the first byte's low bit turns permessage-deflate on. Invariants: transaction
// ids increase by one; a payload stays within the cap; frames lie within the bytes seen, their
// parts within their PDU; the error count never goes down.
#include <cstdint>

#include "gsoc/signatures/Frame.hpp"
#include "sensor/app/FlowFrames.hpp"
#include "sensor/app/WebsocketParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::AppProto;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  WebsocketState ws;
  ws.setDeflate((data[0] & 1) != 0);
  FlowFrames frames;
  std::uint64_t errors = 0;
  std::uint64_t next_tx = 0;
  std::uint64_t seen[2] = {0, 0};
  const auto onFrame = [&](const WebsocketFrame& f) {
    check(f.tx_id == next_tx++, "transaction ids out of order");
    check(f.payload.size() <= WebsocketState::kMaxPayload, "payload beyond the cap");
  };
  const WebsocketState::FrameSink sink = onFrame;
  const FrameSink frame_sink = [&](const Frame& f) {
    check(gsoc::signatures::isFrameBuffer(f.type), "not a frame type");
    check(f.bytes.size() == f.length, "frame length and bytes differ");
    check(f.stream_offset + f.length <= seen[f.direction == FlowDirection::ToServer ? 0 : 1], "frame beyond the bytes seen");
  };
  gsoc::fuzz::replayStream(
      data + 1, size - 1,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        ws.feed(dir, bytes, sink);
        check(ws.errors() >= errors, "error count went down");
        errors = ws.errors();
        seen[dir == FlowDirection::ToServer ? 0 : 1] += bytes.size();
        frames.onStream(AppProto::Websocket, dir, bytes, frame_sink);
      },
      [](FlowDirection) {});
  frames.onEnd(AppProto::Websocket, frame_sink);
  ws.reset();
  frames.reset();
  return 0;
}
