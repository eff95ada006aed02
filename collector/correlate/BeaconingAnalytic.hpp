#pragma once
// BeaconingAnalytic: a group (an internal host) contacting one value of `field` (a destination:
// a TLS name, HTTP host, DNS name, or a flow's address and port) at least `gte` times within
// `timespan` at regular intervals: `regularity` of the intervals within `jitter` of their median
// (at least 30 s), missed check-ins tolerated; and the destination `rare`: contacted by at most
// that many groups within the timespan. A popular destination keeps no window at all. With
// `slow`, fewer but tighter check-ins (`slow.gte` within `slow.jitter`) also suffice when the
// median interval lies in the slow range: an hourly implant makes a dozen check-ins only in half
// a day of office hours.

#include "collector/correlate/Analytic.hpp"

namespace gsoc::collector {

class BeaconingAnalytic final : public Analytic {
 public:
  using Analytic::Analytic;
  void observe(const EventView& event, const std::string& key, const std::vector<const std::string*>& values,
               std::span<const std::string> counted, std::uint64_t stages, Placement& placement) override;
  std::uint64_t sweep(std::int64_t now) override;

 private:
  // Per destination, the rare + 1 groups (packed keys) that contacted it last, and when. That is
  // all rareness needs: more than `rare` of them within the timespan, or not.
  struct Contact {
    std::string group;
    std::int64_t ts;
  };
  bool destinationIsRare(const std::string& destination, const std::string& group, std::int64_t ts);
  bool regular(const Window& g);
  [[nodiscard]] bool meets(const Window& g, double period, std::uint64_t needed, double jitter) const;
  // The fewest check-ins any period needs (`slow.gte` when set, else `gte`).
  [[nodiscard]] std::uint64_t fewestCheckIns() const { return rule_.slow_gte != 0 ? rule_.slow_gte : rule_.gte; }

  KeyMap<Window> groups_;  // per host and destination
  KeyMap<std::vector<Contact>> contacts_;
  std::string beacon_key_;
  std::vector<const std::string*> combo_;
  std::vector<std::int64_t> intervals_;
};

}  // namespace gsoc::collector
