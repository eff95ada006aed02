// Reuse of per-worker state (issue 17): the FreeList pool (reuse after give, the cap, take never
// failing), HTTP messages drawn from and given back to the worker's pool (queued ones and their
// contexts too), HTTP header fields that keep their strings, and one DnsMessage parsed into
// again and again; SMTP sessions reset and reused with their message buffers lent by the
// worker's SmtpWorkspace; JA4 into a reused scratch. (Byte buffers: ByteBufferPoolTest.)
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/FreeList.hpp"
#include "sensor/app/DnsParser.hpp"
#include "sensor/app/HttpMessagePool.hpp"
#include "sensor/app/HttpParser.hpp"
#include "sensor/app/Ja4.hpp"
#include "sensor/app/SmtpParser.hpp"

namespace gsoc::sensor {
namespace {

using signatures::FlowDirection;

std::span<const std::uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

TEST(FreeList, GivesBackWhatWasGivenAndCreatesWhenEmpty) {
  FreeList<std::unique_ptr<int>> pool(2);
  auto make = [] { return std::make_unique<int>(7); };
  std::unique_ptr<int> a = pool.take(make);
  int* const first = a.get();
  EXPECT_EQ(pool.counters().created, 1u);
  pool.give(std::move(a));
  EXPECT_EQ(pool.size(), 1u);
  std::unique_ptr<int> b = pool.take(make);
  EXPECT_EQ(b.get(), first);  // the same object again
  EXPECT_EQ(pool.counters().reused, 1u);
  EXPECT_EQ(pool.size(), 0u);
}

TEST(FreeList, CountsWhatIsInUseAndTheMostAtOnce) {
  FreeList<std::string> pool(1);
  auto make = [] { return std::string(); };
  std::string a = pool.take(make);
  std::string b = pool.take(make);
  EXPECT_EQ(pool.counters().in_use, 2u);
  pool.give(std::move(a));
  pool.discard(std::move(b));  // too large to keep, say
  std::string c = pool.take(make);
  EXPECT_EQ(pool.counters().in_use, 1u);
  EXPECT_EQ(pool.counters().high_water, 2u);
  EXPECT_EQ(pool.counters().created, 2u);
  EXPECT_EQ(pool.counters().reused, 1u);
  EXPECT_EQ(pool.counters().released, 1u);
  EXPECT_EQ(pool.counters().kept, 0u);
}

TEST(FreeList, PastItsCapObjectsAreFreedAndCountedAndTakeNeverFails) {
  FreeList<std::unique_ptr<int>> pool(2);
  auto make = [] { return std::make_unique<int>(0); };
  std::vector<std::unique_ptr<int>> out;
  for (int i = 0; i < 5; ++i) out.push_back(pool.take(make));  // an empty pool still hands out
  for (auto& p : out) ASSERT_NE(p, nullptr);
  EXPECT_EQ(pool.counters().created, 5u);
  for (auto& p : out) pool.give(std::move(p));
  EXPECT_EQ(pool.size(), 2u);
  EXPECT_EQ(pool.counters().released, 3u);  // nothing dropped without a count
}

TEST(HttpHeaders, ClearKeepsTheStringsAndACopyHoldsOnlyLiveFields) {
  HttpHeaders h;
  h.emplace_back("Content-Type", std::string(100, 'x'));
  h.emplace_back("Host", "example.org");
  const char* const value = h[0].second.data();
  h.clear();
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.begin(), h.end());
  h.emplace_back("User-Agent", "curl/8");
  EXPECT_EQ(h[0].second.data(), value);  // the first field's string, reused
  EXPECT_EQ(h.size(), 1u);
  h.emplace_front("host", "a.example");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].first, "host");
  EXPECT_EQ(h[1].first, "User-Agent");
  const HttpHeaders copy = h;
  EXPECT_EQ(copy.size(), 2u);
  EXPECT_EQ(copy.back().second, "curl/8");
}

