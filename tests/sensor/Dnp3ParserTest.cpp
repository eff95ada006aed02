// DNP3 as Dnp3State and decodeDnp3Objects read it: the CRC of a captured header, a captured
// request whole and split, fragments reassembled from transport segments, a response's IIN and
// points (binary flags, a float analog, a control relay block, file-transfer status text), and
// the app-layer events (bad link and transport CRCs, a length under the minimum, flooding, too
// many points and objects, an unknown object, a fragment past the sequence space).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "gsoc/signatures/AnomalyEvent.hpp"
#include "sensor/app/Dnp3Parser.hpp"

using gsoc::sensor::decodeDnp3Objects;
using gsoc::sensor::dnp3Crc;
using gsoc::sensor::Dnp3Field;
using gsoc::sensor::Dnp3Limits;
using gsoc::sensor::Dnp3Object;
using gsoc::sensor::Dnp3ObjectLimits;
using gsoc::sensor::Dnp3Objects;
using gsoc::sensor::Dnp3ObjectsResult;
using gsoc::sensor::Dnp3State;
using gsoc::sensor::Dnp3Transaction;
using gsoc::signatures::AnomalyEvent;
using gsoc::signatures::FlowDirection;

namespace {

constexpr auto kToServer = FlowDirection::ToServer;
constexpr auto kToClient = FlowDirection::ToClient;

std::string hex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size();) {
    if (h[i] == ' ') {
      ++i;
      continue;
    }
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    i += 2;
  }
  return out;
}

std::span<const std::uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

std::string withCrc(const std::string& block) {
  const std::uint16_t crc = dnp3Crc(bytes(block));
  return block + static_cast<char>(crc & 0xff) + static_cast<char>(crc >> 8);
}

// A link frame of user data (`user`: transport header onward), CRCs added.
std::string frame(const std::string& user, bool to_server, std::uint8_t function = 4) {
  std::string header = hex("05 64");
  header += static_cast<char>(5 + user.size());
  header += static_cast<char>((to_server ? 0xc0 : 0x40) | function);
  header += to_server ? hex("0a 00 01 00") : hex("01 00 0a 00");
  std::string out = withCrc(header);
  for (std::size_t i = 0; i < user.size(); i += 16) out += withCrc(user.substr(i, 16));
  return out;
}

struct Harness {
  Dnp3Limits limits;
  Dnp3State state{limits};
  std::vector<Dnp3Transaction> txs;
  void feed(FlowDirection dir, const std::string& data) {
    state.pending(dir).append(bytes(data));
    state.pending(dir).release();
    state.parse(dir, [&](Dnp3Transaction& tx) { txs.push_back(tx); });
  }
};

const Dnp3Field* field(const Dnp3Objects& o, const gsoc::sensor::Dnp3Point& p, std::string_view name) {
  for (const Dnp3Field& f : o.fieldsOf(p)) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// The disable-unsolicited request of OpenDNP3's master demo, as captured.
const std::string kCapturedRequest = hex("056411c40a0001000615c0c0153c02063c03063c04061a55");

}  // namespace

TEST(Dnp3Parser, CrcOfCapturedHeader) {
  const std::string header = hex("05 64 11 c4 0a 00 01 00");
  EXPECT_EQ(dnp3Crc(bytes(header)), 0x1506);
}

TEST(Dnp3Parser, CapturedRequestWholeAndSplit) {
  for (std::size_t split : {std::size_t{0}, std::size_t{3}, std::size_t{11}, std::size_t{20}}) {
    Harness h;
    if (split == 0) {
      h.feed(kToServer, kCapturedRequest);
    } else {
      h.feed(kToServer, kCapturedRequest.substr(0, split));
      EXPECT_TRUE(h.txs.empty());
      h.feed(kToServer, kCapturedRequest.substr(split));
    }
    ASSERT_EQ(h.txs.size(), 1u) << split;
    const Dnp3Transaction& tx = h.txs[0];
    EXPECT_TRUE(tx.request);
    EXPECT_EQ(tx.typeName(), "request");
    EXPECT_EQ(tx.function_code, 21);
    EXPECT_EQ(tx.link_control, 0xc4);
    EXPECT_EQ(tx.src, 1);
    EXPECT_EQ(tx.dst, 10);
    EXPECT_EQ(tx.app_control, 0xc0);
    EXPECT_TRUE(tx.complete);
    EXPECT_EQ(tx.data, hex("c0 15 3c 02 06 3c 03 06 3c 04 06"));
    ASSERT_EQ(tx.objects.objects.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
      const Dnp3Object& o = tx.objects.objects[i];
      EXPECT_EQ(o.group, 60);
      EXPECT_EQ(o.variation, 2 + i);
      EXPECT_EQ(o.qualifier, 6);
      EXPECT_EQ(o.range_code, 6);
      EXPECT_EQ(o.count, 0u);
      EXPECT_EQ(o.point_count, 0u);
    }
    EXPECT_FALSE(h.state.events.any());
  }
}

