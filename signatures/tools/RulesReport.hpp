#pragma once
// Output of `gsoc-rules`: the load/compile summary as text for people or one JSON object for
// scripts (rules_total, rules_loaded, rules_rejected, by_reason, errors...).

#include <ostream>
#include <string>
#include <vector>

#include "gsoc/signatures/CompiledRuleset.hpp"
#include "gsoc/signatures/Ruleset.hpp"

namespace gsoc::signatures::tools {

struct RulesReport {
  const LoadReport* load = nullptr;
  const CompiledRuleset* compiled = nullptr;  // null when compilation failed
  std::vector<std::string> source_errors;
  std::string fatal;                          // compile failure, if any
  std::string cache_dir;
  std::string bundle_path;
  std::size_t indicators = 0;
  bool per_file = false;
  bool list_rejected = true;
};

void writeText(std::ostream& out, const RulesReport& report);
void writeJson(std::ostream& out, const RulesReport& report);

}  // namespace gsoc::signatures::tools
