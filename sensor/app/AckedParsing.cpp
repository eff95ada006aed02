// HTTP/1, SMTP and SSH parsed as Suricata in IDS mode parses them (issue 15): a side's bytes wait
// until the other side acknowledges them, and are parsed at that side's next packet, where
// Suricata inspects the transactions they complete (it parses them at the acknowledging packet,
// but inspects a transaction only with a packet of its own direction). An SMTP server's replies
// are parsed at the client's acknowledging packet, which completes the mail they answer there.
// With stream.inline, or when the other side is never seen, bytes are parsed as they arrive.

#include "sensor/app/AppLayer.hpp"

#include <algorithm>
#include <utility>

namespace gsoc::sensor {

using signatures::AppProto;
using signatures::FlowDirection;

namespace {
FlowDirection other(FlowDirection dir) { return dir == FlowDirection::ToServer ? FlowDirection::ToClient : FlowDirection::ToServer; }
std::span<const std::uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }
}  // namespace

AckedSides* AppLayer::heldBytes(Flow& flow) {
  if (!flow.app_layer.state || flow.ip_proto != 6) return nullptr;
  switch (flow.app) {
    case AppProto::Http:
    case AppProto::Http2:
    case AppProto::Doh2: return &static_cast<HttpState&>(*flow.app_layer.state).awaiting_ack;
    case AppProto::Smtp: return &static_cast<SmtpState&>(*flow.app_layer.state).awaiting_ack;
    case AppProto::Ssh: return &static_cast<SshState&>(*flow.app_layer.state).awaiting_ack;
    default: return nullptr;
  }
}

void AppLayer::holdOrParse(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts) {
  AckedSides& held = *heldBytes(flow);
  if (flow.app != AppProto::Smtp && flow.app != AppProto::Ssh && !held.on_arrival) {
    auto& http = static_cast<HttpState&>(*flow.app_layer.state);
    // HTTP/2 (prior knowledge, or an h2c upgrade) keeps its own timing: parsed on arrival.
    const bool preface = dir == FlowDirection::ToServer && flow.detect.inspected[Flow::kToServer] == data.size() &&
                         std::string_view(reinterpret_cast<const char*>(data.data()), data.size()).starts_with("PRI ");
    if (preface || http.http2()) held.on_arrival = true;
  }
  const std::size_t side = dir == FlowDirection::ToServer ? Flow::kToServer : Flow::kToClient;
  const bool gap = flow.app == AppProto::Http &&
                   flow.streams[side].counters().gap_bytes != static_cast<HttpState&>(*flow.app_layer.state).gap_bytes_seen[side];
  if (held.on_arrival || parsesOnArrival(flow, dir) || gap) {
    // What waits comes first (all of it: these bytes cannot wait behind it), then these.
    for (const FlowDirection d : {FlowDirection::ToServer, FlowDirection::ToClient}) {
      if (heldBytes(flow) == nullptr) break;
      if (!(*heldBytes(flow))[d].empty()) {
        (*heldBytes(flow))[d].release();
        parseHeld(flow, d, ts);
      }
    }
    if (heldBytes(flow) == nullptr) {  // the protocol changed (a tunnel): the bytes are the new one's
      onStream(flow, dir, data, ts);
      return;
    }
    parseNow(flow, dir, data, ts);
    return;
  }
  held[dir].append(data, http_messages_.buffers());
}

void AppLayer::parseNow(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts) {
  switch (flow.app) {
    case AppProto::Http:
    case AppProto::Http2:
    case AppProto::Doh2: {
      auto& http = static_cast<HttpState&>(*flow.app_layer.state);
      const auto sink = [&](FlowDirection d, const HttpMessage& m) {
        if (m.http2 && flow.app == AppProto::Http) flow.app = AppProto::Http2;  // its first frames
        onHttp(flow, d, m, ts);
      };
      const std::size_t side = dir == FlowDirection::ToServer ? 0 : 1;
      if (const std::uint64_t lost = flow.streams[side].counters().gap_bytes; lost != http.gap_bytes_seen[side]) {
        http.gap(dir, lost - http.gap_bytes_seen[side], sink);  // the hole comes before these bytes
        http.gap_bytes_seen[side] = lost;
      }
      http.feed(dir, data, sink);
      if (http.http2() && flow.app == AppProto::Http) flow.app = AppProto::Http2;  // the client's preface
      if (http.tunnel() || http.websocket()) {
        // What either side sent past the exchange and HTTP has not parsed yet is the new
        // protocol's too, after what HTTP held.
        for (const FlowDirection d : {FlowDirection::ToServer, FlowDirection::ToClient}) {
          std::string_view rest = http.awaiting_ack[d].held();
          if (d == held_parsing_dir_) rest.remove_prefix(std::min(rest.size(), held_parsing_));  // being parsed now
          http.tunnelBytes(d).append(rest.data(), rest.size());
          http.awaiting_ack[d].clear();
        }
        // Messages waiting for their inspection are inspected now: the state goes.
        inspectQueued(flow, FlowDirection::ToServer, ts);
        inspectQueued(flow, FlowDirection::ToClient, ts);
        if (http.tunnel()) openTunnel(flow, ts);
        else openWebsocket(flow, ts);
      }
      break;
    }
    case AppProto::Smtp: {
      auto& smtp = static_cast<SmtpState&>(*flow.app_layer.state);
      const auto sink = [&](const MailTransaction& m, MailStage stage) { onMail(flow, m, stage, ts); };
      smtp.feed(dir, data, sink);
      if (stream_inline_ && dir == FlowDirection::ToClient) smtp.clientPacket(sink);  // the reply, as it arrives
      break;
    }
    case AppProto::Ssh:
      static_cast<SshState&>(*flow.app_layer.state).feed(dir, data, [&](FlowDirection d, SshStage stage) { onSsh(flow, d, stage, ts); });
      break;
    default: break;
  }
}

