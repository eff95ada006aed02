#pragma once
// Evaluates a rule's `requires` option, Suricata's way for rule writers to say which engine a
// rule is for: `requires: version >= 7.0.3 < 8 | >= 9, feature ja4, keyword tls.alpn`. A rule
// whose requirements are unmet is skipped, not rejected: it is valid for another engine, and
// Suricata checks it before the rest of the rule, so a rule for a newer engine may use syntax
// this one does not know. gsoc answers as the Suricata version whose behaviour it matches.
// Requirements of an unknown kind are unmet, as in Suricata 8.

#include <compare>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gsoc::signatures {

struct EngineVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;
  auto operator<=>(const EngineVersion&) const = default;
  [[nodiscard]] std::string text() const;
};

// The Suricata release whose rule language and outputs gsoc follows.
inline constexpr EngineVersion kSuricataCompatibleVersion{8, 0, 7};

// A `requires` value that cannot be read (`version >= x`); the rule is then rejected.
class RequirementSyntaxError : public std::runtime_error {
 public:
  RequirementSyntaxError(std::size_t offset, const std::string& message) : std::runtime_error(message), offset_(offset) {}
  [[nodiscard]] std::size_t offset() const { return offset_; }  // within the value

 private:
  std::size_t offset_;
};

struct RequirementContext {
  EngineVersion version = kSuricataCompatibleVersion;
  // Whether the rule language has this keyword (`requires: keyword X`).
  std::function<bool(std::string_view)> has_keyword;
};

// The first unmet requirement in words ("version >= 9 (gsoc follows Suricata 8.0.7)"), or
// nothing when all are met. Throws RequirementSyntaxError.
[[nodiscard]] std::optional<std::string> unmetRequirement(std::string_view value, const RequirementContext& context);

// The features gsoc provides, as Suricata names them for `requires: feature X`.
[[nodiscard]] bool providesFeature(std::string_view name);

}  // namespace gsoc::signatures