TEST(Dnp3Parser, ConfirmsAreNoTransactions) {
  Harness h;
  h.feed(kToServer, frame(hex("c1 d0 00"), true));
  EXPECT_TRUE(h.txs.empty());
  EXPECT_FALSE(h.state.events.any());
}

TEST(Dnp3Parser, SegmentsReassembledInSequence) {
  Harness h;
  // A read of group 1 variation 2, points 0-19 (a range of 1-octet indexes), over two segments;
  // a segment out of sequence between them is not this fragment's.
  std::string app = hex("c3 81 80 00 01 02 00 00 13");
  for (int i = 0; i < 20; ++i) app += static_cast<char>(i % 2 == 0 ? 0x81 : 0x01);
  h.feed(kToClient, frame(static_cast<char>(0x40 | 5) + app.substr(0, 20), false));
  EXPECT_TRUE(h.txs.empty());
  h.feed(kToClient, frame(static_cast<char>(0x80 | 9) + app.substr(20), false));  // not the next sequence
  EXPECT_TRUE(h.txs.empty());
  h.feed(kToClient, frame(static_cast<char>(0x80 | 6) + app.substr(20), false));
  ASSERT_EQ(h.txs.size(), 1u);
  const Dnp3Transaction& tx = h.txs[0];
  EXPECT_FALSE(tx.request);
  EXPECT_EQ(tx.typeName(), "response");
  EXPECT_EQ(tx.iin, 0x8000);
  EXPECT_EQ(tx.data, app);
  ASSERT_EQ(tx.objects.objects.size(), 1u);
  const Dnp3Object& o = tx.objects.objects[0];
  EXPECT_EQ(o.start, 0u);
  EXPECT_EQ(o.stop, 19u);
  EXPECT_EQ(o.count, 20u);
  ASSERT_EQ(o.point_count, 20u);
  const auto points = tx.objects.pointsOf(o);
  EXPECT_EQ(points[4].index, 4u);
  EXPECT_EQ(field(tx.objects, points[4], "online")->u, 1u);
  EXPECT_EQ(field(tx.objects, points[4], "state")->u, 1u);
  EXPECT_EQ(field(tx.objects, points[5], "state")->u, 0u);
  EXPECT_EQ(tx.objects.fieldsOf(points[0]).size(), 8u);
  EXPECT_TRUE(tx.complete);
}

TEST(Dnp3Parser, UnsolicitedFloatAnalogEvent) {
  Harness h;
  // Group 32 variation 7 (float with time), a 2-octet count, 2-octet index prefixes.
  h.feed(kToClient, frame(hex("c0 f0 82 00 00 20 07 28 01 00 03 00 01 00 00 c0 3f 10 27 00 00 00 00"), false));
  ASSERT_EQ(h.txs.size(), 1u);
  const Dnp3Transaction& tx = h.txs[0];
  EXPECT_EQ(tx.typeName(), "unsolicited_response");
  const auto points = tx.objects.pointsOf(tx.objects.objects[0]);
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].index, 3u);
  EXPECT_EQ(points[0].prefix, 3u);
  EXPECT_EQ(field(tx.objects, points[0], "value")->f, 1.5);
  EXPECT_EQ(field(tx.objects, points[0], "timestamp")->u, 10000u);
  EXPECT_EQ(field(tx.objects, points[0], "reserved0")->u, 0u);
}

TEST(Dnp3Parser, ObjectsOfControlAndFileTransfer) {
  Dnp3Objects out;
  // A control relay output block, index prefix 1 octet, count 1.
  ASSERT_EQ(decodeDnp3Objects(bytes(hex("0c 01 17 01 05 41 02 64 00 00 00 c8 00 00 00 00")), {}, out), Dnp3ObjectsResult::Complete);
  const auto crob = out.pointsOf(out.objects[0])[0];
  EXPECT_EQ(crob.index, 5u);
  EXPECT_EQ(field(out, crob, "op_type")->u, 1u);
  EXPECT_EQ(field(out, crob, "tcc")->u, 1u);
  EXPECT_EQ(field(out, crob, "count")->u, 2u);
  EXPECT_EQ(field(out, crob, "ontime")->u, 100u);
  EXPECT_EQ(field(out, crob, "offtime")->u, 200u);
  // File command status (group 70 variation 4) with a 2-octet size prefix: the text is what the
  // size leaves after the fixed fields.
  ASSERT_EQ(decodeDnp3Objects(bytes(hex("46 04 5b 01 0f 00 78 56 34 12 3e 03 00 00 00 04 04 00 00 6f 6b")), {}, out),
            Dnp3ObjectsResult::Complete);
  const auto status = out.pointsOf(out.objects[0])[0];
  EXPECT_TRUE(status.has_size);
  EXPECT_EQ(status.size, 15u);
  EXPECT_EQ(field(out, status, "file_handle")->u, 0x12345678u);
  EXPECT_EQ(field(out, status, "file_size")->u, 830u);
  EXPECT_EQ(field(out, status, "maximum_block_size")->u, 1024u);
  EXPECT_EQ(field(out, status, "request_id")->u, 4u);
  EXPECT_EQ(out.textOf(*field(out, status, "optional_text")), "ok");
}

