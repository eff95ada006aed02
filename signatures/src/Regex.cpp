#include "gsoc/signatures/Regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace gsoc::signatures {

MatchData::MatchData() : data_(pcre2_match_data_create(32, nullptr)), context_(pcre2_match_context_create(nullptr)) {
  if (data_ == nullptr || context_ == nullptr) {
    pcre2_match_data_free(data_);
    pcre2_match_context_free(context_);
    throw std::bad_alloc();
  }
  pcre2_set_match_limit(context_, kMatchLimit);
  pcre2_set_depth_limit(context_, kDepthLimit);
}

MatchData::~MatchData() {
  pcre2_match_data_free(data_);
  pcre2_match_context_free(context_);
}

CompiledRegex::~CompiledRegex() { pcre2_code_free(code); }

std::shared_ptr<const CompiledRegex> CompiledRegex::compile(const PcreMatch& spec, std::string& error,
                                                            std::size_t& error_offset) {
  std::uint32_t options = 0;
  if (spec.caseless) options |= PCRE2_CASELESS;
  if (spec.dotall) options |= PCRE2_DOTALL;
  if (spec.multiline) options |= PCRE2_MULTILINE;
  if (spec.extended) options |= PCRE2_EXTENDED;
  if (spec.anchored) options |= PCRE2_ANCHORED;
  if (spec.dollar_endonly) options |= PCRE2_DOLLAR_ENDONLY;
  if (spec.ungreedy) options |= PCRE2_UNGREEDY;
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* compiled = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(spec.source.data()), spec.source.size(), options,
                                       &code, &offset, nullptr);
  if (compiled == nullptr) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(code, buffer, sizeof buffer);
    error = reinterpret_cast<const char*>(buffer);
    error_offset = offset;
    return nullptr;
  }
  auto regex = std::make_shared<CompiledRegex>();
  regex->code = compiled;
  regex->jit = pcre2_jit_compile(compiled, PCRE2_JIT_COMPLETE) == 0;
  return regex;
}

std::optional<RegexMatch> CompiledRegex::match(std::string_view subject, std::size_t start, MatchData& data) const {
  if (start > subject.size()) return std::nullopt;
  const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), start, 0, data.get(),
                             data.context());
  if (rc < 0) return std::nullopt;  // no match, or a match/depth limit hit: both are "no alert"
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data.get());
  return RegexMatch{ovector[0], ovector[1]};
}

std::optional<RegexMatch> CompiledRegex::matchGroup(std::string_view subject, unsigned group, MatchData& data) const {
  const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0, data.get(),
                             data.context());
  if (rc <= static_cast<int>(group)) return std::nullopt;  // no match, a limit, or the group unset
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data.get());
  if (ovector[2 * group] == PCRE2_UNSET) return std::nullopt;
  return RegexMatch{ovector[2 * group], ovector[2 * group + 1]};
}

std::uint32_t CompiledRegex::captureCount() const {
  std::uint32_t count = 0;
  pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &count);
  return count;
}

}  // namespace gsoc::signatures
