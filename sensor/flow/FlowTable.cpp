#include "sensor/flow/FlowTable.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace gsoc::sensor {

namespace {
constexpr unsigned kInitialBucketBits = 10;
// Slot numbers are 32-bit (half the index's bytes); a table this large would need terabytes.
constexpr std::size_t kMaxSlots = std::size_t{1} << 31;
}  // namespace

FlowTable::FlowTable(FlowTableConfig config, EndCallback on_end)
    : config_(config),
      on_end_(std::move(on_end)),
      timeouts_{config.tcp_new_timeout_ns, config.tcp_established_timeout_ns, config.tcp_closed_timeout_ns,
                config.udp_timeout_ns, config.other_timeout_ns},
      buckets_(std::size_t{1} << kInitialBucketBits),
      bucket_bits_(kInitialBucketBits),
      next_id_(config.first_id) {
  config_.max_flows = std::min(config_.max_flows, kMaxSlots);
}

FlowTable::TimeoutClass FlowTable::classOf(const Flow& flow) {
  if (flow.ip_proto == 6) {
    switch (flow.tcp_state) {
      case TcpState::Established:
      case TcpState::Closing: return kTcpEstablished;
      case TcpState::Closed: return kTcpClosed;
      default: return kTcpNew;
    }
  }
  if (flow.ip_proto == 17) return kUdp;
  return kOther;
}

namespace {

// TCP port reuse, as Suricata's stream engine handles it: a SYN (not a SYN/ACK) for a
// connection that is over (a RST, or FINs both ways) opens a new connection on the same
// addresses and ports, so it gets a flow of its own rather than reopening the old one.
bool startsNewConnection(const Flow& flow, const DecodedPacket& packet) {
  return packet.ip_proto == 6 && (packet.tcp_flags & tcp_flag::kSyn) != 0 && (packet.tcp_flags & tcp_flag::kAck) == 0 &&
         flow.tcp_state == TcpState::Closed;
}

}  // namespace

Flow& FlowTable::lookup(const DecodedPacket& packet, bool& created) {
  fileLatest();
  const FlowKey key = FlowKey::of(packet);
  const auto tag = static_cast<std::uint32_t>(key.hash() >> 32);
  const std::size_t mask = buckets_.size() - 1;
  for (std::size_t i = home(tag);; i = (i + 1) & mask) {
    const Bucket b = buckets_[i];
    if (b.slot == kNil) break;
    if (b.tag != tag) continue;
    Slot& s = slot(b.slot);
    if (s.flow->key != key) continue;
    if (startsNewConnection(*s.flow, packet)) {  // the old connection ends here, a new flow begins
      ++counters_.closed;
      end(b.slot, FlowEndReason::Closed);
      break;
    }
    s.seen = ++clock_;
    if (lists_[s.cls].newest != b.slot) {
      unlink(b.slot);
      linkNewest(b.slot);
    }
    latest_ = b.slot;
    created = false;
    return *s.flow;
  }
  if (size_ >= config_.max_flows && size_ > 0) {
    ++counters_.evicted;
    end(leastRecentlySeen(), FlowEndReason::Evicted);
  }
  const SlotId id = allocate();
  Slot& s = slot(id);
  s.flow.emplace(next_id_, key, packet, config_.stream_held_cap);
  next_id_ += config_.id_step;
  s.seen = ++clock_;
  s.tag = tag;
  s.cls = classOf(*s.flow);
  linkNewest(id);
  indexInsert(id, tag);
  ++size_;
  ++counters_.created;
  latest_ = id;
  created = true;
  return *s.flow;
}

void FlowTable::expire(std::int64_t now_ns) {
  fileLatest();
  // Each list is ordered by last sight and so by expiry; the expired flows of each are its
  // oldest ones. Taking the least recently seen of the expired list tails each time ends them
  // in the order one walk over all flows would.
  for (;;) {
    SlotId victim = kNil;
    std::uint64_t victim_seen = 0;
    for (std::size_t c = 0; c < kClasses; ++c) {
      const SlotId id = lists_[c].oldest;
      if (id == kNil) continue;
      ++expiry_checks_;
      const Slot& s = slot(id);
      if (now_ns - s.flow->last_ns > timeouts_[c] && (victim == kNil || s.seen < victim_seen)) {
        victim = id;
        victim_seen = s.seen;
      }
    }
    if (victim == kNil) return;
    const bool closed = slot(victim).flow->tcp_state == TcpState::Closed;
    ++(closed ? counters_.closed : counters_.timed_out);
    end(victim, closed ? FlowEndReason::Closed : FlowEndReason::Timeout);
  }
}

void FlowTable::flushAll() {
  fileLatest();
  while (size_ > 0) end(leastRecentlySeen(), FlowEndReason::Shutdown);
}

