#include <gtest/gtest.h>

#include "TestRules.hpp"
#include "gsoc/signatures/RuleParser.hpp"

namespace gsoc::signatures {
namespace {

using testing::loadRules;

Rule parse(std::string_view text) {
  const RuleVariables vars = RuleVariables::withDefaults();
  return RuleParser(vars).parse(text);
}

const ContentMatch& contentAt(const Rule& r, std::size_t insp, std::size_t item) {
  return std::get<ContentMatch>(r.inspections.at(insp).items.at(item));
}

TEST(RuleParser, HeaderAndMeta) {
  const Rule r = parse(
      R"(drop http $HOME_NET any <> $EXTERNAL_NET $HTTP_PORTS (msg:"ET TEST \"quoted\" msg"; flow:established,to_server; )"
      R"(reference:url,example.com; classtype:trojan-activity; priority:2; target:dest_ip; )"
      R"(metadata:created_at 2020_01_01, signature_severity Major; sid:1000001; rev:3; gid:5;))");
  EXPECT_EQ(r.action, Action::Drop);
  EXPECT_EQ(r.transport, Transport::Tcp);
  EXPECT_EQ(r.app, AppProto::Http);
  EXPECT_TRUE(r.bidirectional);
  EXPECT_EQ(r.msg, "ET TEST \"quoted\" msg");
  EXPECT_EQ(r.sid, 1000001u);
  EXPECT_EQ(r.rev, 3u);
  EXPECT_EQ(r.gid, 5u);
  EXPECT_EQ(r.priority, 2);
  EXPECT_TRUE(r.priority_explicit);
  EXPECT_EQ(r.target, "dest_ip");
  EXPECT_EQ(r.flow.direction, FlowDirection::ToServer);
  EXPECT_TRUE(r.flow.established);
  ASSERT_EQ(r.references.size(), 1u);
  EXPECT_EQ(r.references[0], "url,example.com");
  ASSERT_EQ(r.metadata.size(), 2u);
  EXPECT_EQ(r.metadata[1].first, "signature_severity");
  EXPECT_EQ(r.metadata[1].second, "Major");
  EXPECT_TRUE(r.dst_ports.contains(80));
  EXPECT_FALSE(r.dst_ports.contains(81));
}

TEST(RuleParser, ContentHexEscapesAndModifiers) {
  const Rule r = parse(R"(alert tcp any any -> any any (content:"GET|20 2f|a\;b\"c"; nocase; offset:2; depth:20; )"
                       R"(content:!"xyz"; distance:1; within:10; fast_pattern; sid:1;))");
  ASSERT_EQ(r.inspections.size(), 1u);
  EXPECT_EQ(r.inspections[0].buffer, BufferId::Payload);
  const ContentMatch& c0 = contentAt(r, 0, 0);
  EXPECT_EQ(c0.pattern, "GET /a;b\"c");
  EXPECT_TRUE(c0.nocase);
  EXPECT_EQ(c0.offset, 2);
  EXPECT_EQ(c0.depth, 20);
  const ContentMatch& c1 = contentAt(r, 0, 1);
  EXPECT_TRUE(c1.negated);
  EXPECT_EQ(c1.distance, 1);
  EXPECT_EQ(c1.within, 10);
  EXPECT_TRUE(c1.fast_pattern);
  EXPECT_TRUE(c1.relative());
}

