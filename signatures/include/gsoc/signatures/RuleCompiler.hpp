#pragma once
// Turns a loaded Ruleset (and indicator lists) into a CompiledRuleset: assigns flowbit ids,
// picks each rule's fast pattern (explicit `fast_pattern`, else its longest positive content),
// groups rules, and builds the Hyperscan databases. Databases come from, in order: the given
// precompiled set (a bundle), the on-disk cache, or a fresh compile (then written to the cache).
// Databases are keyed by the database key (a hash over every pattern in every group, so any
// change in the rules or in how the compiler lays them out gives a new key), the Hyperscan
// version and the CPU features.

#include <filesystem>
#include <map>
#include <string>

#include "gsoc/signatures/CompiledRuleset.hpp"

namespace gsoc::signatures {

struct CompileOptions {
  std::filesystem::path cache_dir;                // empty: no cache
  std::map<std::string, std::string> precompiled; // group name -> serialized database
  std::string precompiled_key;                    // their database key; used only if it matches
  std::string version;                            // ruleset version label; default: hash prefix
};

class RuleCompiler {
 public:
  explicit RuleCompiler(CompileOptions options = {}) : options_(std::move(options)) {}

  // Throws hs::HyperscanError when the CPU cannot run Hyperscan or a database fails to build.
  [[nodiscard]] CompiledRulesetPtr compile(Ruleset ruleset, IndicatorSet indicators = {}) const;

  // Hash over everything that determines the compiled databases.
  [[nodiscard]] static std::string rulesetHash(const Ruleset& ruleset);

 private:
  CompileOptions options_;
};

}  // namespace gsoc::signatures
