#include "collector/web/WebSessions.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace gsoc::collector {

std::string randomSecret() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) throw std::runtime_error("web console: no random bytes from OpenSSL");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

void WebSessions::expire(std::int64_t now) {
  std::erase_if(tokens_, [now](const auto& t) { return t.second.expires_ns <= now; });
  std::erase_if(sessions_, [now](const auto& s) { return s.second.expires_ns <= now; });
}

WebSessions::Token WebSessions::issueToken(const AnalystIdentity& analyst) {
  Token token{randomSecret(), clock_() + kTokenLifetimeNs};
  std::lock_guard lock(mutex_);
  expire(clock_());
  tokens_[token.value] = Pending{analyst, token.expires_ns};
  return token;
}

std::optional<WebSessions::Session> WebSessions::exchange(const std::string& token) {
  const std::int64_t now = clock_();
  std::lock_guard lock(mutex_);
  expire(now);
  const auto it = tokens_.find(token);
  if (it == tokens_.end()) return std::nullopt;
  Session session{randomSecret(), std::move(it->second.analyst), now + kSessionLifetimeNs, randomSecret()};
  tokens_.erase(it);  // single use: a token copied from a log or a history later is worthless
  sessions_[session.id] = session;
  return session;
}

std::optional<WebSessions::Session> WebSessions::find(const std::string& session_id) {
  const std::int64_t now = clock_();
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires_ns <= now) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void WebSessions::end(const std::string& session_id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(session_id);
}

}  // namespace gsoc::collector
