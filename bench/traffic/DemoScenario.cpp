#include "bench/traffic/DemoScenario.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <random>

namespace gsoc::traffic {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000LL;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

// What staff contact every day: seen from the first hour, so never "new".
constexpr std::array<const char*, 12> kCommonNames = {
    "www.example.com",   "mail.example.net",  "news.example.org",    "cdn.example.net",   "docs.example.com", "login.example.net",
    "search.example.com", "maps.example.org", "weather.example.com", "video.example.net", "api.example.com",  "static.example.org"};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

struct Action {
  std::int64_t at;
  std::uint64_t order;  // ties keep insertion order
  std::function<void()> run;
};

}  // namespace

void demoAgencyTraffic(TrafficGenerator& g, const DemoPlan& plan, std::size_t index) {
  std::mt19937_64 rng(0xd3e0 + index);
  const std::string agency = lower(plan.agencies.at(index));
  const std::string web = "www." + agency + ".example.go.jp";
  const std::int64_t t0 = plan.start_ns;
  const std::int64_t end = t0 + plan.days * kDay;
  std::vector<Action> actions;
  auto at = [&](std::int64_t ts, std::function<void()> f) { actions.push_back({ts, actions.size(), std::move(f)}); };
  auto staff = [&] { return "192.0.2." + std::to_string(100 + rng() % 100); };
  auto outsider = [&] { return "203.0.113." + std::to_string(130 + rng() % 120); };

  // Background, hour by hour: busier from 08:00 to 20:00.
  for (std::int64_t h = 0; h < plan.days * 24; ++h) {
    const bool office = h % 24 >= 8 && h % 24 < 20;
    const int outbound = office ? 10 : 2;
    const int inbound = office ? 5 : 1;
    for (int i = 0; i < outbound; ++i) {
      const std::int64_t ts = t0 + h * kHour + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(kHour));
      const std::string client = staff();
      const std::string name = kCommonNames[rng() % kCommonNames.size()];
      const auto pick = rng() % 20;
      const std::string server = outsider();
      if (pick < 8) at(ts, [&g, client, server, name] { g.httpSession(client, server, name, "/index.html", 3000); });
      else if (pick < 15) at(ts, [&g, client, server, name] { g.tlsSession(client, server, name, 4000); });
      else at(ts, [&g, client, name] { g.dnsLookup(client, "192.0.2.53", name); });
    }
    for (int i = 0; i < inbound; ++i) {
      const std::int64_t ts = t0 + h * kHour + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(kHour));
      const std::string client = outsider();
      at(ts, [&g, client, web] { g.httpSession(client, "192.0.2.10", web, "/", 2000); });
    }
    if (office && h % 3 == 0) {
      const std::int64_t ts = t0 + h * kHour + 20 * kMinute;
      const std::string sender = "press@" + agency + "-news.example.org";
      at(ts, [&g, sender, agency] { g.smtpSession("203.0.113.140", "192.0.2.25", sender, "info@" + agency + ".example.go.jp", "月次報告", "report.pdf", 6000); });
    }
  }

  const auto i = static_cast<std::int64_t>(index);
  if (index < 4) {  // the phishing wave, day 1 morning
    at(t0 + kDay + 9 * kHour + 30 * kMinute + i * 20 * kMinute, [&g, agency] {
      g.smtpSession("203.0.113.90", "192.0.2.25", "joho-kyoyu@freemail.example", "minister-office@" + agency + ".example.go.jp", "資料送付",
                    "資料.docx.exe", 24000, 0x5a1d0c);
    });
  }
  if (index < 2) {  // opened at two of them: the implant calls home
    at(t0 + kDay + 11 * kHour + i * 30 * kMinute, [&g] {
      g.dnsLookup("192.0.2.77", "192.0.2.53", "cdn.update-check.example");
      g.httpSession("192.0.2.77", "203.0.113.66", "cdn.update-check.example", "/news/QUdFTkNZLUhPU1QtMDc3.html", 200,
                    "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)");
    });
  }
  at(t0 + kDay + 3 * kHour + i * 3 * kMinute, [&g, web] {  // the middleware scan, every agency
    g.httpSession("203.0.113.71", "192.0.2.10", web, "/struts2/login.action?redirect:%{(#a=@java.lang.Runtime@getRuntime().exec('id'))}", 300);
    g.httpSession("203.0.113.71", "192.0.2.10", web, "/jmx-console/HtmlAdaptor?action=inspectMBean", 300);
    g.httpSession("203.0.113.71", "192.0.2.10", web, "/CFIDE/administrator/index.cfm", 300);
  });
  if (index == 5) {  // beaconing all along, every 15 minutes give or take 90 s
    for (std::int64_t ts = t0 + 30 * kMinute; ts < end; ts += 15 * kMinute) {
      const std::int64_t jitter = (static_cast<std::int64_t>(rng() % 181) - 90) * kSecond;
      at(ts + jitter, [&g] { g.tlsSession("192.0.2.45", "203.0.113.45", "telemetry.cloud-sync.example", 1500); });
    }
  }
  if (index == 1 || index == 4 || index == 6) {  // a destination never seen before, day 2 afternoon
    at(t0 + 2 * kDay + 13 * kHour + i * 10 * kMinute, [&g] {
      g.dnsLookup("192.0.2.150", "192.0.2.53", "sync.newsfeed-cdn.example");
      g.tlsSession("192.0.2.150", "203.0.113.52", "sync.newsfeed-cdn.example", 3000);
    });
  }
  if (index == 2 || index == 3) {  // the night-time surge, day 2 at 02:10
    for (int k = 0; k < 300; ++k) {
      const std::string client = "203.0.113." + std::to_string(130 + k % 120);
      at(t0 + 2 * kDay + 2 * kHour + 10 * kMinute + i * 2 * kMinute + k * kSecond, [&g, client, web] { g.httpSession(client, "192.0.2.10", web, "/", 800); });
    }
  }

  std::sort(actions.begin(), actions.end(), [](const Action& a, const Action& b) { return a.at != b.at ? a.at < b.at : a.order < b.order; });
  for (const Action& a : actions) {
    g.at(a.at);
    a.run();
  }
}

}  // namespace gsoc::traffic
