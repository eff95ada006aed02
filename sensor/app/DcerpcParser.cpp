#include "sensor/app/DcerpcParser.hpp"

#include <algorithm>

namespace gsoc::sensor {

using signatures::DceInterface;
using signatures::FlowDirection;

namespace {

// Little- or big-endian integers of a PDU body, bounds-checked by the caller.
std::uint16_t u16(std::span<const std::uint8_t> d, std::size_t at, bool le) {
  return le ? static_cast<std::uint16_t>(d[at] | d[at + 1] << 8) : static_cast<std::uint16_t>(d[at] << 8 | d[at + 1]);
}

// An NDR GUID (time_low, time_mid, time_hi in the data representation's order, then 8 bytes) in
// the order of its text form.
std::array<std::uint8_t, 16> guid(std::span<const std::uint8_t> d, std::size_t at, bool le) {
  std::array<std::uint8_t, 16> out{};
  std::copy_n(d.begin() + static_cast<std::ptrdiff_t>(at), 16, out.begin());
  if (le) {
    std::reverse(out.begin(), out.begin() + 4);
    std::reverse(out.begin() + 4, out.begin() + 6);
    std::reverse(out.begin() + 6, out.begin() + 8);
  }
  return out;
}

void appendCapped(std::string& to, std::span<const std::uint8_t> data, std::size_t cap) {
  const std::size_t room = to.size() < cap ? cap - to.size() : 0;
  to.append(reinterpret_cast<const char*>(data.data()), std::min(room, data.size()));
}

}  // namespace

bool parseDcePduHeader(std::span<const std::uint8_t> d, DcePduHeader& out) {
  if (d.size() < dce::kHeaderSize) return false;
  if (d[0] != 5 || d[1] > 1 || d[2] > dce::kLastType) return false;
  out.version_minor = d[1];
  out.type = d[2];
  out.flags = d[3];
  out.little_endian = (d[4] & 0x10) != 0;
  out.frag_length = u16(d, 8, out.little_endian);
  out.auth_length = u16(d, 10, out.little_endian);
  out.call_id = out.little_endian ? static_cast<std::uint32_t>(d[12] | d[13] << 8 | d[14] << 16 | static_cast<std::uint32_t>(d[15]) << 24)
                                  : static_cast<std::uint32_t>(static_cast<std::uint32_t>(d[12]) << 24 | d[13] << 16 | d[14] << 8 | d[15]);
  return out.frag_length >= dce::kHeaderSize;
}

std::string dceTypeName(std::uint8_t type) {
  static constexpr std::string_view kNames[] = {"REQUEST",  "PING",       "RESPONSE", "FAULT",     "WORKING",
                                                "NOCALL",   "REJECT",     "ACK",      "CL_CANCEL", "FACK",
                                                "CANCEL_ACK", "BIND",     "BINDACK",  "BINDNAK",   "ALTER_CONTEXT",
                                                "ALTER_CONTEXT_RESP", "AUTH3", "SHUTDOWN", "CO_CANCEL", "ORPHANED",
                                                "RTS"};
  if (type < std::size(kNames)) return std::string(kNames[type]);
  return std::to_string(type);
}

std::string dceUuidText(const std::array<std::uint8_t, 16>& uuid) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[uuid[i] >> 4];
    out += kHex[uuid[i] & 15];
  }
  return out;
}

DceTransaction& DceSession::newTransaction(const DcePduHeader& h) {
  if (transactions_.size() >= kMaxTransactions) {
    transactions_.pop_front();
    ++dropped_;
  }
  DceTransaction& tx = transactions_.emplace_back();
  tx.id = shared_ids_ != nullptr ? ++*shared_ids_ : next_id_++;
  tx.call_id = h.call_id;
  tx.version_minor = h.version_minor;
  tx.little_endian = h.little_endian;
  return tx;
}

