#pragma once
// The matching API the sensor calls. One Detector per worker thread: it owns the Hyperscan
// scratch, the candidate and result arrays, PCRE2 match data and the threshold state, so a call
// allocates nothing in steady state. match() runs the prefilter databases of every group that
// applies to the input (protocol class x direction x present buffers), adds the group's
// unprefiltered rules, and verifies each candidate in full: header, flow, packet fields, every
// buffer inspection, flowbits, then the threshold/detection_filter event filter. Indicator lists
// are matched in the same call.

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <optional>
#include <vector>

#include "gsoc/signatures/CompiledRuleset.hpp"
#include "gsoc/signatures/FlowBits.hpp"
#include "gsoc/signatures/HostBitTable.hpp"
#include "gsoc/signatures/MatchInput.hpp"
#include "gsoc/signatures/PayloadInspector.hpp"
#include "gsoc/signatures/Regex.hpp"
#include "gsoc/signatures/ThresholdTracker.hpp"
#include "gsoc/signatures/Transform.hpp"

namespace gsoc::signatures {

struct RuleMatch {
  std::uint32_t rule = 0;     // index into CompiledRuleset::rules()
  BufferId buffer = BufferId::Payload;
  // Its datajson contexts: Detector::contexts(match).
  std::uint32_t context_begin = 0;
  std::uint32_t context_count = 0;
};

struct DetectorCounters {
  std::uint64_t inputs = 0;
  std::uint64_t candidates = 0;
  std::uint64_t verified = 0;
  std::uint64_t matches = 0;
  std::uint64_t suppressed = 0;   // matched but held back by threshold/detection_filter
  std::uint64_t indicator_hits = 0;
  std::uint64_t scan_errors = 0;
};

// Told of every prefilter scan match() makes: the group's databases, the bytes and the input's
// metadata. For benchmarks (bench/sensor_bench.cpp replays them as the Hyperscan ceiling); a
// detector has none unless one is set, and then costs one branch per scanned buffer.
class ScanObserver {
 public:
  virtual ~ScanObserver() = default;
  virtual void scanned(const GroupDatabases& group, std::string_view bytes, const PacketMeta& meta) = 0;
};

class Detector {
 public:
  explicit Detector(CompiledRulesetPtr ruleset);

  // Swaps in a new ruleset (hot reload). Threshold state is kept only for unchanged rulesets.
  void setRuleset(CompiledRulesetPtr ruleset);
  [[nodiscard]] const CompiledRuleset& ruleset() const { return *ruleset_; }

  // Rules that fire for this input, in verification order; valid until the next call.
  // `flowbits` may be null for flowless input (then isset is false and sets are dropped).
  std::span<const RuleMatch> match(const MatchInput& input, FlowBits* flowbits);
  [[nodiscard]] std::span<const IndicatorHit> indicatorHits() const { return indicator_hits_; }
  // A rule with `bypass` held on the last input (silent ones, noalert or thresholded, included).
  [[nodiscard]] bool bypassMatched() const { return bypass_matched_; }
  // The JSON objects a match's datajson keywords add to its alert; valid until the next match().
  [[nodiscard]] std::span<const AlertContext> contexts(const RuleMatch& m) const {
    return {contexts_.data() + m.context_begin, m.context_count};
  }
  [[nodiscard]] const DetectorCounters& counters() const { return counters_; }
  // nullptr: none (the default). The observer must outlive the detector or be unset first.
  void observeScans(ScanObserver* observer) { scan_observer_ = observer; }

 private:
  friend struct DetectorScan;
  void addCandidate(std::uint32_t rule, bool from_regex);
  [[nodiscard]] bool verify(const Rule& rule, std::uint32_t index, const MatchInput& input, FlowBits* flowbits);
  // One flowint step: a condition's outcome, or true after a modifier changed the integer.
  static bool flowint(const FlowintOp& op, FlowBits* vars);
  // xbits/hostbits: a condition's outcome (checks()), or the change made (the others).
  bool hostbit(const HostbitOp& op, const PacketMeta& m);
  // dcerpc.iface, dcerpc.opnum and smb.version on a transaction's facts.
  static bool transactionFacts(const Rule& rule, const TransactionFacts& facts);
  // The 4 or 16 network-order bytes of `ip`, in address_bytes_[slot].
  std::string_view addressBytes(IpAddress ip, std::size_t slot);

  CompiledRulesetPtr ruleset_;
  hs::ScratchPtr scratch_;
  MatchData match_data_;
  PayloadInspector inspector_{match_data_};
  ThresholdTracker thresholds_;
  HostBitTable hostbits_;
  std::vector<std::uint32_t> seen_;        // generation stamp per rule
  std::vector<std::uint32_t> regex_hit_;   // generation stamp: candidate came from a regex db
  std::uint32_t generation_ = 0;
  std::vector<std::uint32_t> candidates_;
  std::vector<RuleMatch> matches_;
  std::vector<AlertContext> contexts_;  // of this input's matches; reused, strings keep capacity
  std::size_t contexts_used_ = 0;
  std::vector<IndicatorHit> indicator_hits_;
  bool bypass_matched_ = false;
  // ip.src / ip.dst of an input that does not carry them (a stream chunk or transaction): the
  // address bytes from its metadata, written here so no allocation is needed.
  std::array<std::array<char, 16>, 2> address_bytes_{};
  TransformEngine transforms_{match_data_};  // transformed buffers (to_lowercase, dotprefix...)
  DetectorCounters counters_;
  ScanObserver* scan_observer_ = nullptr;
};

}  // namespace gsoc::signatures