TEST(RuleParser, StickyBuffersAndLegacyModifiersAgree) {
  const Rule modern = parse(R"(alert http any any -> any any (http.method; content:"POST"; http.uri; content:"/login"; )"
                            R"(content:".php"; distance:0; dns.query; content:"x"; sid:2;))");
  const Rule legacy = parse(R"(alert http any any -> any any (content:"POST"; http_method; content:"/login"; http_uri; )"
                            R"(content:".php"; http_uri; distance:0; dns_query; content:"x"; sid:3;))");
  for (const Rule* r : {&modern, &legacy}) {
    ASSERT_EQ(r->inspections.size(), 3u);
    EXPECT_EQ(r->inspections[0].buffer, BufferId::HttpMethod);
    EXPECT_EQ(r->inspections[1].buffer, BufferId::HttpUri);
    ASSERT_EQ(r->inspections[1].items.size(), 2u);
    EXPECT_EQ(std::get<ContentMatch>(r->inspections[1].items[1]).distance, 0);
    EXPECT_EQ(r->inspections[2].buffer, BufferId::DnsQuery);
  }
}

TEST(RuleParser, AliasesForBuffers) {
  EXPECT_EQ(parse(R"(alert tls any any -> any any (tls_sni; content:"a"; sid:1;))").inspections[0].buffer, BufferId::TlsSni);
  EXPECT_EQ(parse(R"(alert tls any any -> any any (tls.sni; content:"a"; sid:1;))").inspections[0].buffer, BufferId::TlsSni);
  EXPECT_EQ(parse(R"(alert http any any -> any any (file_data; content:"a"; sid:1;))").inspections[0].buffer, BufferId::FileData);
  EXPECT_EQ(parse(R"(alert http any any -> any any (file.data; content:"a"; sid:1;))").inspections[0].buffer, BufferId::FileData);
  EXPECT_EQ(parse(R"(alert http any any -> any any (http.uri.raw; content:"a"; sid:1;))").inspections[0].buffer, BufferId::HttpRawUri);
  EXPECT_EQ(parse(R"(alert http any any -> any any (http.raw_uri; content:"a"; sid:1;))").inspections[0].buffer, BufferId::HttpRawUri);
  EXPECT_EQ(parse(R"(alert tls any any -> any any (ja3_hash; content:"a"; sid:1;))").inspections[0].buffer, BufferId::Ja3Hash);
  EXPECT_EQ(parse(R"(alert smtp any any -> any any (email.attachment.sha256; content:"a"; sid:1;))").inspections[0].buffer,
            BufferId::EmailAttachmentSha256);
}

TEST(RuleParser, FileNameAndExtensionAreContentsOnFileName) {
  // Suricata's conversion: content on file.name without case; fileext is "." + ext at the end.
  const Rule name = parse(R"(alert http any any -> any any (filename:"R.PDF"; fileext:!"doc"; sid:1;))");
  ASSERT_EQ(name.inspections.size(), 1u);
  EXPECT_EQ(name.inspections[0].buffer, BufferId::FileName);
  const ContentMatch& n = contentAt(name, 0, 0);
  EXPECT_EQ(n.pattern, "R.PDF");
  EXPECT_TRUE(n.nocase);
  EXPECT_FALSE(n.negated);
  EXPECT_FALSE(n.endswith);
  const ContentMatch& e = contentAt(name, 0, 1);
  EXPECT_EQ(e.pattern, ".doc");
  EXPECT_TRUE(e.nocase);
  EXPECT_TRUE(e.negated);
  EXPECT_TRUE(e.endswith);
  EXPECT_THROW(parse(R"(alert http any any -> any any (filename:x.pdf; sid:1;))"), RuleParseError);
}

TEST(RuleParser, FileHashListsAreSetsOfTheirFile) {
  const Rule r = parse(R"(alert http any any -> any any (filemd5:bad.md5; filesha256:!"good.sha256"; sid:1;))");
  ASSERT_EQ(r.inspections.size(), 2u);
  EXPECT_EQ(r.inspections[0].buffer, BufferId::FileMd5);
  const auto& md5 = std::get<DatasetMatch>(r.inspections[0].items.at(0));
  EXPECT_EQ(md5.op, DatasetMatch::Op::IsSet);
  EXPECT_EQ(md5.name, "filemd5:bad.md5");
  EXPECT_EQ(md5.definition->type, DatasetType::Md5);
  EXPECT_EQ(md5.definition->load, "bad.md5");
  EXPECT_EQ(r.inspections[1].buffer, BufferId::FileSha256);
  const auto& sha = std::get<DatasetMatch>(r.inspections[1].items.at(0));
  EXPECT_EQ(sha.op, DatasetMatch::Op::IsNotSet);
  EXPECT_EQ(sha.definition->type, DatasetType::Sha256);
  EXPECT_EQ(sha.definition->load, "good.sha256");
}

