#pragma once
// Verifies one BufferInspection (the content/pcre/byte_test/... list of one rule for one buffer)
// against one buffer instance, with Suricata's semantics: absolute modifiers (offset, depth,
// startswith) from the buffer start, relative ones (distance, within, R, relative) from the end
// of the previous match, and backtracking so `content:"a"; content:"b"; distance:0; within:3;`
// tries every "a" before giving up. Recursion is bounded per call.

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gsoc/signatures/Regex.hpp"
#include "gsoc/signatures/Rule.hpp"

namespace gsoc::signatures {

// What a datajson keyword adds to its alert: the matched value's JSON object under the rule's
// context_key (Suricata's alert.context.<key>). `key` points into the rule.
struct AlertContext {
  std::string_view key;
  std::string json;
};

class PayloadInspector {
 public:
  static constexpr unsigned kMaxSteps = 3000;  // as Suricata's inspection recursion limit

  explicit PayloadInspector(MatchData& match_data) : match_data_(match_data) {}

  // `prefilter_hit`: a pcre marked confirmed_by_prefilter is taken as matched when true.
  // `min_end`: when non-zero, the match (the end of its last positional keyword) must end after it.
  [[nodiscard]] bool inspect(const BufferInspection& inspection, std::string_view buffer, bool prefilter_hit = false,
                             std::size_t min_end = 0);

  // The contexts of the datajson keywords that matched since clearContexts(), for one rule.
  void clearContexts() { context_count_ = 0; }
  [[nodiscard]] std::span<const AlertContext> contexts() const { return {contexts_.data(), context_count_}; }

 private:
  // Keeps the JSON object of `value` in `d`'s set, when the keyword asks for it.
  void recordContext(const DatasetMatch& d, std::string_view value);
  bool matchFrom(const BufferInspection& inspection, std::size_t index, std::string_view buffer, std::size_t prev_end);
  // `literal`, or the value of variable `var` when the keyword named one.
  [[nodiscard]] std::int64_t value(std::int8_t var, std::int64_t literal) const;

  MatchData& match_data_;
  // byte_extract / byte_math results. Kept across inspect() calls: a rule may extract in one
  // buffer and use the value in the next (`ipv4.hdr; byte_math:...; tcp.hdr; byte_test:...`),
  // and its inspections run in rule order.
  std::array<std::uint64_t, kMaxVariables> variables_{};
  std::string base64_;  // base64_decode output, reused
  unsigned steps_ = 0;
  bool prefilter_hit_ = false;
  std::size_t min_end_ = 0;
  std::vector<AlertContext> contexts_;  // reused: the strings keep their capacity
  std::size_t context_count_ = 0;
};

// Case-sensitive or ASCII-caseless search of `needle` in `hay[from, to)`; npos when absent.
std::size_t findContent(std::string_view hay, std::size_t from, std::size_t to, std::string_view needle, bool nocase);

}  // namespace gsoc::signatures
