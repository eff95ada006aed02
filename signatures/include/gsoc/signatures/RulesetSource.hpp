#pragma once
// Where a ruleset comes from: rule files (or directories of *.rules), classification.config,
// indicator lists and variables, as given on a command line or in a RulesConfig. loadSources()
// reads them all once, keeping each file's bytes so a bundle can carry exactly what was compiled.

#include <filesystem>
#include <stdexcept>
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

// A bad value in a RulesConfig. `key` is its dotted path inside the RulesConfig
// ("datasets.sets.ua-seen.type"), so a caller holding the YAML file can name its line and column
// (gsoc::config::locateKey); what() reads "rules.<key>: <reason>" for callers that cannot.
class ConfigKeyError : public std::invalid_argument {
 public:
  ConfigKeyError(std::string key, const std::string& reason)
      : std::invalid_argument("rules." + key + ": " + reason), key_(std::move(key)), reason_(reason) {}
  [[nodiscard]] const std::string& key() const { return key_; }
  [[nodiscard]] const std::string& reason() const { return reason_; }

 private:
  std::string key_;
  std::string reason_;
};

struct RulesetSource {
  std::vector<std::filesystem::path> rule_paths;  // files, or directories holding *.rules
  std::filesystem::path classification_file;      // empty: built-in defaults
  std::vector<std::pair<IndicatorType, std::filesystem::path>> indicator_files;
  RuleVariables variables = RuleVariables::withDefaults();
  DatasetOptions datasets;  // where dataset save/state files go, and what rules may write

  // Paths in the config are relative to `base_dir`. Throws std::invalid_argument naming the key
  // (a ConfigKeyError for datasets). Configured datasets land in `datasets.configured`.
  static RulesetSource fromConfig(const gsoc::v1::RulesConfig& config, const std::filesystem::path& base_dir);

  // A `NAME=VALUE` from a command line: names ending in _PORTS or _PORT are port groups.
  void setVariable(const std::string& name, const std::string& value);
  // Takes the command line's dataset options (data directory, what rules may write) without
  // dropping the configured sets or loosening what the config refused: a flag only adds a refusal
  // or an allowance on top of the config's.
  void applyDatasetFlags(const DatasetOptions& flags);
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