DceTransaction* DceSession::find(std::uint32_t call_id, std::uint8_t request_type, bool open_request, bool open_response) {
  for (auto it = transactions_.rbegin(); it != transactions_.rend(); ++it) {
    if (it->call_id != call_id || it->request_type != request_type || it->request_lost) continue;
    if (open_request && it->request_done) continue;
    if (open_response && it->response_done) continue;
    return &*it;
  }
  return nullptr;
}

void DceSession::onBind(const DcePduHeader& h, std::span<const std::uint8_t> pdu, DceTransaction& tx) {
  // max_xmit_frag, max_recv_frag, assoc_group_id, then the presentation context list.
  if (pdu.size() < 28) {
    ++errors_;
    return;
  }
  const std::size_t count = pdu[24];
  std::size_t at = 28;
  for (std::size_t i = 0; i < count; ++i) {
    if (at + 24 > pdu.size()) {
      ++errors_;
      return;
    }
    DceInterface iface;
    iface.context_id = u16(pdu, at, h.little_endian);
    const std::size_t transfer_syntaxes = pdu[at + 2];
    iface.uuid = guid(pdu, at + 4, h.little_endian);
    iface.version = u16(pdu, at + 20, h.little_endian);
    iface.version_minor = u16(pdu, at + 22, h.little_endian);
    iface.call_id = tx.call_id;
    iface.first_frag = (h.flags & dce::kFirstFrag) != 0;
    if (interfaces_.size() >= kMaxInterfaces) {
      interfaces_.erase(interfaces_.begin());
      ++dropped_;
    }
    interfaces_.push_back(iface);
    at += 24 + transfer_syntaxes * 20;
  }
}

void DceSession::onBindAck(const DcePduHeader& h, std::span<const std::uint8_t> pdu) {
  if (pdu.size() < 26) {
    ++errors_;
    return;
  }
  // The secondary address (a port string), padded to 4 bytes, then the result list.
  std::size_t at = 26 + u16(pdu, 24, h.little_endian);
  at = (at + 3) & ~std::size_t{3};
  if (at + 4 > pdu.size()) {
    ++errors_;
    return;
  }
  const std::size_t count = pdu[at];
  at += 4;
  // The results answer the call's contexts in order.
  std::size_t answered = 0;
  for (DceInterface& iface : interfaces_) {
    if (iface.call_id != h.call_id || iface.acked) continue;
    if (answered == count || at + 24 > pdu.size()) break;
    iface.acked = true;
    iface.ack_result = u16(pdu, at, h.little_endian);
    iface.ack_reason = u16(pdu, at + 2, h.little_endian);
    ++answered;
    at += 24;
  }
  // A context id bound anew (ALTER_CONTEXT) names the new interface from here on.
  std::vector<std::uint16_t>& rebound = rebound_;
  rebound.clear();
  for (const DceInterface& now : interfaces_) {
    if (now.call_id == h.call_id && now.acked && now.ack_result == 0) rebound.push_back(now.context_id);
  }
  std::erase_if(interfaces_, [&](const DceInterface& old) {
    return old.call_id != h.call_id && old.acked && std::find(rebound.begin(), rebound.end(), old.context_id) != rebound.end();
  });
}

