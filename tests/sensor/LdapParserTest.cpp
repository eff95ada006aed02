// LDAP as LdapState reads it: each protocol operation decoded (search request and its entries
// and done, bind with SASL, modify, add, del, modify DN, compare, abandon, extended, controls),
// requests and responses grouped into Suricata's transactions by message id, messages split
// across segments and several in one, unsolicited notifications, StartTLS, CLDAP datagrams, and
// malformed or truncated input counted without a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gsoc/signatures/AnomalyEvent.hpp"
#include "gsoc/signatures/LdapNames.hpp"
#include "sensor/app/LdapParser.hpp"

using gsoc::sensor::decodeLdapMessage;
using gsoc::sensor::LdapDecode;
using gsoc::sensor::LdapMessage;
using gsoc::sensor::LdapOp;
using gsoc::sensor::LdapState;
using gsoc::sensor::LdapTransaction;
using gsoc::signatures::AnomalyEvent;
using gsoc::signatures::FlowDirection;

namespace {

constexpr auto kToServer = FlowDirection::ToServer;
constexpr auto kToClient = FlowDirection::ToClient;

// A BER element: tag, definite length (short or long form), contents.
std::string tlv(std::uint8_t tag, const std::string& contents) {
  std::string out(1, static_cast<char>(tag));
  const std::size_t n = contents.size();
  if (n < 0x80) {
    out.push_back(static_cast<char>(n));
  } else if (n < 0x100) {
    out += "\x81";
    out.push_back(static_cast<char>(n));
  } else {
    out += "\x82";
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xff));
  }
  return out + contents;
}
std::string octets(const std::string& s) { return tlv(0x04, s); }
std::string integer(std::uint8_t tag, unsigned v) {
  std::string c;
  do {
    c.insert(c.begin(), static_cast<char>(v & 0xff));
    v >>= 8;
  } while (v != 0);
  if (static_cast<unsigned char>(c[0]) & 0x80) c.insert(c.begin(), '\0');
  return tlv(tag, c);
}
std::string message(unsigned id, const std::string& op, const std::string& controls = {}) {
  return tlv(0x30, integer(0x02, id) + op + controls);
}
std::string result(unsigned code, const std::string& matched = "", const std::string& text = "") {
  return integer(0x0a, code) + octets(matched) + octets(text);
}
std::string searchRequest(unsigned id, const std::string& base) {
  return message(id, tlv(0x63, octets(base) + integer(0x0a, 2) + integer(0x0a, 0) + integer(0x02, 1000) +
                                   integer(0x02, 30) + tlv(0x01, std::string(1, '\0')) + tlv(0x87, "objectClass") +
                                   tlv(0x30, octets("*") + octets("+"))));
}
std::string searchEntry(unsigned id, const std::string& dn) {
  return message(id, tlv(0x64, octets(dn) + tlv(0x30, tlv(0x30, octets("objectClass") + tlv(0x31, octets("top") + octets("domain"))) +
                                                    tlv(0x30, octets("dc") + tlv(0x31, octets("example"))))));
}
std::string searchDone(unsigned id, unsigned code = 0, const std::string& text = "") {
  return message(id, tlv(0x65, result(code, "", text)));
}

struct LdapRun {
  LdapState state;
  std::vector<std::pair<FlowDirection, std::size_t>> updates;  // (direction, responses then)
  std::vector<LdapTransaction> done;
  void sink(FlowDirection dir, LdapTransaction& tx) {
    if (dir == FlowDirection::Any) done.push_back(tx);
    else updates.emplace_back(dir, tx.responses.size());
  }
  void feed(FlowDirection dir, const std::string& bytes, std::size_t piece = 0) {
    if (piece == 0) piece = bytes.size();
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
      const std::string part = bytes.substr(at, piece);
      state.pending(dir).append({reinterpret_cast<const std::uint8_t*>(part.data()), part.size()});
      state.pending(dir).release();
      state.parse(dir, [&](FlowDirection d, LdapTransaction& tx) { sink(d, tx); });
    }
  }
  void datagram(FlowDirection dir, const std::string& bytes) {
    state.onDatagram(dir, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()},
                     [&](FlowDirection d, LdapTransaction& tx) { sink(d, tx); });
  }
  void close() {
    state.close([&](FlowDirection d, LdapTransaction& tx) { sink(d, tx); });
  }
};

LdapMessage decode(const std::string& bytes, LdapDecode expected = LdapDecode::Ok) {
  LdapMessage m;
  std::size_t used = 0;
  EXPECT_EQ(decodeLdapMessage({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, m, used), expected);
  if (expected == LdapDecode::Ok) {
    EXPECT_EQ(used, bytes.size());
  }
  return m;
}

}  // namespace

