// Reuse of per-worker state (issue 17): the FreeList pool (reuse after give, the cap, take never
// failing), HTTP messages drawn from and given back to the worker's pool, HTTP header fields that
// keep their strings, and one DnsMessage parsed into again and again.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/FreeList.hpp"
#include "sensor/app/DnsParser.hpp"
#include "sensor/app/HttpMessagePool.hpp"
#include "sensor/app/HttpParser.hpp"

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

}  // namespace
}  // namespace gsoc::sensor
