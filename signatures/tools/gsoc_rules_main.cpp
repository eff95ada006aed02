// gsoc-rules: check, compile and inspect signature rulesets (Suricata/Snort syntax plus gsoc
// indicator lists). See docs/gsoc-rules.md.

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "RulesReport.hpp"
#include "gsoc/config/ConfigLoader.hpp"
#include "gsoc/signatures/Bundle.hpp"
#include "gsoc/signatures/RuleCompiler.hpp"
#include "gsoc/signatures/RulesetSource.hpp"
#include "gsoc/v1/config.pb.h"

namespace fs = std::filesystem;
using namespace gsoc::signatures;

namespace {

constexpr const char* kUsage = R"(Usage:
  gsoc-rules check   [OPTIONS] [RULE_FILE|DIR]...
  gsoc-rules compile -o BUNDLE [OPTIONS] [RULE_FILE|DIR]...
  gsoc-rules info    BUNDLE [--json]

Loads Suricata/Snort rules (and gsoc indicator lists), compiles them to Hyperscan databases and
reports what loaded, what was rejected and why (file:line:column), compile time and database
sizes. `compile` also writes a versioned signature bundle that sensors load and the collector
distributes. `info` loads a bundle as a sensor would and prints its summary.

Options:
  -c, --config FILE        rules configuration (YAML, schema gsoc.v1.RulesConfig): rule_files,
                           classification_file, address_groups, port_groups, indicators, cache_dir
      --classification F   classification.config (default: the one beside the first rule file,
                           else built-in Suricata defaults)
      --var NAME=VALUE     set a variable; names ending in _PORTS or _PORT are port groups,
                           others address groups. Example: --var 'HOME_NET=[192.0.2.0/24]'
      --ioc TYPE=FILE      indicator list; TYPE is ip, domain, url, hash or email
      --cache-dir DIR      compiled-database cache (default $GSOC_CACHE_DIR, else
                           $XDG_CACHE_HOME/gsoc/rules, else ~/.cache/gsoc/rules)
      --no-cache           do not read or write the cache
  -o, --output BUNDLE      (compile) where to write the bundle
      --version-label L    (compile) version string stored in the bundle (default: hash prefix)
      --strict             exit 1 when any rule is rejected or any source has errors
      --json               print one JSON object instead of text
      --per-file           (text) loaded/enabled counts per file
  -q, --quiet              (text) do not list each rejected rule
  -h, --help               this text
      --version            program and Hyperscan versions

Exit status: 0 on success (rejected rules are reported, not fatal, unless --strict); 1 with
--strict when anything was rejected; 2 on usage errors, unreadable configuration or a failed
compile.
)";

struct Args {
  std::string command;
  std::vector<fs::path> inputs;
  std::optional<fs::path> config;
  std::optional<fs::path> classification;
  std::vector<std::pair<std::string, std::string>> vars;
  std::vector<std::pair<std::string, fs::path>> iocs;
  std::optional<fs::path> cache_dir;
  bool no_cache = false;
  std::optional<fs::path> output;
  std::string version_label;
  bool strict = false;
  bool json = false;
  bool per_file = false;
  bool quiet = false;
};

[[noreturn]] void usageError(const std::string& message) {
  std::cerr << "gsoc-rules: " << message << "\n(see gsoc-rules --help)\n";
  std::exit(2);
}

std::pair<std::string, std::string> splitAssign(const std::string& text, const char* option) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) usageError(std::string(option) + " expects NAME=VALUE, got '" + text + "'");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

Args parseArgs(int argc, char** argv) {
  Args args;
  std::vector<std::string> list(argv + 1, argv + argc);
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string& a = list[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= list.size()) usageError(a + " needs a value");
      return list[++i];
    };
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (a == "--version") {
      std::cout << "gsoc-rules 0.1.0 (Hyperscan " << hs::version() << ")\n";
      std::exit(0);
    } else if (a == "-c" || a == "--config") {
      args.config = value();
    } else if (a == "--classification") {
      args.classification = value();
    } else if (a == "--var") {
      args.vars.push_back(splitAssign(value(), "--var"));
    } else if (a == "--ioc") {
      auto [type, path] = splitAssign(value(), "--ioc");
      args.iocs.emplace_back(type, path);
    } else if (a == "--cache-dir") {
      args.cache_dir = value();
    } else if (a == "--no-cache") {
      args.no_cache = true;
    } else if (a == "-o" || a == "--output") {
      args.output = value();
    } else if (a == "--version-label") {
      args.version_label = value();
    } else if (a == "--strict") {
      args.strict = true;
    } else if (a == "--json") {
      args.json = true;
    } else if (a == "--per-file") {
      args.per_file = true;
    } else if (a == "-q" || a == "--quiet") {
      args.quiet = true;
    } else if (!a.empty() && a[0] == '-') {
      usageError("unknown option " + a);
    } else if (args.command.empty()) {
      args.command = a;
    } else {
      args.inputs.emplace_back(a);
    }
  }
  if (args.command.empty()) usageError("missing command (check, compile or info)");
  return args;
}

