// BitTorrent DHT as BittorrentDhtState reads it, on datagrams of suricata-verify's
// bittorrent-dht capture: a ping, a find_node with a client version, a get_peers response with
// peers and a token, an announce_peer with implied_port, an error; a query without its
// transaction id (kept, marked malformed) and bencode faults (unsorted keys, leading zeros,
// truncation) counted without a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/BittorrentDhtParser.hpp"

using gsoc::sensor::BittorrentDhtMessage;
using gsoc::sensor::BittorrentDhtState;

namespace {

std::span<const std::uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

}  // namespace

TEST(BittorrentDhtParser, QueriesOfTheCapture) {
  BittorrentDhtMessage m;
  ASSERT_TRUE(gsoc::sensor::parseBittorrentDhtMessage(bytes("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"), m));
  EXPECT_TRUE(m.has_request);
  EXPECT_EQ(m.request_type, "ping");
  EXPECT_EQ(m.request_id, "abcdefghij0123456789");
  EXPECT_EQ(m.transaction_id, "aa");
  EXPECT_FALSE(m.client_version);
  ASSERT_TRUE(gsoc::sensor::parseBittorrentDhtMessage(
      bytes("d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:v4:UT011:y1:qe"), m));
  EXPECT_EQ(m.request_type, "find_node");
  EXPECT_EQ(m.target, "mnopqrstuvwxyz123456");
  EXPECT_EQ(m.client_version, "UT01");
  ASSERT_TRUE(gsoc::sensor::parseBittorrentDhtMessage(
      bytes("d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe"
            "1:q13:announce_peer1:t2:aa1:y1:qe"),
      m));
  EXPECT_EQ(m.request_type, "announce_peer");
  EXPECT_EQ(m.implied_port, 1);
  EXPECT_EQ(m.port, 6881);
  EXPECT_EQ(m.info_hash, "mnopqrstuvwxyz123456");
  EXPECT_EQ(m.request_token, "aoeusnth");
}

TEST(BittorrentDhtParser, ResponsesAndErrorsOfTheCapture) {
  BittorrentDhtMessage m;
  ASSERT_TRUE(gsoc::sensor::parseBittorrentDhtMessage(
      bytes("d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:v4:UT121:y1:re"), m));
  EXPECT_TRUE(m.has_response);
  EXPECT_EQ(m.response_id, "abcdefghij0123456789");
  EXPECT_EQ(m.response_token, "aoeusnth");
  ASSERT_EQ(m.values.size(), 2U);
  EXPECT_EQ(m.values[0].ip_size, 4);
  EXPECT_EQ(m.values[0].ip[0], 97);  // "axje" = 97.120.106.101
  EXPECT_EQ(m.values[0].port, 11893);  // ".u"
  EXPECT_EQ(m.values[1].port, 28269);
  // A nodes string shorter than one compact node: no nodes, as Suricata's.
  ASSERT_TRUE(gsoc::sensor::parseBittorrentDhtMessage(
      bytes("d1:rd2:id20:0123456789abcdefghij5:nodes9:def456...e1:t2:aa1:v4:UT011:y1:re"), m));
  EXPECT_TRUE(m.nodes.empty());
  ASSERT_TRUE(gsoc::sensor::parseBittorrentDhtMessage(bytes("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee"), m));
  EXPECT_TRUE(m.has_error);
  EXPECT_EQ(m.error_num, 201);
  EXPECT_EQ(m.error_msg, "A Generic Error Ocurred");
}

TEST(BittorrentDhtParser, MalformedMessagesAreTransactionsWithAnEvent) {
  BittorrentDhtState state;
  std::vector<std::string> seen;
  const auto sink = [&](const BittorrentDhtMessage& m) {
    seen.push_back(std::to_string(m.tx_id) + ":" + (m.has_request ? m.request_type : "-") + ":" + m.transaction_id +
                   (m.malformed ? ":malformed" : ""));
  };
  state.datagram(bytes("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:y1:qe"), sink);       // no transaction id
  state.datagram(bytes("d1:ad2:id20:abcdefghij0123456789e1:t2:aa1:q4:ping1:y1:qe"), sink);  // keys out of order
  state.datagram(bytes("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t02:aa1:y1:qe"), sink); // a length's leading zero
  state.datagram(bytes("d1:ad2:id20:abcdefghij01234"), sink);                              // truncated
  state.datagram(bytes("not krpc"), sink);                                                  // ignored
  EXPECT_EQ(seen, (std::vector<std::string>{"0:ping::malformed", "1:-::malformed", "2:-::malformed", "3:-::malformed"}));
  EXPECT_EQ(state.errors(), 4U);
  EXPECT_TRUE(state.events.test(gsoc::signatures::AnomalyEvent::BittorrentDhtMalformedPacket));
}
