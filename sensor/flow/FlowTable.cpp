#include "sensor/flow/FlowTable.hpp"

#include <algorithm>

namespace gsoc::sensor {

std::int64_t FlowTable::timeoutOf(const Flow& flow) const {
  if (flow.ip_proto == 6) {
    switch (flow.tcp_state) {
      case TcpState::Established:
      case TcpState::Closing: return config_.tcp_established_timeout_ns;
      case TcpState::Closed: return config_.tcp_closed_timeout_ns;
      default: return config_.tcp_new_timeout_ns;
    }
  }
  if (flow.ip_proto == 17) return config_.udp_timeout_ns;
  return config_.other_timeout_ns;
}

Flow& FlowTable::lookup(const DecodedPacket& packet, bool& created) {
  const FlowKey key = FlowKey::of(packet);
  if (const auto it = index_.find(key); it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    created = false;
    return *it->second;
  }
  if (index_.size() >= config_.max_flows && !lru_.empty()) {
    ++counters_.evicted;
    end(std::prev(lru_.end()), FlowEndReason::Evicted);
  }
  lru_.emplace_front(next_id_, key, packet, config_.stream_held_cap);
  next_id_ += config_.id_step;
  index_.emplace(key, lru_.begin());
  ++counters_.created;
  created = true;
  return lru_.front();
}

void FlowTable::expire(std::int64_t now_ns) {
  const std::int64_t shortest = std::min({config_.tcp_new_timeout_ns, config_.tcp_established_timeout_ns,
                                          config_.tcp_closed_timeout_ns, config_.udp_timeout_ns, config_.other_timeout_ns});
  auto it = lru_.end();
  while (it != lru_.begin()) {
    auto current = std::prev(it);
    const std::int64_t idle = now_ns - current->last_ns;
    if (idle <= shortest) break;  // everything in front is more recent
    if (idle > timeoutOf(*current)) {
      const bool closed = current->tcp_state == TcpState::Closed;
      ++(closed ? counters_.closed : counters_.timed_out);
      end(current, closed ? FlowEndReason::Closed : FlowEndReason::Timeout);
    } else {
      it = current;
    }
  }
}

void FlowTable::flushAll() {
  while (!lru_.empty()) end(std::prev(lru_.end()), FlowEndReason::Shutdown);
}

void FlowTable::end(std::list<Flow>::iterator it, FlowEndReason reason) {
  if (on_end_) on_end_(*it, reason);
  index_.erase(it->key);
  lru_.erase(it);
}

}  // namespace gsoc::sensor
