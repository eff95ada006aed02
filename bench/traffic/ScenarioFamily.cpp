#include "bench/traffic/ScenarioFamily.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string_view>

#include "gsoc/signatures/Sha256.hpp"

namespace gsoc::traffic {
namespace {

using Rng = std::mt19937_64;

constexpr std::int64_t kSecond = 1'000'000'000LL;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

// Staff traffic by JST hour on a weekday, relative to the busiest hour: ministries work late, a
// dip at lunch, next to nothing before dawn (updates and a few night owls).
constexpr std::array<double, 24> kOutboundByHour = {0.05, 0.04, 0.03, 0.03, 0.03, 0.04, 0.08, 0.25, 0.6, 0.95, 1.0, 0.95,
                                                    0.6,  0.9,  1.0,  0.95, 0.9,  0.75, 0.55, 0.4,  0.3, 0.2,  0.12, 0.08};
// The public reading an agency's web site: flatter, busiest in the evening.
constexpr std::array<double, 24> kInboundByHour = {0.35, 0.25, 0.18, 0.15, 0.15, 0.2, 0.3, 0.5, 0.7, 0.85, 0.9, 0.9,
                                                   0.95, 0.9,  0.9,  0.85, 0.85, 0.9, 1.0, 1.0, 0.95, 0.8, 0.6, 0.45};
constexpr double kWeekendOutbound = 0.12;
constexpr double kWeekendInbound = 0.7;

// The names most traffic goes to, most popular first (a Zipf draw over this order).
constexpr std::array<std::string_view, 40> kPopular = {
    "www.search.example",          "login.office-cloud.example",  "mail.office-cloud.example",    "cdn.static-assets.example",
    "update.os-vendor.example",    "telemetry.os-vendor.example", "docs.office-cloud.example",    "www.news-daily.example",
    "video.stream.example",        "fonts.webfonts.example",      "analytics.metrics.example",    "ocsp.ca-vendor.example",
    "www.e-gov.example.go.jp",     "teams.chat-vendor.example",   "maps.example",                 "weather.example",
    "storage.cloud-drive.example", "meeting.conference.example",  "www.encyclopedia.example",     "ads.adnetwork.example",
    "api.social.example",          "translate.example",           "www.train-info.example",       "www.stats.example.go.jp",
    "www.law-db.example.go.jp",    "img.cdn-provider.example",    "edge.cdn-provider.example",    "defs.av-vendor.example",
    "crl.ca-vendor.example",       "www.press-agency.example",    "www.dictionary.example",       "www.shop-mall.example",
    "www.bank.example",            "www.travel.example",          "www.jma-weather.example.go.jp", "www.economy-news.example",
    "calendar.office-cloud.example", "www.video-share.example",  "www.research-papers.example",  "www.pref-portal.example.lg.jp"};

// Words for the long tail of sites, partners' mail domains and campaign names.
constexpr std::array<std::string_view, 48> kWords = {
    "asahi",  "sakura", "fuji",   "kumo",   "hikari", "mirai",  "tokyo",  "osaka",  "kyoto",  "nagoya", "sendai", "hakata",
    "green",  "blue",   "north",  "south",  "policy", "market", "trade",  "energy", "health", "travel", "food",   "music",
    "tech",   "data",   "cloud",  "media",  "press",  "forum",  "labo",   "works",  "net",    "info",   "life",   "sports",
    "edu",    "univ",   "rail",   "port",   "kaigi",  "study",  "global", "local",  "smart",  "craft",  "plaza",  "link"};
// Only campaign and decoy names use these, so no background name can collide with them.
constexpr std::array<std::string_view, 16> kActorWords = {"cdn",  "sync", "update", "telemetry", "static", "api",  "img",   "metrics",
                                                          "edge", "push", "notify", "license",   "report", "feed", "relay", "gate"};
constexpr std::array<std::string_view, 12> kActorZones = {"cloudedge-svc", "msupdate-cdn", "gov-docs",   "jp-portal-news", "office-sync",
                                                          "secure-mailbox", "webfont-cache", "doc-viewer", "adobe-updates", "ntp-time",
                                                          "kaigi-online",   "seminar-info"};

constexpr std::array<std::string_view, 7> kPublicPaths = {"/", "/press/index.html", "/about/index.html", "/policy/index.html",
                                                          "/english/index.html", "/procurement/index.html", "/news/2023/index.html"};
constexpr std::array<std::string_view, 8> kMailSubjects = {"月次報告", "会議開催のご案内", "議事録の送付", "資料のご確認",
                                                           "Re: 打合せ日程", "調査票のご提出について", "見積書送付", "お知らせ"};
constexpr std::array<std::string_view, 8> kMailFiles = {"議事録.pdf", "資料.xlsx", "報告書.docx", "image001.png",
                                                        "agenda.pdf", "調査票.xlsx", "見積書.pdf", "参考資料.pptx"};
constexpr std::array<std::string_view, 6> kUsers = {"soumu", "kikaku", "info", "kouhou", "jinji", "chousa"};

// Middleware probe families: what mass scanners try against public web servers.
struct ProbeFamily {
  std::string_view name;
  std::array<std::string_view, 2> paths;
  std::uint16_t port;
};
constexpr std::array<ProbeFamily, 12> kProbes = {{
    {"struts", {"/struts2-showcase/index.action?redirect:%{(#a=@java.lang.Runtime@getRuntime().exec('id'))}", "/login.action"}, 80},
    {"jboss", {"/jmx-console/HtmlAdaptor?action=inspectMBean&name=jboss.system:type=ServerInfo", "/invoker/JMXInvokerServlet"}, 80},
    {"weblogic", {"/console/login/LoginForm.jsp", "/wls-wsat/CoordinatorPortType"}, 80},
    {"tomcat", {"/manager/html", "/host-manager/html"}, 8080},
    {"coldfusion", {"/CFIDE/administrator/index.cfm", "/CFIDE/componentutils/"}, 80},
    {"phpmyadmin", {"/phpmyadmin/index.php", "/pma/index.php"}, 80},
    {"citrix", {"/vpn/../vpns/cfg/smb.conf", "/vpn/index.html"}, 80},
    {"fortinet", {"/remote/fgt_lang?lang=/../../../..//////////dev/cmdb/sslvpn_websession", "/remote/login"}, 80},
    {"exchange", {"/owa/auth/x.js", "/autodiscover/autodiscover.json?@zdi/Powershell"}, 80},
    {"confluence", {"/%24%7B%40java.lang.Runtime%40getRuntime%28%29.exec%28%22id%22%29%7D/", "/login.action"}, 80},
    {"wordpress", {"/wp-login.php", "/xmlrpc.php"}, 80},
    {"git-env", {"/.git/config", "/.env"}, 80},
}};

constexpr std::string_view kBrowserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Safari/537.36";

double uniform(Rng& rng, double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }
std::size_t below(Rng& rng, std::size_t n) { return static_cast<std::size_t>(rng() % n); }
bool chance(Rng& rng, double p) { return uniform(rng, 0.0, 1.0) < p; }
std::int64_t between(Rng& rng, std::int64_t lo, std::int64_t hi) {
  return hi <= lo ? lo : lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo));
}
// Periods and factors spread over orders of magnitude: uniform in the logarithm.
double logUniform(Rng& rng, double lo, double hi) { return std::exp(uniform(rng, std::log(lo), std::log(hi))); }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::uint64_t fnv(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::string hex(Rng& rng, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += kDigits[rng() % 16];
  return s;
}

std::string base64Token(Rng& rng, std::size_t n) {
  static constexpr char kTable[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += kTable[rng() % 62];
  return s;
}

std::string internalHost(std::size_t k) { return "192.0.2." + std::to_string(64 + k); }
// Background servers and the public live in 203.0.113.130-254; campaign actors below (see Addresses).
std::string backgroundServer(std::string_view name) { return "203.0.113." + std::to_string(130 + fnv(name) % 120); }
std::string outsider(Rng& rng) { return "203.0.113." + std::to_string(130 + below(rng, 125)); }

// External addresses for campaign actors and decoys, each used once per plan. The bundled
// indicator lists name 203.0.113.66 and 203.0.113.96/28: those are never drawn, so a campaign is
// never found merely because its address happens to be listed.
class Addresses {
 public:
  explicit Addresses(Rng& rng) {
    for (int i = 2; i < 96; ++i)
      if (i != 66) actors_.push_back(i);
    for (int i = 112; i < 128; ++i) decoys_.push_back(i);
    std::shuffle(actors_.begin(), actors_.end(), rng);
    std::shuffle(decoys_.begin(), decoys_.end(), rng);
  }
  std::string actor() { return take(actors_); }
  std::string decoy() { return take(decoys_); }

 private:
  static std::string take(std::vector<int>& pool) {
    if (pool.empty()) throw std::logic_error("scenario: out of documentation addresses");
    const int last = pool.back();
    pool.pop_back();
    return "203.0.113." + std::to_string(last);
  }
  std::vector<int> actors_;
  std::vector<int> decoys_;
};

// JST calendar of the run: day 0 starts at options.start_ns (midnight JST).
struct Calendar {
  std::int64_t start = 0;
  int first_weekday = 0;  // 0 Sunday
  int days = 0;
  int hourOf(std::int64_t ts) const { return static_cast<int>(((ts - start) / kHour) % 24); }
  int dayOf(std::int64_t ts) const { return static_cast<int>((ts - start) / kDay); }
  bool weekend(int day) const {
    const int dow = (first_weekday + day) % 7;
    return dow == 0 || dow == 6;
  }
  bool office(std::int64_t ts) const { return !weekend(dayOf(ts)) && hourOf(ts) >= 8 && hourOf(ts) < 20; }
  std::int64_t dayStart(int day) const { return start + day * kDay; }
  std::int64_t end() const { return start + days * kDay; }
};

Calendar calendarOf(const ScenarioOptions& o) {
  const std::int64_t jst_days = (o.start_ns / kSecond + 9 * 3600) / 86400;
  return {o.start_ns, static_cast<int>((jst_days + 4) % 7), o.days};  // 1970-01-01 was a Thursday
}

// Attacks start once a day of history exists, as they would on a network watched for months:
// a baseline that has not formed yet is an artefact of the replay, not of the correlator.
int firstAttackDay(const Calendar& cal) { return cal.days >= 2 ? 1 : 0; }

// A weekday at or after `from` if the run has one (phishing targets office hours).
int pickWorkday(Rng& rng, const Calendar& cal, int from) {
  int day = from + static_cast<int>(below(rng, static_cast<std::size_t>(cal.days - from)));
  for (int tries = 0; tries < 8 && cal.weekend(day); ++tries) day = from + static_cast<int>(below(rng, static_cast<std::size_t>(cal.days - from)));
  return day;
}

std::vector<std::size_t> pickAgencies(Rng& rng, std::size_t n, std::size_t k) {
  std::vector<std::size_t> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = i;
  std::shuffle(all.begin(), all.end(), rng);
  all.resize(std::min(k, n));
  std::sort(all.begin(), all.end());
  return all;
}

std::string actorName(Rng& rng, const std::set<std::string>& taken) {
  for (;;) {
    std::string name = std::string(kActorWords[below(rng, kActorWords.size())]);
    if (chance(rng, 0.5)) name += std::to_string(below(rng, 90) + 10);
    name += ".";
    name += kActorZones[below(rng, kActorZones.size())];
    name += chance(rng, 0.3) ? "-jp.example" : ".example";
    if (!taken.contains(name)) return name;
  }
}

C2Channel drawChannel(Rng& rng, Addresses& addresses, std::set<std::string>& names) {
  C2Channel c;
  const double p = uniform(rng, 0, 1);
  c.protocol = p < 0.3 ? "http" : p < 0.7 ? "tls" : p < 0.85 ? "dns" : "tcp";
  const double q = uniform(rng, 0, 1);
  const double seconds = q < 0.7 ? logUniform(rng, 300, 3600) : q < 0.85 ? logUniform(rng, 30, 300) : logUniform(rng, 3600, 6 * 3600);
  c.period_ns = static_cast<std::int64_t>(seconds) * kSecond;
  c.jitter = uniform(rng, 0.0, 0.3);
  c.miss_rate = uniform(rng, 0.0, 0.1);
  c.sleeps_at_night = chance(rng, 0.4);
  if (c.protocol != "tcp") {
    c.name = actorName(rng, names);
    names.insert(c.name);
  }
  if (c.protocol != "dns") c.address = addresses.actor();
  if (c.protocol == "http") {
    c.port = chance(rng, 0.2) ? 8080 : 80;
    static constexpr std::array<std::string_view, 6> kUris = {"/news/{b64}.html", "/jquery-3.3.1.min.js",        "/api/v2/status?uid={hex}",
                                                              "/wp-content/plugins/{hex}/check.php", "/favicon.ico?{hex}", "/index.php?id={hex}"};
    c.uri = kUris[below(rng, kUris.size())];
    const double u = uniform(rng, 0, 1);
    c.user_agent = u < 0.7 ? std::string(kBrowserAgent)
                   : u < 0.85 ? "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"
                              : "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)";
  } else if (c.protocol == "tls") {
    c.port = 443;
  } else if (c.protocol == "dns") {
    c.port = 53;
  } else {
    static constexpr std::array<std::uint16_t, 7> kPorts = {4444, 8443, 443, 8080, 1337, 5938, 53};
    c.port = kPorts[below(rng, kPorts.size())];
  }
  return c;
}

std::string periodText(std::int64_t ns) {
  const std::int64_t s = ns / kSecond;
  return s < 120 ? std::to_string(s) + "s" : s < 7200 ? std::to_string(s / 60) + "m" : std::to_string(s / 3600) + "h";
}

void addC2Indicators(ScenarioCampaign& c, const C2Channel& ch) {
  if (!ch.name.empty()) c.indicators.push_back({"c2_name", ch.name, {}});
  if (!ch.address.empty()) c.indicators.push_back({"c2_address", ch.address, {}});
  if (ch.protocol == "tcp" || ch.protocol == "http") c.indicators.push_back({"c2_port", std::to_string(ch.port), {}});
}

// A beacon from `from` for at most `max_beacons` periods (the run stays small whatever the period).
ScenarioBeacon makeBeacon(Rng& rng, const Calendar& cal, std::size_t agency, std::string host, std::int64_t from, const C2Channel& ch,
                          std::int64_t max_span) {
  constexpr std::int64_t kMaxBeacons = 300;
  const std::int64_t end = std::min(cal.end(), from + max_span);
  // An implant that sleeps with its laptop starts when the laptop is on (at work), and its 300
  // check-ins are counted in office hours: an evening start would leave it nothing to send
  // before a 48-second beacon's 300 periods were over, a campaign no sensor could see.
  if (ch.sleeps_at_night) {
    while (from < end && !cal.office(from)) from += 10 * kMinute;
  }
  std::int64_t until = from;
  for (std::int64_t made = 0; until < end && made < kMaxBeacons; until += ch.period_ns) {
    if (!ch.sleeps_at_night || cal.office(until)) ++made;
  }
  ScenarioBeacon b{agency, std::move(host), from, std::min(end, until), ch, rng()};
  return b;
}

void drawProfiles(Rng& rng, ScenarioPlan& plan) {
  const std::size_t n = plan.options.agencies.size();
  for (std::size_t i = 0; i < n; ++i) {
    AgencyProfile p;
    p.name = plan.options.agencies[i];
    p.domain = lower(p.name);
    p.large = chance(rng, 0.4);
    plan.profiles.push_back(std::move(p));
  }
  // Both kinds in every plan: surges and rates are judged against each agency's own normal.
  const bool any_large = std::any_of(plan.profiles.begin(), plan.profiles.end(), [](const AgencyProfile& p) { return p.large; });
  const bool any_small = std::any_of(plan.profiles.begin(), plan.profiles.end(), [](const AgencyProfile& p) { return !p.large; });
  if (!any_large || !any_small) plan.profiles[below(rng, n)].large = !plan.profiles.front().large;
  for (AgencyProfile& p : plan.profiles) {
    if (p.large) {
      p.staff_hosts = static_cast<int>(80 + below(rng, 100));
      p.outbound_peak = uniform(rng, 14, 24);
      p.inbound_peak = uniform(rng, 100, 300);  // the public at a ministry's site: hundreds an hour
      p.mail_per_weekday = uniform(rng, 15, 35);
    } else {
      p.staff_hosts = static_cast<int>(20 + below(rng, 40));
      p.outbound_peak = uniform(rng, 6, 14);
      p.inbound_peak = uniform(rng, 20, 60);  // a small agency's site: a few an hour at night
      p.mail_per_weekday = uniform(rng, 6, 15);
    }
    for (int k = 0; k < 20; ++k) p.favourites.push_back(below(rng, plan.tail_names.size()));
  }
}

void drawTail(Rng& rng, ScenarioPlan& plan) {
  std::set<std::string> seen(kPopular.begin(), kPopular.end());
  while (plan.tail_names.size() < 1500) {
    const std::string a(kWords[below(rng, kWords.size())]);
    const std::string b(kWords[below(rng, kWords.size())]);
    std::string name;
    switch (below(rng, 4)) {
      case 0: name = "www." + a + "-" + b + ".example"; break;
      case 1: name = a + "-" + b + ".example"; break;
      case 2: name = "www." + a + std::to_string(below(rng, 100)) + ".example"; break;
      default: name = a + "." + b + "-" + std::string(kWords[below(rng, kWords.size())]) + ".example"; break;
    }
    if (seen.insert(name).second) plan.tail_names.push_back(name);
  }
  for (const auto& p : kPopular) plan.popular_names.emplace_back(p);
}

std::set<std::string> backgroundNames(const ScenarioPlan& plan) {
  std::set<std::string> s(plan.popular_names.begin(), plan.popular_names.end());
  s.insert(plan.tail_names.begin(), plan.tail_names.end());
  return s;
}

void drawDecoys(Rng& rng, ScenarioPlan& plan, const Calendar& cal, Addresses& addresses, std::set<std::string>& names) {
  const std::size_t n = plan.profiles.size();
  std::vector<std::size_t> everyone(n);
  for (std::size_t i = 0; i < n; ++i) everyone[i] = i;
  int decoy = 0;
  auto next = [&] { return "d" + std::to_string(++decoy); };

  {  // a newsletter to every agency each weekday morning: one PDF a day, the same at every agency
    ScenarioCampaign c{next(), "decoy_newsletter", "daily-pdf", everyone, cal.end(), cal.start, {}, {}, {}, {}, {}, {}, {}, {}};
    const std::string sender = "mailmag@" + std::string(kWords[below(rng, kWords.size())]) + "-news.example";
    const std::string relay = addresses.decoy();
    for (int day = 0; day < cal.days; ++day) {
      if (cal.weekend(day)) continue;
      const std::int64_t t = cal.dayStart(day) + 7 * kHour + between(rng, 0, 90 * kMinute);
      const std::uint64_t file = rng() | 1;
      const std::size_t size = 20000 + below(rng, 30000);
      for (std::size_t a = 0; a < n; ++a)
        c.mails.push_back({a, t + between(rng, 0, 20 * kMinute), relay, sender, "subscriber@" + plan.profiles[a].domain + ".example.go.jp",
                           "メールマガジン 第" + std::to_string(100 + day) + "号", "newsletter.pdf", size, file});
    }
    c.indicators = {{"sender", sender, {}}, {"mail_relay", relay, {}}};
    std::set<std::uint64_t> files;  // one file a day, the same at every agency: list each once
    for (const ScenarioMail& m : c.mails)
      if (files.insert(m.attachment_seed).second)
        c.indicators.push_back({"attachment_sha256", signatures::Sha256::hex(TrafficGenerator::attachmentContent(m.attachment_bytes, m.attachment_seed)), {}});
    if (!c.mails.empty()) {
      c.start_ns = std::min_element(c.mails.begin(), c.mails.end(), [](auto& x, auto& y) { return x.at_ns < y.at_ns; })->at_ns;
      c.end_ns = std::max_element(c.mails.begin(), c.mails.end(), [](auto& x, auto& y) { return x.at_ns < y.at_ns; })->at_ns;
      plan.campaigns.push_back(std::move(c));
    }
  }
  {  // odd-looking mail to one agency only: a vendor's tool, a quote as an archive
    static constexpr std::array<std::string_view, 4> kFiles = {"setup.exe", "見積書.zip", "update_tool.exe", "請求書.pdf"};
    const std::size_t count = 1 + below(rng, 3);
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t a = below(rng, n);
      const int day = pickWorkday(rng, cal, 0);
      const std::int64_t t = cal.dayStart(day) + 9 * kHour + between(rng, 0, 8 * kHour);
      const std::string sender = "support@" + std::string(kWords[below(rng, kWords.size())]) + "-soft.example";
      const std::string file(kFiles[below(rng, kFiles.size())]);
      ScenarioCampaign c{next(), "decoy_mail", "one-agency", {a}, t, t, {}, {}, {}, {}, {}, {}, {}, {}};
      const std::string relay = addresses.decoy();
      c.mails.push_back({a, t, relay, sender, std::string(kUsers[below(rng, kUsers.size())]) + "@" + plan.profiles[a].domain + ".example.go.jp",
                         "ご依頼の件", file, 8000 + below(rng, 20000), rng() | 1});
      const ScenarioMail& m = c.mails.front();
      c.indicators = {{"sender", sender, {}},
                      {"attachment_name", file, {}},
                      {"attachment_sha256", signatures::Sha256::hex(TrafficGenerator::attachmentContent(m.attachment_bytes, m.attachment_seed)), {}},
                      {"mail_relay", relay, {}}};
      plan.campaigns.push_back(std::move(c));
    }
  }
  {  // a new SaaS everyone starts using (a new name at every agency on the same day), with sync clients
    ScenarioAdoption s;
    s.name = "app." + std::string(kWords[below(rng, kWords.size())]) + "-" + std::string(kActorWords[below(rng, kActorWords.size())]) + "works.example";
    while (names.contains(s.name)) s.name = "app" + std::to_string(below(rng, 100)) + "." + s.name.substr(s.name.find('.') + 1);
    names.insert(s.name);
    s.addresses = {addresses.decoy(), addresses.decoy()};
    const int day = std::min(cal.days - 1, firstAttackDay(cal));
    s.from_ns = cal.dayStart(day) + 9 * kHour + between(rng, 0, 3 * kHour);
    s.share = uniform(rng, 0.2, 0.5);
    s.poll_ns = between(rng, 10, 30) * kMinute;
    ScenarioCampaign c{next(), "decoy_saas", "new-shared-name", everyone, s.from_ns, cal.end(), {}, {}, {}, {}, {}, {}, {}, {}};
    c.indicators = {{"name", s.name, {}}, {"address", s.addresses[0], {}}, {"address", s.addresses[1], {}}};
    c.adoptions.push_back(std::move(s));
    plan.campaigns.push_back(std::move(c));
  }
  {  // a popular name moves to a new CDN: new addresses, same name
    ScenarioMove m;
    m.name = plan.popular_names[below(rng, 10)];
    m.addresses = {addresses.decoy(), addresses.decoy(), addresses.decoy()};
    m.at_ns = cal.dayStart(std::min(cal.days - 1, firstAttackDay(cal))) + between(rng, 0, kDay);
    ScenarioCampaign c{next(), "decoy_cdn_move", "popular-name", everyone, m.at_ns, cal.end(), {}, {}, {}, {}, {}, {}, {}, {}};
    c.indicators = {{"name", m.name, {}}};
    for (const auto& a : m.addresses) c.indicators.push_back({"address", a, {}});
    c.moves.push_back(std::move(m));
    plan.campaigns.push_back(std::move(c));
  }
}

struct CampaignIds {
  int next = 0;
  std::string operator()() { return "c" + std::to_string(++next); }
};

void drawPhishing(Rng& rng, ScenarioPlan& plan, const Calendar& cal, Addresses& addresses, std::set<std::string>& names, CampaignIds& ids) {
  static constexpr std::array<std::string_view, 6> kSubjects = {"資料送付", "会議資料の送付について", "【至急】確認依頼", "講演依頼",
                                                                "請求書送付のご案内", "Invitation: policy seminar"};
  static constexpr std::array<std::string_view, 7> kFiles = {"資料.docx.exe", "会議資料.zip",   "請求書.pdf.exe", "議事次第.lzh",
                                                             "講演依頼.doc",  "policy_brief.xlsm", "案内状.pdf.scr"};
  static constexpr std::array<std::string_view, 5> kLocals = {"kaigi-jimukyoku", "seminar", "soumu-ka", "office", "kenkyukai"};
  const std::size_t n = plan.profiles.size();
  const std::size_t k = 2 + below(rng, std::min<std::size_t>(8, n) - 1);
  ScenarioCampaign c;
  c.id = ids();
  c.kind = "phishing";
  c.agencies = pickAgencies(rng, n, k);
  const double v = uniform(rng, 0, 1);
  const std::string variant = v < 0.5 ? "same-file-same-sender" : v < 0.75 ? "same-file-varied-senders" : "same-sender-varied-files";
  auto sender = [&] {
    return std::string(kLocals[below(rng, kLocals.size())]) + "@" + std::string(kWords[below(rng, kWords.size())]) + "-" +
           std::string(kActorZones[below(rng, kActorZones.size())]) + ".example";
  };
  const std::string shared_sender = sender();
  const std::string subject(kSubjects[below(rng, kSubjects.size())]);
  const std::string file(kFiles[below(rng, kFiles.size())]);
  const std::size_t size = 20000 + below(rng, 60000);
  const std::uint64_t shared_file = rng() | 1;
  const std::string relay = addresses.actor();
  const int day = pickWorkday(rng, cal, firstAttackDay(cal));
  const std::int64_t first = cal.dayStart(day) + 8 * kHour + 30 * kMinute + between(rng, 0, 8 * kHour);
  const std::int64_t spread = chance(rng, 0.5) ? 30 * kMinute : 4 * kHour;
  std::set<std::string> senders;
  std::set<std::string> hashes;
  for (const std::size_t a : c.agencies) {
    const std::string from = variant == "same-file-varied-senders" ? sender() : shared_sender;
    const std::uint64_t file_seed = variant == "same-sender-varied-files" ? (rng() | 1) : shared_file;
    const std::string to = std::string(kUsers[below(rng, kUsers.size())]) + "@" + plan.profiles[a].domain + ".example.go.jp";
    c.mails.push_back({a, first + between(rng, 0, spread), relay, from, to, subject, file, size, file_seed});
    senders.insert(from);
    hashes.insert(signatures::Sha256::hex(TrafficGenerator::attachmentContent(size, file_seed)));
  }
  for (const auto& s : senders) c.indicators.push_back({"sender", s, {}});
  c.indicators.push_back({"attachment_name", file, {}});
  for (const auto& h : hashes) c.indicators.push_back({"attachment_sha256", h, {}});
  c.indicators.push_back({"mail_relay", relay, {}});
  c.expect.push_back({"warning", {}});
  c.start_ns = std::min_element(c.mails.begin(), c.mails.end(), [](auto& x, auto& y) { return x.at_ns < y.at_ns; })->at_ns;
  c.end_ns = std::max_element(c.mails.begin(), c.mails.end(), [](auto& x, auto& y) { return x.at_ns < y.at_ns; })->at_ns;
  // Someone opens it at none, one or two of them; the implant then calls one C2 for the campaign.
  const double o = uniform(rng, 0, 1);
  const std::size_t victims = std::min(c.mails.size(), static_cast<std::size_t>(o < 0.35 ? 0 : o < 0.8 ? 1 : 2));
  std::string opened = "opened-0";
  if (victims > 0) {
    const C2Channel ch = drawChannel(rng, addresses, names);
    opened = "opened-" + std::to_string(victims) + "/" + ch.protocol;
    addC2Indicators(c, ch);
    std::vector<std::size_t> order(c.mails.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    for (std::size_t i = 0; i < victims; ++i) {
      const ScenarioMail& m = c.mails[order[i]];
      const std::string host = internalHost(below(rng, static_cast<std::size_t>(plan.profiles[m.agency].staff_hosts)));
      const std::int64_t open = m.at_ns + between(rng, 5 * kMinute, 3 * kHour);
      if (open >= cal.end()) continue;
      c.beacons.push_back(makeBeacon(rng, cal, m.agency, host, open, ch, 2 * kDay));
      c.indicators.push_back({"internal_host", host, plan.profiles[m.agency].name});
      c.expect.push_back({"notice", plan.profiles[m.agency].name});
      c.end_ns = std::max(c.end_ns, c.beacons.back().until_ns);
    }
  }
  c.variant = variant + "/" + opened;
  plan.campaigns.push_back(std::move(c));
}

void drawBeaconing(Rng& rng, ScenarioPlan& plan, const Calendar& cal, Addresses& addresses, std::set<std::string>& names, CampaignIds& ids) {
  const std::size_t n = plan.profiles.size();
  ScenarioCampaign c;
  c.id = ids();
  c.kind = "c2_beacon";
  c.agencies = pickAgencies(rng, n, chance(rng, 0.2) ? 2 : 1);
  const C2Channel ch = drawChannel(rng, addresses, names);
  addC2Indicators(c, ch);
  const std::int64_t earliest = cal.dayStart(firstAttackDay(cal)) + (cal.days >= 2 ? 0 : 6 * kHour);
  const std::int64_t latest = std::max(earliest + kHour, cal.end() - 12 * kHour);
  const std::int64_t from = between(rng, earliest, latest);
  c.start_ns = from;
  c.end_ns = from;
  for (const std::size_t a : c.agencies) {
    const std::string host = internalHost(below(rng, static_cast<std::size_t>(plan.profiles[a].staff_hosts)));
    c.beacons.push_back(makeBeacon(rng, cal, a, host, from + between(rng, 0, 2 * kHour), ch, cal.end() - from));
    if (c.beacons.back().until_ns <= c.beacons.back().from_ns) {  // no office hours left in the run: it never runs
      c.beacons.pop_back();
      continue;
    }
    c.indicators.push_back({"internal_host", host, plan.profiles[a].name});
    c.expect.push_back({"notice", plan.profiles[a].name});
    c.end_ns = std::max(c.end_ns, c.beacons.back().until_ns);
  }
  const std::int64_t p = ch.period_ns / kSecond;
  c.variant = ch.protocol + "/" + (p < 300 ? "period<5m" : p <= 3600 ? "period5-60m" : "period>1h") + (ch.sleeps_at_night ? "/office-hours" : "/always-on");
  plan.campaigns.push_back(std::move(c));
}

void drawScan(Rng& rng, ScenarioPlan& plan, const Calendar& cal, Addresses& addresses, CampaignIds& ids) {
  const std::size_t n = plan.profiles.size();
  ScenarioCampaign c;
  c.id = ids();
  c.kind = "scan";
  c.agencies = pickAgencies(rng, n, 3 + below(rng, n - 2));
  const std::string scanner = addresses.actor();
  std::vector<std::size_t> families(kProbes.size());
  for (std::size_t i = 0; i < families.size(); ++i) families[i] = i;
  std::shuffle(families.begin(), families.end(), rng);
  families.resize(2 + below(rng, 5));
  const double u = uniform(rng, 0, 1);
  const std::string agent = u < 0.4 ? std::string(kBrowserAgent)
                            : u < 0.7 ? "Mozilla/5.0 zgrab/0.x"
                            : u < 0.85 ? "python-requests/2.31.0"
                                       : "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))";
  const bool slow = chance(rng, 0.4);
  const std::int64_t first = between(rng, cal.dayStart(firstAttackDay(cal)), cal.end() - 10 * kHour);
  std::vector<std::pair<std::string, std::uint16_t>> paths;
  std::string family_names;
  for (const std::size_t f : families) {
    family_names += (family_names.empty() ? "" : "+") + std::string(kProbes[f].name);
    paths.emplace_back(kProbes[f].paths[0], kProbes[f].port);
    if (chance(rng, 0.5)) paths.emplace_back(kProbes[f].paths[1], kProbes[f].port);
  }
  for (const std::size_t a : c.agencies) {
    std::int64_t t = first + between(rng, 0, slow ? 8 * kHour : 20 * kMinute);
    for (const auto& [path, port] : paths) {
      c.probes.push_back({a, t, scanner, path, agent, port});
      t += between(rng, kSecond, 5 * kSecond);
    }
  }
  c.indicators.push_back({"scanner", scanner, {}});
  for (const auto& p : paths) c.indicators.push_back({"probe_path", p.first, {}});
  c.expect.push_back({"warning", {}});
  c.start_ns = std::min_element(c.probes.begin(), c.probes.end(), [](auto& x, auto& y) { return x.at_ns < y.at_ns; })->at_ns;
  c.end_ns = std::max_element(c.probes.begin(), c.probes.end(), [](auto& x, auto& y) { return x.at_ns < y.at_ns; })->at_ns;
  c.variant = std::string(slow ? "slow" : "fast") + "/" + std::to_string(c.agencies.size()) + "-agencies/" + family_names;
  plan.campaigns.push_back(std::move(c));
}

void drawSurge(Rng& rng, ScenarioPlan& plan, const Calendar& cal, CampaignIds& ids) {
  const std::size_t n = plan.profiles.size();
  ScenarioCampaign c;
  c.id = ids();
  c.kind = "surge";
  c.agencies = pickAgencies(rng, n, chance(rng, 0.4) ? 1 : 2 + below(rng, 2));
  const double factor = logUniform(rng, 3, 50);
  const bool night = chance(rng, 0.5);
  const int day = firstAttackDay(cal) + static_cast<int>(below(rng, static_cast<std::size_t>(cal.days - firstAttackDay(cal))));
  const std::int64_t from = cal.dayStart(day) + (night ? between(rng, 0, 4 * kHour) : between(rng, 10 * kHour, 15 * kHour));
  const std::int64_t length = between(rng, 10, 60) * kMinute;
  c.start_ns = from;
  c.end_ns = from;
  int large = 0;
  for (const std::size_t a : c.agencies) {
    const std::int64_t start = from + between(rng, 0, 10 * kMinute);
    c.surges.push_back({a, start, start + length, factor});
    c.indicators.push_back({"surged_agency", plan.profiles[a].name, {}});
    c.end_ns = std::max(c.end_ns, start + length);
    large += plan.profiles[a].large ? 1 : 0;
  }
  if (c.agencies.size() >= 2) c.expect.push_back({"warning", {}});
  else c.expect.push_back({"notice", plan.profiles[c.agencies.front()].name, true});
  const std::string size = large == 0 ? "small" : large == static_cast<int>(c.agencies.size()) ? "large" : "mixed";
  c.variant = (c.agencies.size() >= 2 ? "multi" : "single") + std::string(night ? "/night/" : "/day/") + (factor < 10 ? "x3-10/" : "x10-50/") + size;
  plan.campaigns.push_back(std::move(c));
}

// ---- traffic -------------------------------------------------------------------------------

struct Action {
  std::int64_t at;
  std::uint64_t order;  // ties keep insertion order
  std::function<void()> run;
};

class AgencyWriter {
 public:
  AgencyWriter(TrafficGenerator& g, const ScenarioPlan& plan, std::size_t index)
      : g_(g), plan_(plan), index_(index), me_(plan.profiles.at(index)), cal_(calendarOf(plan.options)),
        rng_(plan.options.seed * 0x9e3779b97f4a7c15ULL + 0x5ce7a610 + index) {
    std::vector<double> w;
    for (std::size_t i = 0; i < plan.popular_names.size(); ++i) w.push_back(1.0 / static_cast<double>(i + 1));
    popular_ = std::discrete_distribution<std::size_t>(w.begin(), w.end());
    w.clear();
    for (std::size_t i = 0; i < plan.tail_names.size(); ++i) w.push_back(1.0 / std::pow(static_cast<double>(i + 1), 0.8));
    tail_ = std::discrete_distribution<std::size_t>(w.begin(), w.end());
    for (const auto& c : plan.campaigns) {
      for (const auto& m : c.moves) moves_.push_back(&m);
      for (const auto& a : c.adoptions) adoptions_.push_back(&a);
    }
  }

  void write() {
    // Every capture starts at midnight JST of day 0 with a time lookup, so replays line up.
    at(cal_.start, [this] { g_.dnsLookup(internalHost(0), "192.0.2.53", "ntp.time-service.example"); });
    background();
    for (const auto& c : plan_.campaigns) campaign(c);
    std::stable_sort(actions_.begin(), actions_.end(), [](const Action& a, const Action& b) { return a.at != b.at ? a.at < b.at : a.order < b.order; });
    for (const Action& a : actions_) {
      g_.at(a.at);
      a.run();
    }
  }

 private:
  void at(std::int64_t ts, std::function<void()> f) {
    if (ts >= cal_.start && ts < cal_.end()) actions_.push_back({ts, actions_.size(), std::move(f)});
  }
  std::size_t poisson(double mean) { return mean <= 0 ? 0 : static_cast<std::size_t>(std::poisson_distribution<int>(mean)(rng_)); }
  std::string staff() { return internalHost(below(rng_, static_cast<std::size_t>(me_.staff_hosts))); }
  std::string web() const { return "www." + me_.domain + ".example.go.jp"; }

  std::string addressOf(const std::string& name, std::int64_t ts) {
    for (const ScenarioMove* m : moves_)
      if (m->name == name && ts >= m->at_ns) return m->addresses[fnv(name + std::to_string(ts)) % m->addresses.size()];
    return backgroundServer(name);
  }

  bool adopted(const ScenarioAdoption& s, std::size_t host) const {
    return static_cast<double>(fnv(s.name + me_.name + std::to_string(host)) % 1000) < s.share * 1000;
  }

  // One staff session to a name: a lookup first when the resolver's cache has expired.
  void visit(std::int64_t ts, const std::string& client, const std::string& name, const std::string& server, bool http) {
    const bool lookup = chance(rng_, 0.3);
    const std::size_t bytes = 300 + below(rng_, 2700);
    const std::string uri = "/" + std::string(kWords[below(rng_, kWords.size())]) + "/" + std::to_string(below(rng_, 1000)) + ".html";
    at(ts, [this, client, name, server, http, lookup, bytes, uri] {
      if (lookup) g_.dnsLookup(client, "192.0.2.53", name);
      if (http) g_.httpSession(client, server, name, uri, bytes);
      else g_.tlsSession(client, server, name, bytes);
    });
  }

  void background() {
    const std::size_t n = plan_.profiles.size();
    for (std::int64_t h = 0; h < cal_.days * 24; ++h) {
      const std::int64_t hour = cal_.start + h * kHour;
      const int hod = static_cast<int>(h % 24);
      const bool weekend = cal_.weekend(static_cast<int>(h / 24));
      const std::size_t outbound = poisson(me_.outbound_peak * kOutboundByHour[static_cast<std::size_t>(hod)] * (weekend ? kWeekendOutbound : 1.0));
      for (std::size_t i = 0; i < outbound; ++i) {
        const std::int64_t ts = hour + between(rng_, 0, kHour);
        const std::size_t host = below(rng_, static_cast<std::size_t>(me_.staff_hosts));
        const std::string client = internalHost(host);
        std::string name;
        const double u = uniform(rng_, 0, 1);
        if (u < 0.68) name = plan_.popular_names[popular_(rng_)];
        else if (u < 0.82) name = plan_.tail_names[me_.favourites[below(rng_, me_.favourites.size())]];
        else name = plan_.tail_names[tail_(rng_)];
        for (const ScenarioAdoption* s : adoptions_)  // adopters spend a share of their sessions on it
          if (ts >= s->from_ns && adopted(*s, host) && chance(rng_, 0.25)) name = s->name;
        const double p = uniform(rng_, 0, 1);
        if (p < 0.10) {
          at(ts, [this, client, name] { g_.dnsLookup(client, "192.0.2.53", name); });
          continue;
        }
        std::string server = addressOf(name, ts);
        for (const ScenarioAdoption* s : adoptions_)
          if (name == s->name) server = s->addresses[below(rng_, s->addresses.size())];
        visit(ts, client, name, server, p < 0.25);
      }
      const std::size_t inbound = poisson(me_.inbound_peak * kInboundByHour[static_cast<std::size_t>(hod)] * (weekend ? kWeekendInbound : 1.0));
      for (std::size_t i = 0; i < inbound; ++i) publicRequest(hour + between(rng_, 0, kHour));
      const double mail_rate = weekend ? me_.mail_per_weekday * 0.05 / 24 : (hod >= 8 && hod < 19 ? me_.mail_per_weekday / 11 : 0.02);
      const std::size_t mails = poisson(mail_rate);
      for (std::size_t i = 0; i < mails; ++i) {
        const std::int64_t ts = hour + between(rng_, 0, kHour);
        // Other ministries write over the internet from their go.jp domains; partners from theirs.
        std::string from;
        if (n > 1 && chance(rng_, 0.4)) {
          std::size_t other = below(rng_, n - 1);
          if (other >= index_) ++other;
          from = std::string(kUsers[below(rng_, kUsers.size())]) + "@" + plan_.profiles[other].domain + ".example.go.jp";
        } else {
          const std::string& partner = plan_.tail_names[me_.favourites[below(rng_, me_.favourites.size())]];
          from = std::string(kUsers[below(rng_, kUsers.size())]) + "@" + (partner.rfind("www.", 0) == 0 ? partner.substr(4) : partner);
        }
        const std::string to = std::string(kUsers[below(rng_, kUsers.size())]) + "@" + me_.domain + ".example.go.jp";
        const std::string subject(kMailSubjects[below(rng_, kMailSubjects.size())]);
        const std::string file(kMailFiles[below(rng_, kMailFiles.size())]);
        const std::size_t bytes = 1000 + below(rng_, 14000);
        const std::string relay = outsider(rng_);
        at(ts, [this, relay, from, to, subject, file, bytes] { g_.smtpSession(relay, "192.0.2.25", from, to, subject, file, bytes); });
      }
    }
    for (const ScenarioAdoption* s : adoptions_) syncClients(*s);
  }

  void publicRequest(std::int64_t ts) {
    const std::string client = outsider(rng_);
    const std::string path(kPublicPaths[below(rng_, kPublicPaths.size())]);
    const std::size_t bytes = 800 + below(rng_, 2200);
    at(ts, [this, client, path, bytes] { g_.httpSession(client, "192.0.2.10", web(), path, bytes); });
  }

  // A few adopters install the desktop client, which polls during office hours: regular, but
  // to a name most of the network uses.
  void syncClients(const ScenarioAdoption& s) {
    std::vector<std::size_t> adopters;
    for (std::size_t h = 0; h < static_cast<std::size_t>(me_.staff_hosts); ++h)
      if (adopted(s, h)) adopters.push_back(h);
    const std::size_t clients = std::min<std::size_t>(adopters.size(), 2 + below(rng_, 3));
    for (std::size_t k = 0; k < clients; ++k) {
      const std::string host = internalHost(adopters[k]);
      for (std::int64_t t = s.from_ns + between(rng_, 0, s.poll_ns); t < cal_.end(); t += s.poll_ns + between(rng_, -s.poll_ns / 20, s.poll_ns / 20)) {
        if (!cal_.office(t)) continue;
        const std::string server = s.addresses[below(rng_, s.addresses.size())];
        at(t, [this, host, server, name = s.name] { g_.tlsSession(host, server, name, 600); });
      }
    }
  }

  void campaign(const ScenarioCampaign& c) {
    for (const ScenarioMail& m : c.mails) {
      if (m.agency != index_) continue;
      at(m.at_ns, [this, &m] { g_.smtpSession(m.relay, "192.0.2.25", m.from, m.to, m.subject, m.attachment_name, m.attachment_bytes, m.attachment_seed); });
    }
    for (const ScenarioBeacon& b : c.beacons)
      if (b.agency == index_) beacon(b);
    for (const ScenarioProbe& p : c.probes) {
      if (p.agency != index_) continue;
      at(p.at_ns, [this, &p] { g_.httpSession(p.source, "192.0.2.10", web(), p.uri, 300, p.user_agent, p.port); });
    }
    for (const ScenarioSurge& s : c.surges)
      if (s.agency == index_) surge(s);
  }

  void beacon(const ScenarioBeacon& b) {
    Rng rng(b.seed);
    const C2Channel& ch = b.channel;
    const std::string id = ch.uri.find("{b64}") != std::string::npos ? base64Token(rng, 32) : hex(rng, 16);
    std::string uri = ch.uri;
    for (const std::string_view token : {std::string_view("{b64}"), std::string_view("{hex}")})
      if (const auto pos = uri.find(token); pos != std::string::npos) uri.replace(pos, token.size(), id);
    for (std::int64_t t = b.from_ns; t < b.until_ns;
         t += static_cast<std::int64_t>(static_cast<double>(ch.period_ns) * (1.0 + uniform(rng, -ch.jitter, ch.jitter)))) {
      const bool missed = chance(rng, ch.miss_rate);
      if (missed || (ch.sleeps_at_night && !cal_.office(t))) continue;
      const bool lookup = chance(rng, 0.2);
      const std::string label = hex(rng, 8 + below(rng, 24));
      const std::size_t up = 40 + below(rng, 260);
      const std::size_t down = 40 + below(rng, 560);
      at(t, [this, &b, &ch, uri, lookup, label, up, down] {
        if (ch.protocol == "http") {
          if (lookup) g_.dnsLookup(b.host, "192.0.2.53", ch.name);
          g_.httpSession(b.host, ch.address, ch.name, uri, 100 + down, ch.user_agent, ch.port);
        } else if (ch.protocol == "tls") {
          if (lookup) g_.dnsLookup(b.host, "192.0.2.53", ch.name);
          g_.tlsSession(b.host, ch.address, ch.name, 300 + down);
        } else if (ch.protocol == "dns") {
          g_.dnsLookup(b.host, "192.0.2.53", label + "." + ch.name);
        } else {
          g_.tcpSession(b.host, ch.address, ch.port, up, down);
        }
      });
    }
  }

  void surge(const ScenarioSurge& s) {
    // factor x the agency's own public rate at that hour, from many addresses (a botnet).
    const int hod = cal_.hourOf(s.from_ns);
    const bool weekend = cal_.weekend(cal_.dayOf(s.from_ns));
    const double per_hour = me_.inbound_peak * kInboundByHour[static_cast<std::size_t>(hod)] * (weekend ? kWeekendInbound : 1.0);
    const double hours = static_cast<double>(s.until_ns - s.from_ns) / static_cast<double>(kHour);
    const std::size_t requests = std::clamp<std::size_t>(static_cast<std::size_t>(std::lround(s.factor * per_hour * hours)), 1, 50000);
    for (std::size_t k = 0; k < requests; ++k) {
      const std::int64_t ts = between(rng_, s.from_ns, s.until_ns);
      const std::string client = outsider(rng_);
      at(ts, [this, client] { g_.httpSession(client, "192.0.2.10", web(), "/", 800); });
    }
  }

  TrafficGenerator& g_;
  const ScenarioPlan& plan_;
  std::size_t index_;
  const AgencyProfile& me_;
  Calendar cal_;
  Rng rng_;
  std::discrete_distribution<std::size_t> popular_;
  std::discrete_distribution<std::size_t> tail_;
  std::vector<const ScenarioMove*> moves_;
  std::vector<const ScenarioAdoption*> adoptions_;
  std::vector<Action> actions_;
};

// ---- manifest ------------------------------------------------------------------------------

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;  // UTF-8 passes through: JSON text is UTF-8
    }
  }
  return out + "\"";
}

