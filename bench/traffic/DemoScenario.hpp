#pragma once
// DemoScenario: several days of one agency's uplink for the demo and its end-to-end test, with
// the campaigns the centre is meant to find embedded at fixed times (JST, the SOC's clock):
//   - background: staff browsing (HTTP, TLS, DNS) busier by day than by night, mail, and the
//     public's requests to the agency's web server, so rate baselines and "seen before" exist;
//   - a phishing wave: one 資料.docx.exe attachment from one sender at the first four agencies
//     on day 1 morning; at the first two, host 192.0.2.77 then contacts the C2 (lookup, beacon);
//   - a middleware scan from 203.0.113.71 across every agency's web server (Struts, JBoss,
//     ColdFusion) on day 1 at 03:00;
//   - C2 beaconing from 192.0.2.45 at the sixth agency to telemetry.cloud-sync.example
//     (203.0.113.45) every 15 minutes, up to 90 s off, for the whole run;
//   - a destination no one contacted before, sync.newsfeed-cdn.example, at the second, fifth and
//     seventh agencies on day 2 afternoon;
//   - a night-time access surge (300 requests in 5 minutes) at the third and fourth agencies on
//     day 2 at 02:10.
// The agency's place in the list decides its part; the rest is seeded by that place, so every
// run gives the same bytes.

#include <cstdint>
#include <string>
#include <vector>

#include "bench/traffic/TrafficGenerator.hpp"

namespace gsoc::traffic {

struct DemoPlan {
  std::vector<std::string> agencies;  // in order; at least eight for every campaign to appear
  std::int64_t start_ns = 0;          // midnight JST of day 0
  int days = 3;
};

// Writes agency `index`'s traffic through `generator`, in time order.
void demoAgencyTraffic(TrafficGenerator& generator, const DemoPlan& plan, std::size_t index);

}  // namespace gsoc::traffic
