#pragma once
// NewValueAnalytic: a value (a destination name) not seen in the `baseline` before its first
// sighting, then seen by at least `gte` distinct values of `field` (agencies) within `timespan`.
// Nothing is new during the `learning` period after the first event; with `max_hosts`, only
// what few internal hosts contacted; with `new_domain`, only a name whose registered domain is
// new too; with `settle`, decided once the name has been known that long (a new service many
// hosts adopt has many hosts by then, a C2 name few), at the first event past it or when event
// time passes it (advance()).

#include "collector/correlate/Analytic.hpp"

namespace gsoc::collector {

class NewValueAnalytic final : public Analytic {
 public:
  using Analytic::Analytic;
  void observe(const EventView& event, const std::string& key, const std::vector<const std::string*>& values,
               std::span<const std::string> counted, std::uint64_t stages, Placement& placement) override;
  std::int64_t advance(std::int64_t now) override;
  [[nodiscard]] std::int64_t nextDue() const override { return next_due_; }
  std::uint64_t sweep(std::int64_t now) override;

 private:
  struct Group : Window {
    std::int64_t since = 0;                     // first sighting after a baseline-long silence
    std::int64_t parent_since = INT64_MIN;      // the same for its registered domain (new_domain)
    std::map<std::string, std::int64_t, std::less<>> hosts;  // max_hosts: internal hosts, last contact
    // settle: when the group is to be decided (0: not pending), and its latest event, which the
    // hit then names.
    std::int64_t pending_due = 0;
    std::int64_t pending_ts = 0;
    std::string pending_src;
    std::string pending_dst;
    std::string pending_indicator;
  };
  struct Seen {
    std::int64_t since = INT64_MIN;
    std::int64_t last = INT64_MIN;
  };
  bool holds(const Group& g, std::int64_t now) const;
  std::uint64_t recentHosts(const Group& g) const;

  KeyMap<Group> groups_;
  std::int64_t first_ts_ = INT64_MIN;  // the first event: when the learning period began
  KeyMap<Seen> parents_;               // new_domain: per registered domain
  std::vector<std::pair<std::int64_t, std::string>> pending_;  // settle: (due, group key)
  std::string host_;  // the host key being looked up, reused
  std::int64_t next_due_ = INT64_MAX;
};

}  // namespace gsoc::collector
