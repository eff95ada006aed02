#pragma once
// Where a ruleset comes from: rule files (or directories of *.rules), classification.config,
// indicator lists and variables, as given on a command line or in a RulesConfig. loadSources()
// reads them all once, keeping each file's bytes so a bundle can carry exactly what was compiled.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "gsoc/signatures/Indicators.hpp"
#include "gsoc/signatures/RuleVariables.hpp"
#include "gsoc/signatures/Ruleset.hpp"

namespace gsoc::v1 {
class RulesConfig;
}

namespace gsoc::signatures {

struct RulesetSource {
  std::vector<std::filesystem::path> rule_paths;  // files, or directories holding *.rules
  std::filesystem::path classification_file;      // empty: built-in defaults
  std::vector<std::pair<IndicatorType, std::filesystem::path>> indicator_files;
  RuleVariables variables = RuleVariables::withDefaults();
  DatasetOptions datasets;  // where dataset save/state files go, and what rules may write

  // Paths in the config are relative to `base_dir`. Throws std::invalid_argument naming the key.
  static RulesetSource fromConfig(const gsoc::v1::RulesConfig& config, const std::filesystem::path& base_dir);

  // A `NAME=VALUE` from a command line: names ending in _PORTS or _PORT are port groups.
  void setVariable(const std::string& name, const std::string& value);
  // When no classification file is set: the classification.config beside the first rule file
  // (or inside the first rule directory), as rulesets ship it; else the built-in table.
  void findClassificationBesideRules();
};

struct SourceBytes {
  enum class Kind { Rules, Classification, Indicators } kind;
  std::string name;
  std::string content;
  IndicatorType indicator_type = IndicatorType::Ip;
};

struct LoadedSources {
  Ruleset ruleset;
  IndicatorSet indicators;
  std::vector<std::string> errors;  // unreadable files, classification and indicator errors
  std::vector<SourceBytes> files;
};

LoadedSources loadSources(const RulesetSource& source);
// Re-loads sources from their bytes (a bundle), with the given variables.
LoadedSources loadSources(const std::vector<SourceBytes>& files, const RuleVariables& variables,
                          const DatasetOptions& datasets = {});

}  // namespace gsoc::signatures