TEST(Dnp3Parser, ObjectLimitsAndUnknownObjects) {
  Dnp3Objects out;
  Dnp3ObjectLimits limits;
  limits.max_points = 10;
  EXPECT_EQ(decodeDnp3Objects(bytes(hex("01 01 01 00 00 fe ff")), limits, out), Dnp3ObjectsResult::TooManyPoints);
  limits.max_objects = 2;
  EXPECT_EQ(decodeDnp3Objects(bytes(hex("3c 02 06 3c 03 06 3c 04 06")), limits, out), Dnp3ObjectsResult::TooManyObjects);
  EXPECT_EQ(out.objects.size(), 2u);
  EXPECT_EQ(decodeDnp3Objects(bytes(hex("c8 01 07 01 00")), {}, out), Dnp3ObjectsResult::UnknownObject);
  EXPECT_EQ(decodeDnp3Objects(bytes(hex("1e 01 07 01 00 00")), {}, out), Dnp3ObjectsResult::Malformed);
  EXPECT_EQ(decodeDnp3Objects(bytes(hex("1e 01")), {}, out), Dnp3ObjectsResult::Truncated);
}

TEST(Dnp3Parser, BadLinkCrcEndsTheSide) {
  Harness h;
  std::string bad = kCapturedRequest;
  bad[8] ^= 1;
  h.feed(kToServer, bad + kCapturedRequest);
  EXPECT_TRUE(h.state.events.test(AnomalyEvent::Dnp3BadLinkCrc));
  EXPECT_TRUE(h.txs.empty());
  h.feed(kToServer, kCapturedRequest);
  EXPECT_TRUE(h.txs.empty());
  EXPECT_GT(h.state.errors(), 0u);
}

TEST(Dnp3Parser, BadTransportCrcSkipsTheFrame) {
  Harness h;
  std::string bad = kCapturedRequest;
  bad[12] ^= 1;
  h.feed(kToServer, bad + kCapturedRequest);
  EXPECT_TRUE(h.state.events.test(AnomalyEvent::Dnp3BadTransportCrc));
  EXPECT_EQ(h.txs.size(), 1u);
}

TEST(Dnp3Parser, LengthTooSmall) {
  Harness h;
  h.feed(kToServer, frame(hex("c0"), true));  // no room for the application header
  EXPECT_TRUE(h.state.events.test(AnomalyEvent::Dnp3LenTooSmall));
  EXPECT_TRUE(h.txs.empty());
}

TEST(Dnp3Parser, FloodedPastMaxTx) {
  Harness h;
  h.limits.max_tx = 2;
  for (int i = 0; i < 2; ++i) h.feed(kToServer, kCapturedRequest);
  EXPECT_FALSE(h.state.events.test(AnomalyEvent::Dnp3Flooded));
  h.feed(kToClient, frame(hex("c0 c0 81 00 00"), false));  // an answer: one fewer unanswered
  h.feed(kToServer, kCapturedRequest);
  EXPECT_FALSE(h.state.events.test(AnomalyEvent::Dnp3Flooded));
  h.feed(kToServer, kCapturedRequest);
  EXPECT_TRUE(h.state.events.test(AnomalyEvent::Dnp3Flooded));
  EXPECT_EQ(h.txs.size(), 5u);
}

TEST(Dnp3Parser, TooLongReassembly) {
  Harness h;
  const std::string filler(249, 'A');
  h.feed(kToServer, frame(static_cast<char>(0x40) + hex("c0 01") + filler.substr(2), true));
  for (int i = 1; i < 64; ++i) h.feed(kToServer, frame(static_cast<char>(i % 64) + filler, true));
  EXPECT_FALSE(h.state.events.test(AnomalyEvent::Dnp3TooLongReassembly));
  EXPECT_TRUE(h.txs.empty());
  h.feed(kToServer, frame(static_cast<char>(0) + filler, true));
  EXPECT_TRUE(h.state.events.test(AnomalyEvent::Dnp3TooLongReassembly));
  ASSERT_EQ(h.txs.size(), 1u);
  EXPECT_FALSE(h.txs[0].complete);
}

TEST(Dnp3Parser, InspectionOncePerDirectionAndReuse) {
  Harness h;
  h.feed(kToServer, kCapturedRequest);
  h.feed(kToClient, frame(hex("c0 c0 81 00 00"), false));
  int requests = 0, responses = 0;
  h.state.forUninspected(kToServer, false, [&](const Dnp3Transaction& tx) { requests += tx.request ? 1 : 100; });
  h.state.forUninspected(kToServer, false, [&](const Dnp3Transaction&) { ++requests; });
  h.state.forUninspected(kToClient, false, [&](const Dnp3Transaction& tx) { responses += tx.request ? 100 : 1; });
  EXPECT_EQ(requests, 1);
  EXPECT_EQ(responses, 1);
  h.state.prune();
  h.state.reset();
  h.txs.clear();
  h.feed(kToServer, kCapturedRequest);
  ASSERT_EQ(h.txs.size(), 1u);
  EXPECT_EQ(h.txs[0].tx_id, 0u);
}