std::string utc(std::int64_t ns) {
  const std::time_t t = ns / kSecond;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

}  // namespace

ScenarioPlan drawScenarioPlan(const ScenarioOptions& options) {
  const std::size_t n = options.agencies.size();
  if (n < 2 || n > 12) throw std::invalid_argument("a scenario needs 2 to 12 agencies, got " + std::to_string(n));
  if (options.days < 1) throw std::invalid_argument("a scenario needs at least one day");
  if (std::set<std::string>(options.agencies.begin(), options.agencies.end()).size() != n)
    throw std::invalid_argument("an agency is named twice");
  ScenarioPlan plan;
  plan.options = options;
  // One generator for the whole plan, drawn in a fixed order (background, decoys, then the
  // campaigns): a clean plan has the same background and decoys as its seed's campaign plan.
  Rng rng(options.seed * 0xbf58476d1ce4e5b9ULL + 0x5eed);
  const Calendar cal = calendarOf(options);
  drawTail(rng, plan);
  drawProfiles(rng, plan);
  Addresses addresses(rng);
  std::set<std::string> names = backgroundNames(plan);
  drawDecoys(rng, plan, cal, addresses, names);
  if (options.clean) return plan;
  CampaignIds ids;
  const std::size_t phishing = 1 + below(rng, 2);
  for (std::size_t i = 0; i < phishing; ++i) drawPhishing(rng, plan, cal, addresses, names, ids);
  const std::size_t beacons = 1 + below(rng, 2);
  for (std::size_t i = 0; i < beacons; ++i) drawBeaconing(rng, plan, cal, addresses, names, ids);
  if (n >= 3) {
    const std::size_t scans = 1 + (chance(rng, 0.3) ? 1 : 0);
    for (std::size_t i = 0; i < scans; ++i) drawScan(rng, plan, cal, addresses, ids);
  }
  const std::size_t surges = 1 + (chance(rng, 0.4) ? 1 : 0);
  for (std::size_t i = 0; i < surges; ++i) drawSurge(rng, plan, cal, ids);
  return plan;
}

