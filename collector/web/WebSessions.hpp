#pragma once
// WebSessions: how an analyst's browser signs in to the web console without a client
// certificate. The analyst, authenticated by certificate on the Central API, obtains a one-time
// token (`gsocctl web-token`, valid 10 minutes); the browser exchanges it once at /login for a
// session (8 hours) kept in an HttpOnly cookie, with its own CSRF token. Tokens and session ids are 256 random bits from
// OpenSSL; both are kept in memory only, so a collector restart signs everyone out. The clock is
// injected so expiry is tested without waiting.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "collector/ingest/PeerIdentity.hpp"

namespace gsoc::collector {

class WebSessions {
 public:
  using Clock = std::function<std::int64_t()>;  // wall time, ns
  static constexpr std::int64_t kTokenLifetimeNs = 10LL * 60 * 1000000000LL;
  static constexpr std::int64_t kSessionLifetimeNs = 8LL * 3600 * 1000000000LL;

  struct Token {
    std::string value;
    std::int64_t expires_ns = 0;
  };
  struct Session {
    std::string id;
    AnalystIdentity analyst;
    std::int64_t expires_ns = 0;
    // The synchroniser token a state-changing request must echo in X-CSRF-Token: a page of
    // this origin reads it from /api/me; another site can neither read it nor guess it.
    std::string csrf;
  };

  explicit WebSessions(Clock clock) : clock_(std::move(clock)) {}

  // A new token for an analyst the Central API has authenticated.
  Token issueToken(const AnalystIdentity& analyst);
  // Trades a token for a session; nullopt when the token is unknown, already used or expired.
  std::optional<Session> exchange(const std::string& token);
  // The analyst of a live session; nullopt when the id is unknown or the session expired.
  std::optional<Session> find(const std::string& session_id);
  // Ends a session at once (its analyst's certificate was revoked).
  void end(const std::string& session_id);

 private:
  struct Pending {
    AnalystIdentity analyst;
    std::int64_t expires_ns = 0;
  };
  void expire(std::int64_t now);  // drops what has run out, so memory stays bounded by use

  Clock clock_;
  std::mutex mutex_;
  std::map<std::string, Pending, std::less<>> tokens_;
  std::map<std::string, Session, std::less<>> sessions_;
};

// 32 bytes from OpenSSL's CSPRNG as 64 hex digits; throws std::runtime_error when it fails.
std::string randomSecret();

}  // namespace gsoc::collector
