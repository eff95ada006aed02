#pragma once
// Loads rule files into a Ruleset and accounts for every rule: each enabled rule line is either
// loaded, skipped for an unmet `requires`, or listed in the report with file, line, column and
// reason. Disabled rules (lines that
// start with '#') are not counted. A rule may span lines with a trailing backslash.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gsoc/signatures/Classification.hpp"
#include "gsoc/signatures/DatasetRegistry.hpp"
#include "gsoc/signatures/Rule.hpp"
#include "gsoc/signatures/RuleVariables.hpp"

namespace gsoc::signatures {

struct RuleDiagnostic {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::uint32_t sid = 0;       // when it could be read
  std::string reason;          // category, for grouping
  std::string message;
  [[nodiscard]] std::string format() const;  // "file:line:column: message"
};

struct FileStats {
  std::uint64_t total = 0;
  std::uint64_t loaded = 0;
};

struct LoadReport {
  std::uint64_t rules_total = 0;
  std::uint64_t rules_loaded = 0;
  std::uint64_t rules_skipped = 0;   // valid for another engine (`requires` unmet): not errors
  std::uint64_t rules_replaced = 0;  // by a later, higher revision of the same gid:sid
  std::vector<RuleDiagnostic> errors;
  std::vector<RuleDiagnostic> skipped;  // reason "requires", message what is unmet
  std::map<std::string, std::uint64_t> by_reason;
  std::map<std::string, FileStats> by_file;
  std::vector<std::string> warnings;
  [[nodiscard]] std::uint64_t rules_rejected() const { return rules_total - rules_loaded - rules_skipped - rules_replaced; }
};

struct Ruleset {
  std::vector<Rule> rules;
  ClassificationTable classifications;
  RuleVariables variables;
  LoadReport report;
  // The datasets the rules name (dataset/datarep), shared by the rules and every worker.
  DatasetRegistryPtr datasets = std::make_shared<DatasetRegistry>();
};

class RulesetLoader {
 public:
  RulesetLoader(RuleVariables variables, ClassificationTable classifications, DatasetOptions datasets = {});

  void loadFile(const std::filesystem::path& path);
  void loadText(std::string_view text, std::string_view origin);
  [[nodiscard]] const LoadReport& report() const { return ruleset_.report; }
  [[nodiscard]] Ruleset take() {
    ruleset_.datasets->finishLoading();
    return std::move(ruleset_);
  }

 private:
  void loadRule(std::string_view text, std::string_view origin, std::uint32_t line,
                const std::vector<std::pair<std::size_t, std::uint32_t>>& line_starts);
  void reject(RuleDiagnostic diagnostic, std::string_view origin);
  // Resolves the rule's dataset keywords (loading their files); throws RuleParseError.
  void resolveDatasets(Rule& rule);

  Ruleset ruleset_;
  struct SeenSid {
    std::string file;
    std::uint32_t line = 0;
    std::size_t index = 0;  // in ruleset_.rules
    std::uint32_t rev = 0;
  };
  std::map<std::pair<std::uint32_t, std::uint32_t>, SeenSid> seen_sids_;  // by gid:sid
};

// Extracts the sid from rule text without parsing it, for diagnostics (0 if none).
std::uint32_t peekSid(std::string_view text);

}  // namespace gsoc::signatures
