#include "collector/web/ConsoleRoutes.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

namespace gsoc::collector {
namespace {

namespace http = boost::beast::http;
using Response = ConsoleRoutes::Response;

// Scripts, styles and data from this origin only, no inline script or style, no framing, no
// plugins, and forms and links that cannot carry the console's URLs elsewhere: a value from an
// event that slipped into the markup still could not run.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A query value as the browser's encodeURIComponent / form encoding wrote it: %XX and '+'. A
// malformed escape stays as it is.
std::string percentDecoded(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() && hexDigit(in[i + 1]) >= 0 && hexDigit(in[i + 2]) >= 0) {
      out += static_cast<char>(hexDigit(in[i + 1]) * 16 + hexDigit(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

std::map<std::string, std::string, std::less<>> queryOf(std::string_view target) {
  std::map<std::string, std::string, std::less<>> out;
  const auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos) out.emplace(percentDecoded(pair.substr(0, eq)), percentDecoded(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return out;
}

std::string cookieOf(const ConsoleRoutes::Request& request, std::string_view name) {
  const auto it = request.find(http::field::cookie);
  if (it == request.end()) return {};
  std::string_view rest(it->value().data(), it->value().size());
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    std::string_view pair = rest.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=') return std::string(pair.substr(name.size() + 1));
    if (semi == std::string_view::npos) break;
    rest = rest.substr(semi + 1);
  }
  return {};
}

Response answer(const ConsoleRoutes::Request& request, http::status status, std::string content_type, std::string body) {
  Response res{status, request.version()};
  res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  return res;
}

Response json(const ConsoleRoutes::Request& request, std::string body) {
  return answer(request, http::status::ok, "application/json; charset=utf-8", std::move(body));
}

// API callers get JSON, a person at a page gets a sentence; both say what to do.
Response refusal(const ConsoleRoutes::Request& request, http::status status, const std::string& why) {
  const std::string_view path(request.target().data(), request.target().size());
  if (path.starts_with("/api/")) {
    return answer(request, status, "application/json; charset=utf-8", nlohmann::json{{"error", why}}.dump());
  }
  return answer(request, status, "text/plain; charset=utf-8", why + "\n");
}

std::int64_t numberOr(const std::map<std::string, std::string, std::less<>>& query, const char* key, std::int64_t fallback) {
  const auto it = query.find(key);
  if (it == query.end()) return fallback;
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  return ec == std::errc() && end == it->second.data() + it->second.size() ? v : fallback;
}

// gsocctl feed's filters from the query: kind and agency (comma-separated lists), severity (at
// least), status. nullopt for a severity that is not one.
std::optional<gsoc::v1::Filter> feedFilter(const std::map<std::string, std::string, std::less<>>& query) {
  gsoc::v1::Filter filter;
  auto list = [&](const char* key, auto add) {
    const auto it = query.find(key);
    if (it == query.end()) return;
    std::string_view rest = it->second;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      if (comma != 0) add(std::string(rest.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  };
  list("kind", [&](std::string v) { filter.add_kinds(std::move(v)); });
  list("agency", [&](std::string v) { filter.add_agencies(std::move(v)); });
  if (const auto it = query.find("status"); it != query.end()) filter.set_status(it->second);
  if (const auto it = query.find("severity"); it != query.end() && !it->second.empty()) {
    static const std::map<std::string, gsoc::v1::Severity, std::less<>> kSeverities = {
        {"low", gsoc::v1::SEVERITY_LOW}, {"medium", gsoc::v1::SEVERITY_MEDIUM}, {"high", gsoc::v1::SEVERITY_HIGH}, {"critical", gsoc::v1::SEVERITY_CRITICAL}};
    const auto s = kSeverities.find(it->second);
    if (s == kSeverities.end()) return std::nullopt;
    filter.set_min_severity(s->second);
  }
  return filter;
}

}  // namespace

Response ConsoleRoutes::handle(const Request& request, const std::string& peer) {
  Response res = [&] {
    try {
      return route(request, peer);
    } catch (const std::exception& e) {
      std::cerr << "gsoc-collector: web: " << request.target() << " failed: " << e.what() << "\n";
      return refusal(request, http::status::internal_server_error, std::string("the store failed: ") + e.what());
    }
  }();
  secure(res);
  res.keep_alive(request.keep_alive());
  res.prepare_payload();
  return res;
}

void ConsoleRoutes::secure(http::fields& fields) {
  fields.set("Content-Security-Policy", kContentSecurityPolicy);
  fields.set("X-Content-Type-Options", "nosniff");
  fields.set("X-Frame-Options", "DENY");  // for browsers that predate frame-ancestors
  fields.set("Referrer-Policy", "no-referrer");
  fields.set("Cross-Origin-Opener-Policy", "same-origin");
  fields.set(http::field::strict_transport_security, "max-age=31536000");
  fields.set(http::field::cache_control, "no-store");  // publications name victims: keep them out of caches
}

void ConsoleRoutes::record(const std::string& peer, const std::string& analyst, const std::string& reason) {
  std::cerr << "gsoc-collector: web: refused " << peer << (analyst.empty() ? "" : " (analyst " + analyst + ")") << ": " << reason << "\n";
  if (refused_) refused_(peer, analyst, reason);
}

std::optional<Response> ConsoleRoutes::refuseWithoutSession(const Request& request, const std::string& peer,
                                                            std::optional<WebSessions::Session>& session) {
  session = sessions_.find(cookieOf(request, kCookie));
  if (!session) {
    return refusal(request, http::status::unauthorized, "not signed in: run `gsocctl web-token` and open the link it prints");
  }
  if (revoked_ && revoked_(session->analyst.serial)) {
    // Ended here, so it is refused and recorded once; the browser then gets 401.
    sessions_.end(session->id);
    record(peer, session->analyst.name, "certificate serial " + session->analyst.serial + " is revoked: session ended");
    return refusal(request, http::status::forbidden, "the analyst certificate this session was opened with is revoked");
  }
  return std::nullopt;
}

bool ConsoleRoutes::isStream(const Request& request) {
  const std::string_view target(request.target().data(), request.target().size());
  return target.substr(0, target.find('?')) == "/api/stream";
}

ConsoleRoutes::Stream ConsoleRoutes::openStream(const Request& request, const std::string& peer, Response& refused) {
  std::optional<Response> refusal_answer;
  std::optional<WebSessions::Session> session;
  if (request.method() != http::verb::get) {
    refusal_answer = refusal(request, http::status::method_not_allowed, "only GET is served");
    refusal_answer->set(http::field::allow, "GET");
  } else {
    refusal_answer = refuseWithoutSession(request, peer, session);
  }
  if (refusal_answer) {
    refused = std::move(*refusal_answer);
    secure(refused);
    refused.keep_alive(request.keep_alive());
    refused.prepare_payload();
    return {};
  }
  std::cerr << "gsoc-collector: web: analyst " << session->analyst.name << " follows the feed from " << peer << "\n";
  return {feed_.subscribe(gsoc::v1::Filter{}), session->id};
}

bool ConsoleRoutes::streamAllowed(const Stream& stream) {
  const auto session = sessions_.find(stream.session_id);
  return session && !(revoked_ && revoked_(session->analyst.serial));
}

std::string ConsoleRoutes::streamEvents(PublicationFeed::Subscription& subscription, bool& overflowed) {
  std::string out;
  gsoc::v1::Publication p;
  overflowed = false;
  for (;;) {
    switch (subscription.next(p, std::chrono::milliseconds(0))) {
      case PublicationFeed::Subscription::Next::kTimeout: return out;
      case PublicationFeed::Subscription::Next::kOverflowed:
        overflowed = true;
        return out + "event: overflow\ndata: {}\n\n";
      case PublicationFeed::Subscription::Next::kItem:
        // JSON has no raw newline, so one data line carries the whole record.
        out += "event: publication\ndata: " + ConsoleViews::publicationJson(p) + "\n\n";
        break;
    }
  }
}

Response ConsoleRoutes::acknowledge(const Request& request, const std::string& peer, const WebSessions::Session& session) {
  const std::string& who = session.analyst.name;
  // Origin: a browser sends it with every POST; it must be this console (scheme, host, port).
  const auto origin = request.find(http::field::origin);
  const auto host = request.find(http::field::host);
  if (origin == request.end() || host == request.end() || std::string(origin->value()) != "https://" + std::string(host->value())) {
    record(peer, who, "POST /api/ack from another origin (" + (origin == request.end() ? std::string("none") : std::string(origin->value())) + ")");
    return refusal(request, http::status::forbidden, "cross-origin request refused");
  }
  const auto csrf = request.find(kCsrfHeader);
  if (csrf == request.end() || csrf->value().size() != session.csrf.size() ||
      CRYPTO_memcmp(csrf->value().data(), session.csrf.data(), session.csrf.size()) != 0) {
    record(peer, who, "POST /api/ack without the session's CSRF token");
    return refusal(request, http::status::forbidden, "missing or wrong CSRF token: reload the page");
  }
  const auto type = request.find(http::field::content_type);
  if (type == request.end() || !std::string_view(type->value().data(), type->value().size()).starts_with("application/json")) {
    return refusal(request, http::status::unsupported_media_type, "send application/json");
  }
  if (!mayAct(who)) {
    record(peer, who, "POST /api/ack by a viewer");
    return refusal(request, http::status::forbidden, "analyst " + who + " reads only: moving notices and recording acknowledgements is for duty officers");
  }
  if (!actions_.acknowledge) return refusal(request, http::status::not_found, "acknowledgements are not served here");
  gsoc::v1::AcknowledgeRequest ack;
  try {
    const auto body = nlohmann::json::parse(request.body());
    ack.set_id(body.at("id").get<std::string>());
    if (body.contains("agency")) ack.set_agency_id(body.at("agency").get<std::string>());
    if (body.contains("note")) ack.set_note(body.at("note").get<std::string>());
    if (body.contains("state")) {
      const auto state = body.at("state").get<std::string>();
      static const std::map<std::string, gsoc::v1::Notice::State, std::less<>> kStates = {
          {"delivered", gsoc::v1::Notice::STATE_DELIVERED}, {"acknowledged", gsoc::v1::Notice::STATE_ACKNOWLEDGED}, {"closed", gsoc::v1::Notice::STATE_CLOSED}};
      const auto it = kStates.find(state);
      if (it == kStates.end()) return refusal(request, http::status::bad_request, "state must be delivered, acknowledged or closed, not '" + state + "'");
      ack.set_state(it->second);
    }
  } catch (const nlohmann::json::exception& e) {
    return refusal(request, http::status::bad_request, std::string("expected {\"id\": ..., \"state\"?, \"agency\"?, \"note\"?}: ") + e.what());
  }
  gsoc::v1::Publication reply;
  const grpc::Status status = actions_.acknowledge(session.analyst, ack, reply);
  switch (status.error_code()) {
    case grpc::StatusCode::OK: return json(request, ConsoleViews::publicationJson(reply));
    case grpc::StatusCode::NOT_FOUND: return refusal(request, http::status::not_found, status.error_message());
    case grpc::StatusCode::PERMISSION_DENIED: return refusal(request, http::status::forbidden, status.error_message());
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::INVALID_ARGUMENT: return refusal(request, http::status::conflict, status.error_message());
    default: return refusal(request, http::status::internal_server_error, status.error_message());
  }
}

Response ConsoleRoutes::exportCampaign(const Request& request, const std::string& id, const std::string& format) {
  if (!actions_.export_records) return refusal(request, http::status::not_found, "export is not served here");
  gsoc::v1::ExportRequest ask;
  if (format == "stix") {
    ask.set_format(gsoc::v1::ExportRequest::FORMAT_STIX);
  } else if (format == "misp") {
    ask.set_format(gsoc::v1::ExportRequest::FORMAT_MISP);
  } else {
    return refusal(request, http::status::bad_request, "format must be stix or misp");
  }
  if (id.empty()) return refusal(request, http::status::bad_request, "export needs a campaign id (id=)");
  ask.set_campaign_id(id);
  gsoc::v1::ExportReply reply;
  const grpc::Status status = actions_.export_records(ask, reply);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return refusal(request, http::status::not_found, status.error_message());
  if (!status.ok()) return refusal(request, http::status::internal_server_error, status.error_message());
  Response res = json(request, reply.json());
  // The id is a campaign's (C-hex): still, only safe characters go into the header.
  std::string name;
  for (char c : id) name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  res.set(http::field::content_disposition, "attachment; filename=\"" + name + "." + format + ".json\"");
  return res;
}

Response ConsoleRoutes::route(const Request& request, const std::string& peer) {
  const std::string_view target(request.target().data(), request.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  const bool is_ack = path == "/api/ack";
  if (request.method() != (is_ack ? http::verb::post : http::verb::get)) {
    Response res = refusal(request, http::status::method_not_allowed, is_ack ? "only POST is served here" : "only GET is served");
    res.set(http::field::allow, is_ack ? "POST" : "GET");
    return res;
  }
  const auto query = queryOf(target);
  if (path == "/login") {
    const auto token = query.find("token");
    const auto session = token == query.end() ? std::nullopt : sessions_.exchange(token->second);
    if (!session) {
      record(peer, "", "sign-in token unknown, used or expired");
      return refusal(request, http::status::unauthorized, "this sign-in link is unknown, used or expired: run `gsocctl web-token` for a new one");
    }
    std::cerr << "gsoc-collector: web: analyst " << session->analyst.name << " signed in from " << peer << "\n";
    Response res = answer(request, http::status::see_other, "text/plain; charset=utf-8", "signed in\n");
    res.set(http::field::location, "/");
    res.set(http::field::set_cookie, std::string(kCookie) + "=" + session->id + "; Path=/; Max-Age=" +
                                         std::to_string(WebSessions::kSessionLifetimeNs / 1000000000LL) + "; Secure; HttpOnly; SameSite=Strict");
    return res;
  }
  std::optional<WebSessions::Session> session;
  if (auto refused = refuseWithoutSession(request, peer, session)) return std::move(*refused);
  if (is_ack) return acknowledge(request, peer, *session);
  if (path == "/api/feed") {
    const auto filter = feedFilter(query);
    if (!filter) return refusal(request, http::status::bad_request, "severity must be low, medium, high or critical");
    return json(request, views_.feed(numberOr(query, "since_ns", 0), static_cast<std::uint32_t>(std::clamp<std::int64_t>(numberOr(query, "days", 7), 0, 36500)),
                                     static_cast<std::size_t>(std::clamp<std::int64_t>(numberOr(query, "limit", 500), 1, 5000)), *filter));
  }
  if (path == "/api/sensors") return json(request, views_.sensors());
  if (path == "/api/agencies") return json(request, views_.agencies());
  if (path == "/api/notices") {
    ConsoleViews::NoticePage page;
    if (const auto show = query.find("show"); show != query.end() && !show->second.empty()) page.show = show->second;
    if (const auto agency = query.find("agency"); agency != query.end()) page.agency = agency->second;
    if (const auto after = query.find("after_id"); after != query.end()) page.after_id = after->second;
    page.after_ns = numberOr(query, "after_ns", 0);
    page.offset = static_cast<std::size_t>(std::max<std::int64_t>(numberOr(query, "offset", 0), 0));
    page.limit = static_cast<std::size_t>(std::clamp<std::int64_t>(numberOr(query, "limit", 500), 1, ConsoleViews::kMaxNoticePage));
    auto view = views_.notices(page);
    if (!view) return refusal(request, http::status::bad_request, "show must be open, waiting, new, delivered, acknowledged, closed or all");
    return json(request, std::move(*view));
  }
  if (path == "/api/campaign") {
    const auto id = query.find("id");
    auto view = id == query.end() ? std::nullopt : views_.campaign(id->second);
    if (!view) return refusal(request, http::status::not_found, "no campaign '" + (id == query.end() ? std::string() : id->second) + "'");
    return json(request, std::move(*view));
  }
  if (path == "/api/hunt") {
    const auto q = query.find("q");
    if (q == query.end() || q->second.empty() || q->second.size() > 512) {
      return refusal(request, http::status::bad_request, "hunt needs an indicator (q=): an address, domain, hash or sender, at most 512 bytes");
    }
    return json(request, views_.hunt(q->second, static_cast<std::uint32_t>(std::clamp<std::int64_t>(numberOr(query, "days", 30), 1, 3650))));
  }
  if (path == "/api/export") {
    const auto id = query.find("id");
    const auto format = query.find("format");
    return exportCampaign(request, id == query.end() ? std::string() : id->second, format == query.end() ? std::string() : format->second);
  }
  if (path == "/api/me") {
    return json(request, nlohmann::json{{"analyst", session->analyst.name}, {"role", mayAct(session->analyst.name) ? "duty" : "viewer"}, {"csrf", session->csrf}}.dump());
  }
  if (auto file = files_.find(path)) return answer(request, http::status::ok, std::move(file->content_type), std::move(file->body));
  return refusal(request, http::status::not_found, "no such page");
}

}  // namespace gsoc::collector