DceTransaction* DceSession::onPdu(FlowDirection dir, const DcePduHeader& h, std::span<const std::uint8_t> pdu) {
  const bool to_server = dir == FlowDirection::ToServer;
  const bool first = (h.flags & dce::kFirstFrag) != 0;
  // Fragment flags: a PDU that claims neither is taken as whole (Suricata does the same).
  const bool last = (h.flags & dce::kLastFrag) != 0 || (h.flags & (dce::kFirstFrag | dce::kLastFrag)) == 0;
  switch (h.type) {
    case dce::kBind:
    case dce::kAlterContext: {
      if (!to_server) return nullptr;
      DceTransaction& tx = newTransaction(h);
      tx.request_type = h.type;
      tx.response_type = h.type == dce::kBind ? dce::kBindAck : dce::kAlterContextResp;
      tx.request_seen = tx.request_done = true;
      tx.frags_ts = 1;
      tx.pdu_ts.assign(reinterpret_cast<const char*>(pdu.data()), pdu.size());
      onBind(h, pdu, tx);
      return &tx;
    }
    case dce::kBindAck:
    case dce::kBindNak:
    case dce::kAlterContextResp: {
      if (to_server) return nullptr;
      const std::uint8_t asked = h.type == dce::kAlterContextResp ? dce::kAlterContext : dce::kBind;
      DceTransaction* tx = find(h.call_id, asked, false, true);
      if (tx == nullptr && h.type == dce::kBindNak) tx = find(h.call_id, dce::kAlterContext, false, true);
      if (tx == nullptr) {
        tx = &newTransaction(h);
        tx->request_type = asked;
        tx->request_lost = tx->request_done = true;
      }
      tx->response_type = h.type;
      tx->response_seen = tx->response_done = true;
      tx->frags_tc = 1;
      tx->pdu_tc.assign(reinterpret_cast<const char*>(pdu.data()), pdu.size());
      if (h.type != dce::kBindNak) onBindAck(h, pdu);
      return tx;
    }
    case dce::kRequest: {
      if (!to_server) return nullptr;
      if (pdu.size() < 24) {
        ++errors_;
        return nullptr;
      }
      DceTransaction* tx = first ? nullptr : find(h.call_id, dce::kRequest, true, false);
      if (tx == nullptr) {
        tx = &newTransaction(h);
        tx->context_id = u16(pdu, 20, h.little_endian);
        tx->opnum = u16(pdu, 22, h.little_endian);
      }
      tx->request_seen = true;
      ++tx->frags_ts;
      appendCapped(tx->stub_ts, pdu.subspan(24), kMaxStubBytes);
      tx->pdu_ts.assign(reinterpret_cast<const char*>(pdu.data()), pdu.size());
      if (last) tx->request_done = true;
      return tx;
    }
    case dce::kResponse:
    case dce::kFault: {
      if (to_server) return nullptr;
      if (pdu.size() < 24) {
        ++errors_;
        return nullptr;
      }
      DceTransaction* tx = find(h.call_id, dce::kRequest, false, true);
      if (tx == nullptr) {
        tx = &newTransaction(h);
        tx->request_lost = tx->request_done = true;
        tx->context_id = u16(pdu, 20, h.little_endian);
      }
      tx->response_type = h.type;
      tx->response_seen = true;
      ++tx->frags_tc;
      if (h.type == dce::kResponse) appendCapped(tx->stub_tc, pdu.subspan(response_stub_at_), kMaxStubBytes);
      tx->pdu_tc.assign(reinterpret_cast<const char*>(pdu.data()), pdu.size());
      if (last || h.type == dce::kFault) tx->response_done = true;
      return tx;
    }
    default:
      return nullptr;  // AUTH3, SHUTDOWN, CO_CANCEL, ORPHANED...: no call of their own
  }
}

void DceSession::pruneFinished() {
  std::erase_if(transactions_, [](const DceTransaction& tx) { return tx.logged && tx.inspected_ts && tx.inspected_tc; });
}

void DceSession::reset() {  // keeps the response stub offset: it is the transport's
  interfaces_.clear();
  transactions_.clear();
  next_id_ = 0;
  errors_ = 0;
  dropped_ = 0;
}

void DcerpcState::parse(FlowDirection dir) {
  AckedBytes& in = pending(dir);
  for (;;) {
    const std::string_view ready = in.ready();
    if (ready.size() < dce::kHeaderSize) return;
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(ready.data()), ready.size());
    DcePduHeader h;
    if (!parseDcePduHeader(bytes, h)) {
      // Not a PDU header: skip to the next "05 00" that could start one.
      ++errors_;
      std::size_t skip = 1;
      while (skip + 1 < ready.size() && !(ready[skip] == 5 && (ready[skip + 1] == 0 || ready[skip + 1] == 1))) ++skip;
      in.consume(skip);
      continue;
    }
    if (bytes.size() < h.frag_length) return;  // the rest of the fragment is still to come
    session_.onPdu(dir, h, bytes.first(h.frag_length));
    in.consume(h.frag_length);
  }
}

