#pragma once
// Generates realistic agency-uplink traffic as Ethernet frames: HTTP/1.1 sessions with bodies,
// TLS sessions (ClientHello with SNI, server handshake, application data), DNS lookups over UDP
// and SMTP deliveries with base64 attachments, at realistic packet sizes (MSS 1460). Seeded, so
// the same seed gives the same bytes: benchmarks and tests are repeatable.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "bench/traffic/FrameBuilder.hpp"

namespace gsoc::traffic {

struct TrafficMix {  // shares of sessions
  double http = 0.45;
  double tls = 0.30;
  double dns = 0.20;
  double smtp = 0.05;
};

struct GeneratorCounters {
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;
  std::uint64_t http_sessions = 0;
  std::uint64_t tls_sessions = 0;
  std::uint64_t dns_lookups = 0;
  std::uint64_t smtp_sessions = 0;
  std::uint64_t tcp_sessions = 0;
};

class TrafficGenerator {
 public:
  using FrameSink = std::function<void(std::int64_t timestamp_ns, std::span<const std::uint8_t> frame)>;
  static constexpr std::size_t kMss = 1460;

  TrafficGenerator(std::uint64_t seed, FrameSink sink, std::int64_t start_ns = 1'700'000'000'000'000'000);

  // Sessions between internal `client` and external `server` (addresses as text).
  void httpSession(const std::string& client, const std::string& server, const std::string& host, const std::string& uri,
                   std::size_t body_bytes, const std::string& user_agent = {}, std::uint16_t port = 80);
  void tlsSession(const std::string& client, const std::string& server, const std::string& sni, std::size_t app_bytes);
  void dnsLookup(const std::string& client, const std::string& resolver, const std::string& name);
  // attachment_seed != 0: the attachment's bytes come from that seed alone, so one campaign's
  // file is byte-identical (same SHA-256) in every capture, whatever the generator's seed.
  void smtpSession(const std::string& client, const std::string& server, const std::string& from, const std::string& to,
                   const std::string& subject, const std::string& attachment_name, std::size_t attachment_bytes,
                   std::uint64_t attachment_seed = 0);
  // A raw TCP connection to any port (an implant's own protocol): handshake, `client_bytes` of
  // random payload up, `server_bytes` down, close. Nothing an app-layer parser recognises.
  void tcpSession(const std::string& client, const std::string& server, std::uint16_t port, std::size_t client_bytes,
                  std::size_t server_bytes);
  // The bytes smtpSession attaches for `attachment_seed`, so a scenario can name the file's
  // SHA-256 in its manifest without parsing its own capture.
  [[nodiscard]] static std::string attachmentContent(std::size_t bytes, std::uint64_t seed) { return fixedBytes(bytes, seed); }
  // Random sessions from 192.0.2.0/24 clients to servers in 203.0.113.130-249 (resolver
  // 192.0.2.53) until at least `bytes` have been generated.
  void mixed(std::uint64_t bytes, const TrafficMix& mix = {});
  // The attacks the bundled default ruleset and indicator lists are written for: a Struts OGNL
  // probe and a JBoss probe on an agency web server, a targeted mail (資料送付, a .docx.exe
  // attachment, a known sender), a lookup of a known C2 domain and an implant's HTTP beacon.
  void attackScenarios();

  [[nodiscard]] const GeneratorCounters& counters() const { return counters_; }
  [[nodiscard]] std::int64_t now() const { return now_; }
  void advance(std::int64_t ns) { now_ += ns; }
  // Moves the clock to `ts_ns`, never backwards (a session still running keeps its time).
  void at(std::int64_t ts_ns) { now_ = std::max(now_, ts_ns); }

 private:
  void emit(const Bytes& frame);
  void sendSegmented(TcpConversation& c, bool from_client, std::string_view data);
  std::string words(std::size_t bytes);
  std::string randomBytes(std::size_t bytes);
  static std::string fixedBytes(std::size_t bytes, std::uint64_t seed);
  std::uint16_t ephemeralPort();
  // A new connection from a random ephemeral port, its handshake already sent.
  TcpConversation connect(const std::string& client, const std::string& server, std::uint16_t port);

  std::mt19937_64 rng_;
  FrameSink sink_;
  std::int64_t now_;
  GeneratorCounters counters_;
};

}  // namespace gsoc::traffic
