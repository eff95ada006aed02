// The web console's sign-in and routes without a socket: tokens (single use, 10 minutes),
// sessions (8 hours), 401 without a session, 403 after revocation, the security headers, GET
// only but for POST /api/ack (origin, CSRF token, JSON and the duty role checked before the
// Central API's acknowledge is called), the notices view, the campaign page's view (its
// publications and its agency x hour matrix), the hunt view (a search that publishes nothing),
// the export download through the Central API's Export, the sensors' events/s history, and no
// path out of the web root. Time is injected.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "collector/store/SqliteEventStore.hpp"
#include "collector/web/ConsoleRoutes.hpp"
#include "collector/web/SensorRateHistory.hpp"
#include "gsoc/v1/event.pb.h"
#include "gsoc/v1/ingest.pb.h"

namespace gsoc::collector {
namespace {

namespace http = boost::beast::http;
constexpr std::int64_t kT0 = 1764900000LL * 1000000000LL;
constexpr std::int64_t kMinuteNs = 60LL * 1000000000LL;

class WebConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("gsoc-web-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "static");
    std::ofstream(dir_ / "static" / "feed.html") << "<!DOCTYPE html><title>feed</title>";
    std::ofstream(dir_ / "secret.txt") << "outside the root";
    store_ = std::make_unique<SqliteEventStore>((dir_ / "events.db").string());
    views_ = std::make_unique<ConsoleViews>(*store_, clock_, 300);
    routes_ = std::make_unique<ConsoleRoutes>(*views_, sessions_, feed_, StaticFiles(dir_ / "static"),
                                              [this](const std::string& serial) { return serial == revoked_; });
  }
  void TearDown() override {
    routes_.reset();
    views_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  ConsoleRoutes::Response get(const std::string& target, const std::string& cookie = "", http::verb verb = http::verb::get) {
    ConsoleRoutes::Request request{verb, target, 11};
    if (!cookie.empty()) request.set(http::field::cookie, cookie);
    return routes_->handle(request, "test");
  }
  std::string signIn() {
    const auto token = sessions_.issueToken({"duty", "0A1B"});
    const auto res = get("/login?token=" + token.value);
    EXPECT_EQ(res.result(), http::status::see_other);
    const std::string cookie(res[http::field::set_cookie]);
    return cookie.substr(0, cookie.find(';'));
  }

  std::int64_t now_ = kT0;
  std::function<std::int64_t()> clock_ = [this] { return now_; };
  std::string revoked_;
  std::filesystem::path dir_;
  WebSessions sessions_{clock_};
  PublicationFeed feed_;
  std::unique_ptr<SqliteEventStore> store_;
  std::unique_ptr<ConsoleViews> views_;
  std::unique_ptr<ConsoleRoutes> routes_;
};

TEST_F(WebConsoleTest, TokenSignsInOnceAndSetsAStrictCookie) {
  const auto token = sessions_.issueToken({"duty", "0A1B"});
  EXPECT_EQ(token.value.size(), 64U);
  const auto res = get("/login?token=" + token.value);
  ASSERT_EQ(res.result(), http::status::see_other);
  EXPECT_EQ(res[http::field::location], "/");
  const std::string cookie(res[http::field::set_cookie]);
  EXPECT_TRUE(cookie.starts_with("gsoc_session="));
  for (const char* attr : {"; Secure", "; HttpOnly", "; SameSite=Strict", "; Path=/", "; Max-Age=28800"}) EXPECT_NE(cookie.find(attr), std::string::npos) << attr;
  EXPECT_EQ(get("/login?token=" + token.value).result(), http::status::unauthorized);  // used
  EXPECT_EQ(get("/login?token=").result(), http::status::unauthorized);
  EXPECT_EQ(get("/login").result(), http::status::unauthorized);
}

TEST_F(WebConsoleTest, TokenExpiresAfterTenMinutes) {
  const auto token = sessions_.issueToken({"duty", "0A1B"});
  now_ += 10 * kMinuteNs;
  EXPECT_EQ(get("/login?token=" + token.value).result(), http::status::unauthorized);
}

TEST_F(WebConsoleTest, SessionLastsEightHours) {
  const std::string cookie = signIn();
  EXPECT_EQ(get("/api/me", cookie).result(), http::status::ok);
  EXPECT_EQ(get("/api/me", "other=1; " + cookie).result(), http::status::ok);
  now_ += 8 * 60 * kMinuteNs - 1;
  EXPECT_EQ(get("/api/me", cookie).result(), http::status::ok);
  now_ += 1;
  EXPECT_EQ(get("/api/me", cookie).result(), http::status::unauthorized);
}

TEST_F(WebConsoleTest, EverythingButLoginNeedsASession) {
  for (const char* path : {"/", "/sensors", "/agencies", "/api/feed", "/api/sensors", "/api/agencies", "/api/me", "/static/feed.html"}) {
    const auto res = get(path);
    EXPECT_EQ(res.result(), http::status::unauthorized) << path;
  }
  EXPECT_EQ(get("/api/feed")[http::field::content_type], "application/json; charset=utf-8");
  EXPECT_EQ(get("/api/feed", "gsoc_session=" + std::string(64, 'a')).result(), http::status::unauthorized);
}

TEST_F(WebConsoleTest, RevokedAnalystIsForbidden) {
  const std::string cookie = signIn();
  revoked_ = "0A1B";
  EXPECT_EQ(get("/api/feed", cookie).result(), http::status::forbidden);
  EXPECT_EQ(get("/api/feed", cookie).result(), http::status::unauthorized) << "the session ended with the first refusal";
}

TEST_F(WebConsoleTest, SecurityHeadersOnEveryAnswer) {
  const std::string cookie = signIn();
  for (const auto& res : {get("/api/feed"), get("/", cookie), get("/api/sensors", cookie), get("/nowhere", cookie)}) {
    const std::string csp(res["Content-Security-Policy"]);
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
    EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
    EXPECT_EQ(res["Referrer-Policy"], "no-referrer");
    EXPECT_EQ(res[http::field::cache_control], "no-store");
  }
}

TEST_F(WebConsoleTest, PagesAndViewsWithASession) {
  const std::string cookie = signIn();
  const auto page = get("/", cookie);
  EXPECT_EQ(page.result(), http::status::ok);
  EXPECT_EQ(page[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_NE(page.body().find("<title>feed</title>"), std::string::npos);
  EXPECT_EQ(get("/api/feed", cookie).body(), R"({"now_ns":")" + std::to_string(kT0) + R"(","publications":[]})");
  EXPECT_EQ(get("/api/sensors", cookie).result(), http::status::ok);
  EXPECT_EQ(get("/api/agencies", cookie).result(), http::status::ok);
}

TEST_F(WebConsoleTest, NoPathLeavesTheRoot) {
  const std::string cookie = signIn();
  for (const char* path : {"/static/../secret.txt", "/static/..%2fsecret.txt", "/static/.hidden", "/static/", "/secret.txt", "/static//etc/passwd"}) {
    EXPECT_EQ(get(path, cookie).result(), http::status::not_found) << path;
  }
}

TEST_F(WebConsoleTest, OnlyGetIsServed) {
  const std::string cookie = signIn();
  const auto res = get("/api/feed", cookie, http::verb::post);
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "GET");
}

TEST_F(WebConsoleTest, StreamDeliversPublicationsWhileTheSessionLives) {
  ConsoleRoutes::Response refused;
  ConsoleRoutes::Request anonymous{http::verb::get, "/api/stream", 11};
  EXPECT_TRUE(ConsoleRoutes::isStream(anonymous));
  EXPECT_EQ(routes_->openStream(anonymous, "test", refused).subscription, nullptr);
  EXPECT_EQ(refused.result(), http::status::unauthorized);
  EXPECT_NE(std::string(refused["Content-Security-Policy"]).find("default-src 'self'"), std::string::npos);

  ConsoleRoutes::Request request{http::verb::get, "/api/stream", 11};
  request.set(http::field::cookie, signIn());
  const ConsoleRoutes::Stream live = routes_->openStream(request, "test", refused);
  ASSERT_NE(live.subscription, nullptr);
  bool overflowed = true;
  EXPECT_EQ(ConsoleRoutes::streamEvents(*live.subscription, overflowed), "");
  EXPECT_FALSE(overflowed);
  gsoc::v1::Publication p;
  p.set_kind("intel");
  p.set_id("I-2026-0001");
  p.mutable_intel()->set_actor("<script>x</script>\nline two");
  feed_.publish(p);
  const std::string events = ConsoleRoutes::streamEvents(*live.subscription, overflowed);
  EXPECT_TRUE(events.starts_with("event: publication\ndata: {")) << events;
  EXPECT_TRUE(events.ends_with("}\n\n")) << events;
  EXPECT_EQ(std::count(events.begin(), events.end(), '\n'), 3) << "one data line per record, whatever the record holds";
  EXPECT_TRUE(routes_->streamAllowed(live));
  revoked_ = "0A1B";
  EXPECT_FALSE(routes_->streamAllowed(live));
  revoked_.clear();
  now_ += 8 * 60 * kMinuteNs;
  EXPECT_FALSE(routes_->streamAllowed(live));
}

// A fixture whose routes can act: `duty_` decides the role, `acks_` records what reached the
// Central API's acknowledge.
class WebConsoleActionsTest : public WebConsoleTest {
 protected:
  void SetUp() override {
    WebConsoleTest::SetUp();
    ConsoleRoutes::Actions actions;
    actions.may_act = [this](const std::string& analyst) { return analyst == duty_; };
    actions.acknowledge = [this](const AnalystIdentity& analyst, const gsoc::v1::AcknowledgeRequest& request, gsoc::v1::Publication& reply) {
      acks_.push_back(analyst.name + " " + request.id() + " " + gsoc::v1::Notice::State_Name(request.state()));
      if (request.id() == "N-2026-0404") return grpc::Status(grpc::StatusCode::NOT_FOUND, "no notice N-2026-0404");
      reply.set_kind("notice");
      reply.set_number(request.id());
      return grpc::Status::OK;
    };
    routes_ = std::make_unique<ConsoleRoutes>(*views_, sessions_, feed_, StaticFiles(dir_ / "static"),
                                              [this](const std::string& serial) { return serial == revoked_; }, ConsoleRoutes::Refused{},
                                              std::move(actions));
  }
  ConsoleRoutes::Response post(const std::string& cookie, const std::string& body, const std::string& origin, const std::string& csrf,
                               const std::string& type = "application/json") {
    ConsoleRoutes::Request request{http::verb::post, "/api/ack", 11};
    request.set(http::field::cookie, cookie);
    request.set(http::field::host, "console.soc.example:8443");
    if (!origin.empty()) request.set(http::field::origin, origin);
    if (!csrf.empty()) request.set(ConsoleRoutes::kCsrfHeader, csrf);
    request.set(http::field::content_type, type);
    request.body() = body;
    request.prepare_payload();
    return routes_->handle(request, "test");
  }
  nlohmann::json me(const std::string& cookie) { return nlohmann::json::parse(get("/api/me", cookie).body()); }

  std::string duty_ = "duty";
  std::vector<std::string> acks_;
};

TEST_F(WebConsoleActionsTest, AckNeedsThisOriginTheSessionsTokenAndJson) {
  const std::string cookie = signIn();
  const nlohmann::json who = me(cookie);
  EXPECT_EQ(who["role"], "duty");
  const std::string csrf = who["csrf"];
  EXPECT_EQ(csrf.size(), 64U);
  const std::string self = "https://console.soc.example:8443";
  const std::string body = R"({"id":"N-2026-0001","state":"acknowledged"})";
  EXPECT_EQ(post(cookie, body, "", csrf).result(), http::status::forbidden);
  EXPECT_EQ(post(cookie, body, "https://evil.example", csrf).result(), http::status::forbidden);
  EXPECT_EQ(post(cookie, body, self, "").result(), http::status::forbidden);
  EXPECT_EQ(post(cookie, body, self, std::string(64, '0')).result(), http::status::forbidden);
  EXPECT_EQ(post(cookie, body, self, csrf, "text/plain").result(), http::status::unsupported_media_type);
  EXPECT_EQ(post("", body, self, csrf).result(), http::status::unauthorized);
  EXPECT_TRUE(acks_.empty());
  const auto ok = post(cookie, body, self, csrf);
  EXPECT_EQ(ok.result(), http::status::ok);
  EXPECT_NE(ok.body().find("N-2026-0001"), std::string::npos);
  ASSERT_EQ(acks_.size(), 1U);
  EXPECT_EQ(acks_[0], "duty N-2026-0001 STATE_ACKNOWLEDGED");
  // The Central API's answers keep their meaning; a bad body is the caller's error.
  EXPECT_EQ(post(cookie, R"({"id":"N-2026-0404"})", self, csrf).result(), http::status::not_found);
  EXPECT_EQ(post(cookie, R"({"id":"N-2026-0001","state":"reopened"})", self, csrf).result(), http::status::bad_request);
  EXPECT_EQ(post(cookie, "not json", self, csrf).result(), http::status::bad_request);
  // Another session has its own token.
  const std::string other = signIn();
  EXPECT_NE(me(other)["csrf"], csrf);
  EXPECT_EQ(post(other, body, self, csrf).result(), http::status::forbidden);
  // /api/ack is POST only; everything else stays GET only.
  EXPECT_EQ(get("/api/ack", cookie).result(), http::status::method_not_allowed);
}

TEST_F(WebConsoleActionsTest, ViewersReadButCannotAct) {
  duty_ = "someone-else";
  const std::string cookie = signIn();
  const nlohmann::json who = me(cookie);
  EXPECT_EQ(who["role"], "viewer");
  const auto res = post(cookie, R"({"id":"N-2026-0001"})", "https://console.soc.example:8443", who["csrf"]);
  EXPECT_EQ(res.result(), http::status::forbidden);
  EXPECT_NE(res.body().find("reads only"), std::string::npos);
  EXPECT_TRUE(acks_.empty());
  EXPECT_EQ(get("/api/notices", cookie).result(), http::status::ok);
}

TEST_F(WebConsoleTest, NoticesViewAndFeedFilters) {
  const std::int64_t hour = 60 * kMinuteNs;
  auto notice = [&](const std::string& number, const char* state, std::int64_t raised) {
    Publication p;
    p.kind = "notice";
    p.id = number;
    p.number = number;
    p.agency_id = "MOJ";
    p.updated_ns = raised;
    p.json = R"({"number":")" + number + R"(","agency_id":"MOJ","state":")" + state + R"(","history":[{"state":"STATE_NEW","at_ns":")" +
             std::to_string(raised) + R"(","by":"gsoc-collector"}]})";
    // As the publisher keeps it: the state's name, lower case, without the STATE_ prefix.
    for (const char* c = state + 6; *c != '\0'; ++c) p.status += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
    store_->upsertPublication(p);
  };
  notice("N-2026-0001", "STATE_NEW", kT0 - 25 * hour);           // a day and an hour unanswered
  notice("N-2026-0002", "STATE_DELIVERED", kT0 - 2 * hour);      // within the day
  notice("N-2026-0003", "STATE_ACKNOWLEDGED", kT0 - 30 * hour);  // answered
  notice("N-2026-0004", "STATE_CLOSED", kT0 - 10 * 24 * hour);   // closed long ago: not listed
  Publication w;
  w.kind = "warning";
  w.id = "W-2026-0001";
  w.number = "W-2026-0001";
  w.updated_ns = kT0 - hour;
  w.json = R"({"number":"W-2026-0001","acknowledgements":[{"agency_id":"MOJ","acknowledged_ns":")" + std::to_string(kT0 - hour) +
           R"(","by":"duty"}]})";
  store_->upsertPublication(w);
  const std::string cookie = signIn();
  const auto view = nlohmann::json::parse(get("/api/notices", cookie).body());
  std::map<std::string, bool> overdue;
  for (const auto& n : view["notices"]) overdue[n["notice"]["number"]] = n["overdue"];
  EXPECT_EQ(overdue, (std::map<std::string, bool>{{"N-2026-0001", true}, {"N-2026-0002", false}, {"N-2026-0003", false}}));
  ASSERT_EQ(view["warnings"].size(), 1U);
  EXPECT_EQ(view["warnings"][0]["acknowledged"][0], "MOJ by duty at 2025-12-05 01:00 UTC");
  EXPECT_EQ(view["total"], 3);
  EXPECT_EQ(view["counts"], nlohmann::json::parse(R"({"new":1,"delivered":1,"acknowledged":1,"closed":1})"));
  // A page at a time, newest first, by state and agency; the store selects, nothing is decoded
  // beyond the page.
  auto listed = [&](const std::string& query) {
    std::vector<std::string> out;
    const auto page = nlohmann::json::parse(get("/api/notices?" + query, cookie).body());
    for (const auto& n : page["notices"]) out.push_back(n["notice"]["number"]);
    return out;
  };
  EXPECT_EQ(listed("limit=2"), (std::vector<std::string>{"N-2026-0002", "N-2026-0001"}));
  EXPECT_EQ(listed("limit=2&offset=2"), std::vector<std::string>{"N-2026-0003"});
  // The next page by keyset: after the last notice of this one.
  const auto first = nlohmann::json::parse(get("/api/notices?limit=2", cookie).body());
  const std::string next = "after_ns=" + first["next"]["after_ns"].get<std::string>() + "&after_id=" + first["next"]["after_id"].get<std::string>();
  EXPECT_EQ(listed("limit=2&" + next), std::vector<std::string>{"N-2026-0003"});
  EXPECT_TRUE(nlohmann::json::parse(get("/api/notices?limit=2&" + next, cookie).body())["next"].is_null());
  EXPECT_EQ(listed("show=closed"), std::vector<std::string>{"N-2026-0004"});
  EXPECT_EQ(listed("show=waiting"), (std::vector<std::string>{"N-2026-0002", "N-2026-0001"}));
  EXPECT_EQ(listed("show=all").size(), 4U);
  EXPECT_TRUE(listed("agency=MOF").empty());
  EXPECT_EQ(nlohmann::json::parse(get("/api/notices?agency=MOF", cookie).body())["total"], 0);
  EXPECT_EQ(get("/api/notices?show=everything", cookie).result(), http::status::bad_request);
  // The feed's filters are gsocctl feed's: kinds and agencies as lists, severity at least, status.
  auto numbers = [&](const std::string& query) {
    std::vector<std::string> out;
    const auto feed = nlohmann::json::parse(get("/api/feed?" + query, cookie).body());
    for (const auto& p : feed["publications"]) out.push_back(p["number"]);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(numbers("kind=warning"), std::vector<std::string>{"W-2026-0001"});
  EXPECT_EQ(numbers("kind=notice&status=delivered"), std::vector<std::string>{"N-2026-0002"});
  EXPECT_EQ(numbers("kind=notice,warning&status=new"), std::vector<std::string>{"N-2026-0001"});
  EXPECT_EQ(numbers("agency=MOF"), std::vector<std::string>{"W-2026-0001"});  // warnings go to every agency
  EXPECT_EQ(get("/api/feed?severity=extreme", cookie).result(), http::status::bad_request);
}