// Every field of each message as text, to compare parses.
std::string describe(const HttpMessage& m) {
  std::string s = m.method + "|" + m.uri + "|" + m.raw_uri + "|" + m.protocol + "|" + m.start_line + "|" + m.status_code + "|" +
                  m.status_message + "|" + m.raw_headers + "|" + m.body + "|" + std::to_string(m.body_length);
  for (const auto& [n, v] : m.headers) s += "|" + n + "=" + v;
  return s;
}

std::vector<std::string> parseAll(HttpState& http, const std::vector<std::pair<FlowDirection, std::string>>& chunks) {
  std::vector<std::string> out;
  for (const auto& [dir, text] : chunks) {
    http.feed(dir, bytes(text), [&](FlowDirection, const HttpMessage& m) { out.push_back(describe(m)); });
  }
  return out;
}

TEST(HttpMessagePool, MessagesAreReusedAndParseAsFreshOnes) {
  const std::vector<std::pair<FlowDirection, std::string>> chunks = {
      {FlowDirection::ToServer, "GET /a%41?q=1 HTTP/1.1\r\nHost: Example.ORG:80\r\nUser-Agent: test/1 with a long value\r\nX-Long: " +
                                    std::string(300, 'v') + "\r\n\r\n"},
      {FlowDirection::ToClient, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: s\r\n\r\nhello"},
      {FlowDirection::ToServer, "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"},
      {FlowDirection::ToClient, "HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n"},
      {FlowDirection::ToServer, "HEAD / HTTP/1.0\r\n\r\n"},
  };
  HttpState fresh;
  const std::vector<std::string> expected = parseAll(fresh, chunks);
  ASSERT_EQ(expected.size(), 5u);

  HttpMessagePool pool(4);
  HttpState pooled(&pool);
  EXPECT_EQ(parseAll(pooled, chunks), expected);
  // Each message is complete in its chunk, so one of each kind is in flight at a time: one
  // request and one response created, then the same ones again for the other three.
  EXPECT_EQ(pool.counters().created, 2u);
  EXPECT_EQ(pool.counters().reused, 3u);
  EXPECT_EQ(pool.size(), 2u);
  // A second flow on the same worker draws only on the pool.
  HttpState second(&pool);
  EXPECT_EQ(parseAll(second, chunks), expected);
  EXPECT_EQ(pool.counters().created, 2u);
}

// Issue 17: a body growing in small steps stops at HttpMessage::kKeepBytes and passes it only
// through the pool's large bodies, so the message given back gets its small body again, not an
// empty one that grows from nothing for the next message (doubling past the limit did that).
TEST(HttpMessagePool, ABodyGrownPastTheKeptSizeLeavesTheMessageItsSmallBody) {
  HttpMessagePool pool(4);
  HttpState http(&pool);
  const std::string body(3 * HttpMessage::kKeepBytes, 'b');
  std::string received;
  const auto sink = [&](FlowDirection, const HttpMessage& m) {
    if (!m.request) received = m.body;
  };
  http.feed(FlowDirection::ToServer, bytes("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), sink);
  http.feed(FlowDirection::ToClient, bytes("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n"), sink);
  // 2100 bytes, then 1000 at a time: at 3100 a body doubling from 2100 would pass kKeepBytes.
  http.feed(FlowDirection::ToClient, bytes(std::string_view(body).substr(0, 2100)), sink);
  for (std::size_t at = 2100; at < body.size(); at += 1000) http.feed(FlowDirection::ToClient, bytes(std::string_view(body).substr(at, 1000)), sink);
  EXPECT_EQ(received, body);
  const std::unique_ptr<HttpMessage> next = pool.take(false);  // the response, given back
  EXPECT_GT(next->body.capacity(), std::string().capacity());
  EXPECT_LE(next->body.capacity(), HttpMessage::kKeepBytes);
}

// Issue 17: a pooled message's small body that must grow goes to HttpMessage::kKeepBytes in one
// step, so the next message with a body up to that size grows nothing (doubling towards the
// limit allocated at every step as the messages took turns).
TEST(HttpMessagePool, ASmallBodyGrowsToTheKeptSizeInOneStep) {
  HttpMessagePool pool(4);
  HttpState http(&pool);
  std::size_t capacity = 0;
  const auto sink = [&](FlowDirection, const HttpMessage& m) {
    if (!m.request) capacity = m.body.capacity();
  };
  http.feed(FlowDirection::ToServer, bytes("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), sink);
  http.feed(FlowDirection::ToClient, bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'b')), sink);
  EXPECT_EQ(capacity, HttpMessage::kKeepBytes);
}

TEST(HttpStateReuse, AResetStateParsesTheNextFlowAsANewOne) {
  const std::vector<std::pair<FlowDirection, std::string>> next = {
      {FlowDirection::ToServer, "GET /next HTTP/1.1\r\nHost: n\r\n\r\n"},
      {FlowDirection::ToClient, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
  };
  HttpState fresh;
  const std::vector<std::string> expected = parseAll(fresh, next);
  ASSERT_EQ(expected.size(), 2u);
  HttpMessagePool pool(4);
  HttpState http(&pool);
  // The last flow ended in the middle of a chunked body, with a request unanswered.
  parseAll(http, {{FlowDirection::ToServer, "GET /a HTTP/1.1\r\n\r\n"},
                  {FlowDirection::ToClient, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\npart"}});
  http.unanswered().emplace_back();
  http.reset();
  EXPECT_EQ(pool.size(), 2u);  // the request it parsed, and the response it was parsing
  EXPECT_TRUE(http.unanswered().empty());
  EXPECT_EQ(http.errors(), 0u);
  EXPECT_EQ(parseAll(http, next), expected);
}

// Issue 17: a request queued for its inspection (AckedParsing) is held once: its summary for the
// exchange record is made from the queued message when first needed, at the latest before the
// message goes back to the pool. Contexts (a queued response's request, a file) come from the
// pool and go back with their entry.
TEST(HttpStateQueue, AQueuedRequestsSummaryIsMadeBeforeItsMessageGoesBack) {
  HttpMessagePool pool(4);
  HttpState http(&pool);
  std::uint64_t next_tx = 0;
  const auto queue = [&](FlowDirection dir, const HttpMessage& m) {
    http.unanswered();  // as AppLayer::onHttp: the summaries so far are made first
    UninspectedHttp& entry = http.queueMessage(dir);
    entry.tx_id = next_tx++;
    if (m.request) http.summarizeWhenNeeded(false);
  };
  http.feed(FlowDirection::ToServer,
            bytes("GET /a HTTP/1.1\r\nHost: a.example\r\nCookie: c\r\n\r\nGET /b HTTP/1.1\r\nHost: b.example\r\n\r\n"), queue);
  EXPECT_EQ(pool.size(), 0u);  // both messages wait in the queue
  EXPECT_EQ(pool.buffers().size(), 1u);  // the side's unparsed bytes: none left, nor their buffer
  std::vector<std::string> queued;
  http.forUninspected(FlowDirection::ToServer, [&](const UninspectedHttp& tx) { queued.push_back(tx.message->raw_uri); });
  EXPECT_EQ(queued, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_FALSE(http.anyUninspected(FlowDirection::ToClient));

  http.clearUninspected(FlowDirection::ToServer);  // inspected: the messages go back
  EXPECT_EQ(pool.size(), 2u);
  EXPECT_FALSE(http.anyUninspected(FlowDirection::ToServer));
  ASSERT_EQ(http.unanswered().size(), 2u);  // both summaries, in order, made from the messages
  EXPECT_EQ(http.unanswered()[0].raw_uri, "/a");
  EXPECT_EQ(http.unanswered()[0].tx_id, 0u);
  EXPECT_EQ(http.unanswered()[1].raw_uri, "/b");
  EXPECT_EQ(http.unanswered()[1].tx_id, 1u);
  ASSERT_NE(http.unanswered()[0].hostHeader(), nullptr);
  EXPECT_EQ(*http.unanswered()[0].hostHeader(), "a.example");
  EXPECT_EQ(http.unanswered()[0].header("Cookie"), nullptr);  // a summary's headers only

  // A response queued with its request's summary, in a context from the pool.
  const UninspectedHttpContext* first_context = nullptr;
  const auto answer = [&](FlowDirection dir, const HttpMessage&) {
    UninspectedHttp& entry = http.queueMessage(dir);
    entry.tx_id = 0;
    UninspectedHttpContext& context = http.contextOf(entry);
    context.answers = true;
    context.request = http.unanswered().front();
    first_context = &context;
  };
  http.feed(FlowDirection::ToClient, bytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"), answer);
  int responses = 0;
  http.forUninspected(FlowDirection::ToClient, [&](const UninspectedHttp& tx) {
    ++responses;
    ASSERT_NE(tx.request(), nullptr);
    EXPECT_EQ(tx.request()->raw_uri, "/a");
    EXPECT_EQ(tx.file(), nullptr);
  });
  EXPECT_EQ(responses, 1);
  ASSERT_NE(http.uninspectedResponse(0), nullptr);
  EXPECT_EQ(http.uninspectedResponse(0)->status_code, "404");
  EXPECT_EQ(http.uninspectedResponse(1), nullptr);
  http.clearUninspected(FlowDirection::ToClient);
  EXPECT_FALSE(http.anyUninspected(FlowDirection::ToClient));
  EXPECT_EQ(pool.size(), 3u);

  // The next flow's response draws the same context from the pool.
  http.reset();
  const UninspectedHttpContext* const kept = first_context;
  http.feed(FlowDirection::ToServer, bytes("GET /c HTTP/1.1\r\n\r\n"), queue);
  http.feed(FlowDirection::ToClient, bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), answer);
  EXPECT_EQ(first_context, kept);
  EXPECT_EQ(http.unanswered().front().raw_uri, "/c");
}

TEST(HttpMessagePool, AFlowThatEndsMidMessageFreesItsMessage) {
  HttpMessagePool pool(4);
  {
    HttpState http(&pool);
    parseAll(http, {{FlowDirection::ToServer, "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\npartial"}});
    EXPECT_EQ(pool.size(), 0u);  // the message is the flow's while it is being parsed
  }  // the flow's state goes: its message is freed with it, the pool is untouched
  EXPECT_EQ(pool.size(), 0u);
  EXPECT_EQ(pool.counters().created, 1u);
}

std::vector<std::uint8_t> dnsResponse(const std::vector<std::string>& answers_to) {
  std::vector<std::uint8_t> m = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, static_cast<std::uint8_t>(answers_to.size()), 0, 0, 0, 0};
  auto name = [&](std::string_view n) {
    while (!n.empty()) {
      const std::size_t dot = std::min(n.find('.'), n.size());
      m.push_back(static_cast<std::uint8_t>(dot));
      m.insert(m.end(), n.begin(), n.begin() + static_cast<std::ptrdiff_t>(dot));
      n.remove_prefix(std::min(dot + 1, n.size()));
    }
    m.push_back(0);
  };
  name("a-rather-long-host-name.example.org");
  m.insert(m.end(), {0, 1, 0, 1});
  for (const std::string& cname : answers_to) {
    m.insert(m.end(), {0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60});
    const std::size_t at = m.size();
    m.insert(m.end(), {0, 0});
    name(cname);
    const std::size_t len = m.size() - at - 2;
    m[at] = static_cast<std::uint8_t>(len >> 8);
    m[at + 1] = static_cast<std::uint8_t>(len);
  }
  return m;
}

TEST(DnsMessageReuse, ParsingIntoAUsedMessageGivesWhatAFreshOneGets) {
  const auto big = dnsResponse({"one.example.net", "two.example.net", "three.example.net"});
  const auto small = dnsResponse({"x.example.com"});
  DnsMessage reused;
  ASSERT_TRUE(parseDnsMessage(big, reused));
  EXPECT_EQ(reused.answers.size(), 3u);
  ASSERT_TRUE(parseDnsMessage(small, reused));
  DnsMessage fresh;
  ASSERT_TRUE(parseDnsMessage(small, fresh));
  ASSERT_EQ(reused.queries.size(), 1u);
  EXPECT_EQ(reused.queries[0].view(), "a-rather-long-host-name.example.org");
  ASSERT_EQ(reused.answers.size(), fresh.answers.size());
  EXPECT_EQ(reused.answers[0].data.view(), "x.example.com");
  EXPECT_EQ(reused.answers[0].name.view(), fresh.answers[0].name.view());
  EXPECT_EQ(reused.id, fresh.id);
  EXPECT_FALSE(parseDnsMessage(std::span<const std::uint8_t>(small.data(), 5), reused));  // too short: nothing kept
  EXPECT_TRUE(reused.queries.empty());
}

// Two mails, the second with fewer recipients and attachments than the first: what the first
// left in the reused transaction (its third recipient, its second attachment) must not show.
std::string mail(std::string_view rcpts, std::string_view subject, std::string_view parts) {
  std::string m = "MAIL FROM:<a@x.example>\r\n";
  m.append(rcpts);
  m += "DATA\r\nFrom: A <a@x.example>\r\nSubject: ";
  m.append(subject);
  m += "\r\nMessage-ID: <1@x>\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n";
  m.append(parts);
  m += "--b--\r\n.\r\n";
  return m;
}

struct MailCopy {
  std::vector<std::string> rcpts;
  std::vector<std::string> attachments;  // name size sha256 type
  std::string subject;
};

std::vector<MailCopy> feedMails(SmtpState& smtp, std::string_view text) {
  std::vector<MailCopy> out;
  auto sink = [&](const MailTransaction& tx, MailStage stage) {
    if (stage != MailStage::Received) return;
    MailCopy c{{tx.rcpt_to.begin(), tx.rcpt_to.end()}, {}, tx.subject};
    for (const MailAttachment& a : tx.attachments) {
      c.attachments.push_back(a.name + " " + std::to_string(a.size) + " " + a.sha256 + " " + a.content_type);
    }
    out.push_back(std::move(c));
  };
  // A server offering PIPELINING: the message follows DATA without waiting for the 354.
  smtp.feed(FlowDirection::ToClient, bytes("250 PIPELINING\r\n"), sink);
  smtp.feed(FlowDirection::ToServer, bytes(text), sink);
  return out;
}

TEST(SmtpStateReuse, AResetStateAndAReusedTransactionParseAsFreshOnes) {
  const std::string first =
      "EHLO one.example\r\n" +
      mail("RCPT TO:<r1@y>\r\nRCPT TO:<r2@y>\r\nRCPT TO:<third-recipient@agency.example.go.jp>\r\n",
           "=?UTF-8?B?6LOH5paZ6YCB5LuY?=",
           "--b\r\nContent-Type: application/pdf; name=\"report-2026-12.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           "SGVsbG8gd29ybGQ=\r\n"
           "--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment;\r\n filename=\"notes.txt\"\r\n"
           "Content-Transfer-Encoding: quoted-printable\r\n\r\nA=3DB soft=\r\nbreak\r\n");
  const std::string second = "EHLO two.example\r\n" +
                              mail("RCPT TO:<only@y>\r\n", "plain",
                                   "--b\r\nContent-Type: application/octet-stream; name=x.bin\r\n\r\nraw bytes\r\n");
  SmtpWorkspace workspace;
  SmtpState fresh_first(workspace);
  SmtpState fresh_second(workspace);
  const std::vector<MailCopy> want_first = feedMails(fresh_first, first);
  const std::vector<MailCopy> want_second = feedMails(fresh_second, second);
  ASSERT_EQ(want_first.size(), 1u);
  ASSERT_EQ(want_first[0].rcpts.size(), 3u);
  ASSERT_EQ(want_first[0].attachments.size(), 2u);
  EXPECT_EQ(want_first[0].subject, "資料送付");
  EXPECT_EQ(want_first[0].attachments[0], "report-2026-12.pdf 11 " + signatures::Sha256::hex("Hello world") + " application/pdf");
  // Quoted-printable: "=3D" is "=", "=" at a line end joins the lines; the line end before the
  // next delimiter is the delimiter's (RFC 2046), not the attachment's.
  EXPECT_EQ(want_first[0].attachments[1], "notes.txt 13 " + signatures::Sha256::hex("A=B softbreak") + " text/plain");

  SmtpState reused(workspace);
  const std::vector<MailCopy> got_first = feedMails(reused, first);
  // The second mail in the same session reuses the transaction; after reset, a new session.
  const std::vector<MailCopy> same_session = feedMails(reused, second.substr(second.find("MAIL")));
  reused.reset();
  const std::vector<MailCopy> got_second = feedMails(reused, second);
  ASSERT_EQ(got_first.size(), 1u);
  ASSERT_EQ(same_session.size(), 1u);
  ASSERT_EQ(got_second.size(), 1u);
  for (const auto& [got, want] : {std::pair{&got_first[0], &want_first[0]}, std::pair{&same_session[0], &want_second[0]},
                                  std::pair{&got_second[0], &want_second[0]}}) {
    EXPECT_EQ(got->rcpts, want->rcpts);
    EXPECT_EQ(got->attachments, want->attachments);
    EXPECT_EQ(got->subject, want->subject);
  }
  // Every message buffer lent for DATA came back; the workspace keeps them for the next mails.
  EXPECT_EQ(workspace.messageCounters().in_use, 0u);
  EXPECT_GT(workspace.messageCounters().reused, 0u);
}

TEST(SmtpStateReuse, AStateResetInsideDataGivesItsMessageBufferBack) {
  SmtpWorkspace workspace;
  SmtpState smtp(workspace);
  feedMails(smtp, "EHLO a\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\nSubject: cut\r\n");
  EXPECT_EQ(workspace.messageCounters().in_use, 1u);
  smtp.reset();
  EXPECT_EQ(workspace.messageCounters().in_use, 0u);
  EXPECT_TRUE(feedMails(smtp, "\r\n.\r\n").empty());  // the cut mail's end is no mail of the new session
}

TEST(Ja4Reuse, AReusedScratchFingerprintsAsAFreshOne) {
  ClientHelloFields big;
  big.version = 0x0303;
  big.supported_versions = {0x0304, 0x0303};
  big.ciphers = {0x1303, 0x1301, 0x1302, 0xc02b, 0xc02f};
  big.extensions = {0x0000, 0x0010, 0x000a, 0x000b, 0x000d, 0x002b};
  big.signature_algorithms = {0x0403, 0x0804};
  big.first_alpn = "h2";
  big.sni = true;
  ClientHelloFields bare;
  bare.version = 0x0303;
  bare.ciphers = {0x1301};
  Ja4Scratch scratch;
  std::string out;
  ja4(big, scratch, out);
  EXPECT_EQ(out, ja4(big));
  ja4(bare, scratch, out);
  EXPECT_EQ(out, "t12i010000_0f2cb44170f4_000000000000");
  ja4(big, scratch, out);
  EXPECT_EQ(out, ja4(big));
}

}  // namespace
}  // namespace gsoc::sensor
