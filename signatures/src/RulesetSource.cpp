#include "gsoc/signatures/RulesetSource.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "gsoc/v1/config.pb.h"

namespace gsoc::signatures {
namespace {

bool readFile(const std::filesystem::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

std::vector<std::filesystem::path> expandRulePaths(const std::vector<std::filesystem::path>& paths, std::vector<std::string>& errors) {
  std::vector<std::filesystem::path> out;
  for (const auto& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::filesystem::path> found;
      for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".rules") found.push_back(entry.path());
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) errors.push_back(path.string() + ": directory holds no *.rules files");
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(path);
    }
  }
  return out;
}

// A Suricata size ("100mb"): digits, then optionally kb, mb or gb (any case, spaces allowed).
std::uint64_t parseSize(const std::string& key, const std::string& text) {
  std::string l;
  for (const char c : text) {
    if (c != ' ') l.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  std::uint64_t unit = 1;
  for (const auto& [suffix, factor] : {std::pair<std::string_view, std::uint64_t>{"kb", 1ULL << 10}, {"mb", 1ULL << 20}, {"gb", 1ULL << 30}}) {
    if (l.ends_with(suffix)) {
      l.resize(l.size() - 2);
      unit = factor;
      break;
    }
  }
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(l.data(), l.data() + l.size(), value);
  if (l.empty() || ec != std::errc() || ptr != l.data() + l.size() || value > (1ULL << 40)) {
    throw ConfigKeyError(key, "expected a size (bytes, or with kb, mb or gb), got '" + text + "'");
  }
  return value * unit;
}

void datasetsFromConfig(const gsoc::v1::DatasetsConfig& config, const std::filesystem::path& base_dir, DatasetOptions& out) {
  out.allow_absolute = config.rules().allow_absolute_filenames();
  out.allow_write = !config.rules().has_allow_write() || config.rules().allow_write();
  const std::uint64_t default_memcap = config.defaults().memcap().empty() ? 0 : parseSize("datasets.defaults.memcap", config.defaults().memcap());
  // Sorted by name, so sets load (and report) in the same order every time.
  std::map<std::string, const gsoc::v1::DatasetConfig*> sets;
  for (const auto& entry : config.sets()) sets.emplace(entry.first, &entry.second);
  for (const auto& entry : sets) {
    const std::string& name = entry.first;
    const gsoc::v1::DatasetConfig& set = *entry.second;
    const std::string key = "datasets.sets." + name;
    if (name.empty()) throw ConfigKeyError("datasets.sets", "a set needs a name");
    ConfiguredDataset c;
    c.name = name;
    c.load_dir = base_dir;
    DatasetDefinition& def = c.definition;
    if (set.type().empty()) throw ConfigKeyError(key + ".type", "missing (string, md5, sha256, ipv4, ip)");
    def.type = parseDatasetType(set.type());
    if (!def.type) throw ConfigKeyError(key + ".type", "unknown dataset type '" + set.type() + "' (string, md5, sha256, ipv4, ip)");
    if (!set.state().empty() && (!set.load().empty() || !set.save().empty())) {
      throw ConfigKeyError(key + ".state", "state is load and save of one file: give it alone");
    }
    if (!set.state().empty()) {
      def.load = set.state();
      def.state = true;
    } else {
      def.load = set.load();
      def.save = set.save();
    }
    def.memcap = set.memcap().empty() ? default_memcap : parseSize(key + ".memcap", set.memcap());
    def.hashsize = set.hashsize() != 0 ? set.hashsize() : config.defaults().hashsize();
    out.configured.push_back(std::move(c));
  }
}

}  // namespace

void RulesetSource::applyDatasetFlags(const DatasetOptions& flags) {
  datasets.data_dir = flags.data_dir;
  datasets.allow_absolute = datasets.allow_absolute || flags.allow_absolute;
  datasets.allow_write = datasets.allow_write && flags.allow_write;
}