TEST(LdapParser, SearchRequestFields) {
  const LdapMessage m = decode(searchRequest(2, "dc=example,dc=com"));
  EXPECT_EQ(m.message_id, 2u);
  EXPECT_EQ(m.op, LdapOp::SearchRequest);
  EXPECT_EQ(m.dn, "dc=example,dc=com");
  EXPECT_EQ(m.scope, 2u);
  EXPECT_EQ(m.deref_aliases, 0u);
  EXPECT_EQ(m.size_limit, 1000u);
  EXPECT_EQ(m.time_limit, 30u);
  EXPECT_FALSE(m.types_only);
  EXPECT_TRUE(m.filter_present);
  EXPECT_EQ(m.filter_attribute, "objectClass");
  ASSERT_EQ(m.names.size(), 2u);
  EXPECT_EQ(m.names[0], "*");
  EXPECT_EQ(m.names[1], "+");
}

TEST(LdapParser, EveryOperation) {
  // The suricata-verify cases' messages, byte for byte.
  const LdapMessage bind = decode(std::string("\x30\x16\x02\x01\x01\x60\x11\x02\x01\x03\x04\x00\xa3\x0a\x04\x08" "CRAM-MD5", 24));
  EXPECT_EQ(bind.op, LdapOp::BindRequest);
  EXPECT_EQ(bind.version, 3u);
  EXPECT_TRUE(bind.sasl);
  EXPECT_EQ(bind.sasl_mechanism, "CRAM-MD5");
  EXPECT_FALSE(bind.has_sasl_credentials);

  const LdapMessage bind_response = decode(message(1, tlv(0x61, result(14) + tlv(0x87, "<abc>"))));
  EXPECT_EQ(bind_response.result_code, 14u);
  EXPECT_TRUE(bind_response.has_server_sasl_creds);
  EXPECT_EQ(bind_response.server_sasl_creds, "<abc>");

  EXPECT_EQ(decode(std::string("\x30\x05\x02\x01\x03\x42\x00", 7)).op, LdapOp::UnbindRequest);
  const LdapMessage abandon = decode(std::string("\x30\x06\x02\x01\x06\x50\x01\x05", 8));
  EXPECT_EQ(abandon.op, LdapOp::AbandonRequest);
  EXPECT_EQ(abandon.abandon_id, 5u);

  const LdapMessage del = decode(message(2, tlv(0x4a, "uid=jdoe,dc=example")));
  EXPECT_EQ(del.op, LdapOp::DelRequest);
  EXPECT_EQ(del.dn, "uid=jdoe,dc=example");

  const LdapMessage modify =
      decode(message(2, tlv(0x66, octets("uid=jdoe") + tlv(0x30, tlv(0x30, integer(0x0a, 1) + tlv(0x30, octets("givenName") + tlv(0x31, octets("John"))))))));
  ASSERT_EQ(modify.changes.size(), 1u);
  EXPECT_EQ(modify.changes[0].operation, 1u);
  EXPECT_EQ(modify.changes[0].modification.type, "givenName");
  ASSERT_EQ(modify.changes[0].modification.values.size(), 1u);
  EXPECT_EQ(modify.changes[0].modification.values[0], "John");

  const LdapMessage add = decode(message(2, tlv(0x68, octets("dc=example,dc=com") + tlv(0x30, tlv(0x30, octets("dc") + tlv(0x31, octets("example")))))));
  EXPECT_EQ(add.op, LdapOp::AddRequest);
  ASSERT_EQ(add.attributes.size(), 1u);
  EXPECT_EQ(add.attributes[0].type, "dc");

  const LdapMessage moddn = decode(message(2, tlv(0x6c, octets("uid=jdoe") + octets("uid=john.doe") + tlv(0x01, "\xff") + tlv(0x80, "ou=x"))));
  EXPECT_EQ(moddn.new_rdn, "uid=john.doe");
  EXPECT_TRUE(moddn.delete_old_rdn);
  EXPECT_TRUE(moddn.has_new_superior);
  EXPECT_EQ(moddn.new_superior, "ou=x");

  const LdapMessage compare = decode(message(2, tlv(0x6e, octets("uid=jdoe") + tlv(0x30, octets("employeeType") + octets("salaried")))));
  EXPECT_EQ(compare.assertion_description, "employeeType");
  EXPECT_EQ(compare.assertion_value, "salaried");
  EXPECT_EQ(decode(message(2, tlv(0x6f, result(6)))).result_code, 6u);

  const LdapMessage extended = decode(message(1, tlv(0x77, tlv(0x80, "1.3.6.1.4.1.1466.20037"))));
  EXPECT_TRUE(extended.has_name);
  EXPECT_EQ(extended.name, "1.3.6.1.4.1.1466.20037");
  EXPECT_FALSE(extended.has_value);
  const LdapMessage extended_response = decode(message(0, tlv(0x78, result(52, "", "shutting down") + tlv(0x8a, "1.3.6.1.4.1.1466.20036"))));
  EXPECT_EQ(extended_response.diagnostic_message, "shutting down");
  EXPECT_EQ(extended_response.name, "1.3.6.1.4.1.1466.20036");
  const LdapMessage intermediate = decode(message(3, tlv(0x79, tlv(0x80, "1.2.3") + tlv(0x81, "v"))));
  EXPECT_EQ(intermediate.op, LdapOp::IntermediateResponse);
  EXPECT_EQ(intermediate.value, "v");
  const LdapMessage reference = decode(message(2, tlv(0x73, octets("ldap://a/") + octets("ldap://b/"))));
  ASSERT_EQ(reference.names.size(), 2u);
  EXPECT_EQ(reference.names[1], "ldap://b/");
}

