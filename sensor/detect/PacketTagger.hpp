#pragma once
// The `tag` keyword's packet tagging (Suricata's detect-engine-tag): when a rule with tags
// alerts, the packets that follow on its session, or to and from one of its hosts, are tagged
// until the tag's count of packets, bytes or seconds passes; EVE logs each tagged packet once,
// as a `packet` record. The alerting packet counts towards its tags but is not tagged (its alert
// already logs it). As in Suricata, a rule's repeated alerts restart its tag (up to
// kRestartLimit times), and a session or host holds at most kMaxTags tags.
//
// One per worker. Tags are rare, so the state is kept in ordinary maps, keyed by flow id and by
// address, and a worker with no live tag pays one emptiness check per packet.

#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

#include "gsoc/signatures/Rule.hpp"
#include "sensor/decode/DecodedPacket.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

class PacketTagger {
 public:
  static constexpr std::uint32_t kRestartLimit = 10;
  static constexpr std::size_t kMaxTags = 50;
  // Hosts with live tags at most: a tag on one more host is dropped and counted (a host's tags
  // end only with that host's packets, so a noisy host rule must not grow this without bound).
  static constexpr std::size_t kMaxHosts = 65536;

  // `rule` alerted on `packet` (of `flow`; null for a packet that reached no flow).
  void onAlert(const signatures::Rule& rule, const DecodedPacket& packet, const Flow* flow);
  // After `packet`'s detection (its alerts' tags installed): whether a live tag covers it.
  // Counts the packet towards every tag of its session and hosts, and drops the tags it ends.
  bool onPacket(const DecodedPacket& packet, const Flow* flow);
  // The flow is gone: its session tags go with it.
  void onFlowEnd(const Flow& flow) {
    if (!sessions_.empty()) sessions_.erase(flow.id);
  }
  [[nodiscard]] bool empty() const { return sessions_.empty() && hosts_.empty(); }
  // Host tags not started because kMaxHosts hosts already had tags.
  [[nodiscard]] std::uint64_t hostTagsDropped() const { return host_tags_dropped_; }

 private:
  struct Entry {
    std::uint32_t gid = 0;
    std::uint32_t sid = 0;
    signatures::Tag tag;
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
    std::int64_t first_s = 0;
    std::int64_t last_s = 0;
    std::uint32_t restarts = 0;
    bool skipped_first = false;
  };
  using Entries = std::vector<Entry>;

  static void add(Entries& entries, const Entry& entry);
  // Counts `packet` in `entries`, erasing the expired ones; whether one still covers it.
  static bool count(Entries& entries, const DecodedPacket& packet);

  std::unordered_map<std::uint64_t, Entries> sessions_;  // by flow id
  std::map<IpAddress, Entries> hosts_;
  std::uint64_t host_tags_dropped_ = 0;
};

}  // namespace gsoc::sensor
