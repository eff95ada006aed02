// Suricata 8's transactional rules (`=>`): one rule over a transaction's request and response.
// The loader splits each into a request half and a response half (Rule::TxHalf); these tests
// check the split, the direction of each inspection and the pairing by transaction id.
#include <gtest/gtest.h>

#include "TestRules.hpp"
#include "gsoc/signatures/RuleParser.hpp"

namespace gsoc::signatures {
namespace {

using namespace testing;

MatchInput request(std::string_view uri, std::uint64_t tx) {
  MatchInput in = httpInput("GET", uri, "example.test");
  in.meta.is_transaction = true;
  in.meta.has_packet = false;
  in.meta.facts.tx_id = tx;
  return in;
}

MatchInput response(std::string_view status, std::string_view server, std::uint64_t tx) {
  MatchInput in = tcpInput();
  in.meta.app = AppProto::Http;
  in.meta.direction = FlowDirection::ToClient;
  in.meta.is_transaction = true;
  in.meta.has_packet = false;
  in.meta.facts.tx_id = tx;
  in.buffers.set(BufferId::HttpStatCode, status);
  in.buffers.set(BufferId::HttpServer, server);
  in.buffers.set(BufferId::HttpConnection, "keep-alive");
  return in;
}

TEST(TransactionalRules, LoadAsARequestHalfAndAResponseHalf) {
  const Ruleset rs = loadRules(R"(alert http any any => any any (http.uri; content:"/download"; http.stat_code; content:"200"; http.connection: to_client; content:"alive"; sid:1;))");
  ASSERT_TRUE(rs.report.errors.empty());
  ASSERT_EQ(rs.rules.size(), 2u);
  EXPECT_EQ(rs.report.rules_loaded, 1u);
  const Rule& req = rs.rules[0];
  const Rule& resp = rs.rules[1];
  EXPECT_EQ(req.tx_half, Rule::TxHalf::Request);
  EXPECT_EQ(resp.tx_half, Rule::TxHalf::Response);
  EXPECT_TRUE(req.noalert);
  ASSERT_EQ(req.inspections.size(), 1u);
  EXPECT_EQ(req.inspections[0].buffer, BufferId::HttpUri);
  ASSERT_EQ(resp.inspections.size(), 2u);
  EXPECT_EQ(resp.inspections[0].buffer, BufferId::HttpStatCode);
  EXPECT_EQ(resp.inspections[1].side, FlowDirection::ToClient);
}

TEST(TransactionalRules, AlertOnTheResponseOfAMatchingRequestOnly) {
  const auto rs = compileRules(R"(
alert http any any => any any (http.uri; content:"/download"; http.stat_code; content:"200"; sid:1;)
alert http any any => any any (http.uri; content:"/download"; http.stat_code; content:"404"; sid:2;)
alert http any any => any any (http.uri; content:"down"; http.server; content:"Apache"; fast_pattern; sid:3;)
alert http any any => any any (http.connection: to_client; content:"alive"; http.uri; content:"/download"; sid:4;)
)");
  Detector d(rs);
  FlowBits bits(rs->flowbitCount());
  EXPECT_EQ(fire(d, request("/download", 0), &bits), Sids({}));  // the request half never alerts
  EXPECT_EQ(fire(d, response("200", "Apache", 0), &bits), Sids({1, 3, 4}));
  // Keep-alive: the next transaction's response is paired with its own request, not the first.
  EXPECT_EQ(fire(d, request("/upload", 1), &bits), Sids({}));
  EXPECT_EQ(fire(d, response("200", "Apache", 1), &bits), Sids({}));
  // A response with no request seen (another flow) never alerts.
  FlowBits fresh(rs->flowbitCount());
  EXPECT_EQ(fire(d, response("200", "Apache", 0), &fresh), Sids({}));
}

TEST(TransactionalRules, RefuseAmbiguousBuffersAndForeignConditions) {
  const RuleVariables vars = RuleVariables::withDefaults();
  auto reason = [&](std::string_view text) {
    try {
      (void)RuleParser(vars).parse(text);
    } catch (const RuleParseError& e) {
      return e.reason();
    }
    return std::string("accepted");
  };
  // http.connection exists both ways: the rule must say which.
  EXPECT_EQ(reason(R"(alert http any any => any any (http.uri; content:"/"; http.connection; content:"close"; sid:1;))"), "ambiguous direction");
  EXPECT_EQ(reason(R"(alert http any any => any any (http.connection: sideways; content:"close"; sid:1;))"), "invalid value for 'http.connection'");
  EXPECT_EQ(reason(R"(alert http any any => any any (flow:to_server; http.uri; content:"/"; sid:1;))"), "conflicting directions");
  EXPECT_EQ(reason(R"(alert tcp any any => any any (content:"x"; sid:1;))"), "syntax");
  EXPECT_EQ(reason(R"(alert http any any => any any (http.request_body; content:"a"; file.data: to_client; content:"b"; sid:1;))"), "accepted");
  EXPECT_EQ(reason(R"(alert http any any => any any (http.uri; content:"/"; filesize: to_client, <100; sid:1;))"), "accepted");
  EXPECT_EQ(reason(R"(alert http any any => any any (http.uri; content:"/"; filesize: <100; sid:1;))"), "ambiguous direction");
  EXPECT_EQ(reason(R"(alert http any any -> any any (filesize: to_client, <100; sid:1;))"), "invalid value for 'filesize'");
}

}  // namespace
}  // namespace gsoc::signatures