// Stored events for the campaign and hunt views: DNS lookups of `query` at the given times.
void storeLookups(SqliteEventStore& store, const std::string& agency, const std::string& query, const std::vector<std::int64_t>& times) {
  static std::map<std::string, std::uint64_t> next_sequence;
  const SensorIdentity who{agency, agency + "-1", "01", "test"};
  gsoc::v1::EventBatch batch;
  batch.set_sensor_id(who.sensor_id);
  batch.set_epoch(1);
  std::uint64_t& next = next_sequence[store.describe() + who.sensor_id];
  batch.set_first_sequence(next + 1);
  for (const std::int64_t t : times) {
    auto* e = batch.add_events();
    e->set_timestamp_ns(t);
    e->mutable_tuple()->set_src_ip(std::string("\xc0\x00\x02\x07", 4));
    e->mutable_tuple()->set_dst_ip(std::string("\xcb\x00\x71\x05", 4));
    e->mutable_tuple()->set_src_port(53000);
    e->mutable_tuple()->set_dst_port(53);
    e->mutable_dns()->set_query(query);
  }
  next += times.size();
  CommitBatch b;
  b.identity = &who;
  b.batch = &batch;
  b.acked_through = next;
  store.commit(std::span<const CommitBatch>(&b, 1));
}

void storePublication(SqliteEventStore& store, const char* kind, const std::string& id, const std::string& campaign, const std::string& agency,
                      const std::string& json) {
  store.upsertPublication(Publication{kind, id, std::string(kind) == "campaign" ? "" : id, campaign, agency, kT0, json, ""});
}

