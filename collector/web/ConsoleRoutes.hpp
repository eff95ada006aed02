#pragma once
// ConsoleRoutes: what the web console answers to one HTTP request, apart from the connection
// and TLS (WebServer): sign-in with a one-time token (/login), the session check every other
// request passes, the pages and their JSON (/api/...), and the security headers every answer
// carries. Kept free of sockets so it can be driven request by request.
//
// Access: /login?token=T (a token from `gsocctl web-token`) sets the session cookie and
// redirects to the live feed; anything else without a live session is 401, and a session
// whose analyst certificate has since been revoked is 403. /api/stream is the live feed as
// server-sent events: WebServer keeps the connection and writes what openStream's subscription
// delivers, as streamEvents formats it.
//
// One request changes state: POST /api/ack moves a notice on or records a warning's
// acknowledgement, through the Central API's own code (Actions), so the roles (duty officers
// act, viewers read) and the lifecycle rules are the same as gsocctl's. It must carry JSON, the
// session's CSRF token in X-CSRF-Token (a synchroniser token only this origin's pages can read,
// from /api/me) and an Origin equal to this console's; anything else is refused (403, 415) and
// recorded. Everything else is GET only.
//
// Reads besides the pages: /api/campaign?id=ID (CampaignView), /api/hunt?q=VALUE&days=N
// (HuntView: a search that publishes nothing, unlike `gsocctl hunt`), and
// /api/export?id=ID&format=stix|misp, the Central API's Export of the campaign, sent as a
// download (Content-Disposition: attachment). Query values are percent-decoded.

#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <grpcpp/support/status.h>

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
  // What the console does through the Central API's own code (CentralService): what an analyst
  // may change, and the STIX/MISP export behind the campaign page's download buttons.
  struct Actions {
    // True when the analyst may move notices and record acknowledgements (a duty officer).
    std::function<bool(const std::string& analyst)> may_act;
    // The Central API's Acknowledge for an analyst already authenticated.
    std::function<grpc::Status(const AnalystIdentity& analyst, const gsoc::v1::AcknowledgeRequest& request, gsoc::v1::Publication& reply)>
        acknowledge;
    // The Central API's Export (one exporter for gsocctl and the console).
    std::function<grpc::Status(const gsoc::v1::ExportRequest& request, gsoc::v1::ExportReply& reply)> export_records;
  };
  static constexpr const char* kCookie = "gsoc_session";
  static constexpr const char* kCsrfHeader = "X-CSRF-Token";

  ConsoleRoutes(ConsoleViews& views, WebSessions& sessions, PublicationFeed& feed, StaticFiles files, Revoked revoked, Refused refused = {},
                Actions actions = {})
      : views_(views), sessions_(sessions), feed_(feed), files_(std::move(files)), revoked_(std::move(revoked)), refused_(std::move(refused)),
        actions_(std::move(actions)) {}

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
  // POST /api/ack for a live session: the CSRF and origin checks, then Actions::acknowledge.
  Response acknowledge(const Request& request, const std::string& peer, const WebSessions::Session& session);
  // GET /api/export: Actions::export_records for one campaign, as an attachment.
  Response exportCampaign(const Request& request, const std::string& id, const std::string& format);
  [[nodiscard]] bool mayAct(const std::string& analyst) const { return !actions_.may_act || actions_.may_act(analyst); }
  ConsoleViews& views_;
  WebSessions& sessions_;
  PublicationFeed& feed_;
  StaticFiles files_;
  Revoked revoked_;
  Refused refused_;
  Actions actions_;
};

}  // namespace gsoc::collector
