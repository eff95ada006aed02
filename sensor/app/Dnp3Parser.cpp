#include "sensor/app/Dnp3Parser.hpp"

#include <algorithm>
#include <array>

namespace gsoc::sensor {

using signatures::AnomalyEvent;
using signatures::FlowDirection;

namespace {

constexpr std::size_t kLinkHeaderSize = 10;
constexpr std::size_t kBlockSize = 16;  // user data octets between two CRCs
constexpr std::size_t kCrcSize = 2;
constexpr std::uint8_t kMinLength = 5;  // the length octet counts control, addresses and user data
// A fragment spans at most the transport sequence space of segments (Suricata's bound).
constexpr std::size_t kMaxFragment = 63 * 0xff;
// Transactions kept at most, waiting for their last segment or their inspection.
constexpr std::size_t kMaxKept = 1024;
constexpr std::uint8_t kFir = 0x40, kFin = 0x80, kSeqMask = 0x3f;

constexpr std::array<std::uint16_t, 256> kCrcTable = [] {
  std::array<std::uint16_t, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    std::uint16_t crc = static_cast<std::uint16_t>(i);
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA6BC) : static_cast<std::uint16_t>(crc >> 1);
    t[i] = crc;
  }
  return t;
}();

bool crcOk(std::span<const std::uint8_t> block) {
  if (block.size() < kCrcSize + 1) return false;
  const std::uint16_t crc = dnp3Crc(block.first(block.size() - kCrcSize));
  return (crc & 0xff) == block[block.size() - 2] && (crc >> 8) == block[block.size() - 1];
}

// The frame's size on the wire, CRCs included, for a header's length octet; 0 under the minimum.
std::size_t frameSize(std::uint8_t length) {
  if (length < kMinLength) return 0;
  const std::size_t data = length - kMinLength;
  const std::size_t rem = data % kBlockSize;
  return kLinkHeaderSize + data / kBlockSize * (kBlockSize + kCrcSize) + (rem != 0 ? rem + kCrcSize : 0);
}

bool userDataCrcsOk(std::span<const std::uint8_t> data) {
  for (std::size_t at = 0; at < data.size();) {
    const std::size_t n = std::min(data.size() - at, kBlockSize + kCrcSize);
    if (!crcOk(data.subspan(at, n))) return false;
    at += n;
  }
  return true;
}

}  // namespace

std::uint16_t dnp3Crc(std::span<const std::uint8_t> data) {
  std::uint16_t crc = 0;
  for (const std::uint8_t b : data) crc = static_cast<std::uint16_t>(kCrcTable[(crc ^ b) & 0xff] ^ (crc >> 8));
  return static_cast<std::uint16_t>(~crc);
}

bool dnp3LinkHeaderValid(std::span<const std::uint8_t> d) {
  return d.size() >= kLinkHeaderSize && d[0] == 0x05 && d[1] == 0x64 && d[2] >= kMinLength && crcOk(d.first(kLinkHeaderSize));
}

void Dnp3State::parse(FlowDirection dir, const TransactionSink& sink) {
  Side& s = sides_[side(dir)];
  const std::string_view ready = s.bytes.ready();
  if (s.failed) {
    s.bytes.consume(ready.size());
    return;
  }
  const std::span<const std::uint8_t> d(reinterpret_cast<const std::uint8_t*>(ready.data()), ready.size());
  const bool request = dir == FlowDirection::ToServer;
  std::size_t at = 0;
  while (d.size() - at >= kLinkHeaderSize) {
    const auto header = d.subspan(at, kLinkHeaderSize);
    if (header[0] != 0x05 || header[1] != 0x64) {
      s.failed = true;  // not a frame: the side's data can no longer be framed
      ++errors_;
      break;
    }
    if (!crcOk(header)) {
      events.set(AnomalyEvent::Dnp3BadLinkCrc);
      s.failed = true;
      ++errors_;
      break;
    }
    const std::size_t size = frameSize(header[2]);
    if (size == 0) {
      events.set(AnomalyEvent::Dnp3LenTooSmall);
      s.failed = true;
      ++errors_;
      break;
    }
    if (d.size() - at < size) break;  // the rest of the frame is still to come
    const auto frame = d.subspan(at, size);
    at += size;
    const unsigned function = header[3] & 0x0f;
    if (function != 3 && function != 4) continue;  // link-layer service only: no user data
    // A transport header and an application header (with a response's IIN) at least.
    if (header[2] < kMinLength + 1 + 2 + (request ? 0 : 2)) {
      events.set(AnomalyEvent::Dnp3LenTooSmall);
      ++errors_;
      continue;
    }
    if (!userDataCrcsOk(frame.subspan(kLinkHeaderSize))) {
      events.set(AnomalyEvent::Dnp3BadTransportCrc);
      ++errors_;
      continue;
    }
    userData(request, frame, sink);
  }
  s.bytes.consume(s.failed ? ready.size() : at);
}

Dnp3Transaction& Dnp3State::open() {
  if (txs_.size() >= kMaxKept) {
    // The oldest goes: given up unfinished or never inspected, it is dropped uninspected.
    spare_.push_back(std::move(txs_.front()));
    txs_.erase(txs_.begin());
  }
  std::unique_ptr<Dnp3Transaction> tx;
  if (!spare_.empty()) {
    tx = std::move(spare_.back());
    spare_.pop_back();
  } else {
    tx = std::make_unique<Dnp3Transaction>();
  }
  tx->tx_id = next_tx_id_++;
  tx->done = tx->complete = tx->inspected = false;
  tx->iin = 0;
  tx->data.clear();
  tx->objects.clear();
  txs_.push_back(std::move(tx));
  return *txs_.back();
}