TEST(RuleParser, FilestoreIsCheckedAndAccepted) {
  EXPECT_NO_THROW(parse(R"(alert http any any -> any any (filestore; sid:1;))"));
  EXPECT_NO_THROW(parse(R"(alert http any any -> any any (filestore:both,flow; sid:1;))"));
  EXPECT_NO_THROW(parse(R"(alert http any any -> any any (filestore:to_server; sid:1;))"));
  EXPECT_THROW(parse(R"(alert http any any -> any any (filestore:sideways; sid:1;))"), RuleParseError);
  EXPECT_THROW(parse(R"(alert http any any -> any any (filestore:both,forever; sid:1;))"), RuleParseError);
}

TEST(Buffers, EveryBufferHasAUniqueNameThatSelectsIt) {
  for (std::size_t i = 1; i < kBufferCount; ++i) {
    const auto id = static_cast<BufferId>(i);
    ASSERT_FALSE(bufferName(id).empty()) << i;
    const auto kw = findBufferKeyword(bufferName(id));
    ASSERT_TRUE(kw.has_value()) << bufferName(id);
    EXPECT_EQ(kw->buffer, id) << bufferName(id);
  }
  // Both body spellings inspect the one body buffer.
  EXPECT_EQ(findBufferKeyword("http.response_body")->buffer, BufferId::FileData);
  EXPECT_EQ(findBufferKeyword("http_client_body")->buffer, BufferId::FileData);
}

TEST(RuleParser, PcreFlagsChooseBuffersAndOptions) {
  const Rule r = parse(R"(alert http any any -> any any (content:"x"; pcre:"/^a.b$/UismR"; pcre:!"/evil/Hi"; sid:4;))");
  ASSERT_EQ(r.inspections.size(), 3u);
  EXPECT_EQ(r.inspections[1].buffer, BufferId::HttpUri);
  const auto& p = std::get<PcreMatch>(r.inspections[1].items[0]);
  EXPECT_TRUE(p.caseless && p.dotall && p.multiline && p.relative);
  EXPECT_EQ(p.source, "^a.b$");
  ASSERT_TRUE(p.regex);
  const auto& n = std::get<PcreMatch>(r.inspections[2].items[0]);
  EXPECT_TRUE(n.negated);
  EXPECT_EQ(r.inspections[2].buffer, BufferId::HttpHeader);
}

TEST(RuleParser, QuoteInsidePcreDoesNotEndTheOption) {
  const Rule r = parse(R"(alert http any any -> any any (content:"method="; nocase; pcre:"/^["']?post/Ri"; sid:2029732;))");
  const auto& p = std::get<PcreMatch>(r.inspections[0].items[1]);
  EXPECT_EQ(p.source, "^[\"']?post");
}

