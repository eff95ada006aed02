// HTTP/1 parsing as libhtp does it where Suricata's verification cases look: TCP gaps (inside a
// body, beyond it, before the first response), the line after a response body that is no
// response line (more of the body), heads cut short by the end of the connection, and the host,
// port and status EVE reports.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "sensor/app/HttpParser.hpp"

namespace gsoc::sensor {
namespace {

using signatures::FlowDirection;

std::span<const std::uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

struct Seen {
  bool request;
  std::string what;  // the URI or the status
  std::string body;
  std::uint64_t wire = 0;
  bool truncated = false;
  bool gaps = false;
};

class Http {
 public:
  void client(std::string_view s) { state_.feed(FlowDirection::ToServer, bytes(s), sink_); }
  void server(std::string_view s) { state_.feed(FlowDirection::ToClient, bytes(s), sink_); }
  void serverGap(std::uint64_t n) { state_.gap(FlowDirection::ToClient, n, sink_); }
  void close() {
    state_.close(FlowDirection::ToServer, sink_);
    state_.close(FlowDirection::ToClient, sink_);
  }
  std::vector<Seen> seen;

 private:
  void onMessage(FlowDirection, const HttpMessage& m) {
    seen.push_back({m.request, m.request ? m.raw_uri : m.status_code, m.body, m.body_wire_bytes, m.body_truncated, m.body_gaps});
  }
  HttpState state_;
  std::function<void(FlowDirection, const HttpMessage&)> sink_ = [this](FlowDirection d, const HttpMessage& m) { onMessage(d, m); };
};

constexpr std::string_view kResponse12 = "HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\n";

// A HEAD request's answer has no body whatever its Content-Length says (RFC 9110 9.3.2); were
// the length believed, the next answer on the connection would be swallowed as its body.
TEST(HttpParser, TheAnswerToHeadHasNoBody) {
  Http h;
  h.client("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  h.server("HTTP/1.1 100 Continue\r\n\r\n"
           "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"
           "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  std::vector<std::string> responses;
  for (const Seen& s : h.seen) {
    if (!s.request) responses.push_back(s.what + ":" + s.body);
  }
  ASSERT_EQ(responses.size(), 3u) << "the GET's answer must not vanish into the HEAD's";
  EXPECT_EQ(responses[0], "100:");  // interim: the HEAD still waits for its answer
  EXPECT_EQ(responses[1], "200:");
  EXPECT_EQ(responses[2], "200:hello");
}

TEST(HttpParser, ALineAfterAResponseBodyThatIsNoResponseLineIsMoreBody) {
  Http h;
  h.client("GET /1 HTTP/1.0\r\n\r\n");
  h.server(std::string(kResponse12) + "Hello World!\r\n");
  // The CRLF after the 12 bytes does not start with "http": libhtp's unexpected response body.
  ASSERT_EQ(h.seen.size(), 2u);
  EXPECT_EQ(h.seen[1].body, "Hello World!\r\n");
  // A response line after the body ends it.
  h.client("GET /2 HTTP/1.0\r\n\r\n");
  h.server(std::string(kResponse12) + "Hello People" + "HTTP/1.0 204 No Content\r\n\r\n");
  ASSERT_EQ(h.seen.size(), 5u);
  EXPECT_EQ(h.seen[3].body, "Hello People");
  EXPECT_EQ(h.seen[4].what, "204");
}

TEST(HttpParser, AGapInsideABodyIsCountedAndParsingGoesOn) {
  Http h;
  h.client("GET /2 HTTP/1.0\r\n\r\n");
  h.server("HTTP/1.0 200 OK\r\nContent-Length: 42\r\n\r\n" + std::string(14, 'A'));
  h.serverGap(14);
  h.server(std::string(14, 'A'));
  h.server("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_EQ(h.seen.size(), 3u);
  EXPECT_EQ(h.seen[1].body, std::string(28, 'A'));
  EXPECT_EQ(h.seen[1].wire, 42u);  // the lost bytes count in the file's size
  EXPECT_TRUE(h.seen[1].gaps);
  EXPECT_TRUE(h.seen[1].truncated);
  EXPECT_EQ(h.seen[2].body, "ok");
  EXPECT_FALSE(h.seen[2].gaps);
}

TEST(HttpParser, AGapPastTheBodyEndsItAndTheRestIsSkipped) {
  Http h;
  h.client("GET /1 HTTP/1.0\r\n\r\n");
  h.server(kResponse12);
  h.serverGap(14);  // the 12 body bytes and the CRLF after them
  ASSERT_EQ(h.seen.size(), 2u);
  EXPECT_EQ(h.seen[1].wire, 12u);
  EXPECT_TRUE(h.seen[1].gaps);
  h.server("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_EQ(h.seen.size(), 3u);
  EXPECT_EQ(h.seen[2].what, "200");
}

TEST(HttpParser, AResponseSideWhoseStartIsLostIsNotParsed) {
  Http h;
  h.client("GET / HTTP/1.0\r\n\r\n");
  h.serverGap(100);
  h.server("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_EQ(h.seen.size(), 1u);
  EXPECT_TRUE(h.seen[0].request);
}

TEST(HttpParser, AStartLineWithoutItsEndIsARequestAtTheClose) {
  Http h;
  h.client("GET /");
  EXPECT_TRUE(h.seen.empty());
  h.close();
  ASSERT_EQ(h.seen.size(), 1u);
  EXPECT_EQ(h.seen[0].what, "/");
}

// A head whose announced body never came is still a transaction at the close (Suricata inspects
// its headers and URI at the end of the stream), its body empty and cut short.
TEST(HttpParser, AHeadWhoseBodyNeverCameIsARequestAtTheClose) {
  Http h;
  h.client("GET / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 100\r\n\r\n");
  EXPECT_TRUE(h.seen.empty());
  h.close();
  ASSERT_EQ(h.seen.size(), 1u);
  EXPECT_TRUE(h.seen[0].request);
  EXPECT_EQ(h.seen[0].what, "/");
  EXPECT_TRUE(h.seen[0].body.empty());
  EXPECT_TRUE(h.seen[0].truncated);
}

HttpMessage request(std::string method, std::string uri, std::string host) {
  HttpMessage m;
  m.method = std::move(method);
  m.raw_uri = std::move(uri);
  if (!host.empty()) m.headers.emplace_back("Host", host);
  return m;
}

TEST(HttpParser, AuthorityAsLibhtpTakesIt) {
  // The host views the message: each is kept while its authority is looked at.
  const HttpMessage with_port = request("GET", "/", "Example.org:8080");
  HttpAuthority a = httpRequestAuthority(with_port);
  EXPECT_EQ(a.host, "Example.org");
  EXPECT_EQ(a.port, 8080);
  const HttpMessage ipv6 = request("GET", "/", "[::1]:8000");
  a = httpRequestAuthority(ipv6);
  EXPECT_EQ(a.host, "[::1]");
  EXPECT_EQ(a.port, 8000);
  const HttpMessage absolute = request("GET", "http://user@a.example.:81/x?y", "b.example");  // the URI's wins
  a = httpRequestAuthority(absolute);
  EXPECT_EQ(a.host, "a.example");
  EXPECT_EQ(a.port, 81);
  const HttpMessage connect = request("CONNECT", "abc:443", "");
  a = httpRequestAuthority(connect);
  EXPECT_EQ(a.host, "abc");
  EXPECT_EQ(a.port, 443);
  const HttpMessage named_port = request("GET", "/", "host:http");
  a = httpRequestAuthority(named_port);
  EXPECT_EQ(a.host, "host");
  EXPECT_EQ(a.port, -1);
  const HttpMessage no_host = request("GET", "/", "");
  EXPECT_EQ(httpRequestAuthority(no_host).host, "");
}

TEST(HttpParser, ConnectAnswered2xxOpensATunnelWithTheBytesPastIt) {
  HttpState state;
  std::vector<std::string> seen;
  const auto sink = [&](FlowDirection, const HttpMessage& m) { seen.push_back(m.request ? m.method : m.status_code); };
  state.feed(FlowDirection::ToServer, bytes("CONNECT abc:443 HTTP/1.1\r\n\r\nGE"), sink);
  EXPECT_FALSE(state.tunnel());
  EXPECT_EQ(state.tunnelBytes(FlowDirection::ToServer), "GE");  // held until the answer
  state.feed(FlowDirection::ToClient, bytes("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n\x16\x03"), sink);
  EXPECT_TRUE(state.tunnel());
  EXPECT_EQ(seen, (std::vector<std::string>{"CONNECT", "200"}));
  EXPECT_EQ(state.tunnelBytes(FlowDirection::ToClient), "\x16\x03");  // a 2xx to CONNECT has no body
  EXPECT_EQ(state.tunnelBytes(FlowDirection::ToServer), "GE");
}

TEST(HttpParser, ConnectRefusedLetsTheClientGoOnInHttp) {
  HttpState state;
  std::vector<std::string> seen;
  const auto sink = [&](FlowDirection, const HttpMessage& m) { seen.push_back(m.request ? m.method : m.status_code); };
  state.feed(FlowDirection::ToServer, bytes("CONNECT abc:443 HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n"), sink);
  state.feed(FlowDirection::ToClient, bytes("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"), sink);
  EXPECT_FALSE(state.tunnel());
  EXPECT_EQ(seen, (std::vector<std::string>{"CONNECT", "403", "GET"}));
}

TEST(HttpParser, ContentRanges) {
  HttpContentRange r;
  ASSERT_TRUE(parseHttpContentRange("bytes 500-1000/146515", r));
  EXPECT_EQ(r.start, 500);
  EXPECT_EQ(r.end, 1000);
  EXPECT_EQ(r.size, 146515);
  ASSERT_TRUE(parseHttpContentRange("bytes 0-9/*", r));
  EXPECT_EQ(r.end, 9);
  EXPECT_EQ(r.size, -1);
  ASSERT_TRUE(parseHttpContentRange("bytes */42", r));
  EXPECT_EQ(r.start, -1);
  EXPECT_EQ(r.size, 42);
  EXPECT_FALSE(parseHttpContentRange("bytes 9-1/42", r));
  EXPECT_FALSE(parseHttpContentRange("items 0-1/2", r));
  EXPECT_FALSE(parseHttpContentRange("bytes 0-1", r));
}

TEST(HttpParser, StatusNumbers) {
  EXPECT_EQ(httpStatusNumber("200"), 200);
  EXPECT_EQ(httpStatusNumber(" 404 "), 404);
  EXPECT_EQ(httpStatusNumber("2XX"), 0);
  EXPECT_EQ(httpStatusNumber("2"), 0);
  EXPECT_EQ(httpStatusNumber("099"), 0);
  EXPECT_EQ(httpStatusNumber("1000"), 0);
}

// helper-http: the events libhtp raises on request chunk extensions, on request body past a
// complete request, and on a Content-Encoding list past its layer limit; codings in layers.
TEST(HttpParser, ARequestChunkExtensionIsAnEvent) {
  HttpState state;
  std::vector<std::string> bodies;
  const auto sink = [&](FlowDirection, const HttpMessage& m) { bodies.push_back(m.body); };
  state.feed(FlowDirection::ToServer, bytes("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                            "3;name=value\r\nabc\r\n0\r\n\r\n"), sink);
  EXPECT_TRUE(state.events.test(signatures::AnomalyEvent::HttpRequestChunkExtension));
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0], "abc");
}

TEST(HttpParser, ALineAfterARequestThatIsNoRequestIsUnexpectedBody) {
  HttpState state;
  std::vector<std::string> seen;
  const auto sink = [&](FlowDirection, const HttpMessage& m) { seen.push_back(m.raw_uri + ":" + m.body); };
  state.feed(FlowDirection::ToServer, bytes("GET /a HTTP/1.1\r\nHost: x\r\n\r\nlogin=foo\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"), sink);
  EXPECT_TRUE(state.events.test(signatures::AnomalyEvent::HttpRequestBodyUnexpected));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], "/a:login=foo\r\n");
  EXPECT_EQ(seen[1], "/b:");
}

TEST(HttpParser, AKnownMethodAfterARequestStartsTheNext) {
  HttpState state;
  std::vector<std::string> seen;
  const auto sink = [&](FlowDirection, const HttpMessage& m) { seen.push_back(m.raw_uri); };
  state.feed(FlowDirection::ToServer, bytes("GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), sink);
  EXPECT_FALSE(state.events.test(signatures::AnomalyEvent::HttpRequestBodyUnexpected));
  EXPECT_EQ(seen, (std::vector<std::string>{"/a", "/b"}));
}

TEST(HttpParser, ContentCodingsAsLibhtpTakesThem) {
  using Coding = HttpContentCodings::Coding;
  const HttpContentCodings one = httpContentCodings("x-gzip");
  ASSERT_EQ(one.count, 1u);
  EXPECT_EQ(one.codings[0], Coding::Gzip);
  const HttpContentCodings two = httpContentCodings("gzip, deflate");
  ASSERT_EQ(two.count, 2u);
  EXPECT_EQ(two.codings[1], Coding::Deflate);
  EXPECT_FALSE(two.too_many_layers);
  const HttpContentCodings many = httpContentCodings("identity, identity, gzip, identity, gzip, gzip");
  EXPECT_TRUE(many.too_many_layers);
  // Past libhtp's limit of two the event is raised, but as browsers do the first four layers are
  // still decoded: here the one gzip among them.
  ASSERT_EQ(many.count, 1u);
  EXPECT_EQ(many.codings[0], Coding::Gzip);
  EXPECT_EQ(httpContentCodings("br").codings[0], Coding::Brotli);
  EXPECT_EQ(httpContentCodings("compress").count, 0u);  // none gsoc decodes
}

TEST(HttpParser, TooManyEncodingLayersIsAnEvent) {
  HttpState state;
  const auto sink = [](FlowDirection, const HttpMessage&) {};
  state.feed(FlowDirection::ToClient, bytes("HTTP/1.1 200 OK\r\nContent-Encoding: gzip, gzip, gzip\r\nContent-Length: 0\r\n\r\n"), sink);
  EXPECT_TRUE(state.events.test(signatures::AnomalyEvent::HttpTooManyEncodingLayers));
}

TEST(HttpParser, DeflateIsZlibOrRaw) {
  // "hello" as a zlib stream and as raw deflate.
  const std::string zlib("\x78\x9c\xcb\x48\xcd\xc9\xc9\x07\x00\x06\x2c\x02\x15", 13);
  const std::string raw("\xcb\x48\xcd\xc9\xc9\x07\x00", 7);
  std::string body = zlib;
  ASSERT_TRUE(decodeHttpBody(body, "deflate"));
  EXPECT_EQ(body, "hello");
  body = raw;
  ASSERT_TRUE(decodeHttpBody(body, "deflate"));
  EXPECT_EQ(body, "hello");
}

TEST(HttpParser, BrotliBodies) {
  // "<html>hello brotli</html>" as brotli (python3-brotli), alone and under gzip's name list.
  const std::string br("\x0b\x0c\x80\x3c\x68\x74\x6d\x6c\x3e\x68\x65\x6c\x6c\x6f\x20\x62\x72\x6f\x74\x6c\x69\x3c"
                       "\x2f\x68\x74\x6d\x6c\x3e\x03", 29);
  std::string body = br;
  ASSERT_TRUE(decodeHttpBody(body, "br"));
  EXPECT_EQ(body, "<html>hello brotli</html>");
  body = br;
  ASSERT_TRUE(decodeHttpBody(body, "identity, br"));
  EXPECT_EQ(body, "<html>hello brotli</html>");
  body = "not brotli at all";
  EXPECT_FALSE(decodeHttpBody(body, "br"));
  EXPECT_EQ(body, "not brotli at all");  // left as it came
}

}  // namespace
}  // namespace gsoc::sensor
