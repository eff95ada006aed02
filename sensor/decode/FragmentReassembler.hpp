#pragma once
// IPv4 and IPv6 fragment reassembly. Fragments are held per (source, destination, id, protocol)
// until the datagram is complete, then handed back as one payload that the decoder decodes again
// from the transport header. Overlaps keep the bytes that arrived first (the policy of most
// end hosts); incomplete datagrams expire after a timeout; a memory cap bounds what is held.
// Everything dropped is counted.

#include <array>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "common/CounterTable.hpp"
#include "sensor/decode/ByteRangeStore.hpp"
#include "sensor/decode/DecodedPacket.hpp"

namespace gsoc::sensor {

struct FragmentCounters {
  std::uint64_t fragments = 0;
  std::uint64_t reassembled = 0;
  std::uint64_t overlaps = 0;
  std::uint64_t timed_out = 0;       // datagrams never completed
  std::uint64_t memcap_dropped = 0;  // fragments refused because the cap was reached
  std::uint64_t too_large = 0;       // datagrams over 65535 bytes

  // Named as the stats record's defrag section.
  static constexpr auto counterFields() {
    using F = gsoc::CounterField<FragmentCounters>;
    constexpr auto kCounter = gsoc::CounterKind::Counter;
    return std::array{
        F{"fragments", &FragmentCounters::fragments, kCounter, "IP fragments taken."},
        F{"reassembled", &FragmentCounters::reassembled, kCounter, "Datagrams reassembled."},
        F{"overlaps", &FragmentCounters::overlaps, kCounter, "Fragments overlapping another."},
        F{"timed_out", &FragmentCounters::timed_out, kCounter, "Datagrams never completed."},
        F{"memcap_dropped", &FragmentCounters::memcap_dropped, kCounter, "Fragments refused because the cap was reached."},
        F{"too_large", &FragmentCounters::too_large, kCounter, "Datagrams over 65535 bytes."},
    };
  }
};
static_assert(gsoc::countersCoverStruct<FragmentCounters>());

class FragmentReassembler {
 public:
  explicit FragmentReassembler(std::size_t memcap_bytes = 16 << 20, std::int64_t timeout_ns = 60'000'000'000)
      : memcap_(memcap_bytes), timeout_ns_(timeout_ns) {}

  // Takes one fragment. When it completes its datagram, returns the reassembled transport
  // payload (valid until the next call) and `packet` describes the whole datagram.
  std::span<const std::uint8_t> add(DecodedPacket& packet);
  // Drops datagrams idle for longer than the timeout.
  void expire(std::int64_t now_ns);
  [[nodiscard]] const FragmentCounters& counters() const { return counters_; }
  [[nodiscard]] std::size_t pending() const { return datagrams_.size(); }

 private:
  struct Key {
    signatures::u128 src, dst;
    std::uint32_t id;
    std::uint8_t proto, version;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      std::uint64_t h = k.id * 0x9E3779B97F4A7C15ULL ^ (std::uint64_t{k.proto} << 8 | k.version);
      h ^= static_cast<std::uint64_t>(k.src) * 0xC2B2AE3D27D4EB4FULL;
      h ^= static_cast<std::uint64_t>(k.dst) * 0x165667B19E3779F9ULL;
      return h;
    }
  };
  struct Datagram {
    ByteRangeStore pieces;
    std::int64_t last_seen_ns = 0;
    std::uint32_t total_length = 0;  // known once the last fragment arrives
    bool have_last = false;
  };

  std::unordered_map<Key, Datagram, KeyHash> datagrams_;
  std::vector<std::uint8_t> assembled_;
  std::size_t memcap_;
  std::size_t held_ = 0;
  std::int64_t timeout_ns_;
  FragmentCounters counters_;
};

}  // namespace gsoc::sensor