void scenarioAgencyTraffic(TrafficGenerator& generator, const ScenarioPlan& plan, std::size_t index) {
  AgencyWriter(generator, plan, index).write();
}

std::string scenarioManifestJson(const ScenarioPlan& plan) {
  const ScenarioOptions& o = plan.options;
  std::string j = "{\n  \"format\": \"gsoc-scenario-manifest/1\",\n";
  j += "  \"seed\": " + std::to_string(o.seed) + ",\n  \"clean\": " + (o.clean ? "true" : "false") + ",\n";
  j += "  \"start\": " + std::to_string(o.start_ns / kSecond) + ",\n  \"start_utc\": " + quoted(utc(o.start_ns)) + ",\n";
  j += "  \"days\": " + std::to_string(o.days) + ",\n  \"agencies\": [";
  for (std::size_t i = 0; i < o.agencies.size(); ++i) j += (i ? ", " : "") + quoted(o.agencies[i]);
  j += "],\n";
  j += "  \"expect_policy\": " +
       quoted("phishing: a warning, and a notice to each agency where a host then calls the C2; c2_beacon: a notice to each agency "
              "with a beaconing host, whatever the protocol; scan: a warning; surge: a warning when two or more agencies surge "
              "together, a notice to the agency (or a warning) when one does; decoys: nothing. A notice matches by agency and "
              "indicator, a warning by indicator (a surge: by agency and time). Times are UNIX seconds (event time).") +
       ",\n";
  j += "  \"profiles\": [\n";
  for (std::size_t i = 0; i < plan.profiles.size(); ++i) {
    const AgencyProfile& p = plan.profiles[i];
    j += "    {\"agency\": " + quoted(p.name) + ", \"size\": " + quoted(p.large ? "large" : "small") +
         ", \"staff_hosts\": " + std::to_string(p.staff_hosts) + ", \"outbound_peak_per_hour\": " + number(p.outbound_peak) +
         ", \"inbound_peak_per_hour\": " + number(p.inbound_peak) + ", \"mail_per_weekday\": " + number(p.mail_per_weekday) + ", \"web_server\": " +
         quoted("192.0.2.10 www." + p.domain + ".example.go.jp") + "}" + (i + 1 < plan.profiles.size() ? ",\n" : "\n");
  }
  j += "  ],\n  \"campaigns\": [\n";
  for (std::size_t ci = 0; ci < plan.campaigns.size(); ++ci) {
    const ScenarioCampaign& c = plan.campaigns[ci];
    j += "    {\"id\": " + quoted(c.id) + ", \"kind\": " + quoted(c.kind) + ", \"decoy\": " + (c.kind.rfind("decoy", 0) == 0 ? "true" : "false") +
         ", \"variant\": " + quoted(c.variant) + ",\n     \"agencies\": [";
    for (std::size_t i = 0; i < c.agencies.size(); ++i) j += (i ? ", " : "") + quoted(plan.profiles[c.agencies[i]].name);
    j += "],\n     \"start\": " + std::to_string(c.start_ns / kSecond) + ", \"end\": " + std::to_string(c.end_ns / kSecond) +
         ", \"start_utc\": " + quoted(utc(c.start_ns)) + ", \"end_utc\": " + quoted(utc(c.end_ns)) + ",\n     \"indicators\": [";
    for (std::size_t i = 0; i < c.indicators.size(); ++i) {
      const ScenarioIndicator& ind = c.indicators[i];
      j += std::string(i ? ", " : "") + "{\"type\": " + quoted(ind.type) + ", \"value\": " + quoted(ind.value) +
           (ind.agency.empty() ? "" : ", \"agency\": " + quoted(ind.agency)) + "}";
    }
    j += "],\n     \"expect\": [";
    for (std::size_t i = 0; i < c.expect.size(); ++i)
      j += std::string(i ? ", " : "") + "{\"kind\": " + quoted(c.expect[i].kind) + (c.expect[i].agency.empty() ? "" : ", \"agency\": " + quoted(c.expect[i].agency)) +
           (c.expect[i].or_warning ? ", \"accept\": [\"notice\", \"warning\"]" : "") + "}";
    j += "]";
    // What was drawn, for reading a miss: sizes of each part and the C2's timing.
    j += ",\n     \"detail\": {\"mails\": " + std::to_string(c.mails.size()) + ", \"probes\": " + std::to_string(c.probes.size());
    if (!c.beacons.empty()) {
      const C2Channel& ch = c.beacons.front().channel;
      j += ", \"c2_protocol\": " + quoted(ch.protocol) + ", \"c2_period_s\": " + std::to_string(ch.period_ns / kSecond) + ", \"c2_period\": " +
           quoted(periodText(ch.period_ns)) + ", \"c2_jitter\": " + number(ch.jitter) + ", \"c2_miss_rate\": " + number(ch.miss_rate) +
           ", \"c2_sleeps_at_night\": " + (ch.sleeps_at_night ? "true" : "false") + ", \"beaconing_hosts\": " + std::to_string(c.beacons.size());
    }
    if (!c.surges.empty()) j += ", \"surge_factor\": " + number(c.surges.front().factor) + ", \"surge_minutes\": " +
                               std::to_string((c.surges.front().until_ns - c.surges.front().from_ns) / kMinute);
    j += "}}";
    j += ci + 1 < plan.campaigns.size() ? ",\n" : "\n";
  }
  j += "  ]\n}\n";
  return j;
}

}  // namespace gsoc::traffic