TEST_F(WebConsoleTest, CampaignViewHasWhatItProducedAndItsAgencyByHourMatrix) {
  const std::int64_t hour = 60 * kMinuteNs;
  storeLookups(*store_, "MOFA", "c2.example.net", {kT0 + 5 * kMinuteNs, kT0 + hour + kMinuteNs});
  storeLookups(*store_, "MOD", "c2.example.net", {kT0 + 2 * hour});
  storeLookups(*store_, "MOFA", "www.example.go.jp", {kT0 + hour});            // not its indicator
  storeLookups(*store_, "MLIT", "c2.example.net", {kT0 + hour});               // not its agency
  storePublication(*store_, "campaign", "C-0001", "C-0001", "",
                   R"({"id":"C-0001","title":"C2 <b>beacon</b>","agencies":["MOD","MOFA"],"indicators":[{"value":"c2.example.net"}],)"
                   R"("first_seen_ns":")" + std::to_string(kT0) + R"(","last_seen_ns":")" + std::to_string(kT0 + 2 * hour + kMinuteNs) +
                       R"(","intel_reports":["I-2025-0001"],"severity":"SEVERITY_HIGH"})");
  // Kept under the publisher's ids (warningIdOf, noticeIdOf): MOD has no notice, C-0002's is another campaign's.
  storePublication(*store_, "warning", "W:C-0001", "C-0001", "", R"({"number":"W-2025-0001","title":"C2"})");
  storePublication(*store_, "notice", "N:C-0001:MOFA", "C-0001", "MOFA", R"({"number":"N-2025-0001","agency_id":"MOFA"})");
  storePublication(*store_, "notice", "N:C-0002:MOD", "C-0002", "MOD", R"({"number":"N-2025-0002","agency_id":"MOD"})");
  storePublication(*store_, "intel", "I-2025-0001", "", "", R"({"id":"I-2025-0001","actor":"hacktivists"})");
  const std::string cookie = signIn();
  const auto res = get("/api/campaign?id=C-0001", cookie);
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  const auto view = nlohmann::json::parse(res.body());
  EXPECT_EQ(view["campaign"]["title"], "C2 <b>beacon</b>");  // data, for textContent
  ASSERT_EQ(view["warnings"].size(), 1U);
  ASSERT_EQ(view["notices"].size(), 1U);
  EXPECT_EQ(view["notices"][0]["number"], "N-2025-0001");
  ASSERT_EQ(view["intel"].size(), 1U);
  EXPECT_EQ(view["intel"][0]["actor"], "hacktivists");
  const auto& evidence = view["evidence"];
  EXPECT_EQ(evidence["basis"], "indicators");
  EXPECT_EQ(evidence["unit"], "hour");
  EXPECT_EQ(evidence["columns"].size(), 3U);
  EXPECT_EQ(evidence["columns"][0], std::to_string(kT0));
  EXPECT_EQ(evidence["events"], 3);
  std::map<std::string, std::vector<int>> rows;
  for (const auto& a : evidence["agencies"]) rows[a["agency_id"]] = a["counts"].get<std::vector<int>>();
  EXPECT_EQ(rows, (std::map<std::string, std::vector<int>>{{"MOD", {0, 0, 1}}, {"MOFA", {1, 1, 0}}}));
  EXPECT_EQ(get("/api/campaign?id=C-none", cookie).result(), http::status::not_found);
  EXPECT_EQ(get("/api/campaign", cookie).result(), http::status::not_found);
}