void FlowTable::fileLatest() {
  if (latest_ == kNil) return;
  const SlotId id = std::exchange(latest_, kNil);
  Slot& s = slot(id);
  const TimeoutClass c = classOf(*s.flow);
  if (c == s.cls) return;
  // Still the most recently seen flow of all, so it goes to the new list's newest end.
  unlink(id);
  s.cls = c;
  linkNewest(id);
}

void FlowTable::linkNewest(SlotId id) {
  Slot& s = slot(id);
  List& list = lists_[s.cls];
  s.newer = kNil;
  s.older = list.newest;
  if (list.newest != kNil) slot(list.newest).newer = id;
  else list.oldest = id;
  list.newest = id;
}

void FlowTable::unlink(SlotId id) {
  Slot& s = slot(id);
  List& list = lists_[s.cls];
  if (s.newer != kNil) slot(s.newer).older = s.older;
  else list.newest = s.older;
  if (s.older != kNil) slot(s.older).newer = s.newer;
  else list.oldest = s.newer;
  s.newer = s.older = kNil;
}

FlowTable::SlotId FlowTable::leastRecentlySeen() {
  SlotId oldest = kNil;
  std::uint64_t oldest_seen = 0;
  for (const List& list : lists_) {
    if (list.oldest == kNil) continue;
    const std::uint64_t seen = slot(list.oldest).seen;
    if (oldest == kNil || seen < oldest_seen) {
      oldest = list.oldest;
      oldest_seen = seen;
    }
  }
  return oldest;
}

FlowTable::Slab FlowTable::newSlab() {
  static_assert(std::is_nothrow_default_constructible_v<Slot>, "a slab is built without cleanup on throw");
  void* raw = ::operator new(kSlabBytes, std::align_val_t{kSlabBytes});
  ::madvise(raw, kSlabBytes, MADV_HUGEPAGE);  // a hint: without huge pages, 4 KiB pages it is
  auto* slots = static_cast<Slot*>(raw);
  std::uninitialized_default_construct_n(slots, kSlabSize);  // noexcept: empty optionals
  return Slab(slots);
}

void FlowTable::SlabFree::operator()(Slot* slots) const {
  std::destroy_n(slots, kSlabSize);
  ::operator delete(slots, std::align_val_t{kSlabBytes});  // unsized: clang without -fsized-deallocation has no sized form
}

FlowTable::SlotId FlowTable::allocate() {
  if (free_ == kNil) {
    const auto base = static_cast<SlotId>(slabs_.size() * kSlabSize);
    slabs_.push_back(newSlab());
    // Lowest first, so a young table fills its first slab in order.
    for (SlotId i = kSlabSize; i-- > 0;) {
      slot(base + i).older = free_;
      free_ = base + i;
    }
  }
  const SlotId id = free_;
  free_ = slot(id).older;
  slot(id).older = kNil;
  return id;
}

void FlowTable::indexInsert(SlotId id, std::uint32_t tag) {
  if ((size_ + 1) * 2 > buckets_.size()) grow();  // at most half full: short probes
  const std::size_t mask = buckets_.size() - 1;
  std::size_t i = home(tag);
  while (buckets_[i].slot != kNil) i = (i + 1) & mask;
  buckets_[i] = {id, tag};
}

void FlowTable::indexErase(SlotId id, std::uint32_t tag) {
  const std::size_t mask = buckets_.size() - 1;
  std::size_t hole = home(tag);
  while (buckets_[hole].slot != id) hole = (hole + 1) & mask;
  // Backward-shift deletion: entries after the hole whose home is not between the hole and
  // them move into it, so probes never need tombstones.
  for (std::size_t j = (hole + 1) & mask; buckets_[j].slot != kNil; j = (j + 1) & mask) {
    if (((j - home(buckets_[j].tag)) & mask) >= ((j - hole) & mask)) {
      buckets_[hole] = buckets_[j];
      hole = j;
    }
  }
  buckets_[hole].slot = kNil;
}

void FlowTable::grow() {
  std::vector<Bucket> old = std::exchange(buckets_, std::vector<Bucket>(buckets_.size() * 2));
  ++bucket_bits_;
  const std::size_t mask = buckets_.size() - 1;
  for (const Bucket& b : old) {
    if (b.slot == kNil) continue;
    std::size_t i = home(b.tag);
    while (buckets_[i].slot != kNil) i = (i + 1) & mask;
    buckets_[i] = b;
  }
}

void FlowTable::end(SlotId id, FlowEndReason reason) {
  Slot& s = slot(id);
  if (on_end_) on_end_(*s.flow, reason);
  indexErase(id, s.tag);
  unlink(id);
  s.flow.reset();
  s.older = free_;
  free_ = id;
  --size_;
  if (latest_ == id) latest_ = kNil;
}

}  // namespace gsoc::sensor
