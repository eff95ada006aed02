#include "sensor/detect/PacketTagger.hpp"

#include <algorithm>

namespace gsoc::sensor {

namespace {
std::int64_t seconds(std::int64_t ns) { return ns / 1'000'000'000; }
}  // namespace

void PacketTagger::add(Entries& entries, const Entry& entry) {
  for (Entry& e : entries) {
    if (e.gid != entry.gid || e.sid != entry.sid || e.tag.scope != entry.tag.scope) continue;
    // The same rule again: its tag restarts, a bounded number of times (so one noisy rule
    // cannot keep a host tagged for ever).
    if (++e.restarts < kRestartLimit) {
      e.first_s = e.last_s = entry.first_s;
      e.packets = 0;
      e.bytes = 0;
    }
    return;
  }
  if (entries.size() < kMaxTags) entries.push_back(entry);
}

void PacketTagger::onAlert(const signatures::Rule& rule, const DecodedPacket& packet, const Flow* flow) {
  for (const signatures::Tag& tag : rule.tags) {
    Entry entry;
    entry.gid = rule.gid;
    entry.sid = rule.sid;
    entry.tag = tag;
    entry.first_s = entry.last_s = seconds(packet.timestamp_ns);
    if (tag.scope == signatures::Tag::Scope::Session) {
      if (flow != nullptr) add(sessions_[flow->id], entry);
    } else if (packet.ip_version != 0) {
      const IpAddress& host = tag.host_is_src ? packet.src : packet.dst;
      if (hosts_.size() >= kMaxHosts && !hosts_.contains(host)) {
        ++host_tags_dropped_;
        continue;
      }
      add(hosts_[host], entry);
    }
  }
}

bool PacketTagger::count(Entries& entries, const DecodedPacket& packet) {
  bool tagged = false;
  const std::int64_t now = seconds(packet.timestamp_ns);
  std::erase_if(entries, [&](Entry& e) {
    e.last_s = now;
    if (e.tag.metric == signatures::Tag::Metric::Packets) ++e.packets;
    if (e.tag.metric == signatures::Tag::Metric::Bytes) e.bytes += packet.frame.size();
    if (!e.skipped_first) {  // the packet that set it: its alert logs it
      e.skipped_first = true;
      return false;
    }
    bool expired = false;
    switch (e.tag.metric) {
      case signatures::Tag::Metric::Packets: expired = e.packets > e.tag.count; break;
      case signatures::Tag::Metric::Bytes: expired = e.bytes > e.tag.count; break;
      case signatures::Tag::Metric::Seconds: expired = e.last_s - e.first_s > static_cast<std::int64_t>(e.tag.count); break;
    }
    if (!expired) tagged = true;
    return expired;
  });
  return tagged;
}

bool PacketTagger::onPacket(const DecodedPacket& packet, const Flow* flow) {
  bool tagged = false;
  if (flow != nullptr && !sessions_.empty()) {
    if (const auto it = sessions_.find(flow->id); it != sessions_.end()) {
      tagged = count(it->second, packet);
      if (it->second.empty()) sessions_.erase(it);
    }
  }
  if (!hosts_.empty() && packet.ip_version != 0) {
    for (const IpAddress& address : {packet.src, packet.dst}) {
      const auto it = hosts_.find(address);
      if (it == hosts_.end()) continue;
      tagged = count(it->second, packet) || tagged;
      if (it->second.empty()) hosts_.erase(it);
      if (packet.src == packet.dst) break;  // one host, counted once
    }
  }
  return tagged;
}

}  // namespace gsoc::sensor