void Dnp3State::userData(bool request, std::span<const std::uint8_t> frame, const TransactionSink& sink) {
  const std::uint8_t control = frame[3];
  const auto dst = static_cast<std::uint16_t>(frame[4] | frame[5] << 8);
  const auto src = static_cast<std::uint16_t>(frame[6] | frame[7] << 8);
  const std::uint8_t transport = frame[kLinkHeaderSize];
  Dnp3Transaction* tx = nullptr;
  if ((transport & kFir) == 0) {
    // A later segment: of the fragment this link pair has open whose sequence it continues.
    for (auto& t : txs_) {
      if (t->src == src && t->dst == dst && t->request == request && !t->done &&
          ((t->transport & kSeqMask) + 1) % 64 == (transport & kSeqMask)) {
        tx = t.get();
        break;
      }
    }
    if (tx == nullptr) return;
    tx->transport = transport;
  } else {
    const std::uint8_t function = frame[kLinkHeaderSize + 2];
    if (function == 0) return;  // confirms are not transactions
    tx = &open();
    tx->request = request;
    tx->link_control = control;
    tx->src = src;
    tx->dst = dst;
    tx->transport = transport;
    tx->app_control = frame[kLinkHeaderSize + 1];
    tx->function_code = function;
    if (!request) tx->iin = static_cast<std::uint16_t>(frame[kLinkHeaderSize + 3] << 8 | frame[kLinkHeaderSize + 4]);
    if (request) {
      ++unreplied_;
    } else if (!tx->unsolicited() && unreplied_ > 0) {
      --unreplied_;
    }
    if (request && unreplied_ > limits_->max_tx) events.set(AnomalyEvent::Dnp3Flooded);
  }
  // The user data without its CRCs and without the transport header.
  const auto user = frame.subspan(kLinkHeaderSize);
  std::size_t added = 0;
  for (std::size_t at = 0; at < user.size();) {
    std::size_t n = std::min(user.size() - at, kBlockSize + kCrcSize);
    std::size_t from = at;
    if (at == 0) {
      ++from;
      --n;
    }
    at += (at == 0 ? n + 1 : n);
    if (n < kCrcSize + 1) {  // a block with no data before its CRC
      events.set(AnomalyEvent::Dnp3Malformed);
      ++errors_;
      tx->done = true;
      finish(*tx, request, sink);
      return;
    }
    added += n - kCrcSize;
  }
  if (tx->data.size() + added > kMaxFragment) {
    events.set(AnomalyEvent::Dnp3TooLongReassembly);
    ++errors_;
    tx->done = true;
    finish(*tx, request, sink);
    return;
  }
  for (std::size_t at = 0; at < user.size();) {
    const std::size_t n = std::min(user.size() - at, kBlockSize + kCrcSize);
    const std::size_t skip = at == 0 ? 1 : 0;
    tx->data.append(reinterpret_cast<const char*>(user.data() + at + skip), n - skip - kCrcSize);
    at += n;
  }
  if ((transport & kFin) == 0) return;
  tx->done = true;
  const std::size_t header = request ? 2 : 4;
  const std::span<const std::uint8_t> objects(reinterpret_cast<const std::uint8_t*>(tx->data.data()), tx->data.size());
  switch (decodeDnp3Objects(objects.subspan(std::min(header, objects.size())), limits_->objects, tx->objects)) {
    case Dnp3ObjectsResult::Complete: tx->complete = true; break;
    case Dnp3ObjectsResult::Truncated: break;
    case Dnp3ObjectsResult::UnknownObject: events.set(AnomalyEvent::Dnp3UnknownObject); break;
    case Dnp3ObjectsResult::Malformed:
      events.set(AnomalyEvent::Dnp3Malformed);
      ++errors_;
      break;
    case Dnp3ObjectsResult::TooManyPoints: events.set(AnomalyEvent::Dnp3TooManyPoints); break;
    case Dnp3ObjectsResult::TooManyObjects: events.set(AnomalyEvent::Dnp3TooManyObjects); break;
  }
  finish(*tx, request, sink);
}

void Dnp3State::finish(Dnp3Transaction& tx, bool /*request*/, const TransactionSink& sink) { sink(tx); }

void Dnp3State::close() {
  for (auto it = txs_.begin(); it != txs_.end();) {
    if ((*it)->done) {
      ++it;
      continue;
    }
    spare_.push_back(std::move(*it));
    it = txs_.erase(it);
  }
}

void Dnp3State::prune() {
  for (auto it = txs_.begin(); it != txs_.end();) {
    if ((*it)->done && (*it)->inspected) {
      spare_.push_back(std::move(*it));
      it = txs_.erase(it);
    } else {
      ++it;
    }
  }
}

void Dnp3State::reset() {
  for (auto& tx : txs_) spare_.push_back(std::move(tx));
  txs_.clear();
  for (Side& s : sides_) {
    s.bytes.clear();
    s.failed = false;
  }
  next_tx_id_ = 0;
  unreplied_ = 0;
  errors_ = 0;
  events.clear();
}

}  // namespace gsoc::sensor