TEST_F(WebConsoleTest, HuntListsWhatCarriesTheIndicatorAndPublishesNothing) {
  storeLookups(*store_, "MOFA", "c2.example.net", {kT0 - 2 * kMinuteNs, kT0 - kMinuteNs});
  storeLookups(*store_, "MOD", "c2.example.net", {kT0 - 40LL * 24 * 60 * kMinuteNs});  // older than 30 days
  storeLookups(*store_, "MOD", "other.example", {kT0 - kMinuteNs});
  const std::string cookie = signIn();
  const auto hunt = nlohmann::json::parse(get("/api/hunt?q=c2.example.net", cookie).body());
  EXPECT_EQ(hunt["events"], 2);
  EXPECT_EQ(hunt["counted_all"], true);
  ASSERT_EQ(hunt["hits"].size(), 2U);
  EXPECT_EQ(hunt["hits"][0]["agency_id"], "MOFA");
  EXPECT_EQ(hunt["hits"][0]["sensor_id"], "MOFA-1");
  EXPECT_EQ(hunt["hits"][0]["kind"], "dns");
  EXPECT_EQ(hunt["hits"][0]["src"], "192.0.2.7");
  EXPECT_EQ(hunt["hits"][0]["dst_port"], 53);
  EXPECT_EQ(nlohmann::json::parse(get("/api/hunt?q=c2.example.net&days=60", cookie).body())["events"], 3);
  // Query values are percent-decoded as the page's encodeURIComponent wrote them.
  EXPECT_EQ(nlohmann::json::parse(get("/api/hunt?q=c2%2Eexample%2enet", cookie).body())["events"], 2);
  EXPECT_EQ(get("/api/hunt?q=", cookie).result(), http::status::bad_request);
  EXPECT_TRUE(store_->publications(0).empty());  // unlike gsocctl hunt: no campaign, no notices
}

