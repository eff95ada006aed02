// The http2 rule protocols and the HTTP/2 frame keywords as the parser reads them.

#include <gtest/gtest.h>

#include "gsoc/signatures/RuleParser.hpp"

namespace gsoc::signatures {
namespace {

Rule parse(std::string_view text) {
  const RuleVariables vars = RuleVariables::withDefaults();
  return RuleParser(vars).parse(text);
}

TEST(Http2Keywords, ProtocolsMatchAsSuricatasAppProtoEquals) {
  EXPECT_EQ(parse("alert http2 any any -> any any (sid:1;)").app, AppProto::Http2);
  EXPECT_EQ(parse("alert http1 any any -> any any (sid:1;)").app, AppProto::Http1);
  EXPECT_EQ(parse("alert doh2 any any -> any any (sid:1;)").app, AppProto::Doh2);
  EXPECT_TRUE(appProtoMatches(AppProto::Http, AppProto::Http2));
  EXPECT_TRUE(appProtoMatches(AppProto::Http1, AppProto::Http));
  EXPECT_FALSE(appProtoMatches(AppProto::Http1, AppProto::Http2));
  EXPECT_TRUE(appProtoMatches(AppProto::Dns, AppProto::Doh2));
  EXPECT_FALSE(appProtoMatches(AppProto::Http2, AppProto::Http));
}

TEST(Http2Keywords, FrameKeywordsAreByteTestsOnTheirBuffers) {
  const Rule r = parse("alert tcp any any -> any any (http2.frametype:GOAWAY; http2.errorcode:INTERNAL_ERROR; sid:1;)");
  EXPECT_EQ(r.app, AppProto::Http2);
  ASSERT_EQ(r.inspections.size(), 2u);
  EXPECT_EQ(r.inspections[0].buffer, BufferId::Http2FrameTypeNumber);
  EXPECT_EQ(std::get<ByteTest>(r.inspections[0].items.at(0)).value, 7u);
  EXPECT_EQ(r.inspections[1].buffer, BufferId::Http2ErrorCodeNumber);
  EXPECT_EQ(std::get<ByteTest>(r.inspections[1].items.at(0)).value, 2u);
  EXPECT_EQ(std::get<ByteTest>(r.inspections[1].items.at(0)).bytes, 4u);

  const Rule s = parse("alert http2 any any -> any any (http2.settings:SETTINGS_HEADER_TABLE_SIZE>1000; sid:2;)");
  ASSERT_EQ(s.inspections.size(), 1u);
  ASSERT_EQ(s.inspections[0].items.size(), 2u);
  const auto& id = std::get<ByteTest>(s.inspections[0].items[0]);
  const auto& value = std::get<ByteTest>(s.inspections[0].items[1]);
  EXPECT_EQ(id.value, 1u);
  EXPECT_EQ(id.bytes, 2u);
  EXPECT_EQ(value.op, ByteTest::Op::Gt);
  EXPECT_EQ(value.value, 1000u);
  EXPECT_EQ(value.offset, 2);
}

TEST(Http2Keywords, HeaderMultiBufferNamedTwiceIsTwoInspections) {
  const Rule r = parse(
      R"(alert http2 any any -> any any (http.request_header; content:"method: GET"; http.request_header; content:"authority: x"; sid:3;))");
  ASSERT_EQ(r.inspections.size(), 2u);
  EXPECT_EQ(r.inspections[0].occurrence, 0u);
  EXPECT_EQ(r.inspections[1].occurrence, 1u);
}

}  // namespace
}  // namespace gsoc::signatures