TEST(RuleParser, ByteTestByteJumpIsdataatSizes) {
  const Rule r = parse(R"(alert tcp any any -> any any (content:"A"; byte_test:2,>,0x100,1,relative,little; )"
                       R"(byte_jump:1,0,relative,multiplier 2,post_offset -1; isdataat:!5,relative; dsize:<300; )"
                       R"(http.uri; bsize:10<>20; urilen:>5; sid:5;))");
  const auto& t = std::get<ByteTest>(r.inspections[0].items[1]);
  EXPECT_EQ(t.bytes, 2);
  EXPECT_EQ(t.op, ByteTest::Op::Gt);
  EXPECT_EQ(t.value, 0x100u);
  EXPECT_EQ(t.endian, Endian::Little);
  EXPECT_TRUE(t.relative);
  const auto& j = std::get<ByteJump>(r.inspections[0].items[2]);
  EXPECT_EQ(j.multiplier, 2u);
  EXPECT_EQ(j.post_offset, -1);
  const auto& d = std::get<IsDataAt>(r.inspections[0].items[3]);
  EXPECT_TRUE(d.negated && d.relative);
  EXPECT_EQ(d.position, 5u);
  ASSERT_TRUE(r.header.dsize);
  EXPECT_TRUE(r.header.dsize->matches(299));
  EXPECT_FALSE(r.header.dsize->matches(300));
  ASSERT_TRUE(r.inspections[1].size);  // urilen replaced the bsize on http.uri
  EXPECT_TRUE(r.inspections[1].size->matches(6));
}