TEST_F(WebConsoleActionsTest, ExportIsTheCentralApisAsADownload) {
  std::vector<std::string> asked;
  ConsoleRoutes::Actions actions;
  actions.export_records = [&](const gsoc::v1::ExportRequest& request, gsoc::v1::ExportReply& reply) {
    asked.push_back(request.campaign_id() + " " + gsoc::v1::ExportRequest::Format_Name(request.format()));
    if (request.campaign_id() == "C-none") return grpc::Status(grpc::StatusCode::NOT_FOUND, "no campaign 'C-none'");
    reply.set_json(R"({"type":"bundle","objects":[]})");
    return grpc::Status::OK;
  };
  routes_ = std::make_unique<ConsoleRoutes>(*views_, sessions_, feed_, StaticFiles(dir_ / "static"), [](const std::string&) { return false; },
                                            ConsoleRoutes::Refused{}, std::move(actions));
  const std::string cookie = signIn();
  const auto stix = get("/api/export?id=C-0001&format=stix", cookie);
  ASSERT_EQ(stix.result(), http::status::ok);
  EXPECT_EQ(stix.body(), R"({"type":"bundle","objects":[]})");
  EXPECT_EQ(stix[http::field::content_disposition], R"(attachment; filename="C-0001.stix.json")");
  EXPECT_EQ(get("/api/export?id=C-0001&format=misp", cookie).result(), http::status::ok);
  EXPECT_EQ(get("/api/export?id=C-none&format=stix", cookie).result(), http::status::not_found);
  EXPECT_EQ(get("/api/export?id=C-0001&format=csv", cookie).result(), http::status::bad_request);
  EXPECT_EQ(get("/api/export?format=stix", cookie).result(), http::status::bad_request);
  EXPECT_EQ(asked, (std::vector<std::string>{"C-0001 FORMAT_STIX", "C-0001 FORMAT_MISP", "C-none FORMAT_STIX"}));
}

TEST(SensorRateHistoryTest, RatesBetweenSamplesOldestFirstAndBounded) {
  SensorRateHistory history;
  auto rows = [](std::uint64_t events) {
    SensorRow r;
    r.sensor_id = "mofa-1";
    r.events = events;
    return std::vector<SensorRow>{r};
  };
  const std::int64_t s = 1000000000LL;
  history.sample(kT0, rows(100));
  EXPECT_TRUE(history.rates("mofa-1").empty());
  history.sample(kT0 + 10 * s, rows(300));
  history.sample(kT0 + 20 * s, rows(300));
  EXPECT_EQ(history.rates("mofa-1"), (std::vector<double>{20.0, 0.0}));
  history.sample(kT0 + 30 * s, rows(50));  // the total went down: the history starts again
  EXPECT_TRUE(history.rates("mofa-1").empty());
  for (int i = 1; i <= 100; ++i) history.sample(kT0 + (30 + 10 * i) * s, rows(50 + 10 * static_cast<std::uint64_t>(i)));
  EXPECT_EQ(history.rates("mofa-1").size(), SensorRateHistory::kSamples);
  EXPECT_TRUE(history.rates("mod-1").empty());
}

}  // namespace
}  // namespace gsoc::collector