TEST(LdapParser, Controls) {
  const LdapMessage m = decode(message(4, tlv(0x4a, "cn=x"), tlv(0xa0, tlv(0x30, octets("1.2.840.113556.1.4.319") + tlv(0x01, "\xff") + octets("\x01\x02")))));
  ASSERT_TRUE(m.has_controls);
  ASSERT_EQ(m.controls.size(), 1u);
  EXPECT_EQ(m.controls[0].type, "1.2.840.113556.1.4.319");
  EXPECT_TRUE(m.controls[0].criticality);
  EXPECT_TRUE(m.controls[0].has_value);
  EXPECT_EQ(m.controls[0].value, "\x01\x02");
}

TEST(LdapParser, MalformedAndTruncated) {
  const std::string whole = searchRequest(2, "dc=example,dc=com");
  for (std::size_t n = 0; n < whole.size(); ++n) decode(whole.substr(0, n), LdapDecode::Incomplete);
  decode(std::string("\x31\x03\x02\x01\x01", 5), LdapDecode::Invalid);               // not a SEQUENCE
  decode(std::string("\x30\x80\x02\x01\x01\x42\x00\x00\x00", 9), LdapDecode::Invalid);  // indefinite length
  decode(std::string("\x30\x84\x7f\xff\xff\xff", 6), LdapDecode::Invalid);              // absurd length
  decode(message(1, tlv(0x5f, "")), LdapDecode::Invalid);                               // unknown operation
  decode(message(1, tlv(0x63, octets("dc=x"))), LdapDecode::Invalid);                   // fields missing
  // An inner length past its container.
  decode(std::string("\x30\x07\x02\x01\x01\x4a\x09" "ab", 9), LdapDecode::Invalid);
}

TEST(LdapState, SearchTransactionAcrossSegments) {
  LdapRun run;
  run.feed(kToServer, searchRequest(2, "dc=example,dc=com"), 3);
  run.feed(kToClient, searchEntry(2, "dc=example,dc=com") + searchDone(2), 5);
  ASSERT_EQ(run.done.size(), 1u);
  const LdapTransaction& tx = run.done[0];
  EXPECT_EQ(tx.tx_id, 0u);
  ASSERT_TRUE(tx.has_request);
  EXPECT_EQ(tx.request.op, LdapOp::SearchRequest);
  ASSERT_EQ(tx.responses.size(), 2u);
  EXPECT_EQ(tx.responses[0].op, LdapOp::SearchResultEntry);
  ASSERT_EQ(tx.responses[0].attributes.size(), 2u);
  EXPECT_EQ(tx.responses[0].attributes[0].values[1], "domain");
  EXPECT_EQ(tx.responses[1].op, LdapOp::SearchResultDone);
  // Inspected at the request, then at each response.
  const std::vector<std::pair<FlowDirection, std::size_t>> expected = {{kToServer, 0}, {kToClient, 1}, {kToClient, 2}};
  EXPECT_EQ(run.updates, expected);
  EXPECT_EQ(run.state.errors(), 0u);
}