TEST(RuleParser, FlowbitsThresholdFlags) {
  const Rule r = parse(R"(alert tcp any any -> any any (flowbits:isset,a|b; flowbits:set,c; flowbits:noalert; )"
                       R"(threshold: type both, track by_dst, count 5, seconds 60; flags:SA,12; sid:6;))");
  ASSERT_EQ(r.flowbits.size(), 2u);
  EXPECT_EQ(r.flowbits[0].kind, FlowbitOp::Kind::IsSet);
  EXPECT_TRUE(r.flowbits[0].any_of);
  EXPECT_EQ(r.flowbits[0].names, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(r.noalert);
  ASSERT_TRUE(r.threshold);
  EXPECT_EQ(r.threshold->type, Threshold::Type::Both);
  EXPECT_EQ(r.threshold->track, Threshold::Track::ByDst);
  EXPECT_EQ(r.threshold->count, 5u);
  EXPECT_EQ(r.threshold->seconds, 60u);
  EXPECT_EQ(r.header.flags_required, 0x12);
  EXPECT_EQ(r.header.flags_ignored, 0xC0);
}

struct BadRule {
  const char* text;
  std::size_t offset;
  const char* reason;
  const char* message;
};

TEST(RuleParser, ErrorsCarryOffsetReasonAndMessage) {
  const BadRule cases[] = {
      {R"(alert tcp any any -> any any (content:"a"; asn1:oversize_length 10; sid:1;))", 43, "unsupported keyword 'asn1'", "unsupported keyword 'asn1'"},
      {R"(alert tcp any any -> any any (content:"a"; xbits:set,x; sid:1;))", 49, "invalid value for 'xbits'", "xbits: xbits needs track ip_src, ip_dst or ip_pair"},
      {R"(alert foo any any -> any any (sid:1;))", 6, "unknown protocol", "unknown protocol 'foo'"},
      {R"(alert telnet any any -> any any (sid:1;))", 6, "unsupported protocol 'telnet'", "unsupported protocol 'telnet'"},
      {R"(hello tcp any any -> any any (sid:1;))", 0, "unknown action", "unknown action 'hello'"},
      {R"(alert tcp any any <- any any (sid:1;))", 18, "syntax", "expected '->', '<>' or '=>', got '<-'"},
      {R"(alert tcp $NOPE any -> any any (sid:1;))", 10, "bad address", "unknown address variable $NOPE"},
      {R"(alert tcp any 99999 -> any any (sid:1;))", 14, "bad port", "invalid port '99999'"},
      {R"(alert tcp any any -> any any (content:"|4g|"; sid:1;))", 40, "bad content", "content: invalid hex digit 'g'"},
      {R"(alert tcp any any -> any any (pcre:"/a(/"; sid:1;))", 35, "bad pcre", "pcre: missing closing parenthesis at pattern offset 2"},
      {R"(alert tcp any any -> any any (nocase; sid:1;))", 30, "syntax", "'nocase' must follow a content"},
      {R"(alert tcp any any -> any any (content:"a"; depth:x; sid:1;))", 49, "invalid value for 'depth'", "depth: unknown byte_ keyword var 'x'"},
      {R"(alert tcp any any -> any any (content:"abcdef"; within:3; sid:1;))", 0, "invalid value for 'within'", "within 3 is shorter than its content (6 bytes)"},
      {R"(alert tcp any any -> any any (content:"a"; msg:"x"))", 43, "syntax", "option 'msg:\"x\"' is not terminated by ';'"},
      {R"(alert tcp any any -> any any (msg:"no sid";))", 0, "missing sid", "rule has no sid"},
      {R"(alert tcp any any -> any any (flowint:x,~,1; sid:1;))", 38, "invalid value for 'flowint'", "flowint: unknown flowint operator '~'"},
      {R"(alert tcp any any -> any any (app-layer-protocol:failed; sid:1;))", 49, "invalid value for 'app-layer-protocol'",
       "app-layer-protocol: 'failed' is not an application protocol gsoc detects"},
      {R"(alert tcp any any -> any any (flowint:x,isset,1; sid:1;))", 38, "invalid value for 'flowint'", "flowint: isset/notset take no value"},
      {R"(alert tls any any -> any any (tls.subject:CN=x; sid:1;))", 42, "invalid value for 'tls.subject'",
       "tls.subject: the value must be a quoted string"},
      {R"(alert tls any any -> any any (tls.issuerdn:!""; sid:1;))", 43, "invalid value for 'tls.issuerdn'", "tls.issuerdn: empty value"},
  };
  for (const BadRule& c : cases) {
    try {
      (void)parse(c.text);
      ADD_FAILURE() << "accepted: " << c.text;
    } catch (const RuleParseError& e) {
      EXPECT_EQ(e.offset(), c.offset) << c.text;
      EXPECT_EQ(e.reason(), c.reason) << c.text;
      EXPECT_EQ(std::string(e.what()), c.message) << c.text;
    }
  }
}

TEST(RulesetLoader, ReportsFileLineColumnAndKeepsTheRest) {
  const std::string text =
      "# comment line\n"
      "alert tcp any any -> any any (content:\"ok\"; sid:1;)\n"
      "\n"
      "#alert tcp any any -> any any (content:\"disabled\"; sid:9;)\n"
      "alert tcp any any -> any any (content:\"a\"; \\\n"
      "    bogus_keyword; sid:2;)\n"
      "alert tcp any any -> any any (content:\"dup\"; sid:1;)\n"
      "alert udp any any -> any 53 (content:\"b\"; classtype:trojan-activity; sid:3;)\n";
  const Ruleset rs = loadRules(text);
  EXPECT_EQ(rs.report.rules_total, 4u);
  EXPECT_EQ(rs.report.rules_loaded, 2u);
  ASSERT_EQ(rs.report.errors.size(), 2u);
  EXPECT_EQ(rs.report.errors[0].format(), "test.rules:6:5: sid 2: unsupported keyword 'bogus_keyword'");
  EXPECT_EQ(rs.report.errors[1].reason, "duplicate sid");
  EXPECT_EQ(rs.report.errors[1].line, 7u);
  EXPECT_EQ(rs.report.by_reason.at("duplicate sid"), 1u);
  ASSERT_EQ(rs.rules.size(), 2u);
  EXPECT_EQ(rs.rules[1].priority, 1);  // from trojan-activity
  EXPECT_EQ(rs.rules[1].line, 8u);
}

// Suricata's requires-ok case: requirements are checked before the header and the other options,
// so rules for another engine are skipped (not rejected) however odd the rest of them is.
TEST(RulesetLoader, SkipsRulesWhoseRequiresIsUnmet) {
  const std::string text =
      "alert http any any -> any any (content:\"uid=0\"; requires: version >= 7 < 8; sid:7;)\n"
      "alert http any any -> any any (content:\"uid=0\"; requires: version >= 7.0.3 < 8 | >= 9.0.99; sid:9;)\n"
      "alert http any any -> any any (content:\"uid=0\"; requires: version >= 8.0.0, keyword sid; sid:8;)\n"
      "alert http any any -> any any (requires: version >= 8, keyword foobar; sid:100;)\n"
      "alert vxlan any any -> any any (requires: version >= 10; sid:1;)\n"
      "alert http any any => any any (requires: version >= 10; sid:3;)\n"
      "alert tcp any any -> any any (frame:smtp.x; requires: version >= 10; sid:4;)\n"
      "alert http any any -> any any (requires: foo bar; sid:10;)\n"
      "alert tls any any -> any any (requires: feature ja4; sid:11;)\n"
      "alert tls any any -> any any (requires: feature geoip; sid:12;)\n"
      "alert http any any -> any any (requires: version >= 8 <= 8.0.7 | = 9; sid:13;)\n";
  const Ruleset rs = loadRules(text);
  EXPECT_EQ(rs.report.rules_total, 11u);
  EXPECT_EQ(rs.report.rules_loaded, 3u);
  EXPECT_EQ(rs.report.rules_skipped, 8u);
  EXPECT_EQ(rs.report.rules_rejected(), 0u);
  ASSERT_EQ(rs.rules.size(), 3u);
  EXPECT_EQ(rs.rules[0].sid, 8u);
  EXPECT_EQ(rs.rules[1].sid, 11u);
  EXPECT_EQ(rs.rules[2].sid, 13u);
  ASSERT_EQ(rs.report.skipped.size(), 8u);
  EXPECT_EQ(rs.report.skipped[0].format(), "test.rules:1:1: sid 7: requires version >= 7 < 8 (gsoc follows Suricata 8.0.7)");
  EXPECT_EQ(rs.report.skipped[2].message, "requires keyword foobar");
  EXPECT_EQ(rs.report.skipped[6].message, "requires unknown requirement 'foo'");
  EXPECT_EQ(rs.report.skipped[7].message, "requires feature geoip");
}

TEST(RulesetLoader, RejectsARequiresItCannotRead) {
  const Ruleset rs = loadRules(
      "alert http any any -> any any (requires: version >= eight; sid:1;)\n"
      "alert http any any -> any any (requires: version 8; sid:2;)\n"
      "alert http any any -> any any (requires: version >= 7 | ; sid:3;)\n"
      "alert asdf any any -> any any (requires: version >= 6; sid:4;)\n");
  EXPECT_EQ(rs.report.rules_loaded, 0u);
  EXPECT_EQ(rs.report.rules_skipped, 0u);
  ASSERT_EQ(rs.report.errors.size(), 4u);
  EXPECT_EQ(rs.report.errors[0].format(), "test.rules:1:53: sid 1: requires: 'eight' is not a version");
  EXPECT_EQ(rs.report.errors[1].reason, "invalid value for 'requires'");
  EXPECT_EQ(rs.report.errors[2].reason, "invalid value for 'requires'");
  EXPECT_EQ(rs.report.errors[3].reason, "unknown protocol");
}

// As Suricata (and as rule updates are often concatenated): a later higher revision of a gid:sid
// replaces the earlier rule; an equal or lower one is dropped.
TEST(RulesetLoader, AHigherRevisionReplacesTheRuleItUpdates) {
  const Ruleset rs = loadRules(
      "alert tcp any any -> any any (content:\"old\"; sid:1; rev:1;)\n"
      "alert tcp any any -> any any (content:\"other\"; sid:2;)\n"
      "alert tcp any any -> any any (content:\"new\"; sid:1; rev:2;)\n"
      "alert tcp any any -> any any (content:\"older\"; sid:1; rev:1;)\n");
  EXPECT_EQ(rs.report.rules_total, 4u);
  EXPECT_EQ(rs.report.rules_loaded, 2u);
  ASSERT_EQ(rs.rules.size(), 2u);
  EXPECT_EQ(rs.rules[0].sid, 1u);
  EXPECT_EQ(rs.rules[0].rev, 2u);
  EXPECT_EQ(rs.rules[0].line, 3u);
  EXPECT_EQ(rs.report.rules_replaced, 1u);
  EXPECT_EQ(rs.report.rules_rejected(), 1u);
  ASSERT_EQ(rs.report.warnings.size(), 1u);
  EXPECT_EQ(rs.report.warnings[0], "test.rules:1: sid 1: rev 1 replaced by rev 2 at test.rules:3");
  ASSERT_EQ(rs.report.errors.size(), 1u);
  EXPECT_EQ(rs.report.errors[0].format(), "test.rules:4:1: sid 1: duplicate gid:sid 1:1 (first at test.rules:3)");
  EXPECT_EQ(rs.report.by_file.at("test.rules").loaded, 2u);
}

TEST(Classification, ParsesAndReportsBadLines) {
  ClassificationTable table;
  std::vector<std::string> errors;
  table.loadText("config classification: a,Alpha,1\nconfig classification: b,Beta\nnonsense\n", "c.config", errors);
  ASSERT_NE(table.find("a"), nullptr);
  EXPECT_EQ(table.find("a")->priority, 1);
  EXPECT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "c.config:2: expected three comma-separated fields");
}

// helper-http: pcre's capture list after the flags, and the direction a body keyword implies.
TEST(RuleParser, PcreCaptureVariablesFollowTheFlags) {
  const Rule r = parse(R"(alert http2 any any -> any any (http.request_header; pcre:/:authority: ([^:]*:[^@]*)@/,flow:http2_userinfo; sid:1;))");
  const auto& pcre = std::get<PcreMatch>(r.inspections[0].items[0]);
  EXPECT_EQ(pcre.flags, "");
  ASSERT_EQ(pcre.captures.size(), 1u);
  EXPECT_EQ(pcre.captures[0].scope, PcreCapture::Scope::Flow);
  EXPECT_EQ(pcre.captures[0].name, "http2_userinfo");
  const Rule two = parse(R"(alert tcp any any -> any any (pcre:"/(a)(b)/i, pkt:one, alert:two"; sid:2;))");
  const auto& p2 = std::get<PcreMatch>(two.inspections[0].items[0]);
  EXPECT_TRUE(p2.caseless);
  ASSERT_EQ(p2.captures.size(), 2u);
  EXPECT_EQ(p2.captures[0].scope, PcreCapture::Scope::Packet);
  EXPECT_EQ(p2.captures[1].scope, PcreCapture::Scope::Alert);
  EXPECT_THROW(parse(R"(alert tcp any any -> any any (pcre:"/(a)/,flow:x,flow:y"; sid:3;))"), RuleParseError);
  EXPECT_THROW(parse(R"(alert tcp any any -> any any (pcre:"/(a)/,host:x"; sid:4;))"), RuleParseError);
}

TEST(RuleParser, BodyKeywordsBindTheirDirection) {
  EXPECT_EQ(parse(R"(alert http any any -> any any (http.response_body; content:"a"; sid:1;))").flow.direction, FlowDirection::ToClient);
  EXPECT_EQ(parse(R"(alert http any any -> any any (content:"a"; http_client_body; sid:1;))").flow.direction, FlowDirection::ToServer);
  EXPECT_EQ(parse(R"(alert http any any -> any any (file.data; content:"a"; sid:1;))").flow.direction, FlowDirection::Any);
  // A transaction's request and response together: no direction forced.
  EXPECT_EQ(parse(R"(alert http any any -> any any (http.uri; content:"/"; http.response_body; content:"a"; sid:1;))").flow.direction,
            FlowDirection::Any);
}

}  // namespace
}  // namespace gsoc::signatures
