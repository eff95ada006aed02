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

// The realistic uplink profile (issue 17): one agency's uplink as an independent generator shows
// it, many short flows rather than a few long ones. Per 60 s: about 92k flows, 93 % of them DNS
// lookups (one flow each, from sequential client ports), 4.5k HTTP/1.1 connections with
// keep-alive (several requests each), 1.5k TLS connections, 0.5k inbound SMTP deliveries and a
// few NTP and ICMP flows; HTTP, TLS and mail sizes heavy-tailed (lognormal); 5 % of sessions
// over IPv6, 5 % VLAN-tagged; round trips, think times and keep-alive idles in real time, so
// flows overlap and expire as they do on a wire. Frames come out in timestamp order.
struct UplinkOptions {
  double seconds = 60;  // length of the capture; session counts scale with it
};

struct UplinkCounters {
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;
  std::uint64_t small_frames = 0;  // 64 bytes or less
  std::uint64_t full_frames = 0;   // a 1500-byte IP packet (1514 bytes, 1518 tagged)
  std::uint64_t ipv6_frames = 0;
  std::uint64_t vlan_frames = 0;
  std::uint64_t dns_flows = 0;
  std::uint64_t http_flows = 0;
  std::uint64_t http_requests = 0;
  std::uint64_t tls_flows = 0;
  std::uint64_t smtp_flows = 0;
  std::uint64_t other_flows = 0;  // NTP, ICMP echo
  std::uint64_t out_of_order = 0;  // frames earlier than the frame before them: 0 by construction
  [[nodiscard]] std::uint64_t flows() const { return dns_flows + http_flows + tls_flows + smtp_flows + other_flows; }
  // One line with the figures the profile is meant to match, for checking against the target.
  [[nodiscard]] std::string summary() const;
};

// The capture length that gives about `bytes` of uplink traffic (the profile's mean rate).
[[nodiscard]] double uplinkSecondsForBytes(std::uint64_t bytes);

// Writes the uplink profile to `sink` in timestamp order. Sessions are drawn in order of start
// time; each session's frames go to a heap, and every frame earlier than the next session's start
// is written out (no later session can precede it). Memory is the frames of the sessions still
// open at once (keep-alive connections hold theirs until they close): tens of MB for 60 s.
UplinkCounters generateUplink(std::uint64_t seed, const UplinkOptions& options, const TrafficGenerator::FrameSink& sink,
                              std::int64_t start_ns = 1'700'000'000'000'000'000);

}  // namespace gsoc::traffic