TEST(LdapState, ResponsesMatchedByMessageId) {
  LdapRun run;
  run.feed(kToServer, searchRequest(5, "a") + message(6, tlv(0x4a, "b")));  // two in one segment
  run.feed(kToClient, message(6, tlv(0x6b, result(0))));
  ASSERT_EQ(run.done.size(), 1u);
  EXPECT_EQ(run.done[0].request.op, LdapOp::DelRequest);
  EXPECT_EQ(run.done[0].tx_id, 1u);
  run.feed(kToClient, searchDone(5, 4, "Message: size limit"));
  ASSERT_EQ(run.done.size(), 2u);
  EXPECT_EQ(run.done[1].request.op, LdapOp::SearchRequest);
  EXPECT_EQ(run.done[1].responses[0].result_code, 4u);
  EXPECT_STREQ(std::string(gsoc::signatures::ldapResultCodeName(4)).c_str(), "size_limit_exceeded");
}

TEST(LdapState, UnsolicitedAndOrphanResponses) {
  LdapRun run;
  run.feed(kToClient, message(0, tlv(0x78, result(52, "", "The Directory Server is shutting down") + tlv(0x8a, "1.3.6.1.4.1.1466.20036"))));
  ASSERT_EQ(run.done.size(), 1u);
  EXPECT_FALSE(run.done[0].has_request);
  EXPECT_FALSE(run.state.events.test(AnomalyEvent::LdapRequestNotFound));
  run.feed(kToClient, searchDone(9));
  ASSERT_EQ(run.done.size(), 2u);
  EXPECT_TRUE(run.state.events.test(AnomalyEvent::LdapRequestNotFound));
}

TEST(LdapState, UnbindAndAbandonCompleteAlone) {
  LdapRun run;
  run.feed(kToServer, std::string("\x30\x05\x02\x01\x03\x42\x00", 7) + std::string("\x30\x06\x02\x01\x06\x50\x01\x05", 8));
  ASSERT_EQ(run.done.size(), 2u);
  EXPECT_EQ(run.done[0].request.op, LdapOp::UnbindRequest);
  EXPECT_EQ(run.done[1].request.op, LdapOp::AbandonRequest);
}

TEST(LdapState, StartTlsStopsParsing) {
  LdapRun run;
  run.feed(kToServer, message(1, tlv(0x77, tlv(0x80, "1.3.6.1.4.1.1466.20037"))));
  EXPECT_FALSE(run.state.startTls());
  const std::string hello("\x16\x03\x01\x00\x05hello", 10);
  run.feed(kToClient, message(1, tlv(0x78, result(0))) + hello);
  EXPECT_TRUE(run.state.startTls());
  ASSERT_EQ(run.done.size(), 1u);
  // What follows is TLS's: held, not parsed as LDAP, not counted as an error.
  EXPECT_EQ(run.state.pending(kToClient).held(), hello);
  EXPECT_EQ(run.state.errors(), 0u);
}

TEST(LdapState, InvalidDataStopsTheSide) {
  LdapRun run;
  run.feed(kToServer, "GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(run.state.errors(), 1u);
  EXPECT_TRUE(run.state.events.test(AnomalyEvent::LdapInvalidData));
  run.feed(kToServer, searchRequest(1, "x"));
  EXPECT_TRUE(run.updates.empty());
  // The other side goes on.
  run.feed(kToClient, searchDone(1));
  EXPECT_EQ(run.done.size(), 1u);
}

TEST(LdapState, GapResynchronises) {
  LdapRun run;
  const std::string request = searchRequest(1, "x");
  run.feed(kToServer, request.substr(0, 10));
  run.state.gap(kToServer);
  run.feed(kToServer, "\x01\x02" + searchRequest(2, "y"));
  ASSERT_EQ(run.updates.size(), 1u);
  run.close();
  ASSERT_EQ(run.done.size(), 1u);
  EXPECT_EQ(run.done[0].request.message_id, 2u);
}

TEST(LdapState, CldapDatagrams) {
  LdapRun run;
  run.datagram(kToServer, searchRequest(1, ""));
  run.datagram(kToClient, searchEntry(1, "") + searchDone(1));
  ASSERT_EQ(run.done.size(), 1u);
  EXPECT_EQ(run.done[0].responses.size(), 2u);
  run.datagram(kToServer, searchRequest(2, "").substr(0, 7));
  EXPECT_TRUE(run.state.events.test(AnomalyEvent::LdapIncompleteData));
}

TEST(LdapState, ResetReusesTransactions) {
  LdapRun run;
  run.feed(kToServer, searchRequest(1, "x"));
  run.state.reset();
  run.feed(kToServer, searchRequest(1, "y"));
  run.close();
  ASSERT_EQ(run.done.size(), 1u);
  EXPECT_EQ(run.done[0].tx_id, 0u);
  EXPECT_EQ(run.done[0].request.dn, "y");
}
