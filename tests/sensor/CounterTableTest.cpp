// The named counter tables (common/CounterTable.hpp): every counter struct names each of its
// fields exactly once, merge sums (and keeps maxima), diff subtracts counters and keeps levels,
// and the generic walks print in the table's order with the table's names.
#include "common/CounterTable.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "sensor/app/AppLayer.hpp"
#include "sensor/app/FileStore.hpp"
#include "sensor/capture/PacketSource.hpp"
#include "sensor/decode/FragmentReassembler.hpp"
#include "sensor/decode/PacketDecoder.hpp"
#include "sensor/detect/DetectionStage.hpp"
#include "sensor/flow/FlowTable.hpp"
#include "sensor/flow/TcpStream.hpp"
#include "sensor/worker/EngineDrops.hpp"
#include "sensor/worker/SensorWorker.hpp"

namespace s = gsoc::sensor;

namespace {

// Fills every counter of `c` (fields and array elements) with distinct values from `start`.
template <typename S>
S numbered(std::uint64_t start) {
  S c{};
  std::uint64_t n = start;
  for (const auto& f : gsoc::kCounterFields<S>) c.*f.member = n++;
  if constexpr (gsoc::HasCounterArrays<S>) {
    for (const auto& a : gsoc::kCounterArrays<S>) {
      for (auto& v : c.*a.member) v = n++;
    }
  }
  return c;
}

// The struct is all counters, each named once, in names distinct from one another.
template <typename S>
void expectCovered() {
  static_assert(gsoc::countersCoverStruct<S>());
  EXPECT_EQ(sizeof(S), gsoc::counterCount<S>() * sizeof(std::uint64_t));
  std::set<std::string> names;
  std::set<std::size_t> offsets;
  const S probe{};
  for (const auto& f : gsoc::kCounterFields<S>) {
    EXPECT_FALSE(f.name.empty());
    EXPECT_FALSE(f.help.empty()) << f.name;
    EXPECT_TRUE(names.insert(std::string(f.name)).second) << f.name;
    const auto offset = reinterpret_cast<const char*>(&(probe.*f.member)) - reinterpret_cast<const char*>(&probe);
    EXPECT_TRUE(offsets.insert(static_cast<std::size_t>(offset)).second) << f.name;
  }
  if constexpr (gsoc::HasCounterArrays<S>) {
    for (const auto& a : gsoc::kCounterArrays<S>) {
      EXPECT_TRUE(names.insert(std::string(a.name)).second) << a.name;
      EXPECT_FALSE(a.help.empty()) << a.name;
      const auto& values = probe.*a.member;
      for (std::size_t i = 0; i < values.size(); ++i) {
        const auto offset = reinterpret_cast<const char*>(&values[i]) - reinterpret_cast<const char*>(&probe);
        EXPECT_TRUE(offsets.insert(static_cast<std::size_t>(offset)).second) << a.name << "[" << i << "]";
      }
    }
  }
  EXPECT_EQ(offsets.size(), gsoc::counterCount<S>());
}

// Merging two numbered instances sums every counter (maxima take the larger); diffing the sum
// against one gives the other back (levels and maxima keep the later value).
template <typename S>
void expectMergeAndDiff() {
  const S a = numbered<S>(1);
  const S b = numbered<S>(1000);
  S sum = a;
  gsoc::mergeCounters(sum, b);
  const S back = gsoc::diffCounters(sum, a);
  for (const auto& f : gsoc::kCounterFields<S>) {
    if (f.kind == gsoc::CounterKind::Max) {
      EXPECT_EQ(sum.*f.member, std::max(a.*f.member, b.*f.member)) << f.name;
      EXPECT_EQ(back.*f.member, sum.*f.member) << f.name;
    } else if (f.kind == gsoc::CounterKind::Gauge) {
      EXPECT_EQ(sum.*f.member, a.*f.member + b.*f.member) << f.name;
      EXPECT_EQ(back.*f.member, sum.*f.member) << f.name;
    } else {
      EXPECT_EQ(sum.*f.member, a.*f.member + b.*f.member) << f.name;
      EXPECT_EQ(back.*f.member, b.*f.member) << f.name;
    }
  }
  if constexpr (gsoc::HasCounterArrays<S>) {
    for (const auto& arr : gsoc::kCounterArrays<S>) {
      for (std::size_t i = 0; i < (a.*arr.member).size(); ++i) {
        EXPECT_EQ((sum.*arr.member)[i], (a.*arr.member)[i] + (b.*arr.member)[i]) << arr.name << "[" << i << "]";
        EXPECT_EQ((back.*arr.member)[i], (b.*arr.member)[i]) << arr.name << "[" << i << "]";
      }
    }
  }
}

template <typename... S>
void forEachStruct() {
  (expectCovered<S>(), ...);
  (expectMergeAndDiff<S>(), ...);
}

}  // namespace

