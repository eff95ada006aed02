#pragma once
// ScenarioFamily: a seeded family of multi-agency uplink scenarios for measuring what the
// centre's correlation finds on traffic its rules were not written for (bench/campaign_scenarios.py).
// A seed draws one plan for every agency alike: each agency's profile (small or large, its own
// browsing, mail and public web rates, busier by JST office hours and on weekdays), decoys that
// look suspicious and are not (a daily newsletter to every agency, one-agency mail with odd
// attachments, a new SaaS site everyone starts using, a popular name moving to a new CDN) and,
// unless the plan is clean, randomized campaigns: phishing waves (shared file or shared sender)
// with C2 from the hosts that opened them, C2 beaconing over HTTP, TLS, DNS or raw TCP with
// jitter and missed beacons, middleware scans across agencies, and access surges at 3-50x an
// agency's own rate. scenarioAgencyTraffic writes one agency's share; scenarioManifestJson lists
// every campaign with its indicators, window and what the centre should publish, the same text
// from any agency's invocation. Same seed and agency list, same bytes.

#include <cstdint>
#include <string>
#include <vector>

#include "bench/traffic/TrafficGenerator.hpp"

namespace gsoc::traffic {

struct ScenarioOptions {
  std::uint64_t seed = 1;
  std::vector<std::string> agencies;  // 2 to 12, in the order given; the plan uses only these
  std::int64_t start_ns = 0;          // midnight JST of day 0
  int days = 3;
  bool clean = false;  // background and decoys only: what the centre raises on no attack at all
};

// How one agency's uplink behaves (drawn per seed).
struct AgencyProfile {
  std::string name;    // as given
  std::string domain;  // www.<domain>.example.go.jp; mail to <user>@<domain>.example.go.jp
  bool large = false;
  int staff_hosts = 0;           // 192.0.2.64 onwards
  double outbound_peak = 0;      // staff sessions per hour at the busiest weekday hour
  double inbound_peak = 0;       // public requests per hour to the web server at its busiest
  double mail_per_weekday = 0;   // inbound mail
  std::vector<std::size_t> favourites;  // tail names this agency's staff use more than others
};

// One C2 channel: how an implant calls home.
struct C2Channel {
  std::string protocol;  // http, tls, dns or tcp
  std::string name;      // the C2 domain (http Host, TLS SNI, DNS zone); empty for raw TCP
  std::string address;
  std::uint16_t port = 0;
  std::int64_t period_ns = 0;
  double jitter = 0;            // fraction of the period, either way
  double miss_rate = 0;         // beacons lost at random
  bool sleeps_at_night = false;  // a laptop: off outside 08:00-20:00 JST and on weekends
  std::string uri;              // http: the beacon's path pattern (a {id} is replaced)
  std::string user_agent;       // http
};

struct ScenarioBeacon {
  std::size_t agency = 0;
  std::string host;
  std::int64_t from_ns = 0;
  std::int64_t until_ns = 0;
  C2Channel channel;
  std::uint64_t seed = 0;  // jitter and misses come from this alone
};

struct ScenarioMail {
  std::size_t agency = 0;
  std::int64_t at_ns = 0;
  std::string relay, from, to, subject, attachment_name;
  std::size_t attachment_bytes = 0;
  std::uint64_t attachment_seed = 0;  // fixed bytes: the same file wherever this seed is used
};

struct ScenarioProbe {
  std::size_t agency = 0;
  std::int64_t at_ns = 0;
  std::string source, uri, user_agent;
  std::uint16_t port = 80;
};

struct ScenarioSurge {
  std::size_t agency = 0;
  std::int64_t from_ns = 0;
  std::int64_t until_ns = 0;
  double factor = 0;  // times the agency's own public request rate at that hour
};

// A name many hosts at every agency start using (a SaaS): from `from_ns`, a share of each
// agency's staff, some with a sync client that polls it.
struct ScenarioAdoption {
  std::string name;
  std::vector<std::string> addresses;
  std::int64_t from_ns = 0;
  double share = 0;
  std::int64_t poll_ns = 0;
};

// A popular name answered from new addresses from `at_ns` on.
struct ScenarioMove {
  std::string name;
  std::vector<std::string> addresses;
  std::int64_t at_ns = 0;
};

struct ScenarioExpect {
  std::string kind;    // warning or notice
  std::string agency;  // a notice's agency
  bool or_warning = false;  // a warning naming the agency's campaign serves as well (a one-agency surge)
};

struct ScenarioIndicator {
  std::string type;  // sender, attachment_name, attachment_sha256, mail_relay, c2_name, c2_address, c2_port,
                     // internal_host, scanner, probe_path, surged_agency, name, address
  std::string value;
  std::string agency;  // where it applies to one agency only (an internal host)
};

struct ScenarioCampaign {
  std::string id;       // c1, c2, ... (d1, d2, ... for decoys)
  std::string kind;     // phishing, c2_beacon, scan, surge; decoy_newsletter, decoy_mail, decoy_saas, decoy_cdn_move
  std::string variant;  // how this one was drawn, for recall by variant
  std::vector<std::size_t> agencies;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::vector<ScenarioIndicator> indicators;
  std::vector<ScenarioExpect> expect;  // empty for decoys: nothing should be published
  std::vector<ScenarioMail> mails;
  std::vector<ScenarioBeacon> beacons;
  std::vector<ScenarioProbe> probes;
  std::vector<ScenarioSurge> surges;
  std::vector<ScenarioAdoption> adoptions;
  std::vector<ScenarioMove> moves;
};

struct ScenarioPlan {
  ScenarioOptions options;
  std::vector<AgencyProfile> profiles;
  std::vector<std::string> popular_names;  // most traffic, by falling popularity
  std::vector<std::string> tail_names;     // the long tail
  std::vector<ScenarioCampaign> campaigns;  // campaigns and decoys
};

// Draws the plan from options alone; throws std::invalid_argument on 2 > agencies > 12, days < 1
// or an agency named twice.
[[nodiscard]] ScenarioPlan drawScenarioPlan(const ScenarioOptions& options);

// Writes agency `index`'s uplink (background, decoys, its part in the campaigns), in time order.
void scenarioAgencyTraffic(TrafficGenerator& generator, const ScenarioPlan& plan, std::size_t index);

// The manifest: every campaign and decoy with agencies, indicators, window and expectations.
[[nodiscard]] std::string scenarioManifestJson(const ScenarioPlan& plan);

}  // namespace gsoc::traffic