fs::path defaultCacheDir() {
  if (const char* dir = std::getenv("GSOC_CACHE_DIR"); dir && *dir) return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "gsoc" / "rules";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "gsoc" / "rules";
  return {};
}

RulesetSource buildSource(const Args& args, fs::path& cache_dir) {
  RulesetSource source;
  if (args.config) {
    gsoc::v1::RulesConfig config;
    try {
      gsoc::config::loadYamlFile(*args.config, config);
      source = RulesetSource::fromConfig(config, args.config->parent_path());
    } catch (const ConfigKeyError& e) {
      std::cerr << "gsoc-rules: " << gsoc::config::keyError(*args.config, e.key(), e.reason()).what() << "\n";
      std::exit(2);
    } catch (const std::exception& e) {
      std::cerr << "gsoc-rules: " << e.what() << "\n";
      std::exit(2);
    }
    if (!config.cache_dir().empty()) cache_dir = args.config->parent_path() / config.cache_dir();
  }
  for (const auto& input : args.inputs) source.rule_paths.push_back(input);
  if (source.rule_paths.empty()) usageError("no rule files given (on the command line or in the config's rule_files)");
  if (args.classification) source.classification_file = *args.classification;
  source.findClassificationBesideRules();
  for (const auto& [name, value] : args.vars) source.setVariable(name, value);
  for (const auto& [type_name, path] : args.iocs) {
    const auto type = parseIndicatorType(type_name);
    if (!type) usageError("--ioc: unknown indicator type '" + type_name + "' (ip, domain, url, hash, email)");
    source.indicator_files.emplace_back(*type, path);
  }
  if (args.cache_dir) cache_dir = *args.cache_dir;
  if (cache_dir.empty()) cache_dir = defaultCacheDir();
  if (args.no_cache) cache_dir.clear();
  return source;
}

int emit(const Args& args, const tools::RulesReport& report) {
  if (args.json) tools::writeJson(std::cout, report);
  else tools::writeText(std::cout, report);
  if (!report.fatal.empty()) return 2;
  if (args.strict && (report.load->rules_rejected() > 0 || !report.source_errors.empty())) return 1;
  return 0;
}

int runCheckOrCompile(const Args& args) {
  if (args.command == "compile" && !args.output) usageError("compile needs -o BUNDLE");
  fs::path cache_dir;
  const RulesetSource source = buildSource(args, cache_dir);
  LoadedSources loaded = loadSources(source);
  const LoadReport load = loaded.ruleset.report;  // kept: the ruleset moves into the compiler
  tools::RulesReport report;
  report.load = &load;
  report.source_errors = loaded.errors;
  report.indicators = loaded.indicators.entries().size();
  report.per_file = args.per_file;
  report.list_rejected = !args.quiet;
  report.cache_dir = cache_dir.string();
  CompileOptions options;
  options.cache_dir = cache_dir;
  options.version = args.version_label;
  CompiledRulesetPtr compiled;
  try {
    compiled = RuleCompiler(options).compile(loaded.ruleset, loaded.indicators);
    report.compiled = compiled.get();
    if (args.command == "compile") {
      writeBundle(*args.output, makeBundle(loaded, *compiled));
      report.bundle_path = args.output->string();
    }
  } catch (const std::exception& e) {
    report.fatal = e.what();
  }
  return emit(args, report);
}

int runInfo(const Args& args) {
  if (args.inputs.size() != 1) usageError("info takes exactly one bundle");
  try {
    const gsoc::v1::SignatureBundle bundle = readBundle(args.inputs.front());
    LoadedBundle loaded = compileBundle(bundle);
    tools::RulesReport report;
    report.load = &loaded.report;
    report.compiled = loaded.ruleset.get();
    report.source_errors = loaded.errors;
    if (!loaded.note.empty()) report.source_errors.push_back("note: " + loaded.note);
    report.indicators = loaded.ruleset->indicators() ? loaded.ruleset->indicators()->set().entries().size() : 0;
    report.list_rejected = !args.quiet;
    report.bundle_path = args.inputs.front().string();
    if (!args.json) {
      std::cout << "bundle " << bundle.version() << ", " << bundle.sources_size() << " source file(s), "
                << bundle.databases_size() << " database(s), Hyperscan " << bundle.hyperscan_version() << "\n";
    }
    return emit(args, report);
  } catch (const std::exception& e) {
    std::cerr << "gsoc-rules: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parseArgs(argc, argv);
  try {
    hs::checkPlatform();
  } catch (const std::exception& e) {
    std::cerr << "gsoc-rules: " << e.what() << "\n";
    return 2;
  }
  if (args.command == "check" || args.command == "compile") return runCheckOrCompile(args);
  if (args.command == "info") return runInfo(args);
  usageError("unknown command '" + args.command + "'");
}