void AppLayer::parseHeld(Flow& flow, FlowDirection dir, std::int64_t ts) {
  AckedSides* held = heldBytes(flow);
  if (held == nullptr) return;
  AckedBytes& side = (*held)[dir];
  const std::string_view ready = side.ready();
  if (ready.empty()) return;
  // The view stays valid while the parser runs: nothing is added to or taken from `side` until
  // consume(), except by a protocol change, which empties it (and then the state is another's).
  const AppState* state = flow.app_layer.state.get();
  held_parsing_dir_ = dir;
  held_parsing_ = ready.size();
  parseNow(flow, dir, bytes(ready), ts);
  held_parsing_ = 0;
  // (HTTP/1 turning into HTTP/2 keeps its state.)
  if (flow.app_layer.state.get() == state && heldBytes(flow) == held) side.consume(ready.size(), http_messages_.buffers());
}

void AppLayer::onAckedPacket(Flow& flow, FlowDirection dir, std::uint64_t unacked, std::int64_t ts) {
  AckedSides* held = heldBytes(flow);
  if (held == nullptr) return;
  if (held->on_arrival) {  // HTTP/2 now: what was held before is parsed, as it would have been
    parseAllHeld(flow, ts);
    return;
  }
  (*held)[other(dir)].release(unacked);  // what this packet acknowledges
  if (flow.app == AppProto::Smtp) {
    // A mail is one transaction with the session's state: the client's bytes acknowledged before
    // are parsed (and inspected) with its next packet, the server's replies as the client
    // acknowledges them, which completes the mail they answer at this packet.
    parseHeld(flow, dir, ts);
    if (dir == FlowDirection::ToServer) parseHeld(flow, FlowDirection::ToClient, ts);
    return;
  }
  // HTTP/1 and SSH as Suricata: the other side's bytes parsed now, their transactions inspected
  // with its next packet; this side's, parsed before, inspected now, seeing what the other side
  // has answered so far.
  const std::size_t parsed = dir == FlowDirection::ToServer ? 1 : 0;
  signatures::EventSet now = std::exchange(flow.app_layer.state->events, {});  // raised before: this packet's
  AppState* state = flow.app_layer.state.get();
  defer_inspection_ = true;
  parseHeld(flow, other(dir), ts);
  defer_inspection_ = false;
  if (flow.app_layer.state.get() != state || heldBytes(flow) != held) {  // the protocol changed: all are this packet's
    if (flow.app_layer.state) flow.app_layer.state->events.merge(now);
    else datagram_events_.merge(now);
    return;
  }
  held->events[parsed].merge(state->events);
  state->events = now;
  state->events.merge(held->events[1 - parsed]);  // raised with what this packet's transactions came from
  held->events[1 - parsed].clear();
  inspectQueued(flow, dir, ts);
}

void AppLayer::parseAllHeld(Flow& flow, std::int64_t ts) {
  defer_inspection_ = flow.app != AppProto::Smtp;
  for (const FlowDirection d : {FlowDirection::ToServer, FlowDirection::ToClient}) {
    AckedSides* held = heldBytes(flow);
    if (held == nullptr) break;
    (*held)[d].release();
    parseHeld(flow, d, ts);
  }
  defer_inspection_ = false;
  for (const FlowDirection d : {FlowDirection::ToServer, FlowDirection::ToClient}) {
    if (heldBytes(flow) != nullptr) inspectQueued(flow, d, ts);
  }
}

void AppLayer::inspectQueued(Flow& flow, FlowDirection dir, std::int64_t ts) {
  const std::size_t side = dir == FlowDirection::ToServer ? 0 : 1;
  if (flow.app == AppProto::Ssh) {
    auto& ssh = static_cast<SshState&>(*flow.app_layer.state);
    const std::uint8_t stages = std::exchange(ssh.uninspected[side], 0);
    for (const SshStage stage : {SshStage::Banner, SshStage::KexInit}) {
      if ((stages & (1U << static_cast<unsigned>(stage))) != 0) inspectSsh(flow, dir, stage, ts);
    }
    return;
  }
  if (flow.app != AppProto::Http && flow.app != AppProto::Http2 && flow.app != AppProto::Doh2) return;
  auto& http = static_cast<HttpState&>(*flow.app_layer.state);
  if (!http.anyUninspected(dir)) return;
  http.forUninspected(dir, [&](const UninspectedHttp& tx) {
    if (!tx.message) return;
    const HttpMessage* response = nullptr;
    if (tx.message->request) {  // its response, when parsed by now
      response = http.uninspectedResponse(tx.tx_id);
      // Else the one being received, when it answers this request (HTTP/1 answers in order).
      if (response == nullptr && !http.unanswered().empty() && http.unanswered().front().tx_id == tx.tx_id) {
        response = http.responseInProgress();
      }
    }
    inspectHttp(flow, dir, *tx.message, tx.tx_id, tx.request(), response, tx.file(), ts);
  });
  http.clearUninspected(dir);
}

}  // namespace gsoc::sensor