void DcerpcState::reset() {
  pending_[0].clear();
  pending_[1].clear();
  session_.reset();
  gaps_seen = {};
  errors_ = 0;
  events.clear();
}

bool DcerpcUdpState::looksLikePdu(std::span<const std::uint8_t> d) {
  if (d.size() < kHeaderSize || d[0] != 4 || d[1] > 10 || (d[4] & 0xee) != 0 || d[5] > 3 || d[6] != 0) return false;
  const bool le = (d[4] & 0x10) != 0;
  return kHeaderSize + u16(d, 74, le) <= d.size();
}

DceTransaction* DcerpcUdpState::onDatagram(std::span<const std::uint8_t> d) {
  if (!looksLikePdu(d)) {
    ++errors_;
    return nullptr;
  }
  const bool le = (d[4] & 0x10) != 0;
  const std::uint8_t type = d[1];
  if (type != dce::kRequest && type != dce::kResponse && type != dce::kFault) return nullptr;  // pings, acks...
  // As Suricata prints it: its first three fields little-endian, whatever the representation.
  const std::array<std::uint8_t, 16> activity = guid(d, 40, true);
  const std::uint32_t seqnum = le ? static_cast<std::uint32_t>(d[64] | d[65] << 8 | d[66] << 16 | static_cast<std::uint32_t>(d[67]) << 24)
                                  : static_cast<std::uint32_t>(static_cast<std::uint32_t>(d[64]) << 24 | d[65] << 16 | d[66] << 8 | d[67]);
  const std::span<const std::uint8_t> body = d.subspan(kHeaderSize, u16(d, 74, le));
  const bool last = (d[2] & 0x04) == 0 || (d[2] & 0x02) != 0;  // not a fragment, or the last one
  const bool request = type == dce::kRequest;
  DceTransaction* tx = nullptr;
  for (auto it = transactions_.rbegin(); it != transactions_.rend() && tx == nullptr; ++it) {
    if (it->activity == activity && it->call_id == seqnum && !(request ? it->request_done : it->response_done)) tx = &*it;
  }
  if (tx == nullptr) {
    if (transactions_.size() >= kMaxTransactions) transactions_.pop_front();
    tx = &transactions_.emplace_back();
    tx->id = next_id_++;
    tx->connectionless = true;
    tx->activity = activity;
    tx->call_id = seqnum;
    tx->little_endian = le;
    tx->opnum = u16(d, 68, le);
    if (!request) tx->request_lost = tx->request_done = true;
  }
  if (request) {
    tx->request_seen = true;
    ++tx->frags_ts;
    appendCapped(tx->stub_ts, body, DceSession::kMaxStubBytes);
    tx->pdu_ts.assign(reinterpret_cast<const char*>(d.data()), d.size());
    if (last) tx->request_done = true;
  } else {
    tx->response_type = type;
    tx->response_seen = true;
    ++tx->frags_tc;
    if (type == dce::kResponse) appendCapped(tx->stub_tc, body, DceSession::kMaxStubBytes);
    tx->pdu_tc.assign(reinterpret_cast<const char*>(d.data()), d.size());
    if (last || type == dce::kFault) tx->response_done = true;
  }
  return tx;
}

void DcerpcUdpState::pruneFinished() {
  std::erase_if(transactions_, [](const DceTransaction& tx) { return tx.logged; });
}

void DcerpcUdpState::reset() {
  transactions_.clear();
  next_id_ = 0;
  errors_ = 0;
  events.clear();
}

}  // namespace gsoc::sensor