RulesetSource RulesetSource::fromConfig(const gsoc::v1::RulesConfig& config, const std::filesystem::path& base_dir) {
  auto resolve = [&](const std::string& p) { return std::filesystem::path(p).is_absolute() ? std::filesystem::path(p) : base_dir / p; };
  RulesetSource source;
  for (const auto& file : config.rule_files()) source.rule_paths.push_back(resolve(file));
  if (!config.classification_file().empty()) source.classification_file = resolve(config.classification_file());
  for (const auto& ioc : config.indicators()) {
    const auto type = parseIndicatorType(ioc.type());
    if (!type) throw std::invalid_argument("rules.indicators.type: unknown indicator type '" + ioc.type() + "' (ip, domain, url, hash, email)");
    if (ioc.path().empty()) throw std::invalid_argument("rules.indicators.path: missing for type '" + ioc.type() + "'");
    source.indicator_files.emplace_back(*type, resolve(ioc.path()));
  }
  if (config.has_datasets()) datasetsFromConfig(config.datasets(), base_dir, source.datasets);
  for (const auto& [name, value] : config.address_groups()) source.variables.setAddressGroup(name, value);
  for (const auto& [name, value] : config.port_groups()) source.variables.setPortGroup(name, value);
  // Check every variable now, so a typo is reported against the config key, not a rule.
  for (const auto& [name, value] : source.variables.addressGroups()) {
    try {
      (void)source.variables.parseAddresses("$" + name);
    } catch (const ExpressionError& e) {
      throw std::invalid_argument("rules.address_groups." + name + ": " + e.what());
    }
  }
  for (const auto& [name, value] : source.variables.portGroups()) {
    try {
      (void)source.variables.parsePorts("$" + name);
    } catch (const ExpressionError& e) {
      throw std::invalid_argument("rules.port_groups." + name + ": " + e.what());
    }
  }
  return source;
}

void RulesetSource::setVariable(const std::string& name, const std::string& value) {
  if (name.ends_with("_PORTS") || name.ends_with("_PORT")) variables.setPortGroup(name, value);
  else variables.setAddressGroup(name, value);
}

void RulesetSource::findClassificationBesideRules() {
  if (!classification_file.empty() || rule_paths.empty()) return;
  const std::filesystem::path& first = rule_paths.front();
  std::error_code ec;
  const auto candidate = (std::filesystem::is_directory(first, ec) ? first : first.parent_path()) / "classification.config";
  if (std::filesystem::exists(candidate, ec)) classification_file = candidate;
}

LoadedSources loadSources(const RulesetSource& source) {
  std::vector<SourceBytes> files;
  std::vector<std::string> errors;
  auto add = [&](SourceBytes::Kind kind, const std::filesystem::path& path, IndicatorType type) {
    SourceBytes file{kind, path.string(), {}, type};
    if (!readFile(path, file.content)) {
      errors.push_back(path.string() + ": cannot read file");
      return;
    }
    files.push_back(std::move(file));
  };
  if (!source.classification_file.empty()) add(SourceBytes::Kind::Classification, source.classification_file, IndicatorType::Ip);
  for (const auto& path : expandRulePaths(source.rule_paths, errors)) add(SourceBytes::Kind::Rules, path, IndicatorType::Ip);
  for (const auto& [type, path] : source.indicator_files) add(SourceBytes::Kind::Indicators, path, type);
  LoadedSources loaded = loadSources(files, source.variables, source.datasets);
  loaded.errors.insert(loaded.errors.begin(), errors.begin(), errors.end());
  return loaded;
}

LoadedSources loadSources(const std::vector<SourceBytes>& files, const RuleVariables& variables, const DatasetOptions& datasets) {
  LoadedSources loaded;
  ClassificationTable classes = ClassificationTable::withDefaults();
  for (const SourceBytes& file : files) {
    if (file.kind == SourceBytes::Kind::Classification) classes.loadText(file.content, file.name, loaded.errors);
  }
  RulesetLoader loader(variables, std::move(classes), datasets);
  for (const SourceBytes& file : files) {
    if (file.kind == SourceBytes::Kind::Rules) loader.loadText(file.content, file.name);
    if (file.kind == SourceBytes::Kind::Indicators) loaded.indicators.loadText(file.indicator_type, file.content, file.name);
  }
  loaded.ruleset = loader.take();
  // Configured sets that failed to load: the rules naming them are rejected too, but the set's
  // own error (its file) is what the operator must fix.
  const auto& set_errors = loaded.ruleset.datasets->configErrors();
  loaded.errors.insert(loaded.errors.end(), set_errors.begin(), set_errors.end());
  loaded.errors.insert(loaded.errors.end(), loaded.indicators.errors().begin(), loaded.indicators.errors().end());
  loaded.files = files;
  return loaded;
}

}  // namespace gsoc::signatures
