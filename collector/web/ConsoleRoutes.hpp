#pragma once
// ConsoleRoutes: what the web console answers to one HTTP request, apart from the connection
// and TLS (WebServer): sign-in with a one-time token (/login), the session check every other
// request passes, the pages and their JSON (/api/...), and the security headers every answer
// carries. Kept free of sockets so it can be driven request by request.
//
// Access: /login?token=T (a token from `gsocctl web-token`) sets the session cookie and
// redirects to the live feed; anything else without a live session is 401, and a session
// whose analyst certificate has since been revoked is 403. Only GET is served: nothing here
// changes state yet. /api/stream is the live feed as server-sent events: WebServer keeps the
// connection and writes what openStream's subscription delivers, as streamEvents formats it.
// TODO(issue 19): acknowledging notices from the console (POST) needs a CSRF token tied to the
// session (synchroniser token in a header, checked with the Origin), and viewer/duty roles.

#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "collector/api/PublicationFeed.hpp"
#include "collector/web/ConsoleViews.hpp"
#include "collector/web/StaticFiles.hpp"
#include "collector/web/WebSessions.hpp"

namespace gsoc::collector {

class ConsoleRoutes {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;
  // True when an analyst certificate serial is revoked (the Central API's CRL).
  using Revoked = std::function<bool(const std::string& serial)>;
  // Records a refusal worth keeping (a failed sign-in, a revoked analyst's session), as the
  // Central API records its refusals in the store.
  using Refused = std::function<void(const std::string& peer, const std::string& analyst, const std::string& reason)>;
  static constexpr const char* kCookie = "gsoc_session";

  ConsoleRoutes(ConsoleViews& views, WebSessions& sessions, PublicationFeed& feed, StaticFiles files, Revoked revoked, Refused refused = {})
      : views_(views), sessions_(sessions), feed_(feed), files_(std::move(files)), revoked_(std::move(revoked)), refused_(std::move(refused)) {}

  // `peer` names the client in the log.
  Response handle(const Request& request, const std::string& peer);

  // The live feed's server-sent events.
  struct Stream {
    std::shared_ptr<PublicationFeed::Subscription> subscription;  // null: refused
    std::string session_id;
  };
  [[nodiscard]] static bool isStream(const Request& request);
  // For a GET with a live session: a subscription to every publication and revision from now
  // on. Otherwise a null subscription and `refused` the answer to send (401, 403, 405).
  Stream openStream(const Request& request, const std::string& peer, Response& refused);
  // False once the stream's session has expired or its analyst's certificate was revoked.
  [[nodiscard]] bool streamAllowed(const Stream& stream);
  // The events waiting on the stream, as text/event-stream ("event: publication" with the
  // Central API's gsoc.v1.Publication as JSON); `overflowed` when the subscriber fell too far
  // behind (the page then reloads from /api/feed and reconnects).
  static std::string streamEvents(PublicationFeed::Subscription& subscription, bool& overflowed);
  // The headers every answer carries: CSP, nosniff, framing, referrer, caching.
  static void secure(boost::beast::http::fields& fields);

 private:
  Response route(const Request& request, const std::string& peer);
  // nullopt when the request has a live session of an analyst not revoked; else the refusal.
  std::optional<Response> refuseWithoutSession(const Request& request, const std::string& peer, std::optional<WebSessions::Session>& session);
  void record(const std::string& peer, const std::string& analyst, const std::string& reason);
  ConsoleViews& views_;
  WebSessions& sessions_;
  PublicationFeed& feed_;
  StaticFiles files_;
  Revoked revoked_;
  Refused refused_;
};

}  // namespace gsoc::collector
