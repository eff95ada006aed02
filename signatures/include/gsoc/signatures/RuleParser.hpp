#pragma once
// Parses one Suricata/Snort rule into a Rule. Accepts Suricata 7 sticky buffers and the legacy
// Snort 2 / Suricata 4 spellings (content modifiers after the content, `dns_query`, `file_data`).
// Errors carry the byte offset in the rule text where the problem starts and a short reason
// category, so a loader can report file:line:column and group rejections by reason.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gsoc/signatures/Rule.hpp"
#include "gsoc/signatures/RuleVariables.hpp"

namespace gsoc::signatures {

class RuleParseError : public std::runtime_error {
 public:
  RuleParseError(std::size_t offset, std::string reason, const std::string& message)
      : std::runtime_error(message), offset_(offset), reason_(std::move(reason)) {}
  [[nodiscard]] std::size_t offset() const { return offset_; }
  // Category for reports: "unsupported keyword 'xbits'", "bad pcre", "syntax"...
  [[nodiscard]] const std::string& reason() const { return reason_; }

 private:
  std::size_t offset_;
  std::string reason_;
};


// A rule whose `requires` option is unmet: valid for another engine, so skipped, not rejected.
// A RuleParseError too, so a caller that does not tell them apart still refuses the rule.
class RuleSkipped : public RuleParseError {
 public:
  explicit RuleSkipped(const std::string& unmet) : RuleParseError(0, "requires", "requires " + unmet) {}
};

class RuleParser {
 public:
  explicit RuleParser(const RuleVariables& variables) : variables_(variables) {}

  // Throws RuleParseError, or RuleSkipped for a rule whose requirements are unmet. `warnings` receives notes about accepted-but-ignored keywords.
  [[nodiscard]] Rule parse(std::string_view text, std::vector<std::string>* warnings = nullptr) const;

 private:
  const RuleVariables& variables_;
};

}  // namespace gsoc::signatures
