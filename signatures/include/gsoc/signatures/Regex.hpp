#pragma once
// A PCRE2 pattern compiled once (JIT when available) and matched without allocation: callers
// pass a reusable match-data block from their per-thread context.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gsoc/signatures/Rule.hpp"

struct pcre2_real_code_8;
struct pcre2_real_match_data_8;
struct pcre2_real_match_context_8;

namespace gsoc::signatures {

struct RegexMatch {
  std::size_t start = 0;
  std::size_t end = 0;
};

// Per-thread match state. Carries Suricata's default limits (match 3500, depth 1500) so one
// pathological pattern on hostile input cannot stall a worker; hitting a limit is "no match".
class MatchData {
 public:
  static constexpr std::uint32_t kMatchLimit = 3500;
  static constexpr std::uint32_t kDepthLimit = 1500;

  MatchData();
  ~MatchData();
  MatchData(const MatchData&) = delete;
  MatchData& operator=(const MatchData&) = delete;
  [[nodiscard]] pcre2_real_match_data_8* get() const { return data_; }
  [[nodiscard]] pcre2_real_match_context_8* context() const { return context_; }

 private:
  pcre2_real_match_data_8* data_;
  pcre2_real_match_context_8* context_;
};

struct CompiledRegex {
  ~CompiledRegex();
  pcre2_real_code_8* code = nullptr;
  bool jit = false;

  // Returns nullptr and fills `error` / `error_offset` when the pattern does not compile.
  static std::shared_ptr<const CompiledRegex> compile(const PcreMatch& spec, std::string& error, std::size_t& error_offset);
  [[nodiscard]] std::optional<RegexMatch> match(std::string_view subject, std::size_t start, MatchData& data) const;
  // Where capture group `group` of the first match lies; nullopt without a match or when the
  // group took no part in it.
  [[nodiscard]] std::optional<RegexMatch> matchGroup(std::string_view subject, unsigned group, MatchData& data) const;
  [[nodiscard]] std::uint32_t captureCount() const;
};

}  // namespace gsoc::signatures