TEST(CounterTable, EveryStructNamesEachFieldOnceAndMergesAndDiffs) {
  forEachStruct<s::WorkerCounters, s::DecodeCounters, s::FragmentCounters, s::FlowTableCounters, s::TcpStreamCounters,
                s::DetectionCounters, s::AppLayerCounters, s::FileStoreCounters, s::CaptureCounters, s::EngineDrops>();
}

TEST(CounterTable, MaxPacketMergesByMax) {
  s::WorkerCounters a;
  a.packets = 2;
  a.max_packet = 1500;
  s::WorkerCounters b;
  b.packets = 3;
  b.max_packet = 60;
  gsoc::mergeCounters(a, b);
  EXPECT_EQ(a.packets, 5U);
  EXPECT_EQ(a.max_packet, 1500U);
}

TEST(CounterTable, DiffSubtractsCounters) {
  s::EngineDrops before{1, 2, 3, 4};
  s::EngineDrops now{11, 2, 30, 400};
  const s::EngineDrops d = gsoc::diffCounters(now, before);
  EXPECT_EQ(d.malformed, 10U);
  EXPECT_EQ(d.fragments, 0U);
  EXPECT_EQ(d.flows_evicted, 27U);
  EXPECT_EQ(d.stream_gap_bytes, 396U);
}

TEST(CounterTable, JsonWalkUsesTableNamesAndOrder) {
  s::CaptureCounters c;
  c.packets = 5;
  c.bytes = 600;
  c.dropped_by_interface = 1;
  c.dropped_by_capture = 2;
  c.errors = 3;
  std::ostringstream out;
  gsoc::writeCountersJson(out, c);
  EXPECT_EQ(out.str(), R"("packets":5,"bytes":600,"errors":3,"dropped_interface":1,"dropped_capture":2)");
  s::FlowTableCounters fl{7, 1, 2, 3};
  std::ostringstream flows;
  gsoc::writeCountersJson(flows, fl);
  EXPECT_EQ(flows.str(), R"("created":7,"timed_out":1,"closed":2,"evicted":3)");
}

TEST(CounterTable, ArraysAreNamedByElement) {
  s::DecodeCounters d;
  d.errors[static_cast<std::size_t>(s::DecodeError::NotIp)] = 4;
  std::string seen;
  gsoc::visitCounterArrays(d, [&](const auto& array, std::string_view element, std::uint64_t n) {
    if (n != 0) seen += std::string(array.name) + "." + std::string(element) + "=" + std::to_string(n);
  });
  EXPECT_EQ(seen, "errors." + std::string(s::decodeErrorName(s::DecodeError::NotIp)) + "=4");
}

TEST(CounterTable, PublishedEngineDropsRoundTrip) {
  s::PublishedEngineDrops published;
  published.publish({5, 6, 7, 8});
  const s::EngineDrops read = published.read();
  EXPECT_EQ(read.malformed, 5U);
  EXPECT_EQ(read.fragments, 6U);
  EXPECT_EQ(read.flows_evicted, 7U);
  EXPECT_EQ(read.stream_gap_bytes, 8U);
}
