#include "collector/store/EventBlock.hpp"

#include <zstd.h>

#include <algorithm>
#include <stdexcept>

#include "collector/store/EventColumns.hpp"
#include "collector/store/EventQuery.hpp"
#include "gsoc/v1/event.pb.h"

namespace gsoc::collector {
namespace {

// Level 1: the store's cost is ingest; blocks of similar records compress well even so.
constexpr int kZstdLevel = 1;

void appendVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool readVarint(std::string_view in, std::size_t& pos, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && pos < in.size(); shift += 7) {
    const auto b = static_cast<std::uint8_t>(in[pos++]);
    v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if (b < 0x80) return true;
  }
  return false;
}

}  // namespace

void forEachTerm(const gsoc::v1::Event& e, std::string_view agency_id, std::string_view sensor_id,
                 const std::function<void(std::string_view)>& term) {
  forEachObservable(e, term);
  std::string scoped;
  auto prefixed = [&](std::string_view prefix, std::string_view value) {
    scoped.assign(prefix);
    scoped.append(value);
    term(scoped);
  };
  prefixed("agency:", agency_id);
  prefixed("sensor:", sensor_id);
  if (e.has_alert()) prefixed("sid:", std::to_string(e.alert().sid()));
}

std::uint32_t kindBit(std::string_view kind) {
  for (std::uint32_t i = 0; i < kEventKinds.size(); ++i) {
    if (kEventKinds[i] == kind) return 1U << i;
  }
  return 0;
}

struct EventBlockBuilder::Compressor {
  Compressor() : ctx(ZSTD_createCCtx()) {
    if (ctx == nullptr) throw std::bad_alloc();
  }
  ~Compressor() { ZSTD_freeCCtx(ctx); }
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;
  ZSTD_CCtx* ctx;
};

EventBlockBuilder::EventBlockBuilder() : ids_(std::make_unique<gsoc::v1::Event>()), zstd_(std::make_unique<Compressor>()) {}
EventBlockBuilder::~EventBlockBuilder() = default;

void EventBlockBuilder::clear() {
  records_.clear();
  term_bytes_.clear();
  terms_.clear();
  pending_.clear();
}

void EventBlockBuilder::addTerms(const gsoc::v1::Event& event, std::string_view agency_id, std::string_view sensor_id, Pending& p) {
  p.terms_begin = static_cast<std::uint32_t>(terms_.size());
  forEachTerm(event, agency_id, sensor_id, [&](std::string_view t) {
    if (t.empty()) return;
    terms_.emplace_back(static_cast<std::uint32_t>(term_bytes_.size()), static_cast<std::uint32_t>(t.size()));
    term_bytes_.append(t);
  });
  p.terms_end = static_cast<std::uint32_t>(terms_.size());
  p.kind = kindBit(kindName(event));
  p.ts_ns = event.timestamp_ns();
}

void EventBlockBuilder::add(const gsoc::v1::Event& event, const std::string& sensor_id, std::uint64_t epoch, std::uint64_t sequence,
                            const std::string& agency_id) {
  Pending p{};
  p.offset = static_cast<std::uint32_t>(records_.size());
  event.AppendToString(&records_);
  // The ids as a second message: parsing the concatenation merges them into the event. The
  // agency and sensor are the certificate's, whatever the sensor wrote into the event.
  event_id_.assign(sensor_id).append(":").append(std::to_string(epoch)).append(":").append(std::to_string(sequence));
  ids_->set_event_id(event_id_);
  ids_->set_sensor_id(sensor_id);
  ids_->set_agency_id(agency_id);
  ids_->AppendToString(&records_);
  p.size = static_cast<std::uint32_t>(records_.size() - p.offset);
  addTerms(event, agency_id, sensor_id, p);
  pending_.push_back(p);
}

void EventBlockBuilder::addStored(std::string_view record, const gsoc::v1::Event& event) {
  Pending p{};
  p.offset = static_cast<std::uint32_t>(records_.size());
  records_.append(record);
  p.size = static_cast<std::uint32_t>(record.size());
  addTerms(event, event.agency_id(), event.sensor_id(), p);
  pending_.push_back(p);
}

void EventBlockBuilder::seal(const std::function<void(const SealedBlock&)>& store) {
  std::stable_sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) { return a.ts_ns < b.ts_ns; });
  SealedBlock block;
  for (std::size_t first = 0; first < pending_.size(); first += kBlockEvents) {
    const std::size_t last = std::min(pending_.size(), first + kBlockEvents);
    raw_.clear();
    block.terms.clear();
    block.kinds = 0;
    for (std::size_t i = first; i < last; ++i) {
      const Pending& p = pending_[i];
      appendVarint(raw_, p.size);
      raw_.append(records_, p.offset, p.size);
      block.kinds |= p.kind;
      for (std::uint32_t t = p.terms_begin; t < p.terms_end; ++t) {
        const std::string_view term(term_bytes_.data() + terms_[t].first, terms_[t].second);
        if (distinct_.insert(term).second) block.terms.push_back(term);
      }
    }
    distinct_.clear();
    // Most terms repeat within a block (the agency, its servers, its resolver): the hash set
    // drops them before the sort, and sorted terms go into the index B-tree in order.
    std::sort(block.terms.begin(), block.terms.end());
    compressed_.resize(ZSTD_compressBound(raw_.size()));
    const std::size_t n = ZSTD_compressCCtx(zstd_->ctx, compressed_.data(), compressed_.size(), raw_.data(), raw_.size(), kZstdLevel);
    if (ZSTD_isError(n)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(n));
    block.payload = std::string_view(compressed_.data(), n);
    block.raw_bytes = raw_.size();
    block.events = static_cast<std::uint32_t>(last - first);
    block.min_ts_ns = pending_[first].ts_ns;
    block.max_ts_ns = pending_[last - 1].ts_ns;
    store(block);
  }
}

void forEachRecord(std::string_view payload, std::string& scratch, const std::function<void(std::string_view)>& record) {
  const unsigned long long size = ZSTD_getFrameContentSize(payload.data(), payload.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) throw std::runtime_error("event block: not a zstd frame");
  scratch.resize(size);
  const std::size_t n = ZSTD_decompress(scratch.data(), scratch.size(), payload.data(), payload.size());
  if (ZSTD_isError(n) || n != size) throw std::runtime_error("event block: corrupt payload");
  const std::string_view raw(scratch.data(), n);
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::uint64_t len = 0;
    if (!readVarint(raw, pos, len) || len > raw.size() - pos) throw std::runtime_error("event block: corrupt record framing");
    record(raw.substr(pos, len));
    pos += len;
  }
}

}  // namespace gsoc::collector
