#pragma once
// ConsoleRoutes: what the web console answers to one HTTP request, apart from the connection
// and TLS (WebServer): sign-in with a one-time token (/login), the session check every other
// request passes, the pages and their JSON (/api/...), and the security headers every answer
// carries. Kept free of sockets so it can be driven request by request.
//
// Access: /login?token=T (a token from `gsocctl web-token`) sets the session cookie and
// redirects to the live feed; anything else without a live session is 401, and a session
// whose analyst certificate has since been revoked is 403. Only GET is served: nothing here
// changes state yet.
// TODO(issue 19): acknowledging notices from the console (POST) needs a CSRF token tied to the
// session (synchroniser token in a header, checked with the Origin), and viewer/duty roles.

#include <boost/beast/http.hpp>
#include <functional>
#include <string>

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
  static constexpr const char* kCookie = "gsoc_session";

  ConsoleRoutes(ConsoleViews& views, WebSessions& sessions, StaticFiles files, Revoked revoked)
      : views_(views), sessions_(sessions), files_(std::move(files)), revoked_(std::move(revoked)) {}

  // `peer` names the client in the log.
  Response handle(const Request& request, const std::string& peer);

 private:
  Response route(const Request& request, const std::string& peer);
  ConsoleViews& views_;
  WebSessions& sessions_;
  StaticFiles files_;
  Revoked revoked_;
};

}  // namespace gsoc::collector
